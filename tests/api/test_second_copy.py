"""2ª via: not yet due, the same boleto; overdue, a new boleto due today (the
next business day on a weekend) with multa and juros as separate lines; the old boleto replaced but
still linked to the invoice."""
from datetime import date

import pytest

from chalicelib.domain.boleto import parse_boleto
from chalicelib.domain.nosso_numero import nosso_numero_key
from tests.steps.billing_steps import at, subscribe
from tests.steps.invoicing_steps import billable_account, invoice, invoices, pay, run_job
from tests.support import make_token

pytestmark = pytest.mark.ddblocal

PROMOB_MONTHLY = 19900
STAFF = make_token("fin-1", "carla@vendor.example", groups=["finance"])


def _invoice_of_100_reais_due_on_the_15th(client):
    """A R$ 199,00 renewal, R$ 99,00 of it paid by account credit: R$ 100,00 due on 15 May 2026."""
    account_id, token = billable_account(client, "copy-owner", due_day=15)
    at(client, "2026-04-20", "10:00:00")
    sub = subscribe(client, account_id, token, product_id="promob-cats-mandatory", periodicity="monthly",
                    payment_method="boleto")
    pay(client, sub["invoice_id"])
    credit = client.call("POST", f"/v1/admin/accounts/{account_id}/credits", STAFF,
                         {"amount_cents": PROMOB_MONTHLY - 10000, "reason": "Cortesia"})
    assert credit.status_code in (200, 201), credit.data
    run_job(client, "2026-05-08")
    (issued,) = invoices(client, account_id, token, "open")
    assert issued["total_cents"] == 10000
    return account_id, token, invoice(client, account_id, token, issued["id"])


def _second_copy(client, account_id, token, invoice_id):
    response = client.call("POST", f"/v1/accounts/{account_id}/invoices/{invoice_id}/second-copy", token)
    assert response.status_code == 200, response.data
    return response.data


def test_a_lost_boleto_not_yet_due_comes_back_the_same(client):
    account_id, token, issued = _invoice_of_100_reais_due_on_the_15th(client)
    at(client, "2026-05-12", "10:00:00")
    copy = _second_copy(client, account_id, token, issued["id"])
    assert copy["new_boleto"] is False
    assert copy["boleto"]["nosso_numero"] == issued["boleto"]["nosso_numero"]
    assert copy["boleto"]["digitable_line"] == issued["boleto"]["digitable_line"]
    assert (copy["boleto"]["due_date"], copy["total_cents"]) == ("2026-05-15", 10000)
    assert copy["previous_boletos"] == []


def test_ten_days_overdue_a_new_boleto_due_today_with_fine_and_interest_lines(client, aws):
    account_id, token, issued = _invoice_of_100_reais_due_on_the_15th(client)
    at(client, "2026-05-25", "10:00:00")  # Monday, 10 days after the due date

    copy = _second_copy(client, account_id, token, issued["id"])

    assert copy["new_boleto"] is True
    boleto = copy["boleto"]
    assert (boleto["due_date"], boleto["amount_cents"], copy["total_cents"]) == ("2026-05-25", 10233, 10233)
    assert boleto["nosso_numero"] != issued["boleto"]["nosso_numero"]
    parsed = parse_boleto(boleto["digitable_line"], today=date(2026, 5, 25))
    assert (parsed.amount_cents, parsed.due_date) == (10233, date(2026, 5, 25))
    fees = [(line["kind"], line["amount_cents"]) for line in copy["lines"] if line["kind"] == "fee"]
    assert fees == [("fee", 200), ("fee", 33)]
    assert "Multa" in copy["lines"][-2]["description"] and "10 dias" in copy["lines"][-1]["description"]
    assert copy["due_date"] == "2026-05-15"  # the invoice's own due date does not move
    assert copy["previous_boletos"] == [{"nosso_numero": issued["boleto"]["nosso_numero"], "due_date": "2026-05-15",
                                         "amount_cents": 10000, "status": "replaced"}]
    for nosso_numero in (issued["boleto"]["nosso_numero"], boleto["nosso_numero"]):
        lookup = aws.invoice_reads.by_nosso_numero(nosso_numero_key("341", nosso_numero))
        assert lookup.invoice_id == issued["id"]  # the replaced boleto still credits this invoice
    again = _second_copy(client, account_id, token, issued["id"])
    assert (again["new_boleto"], again["boleto"]["nosso_numero"]) == (False, boleto["nosso_numero"])


def test_on_a_saturday_the_new_boleto_is_due_monday_with_interest_up_to_monday(client):
    account_id, token, issued = _invoice_of_100_reais_due_on_the_15th(client)
    at(client, "2026-05-23", "10:00:00")  # Saturday
    copy = _second_copy(client, account_id, token, issued["id"])
    assert (copy["boleto"]["due_date"], copy["total_cents"]) == ("2026-05-25", 10233)


def test_a_later_second_copy_replaces_the_fee_lines_instead_of_adding_to_them(client):
    account_id, token, issued = _invoice_of_100_reais_due_on_the_15th(client)
    at(client, "2026-05-25", "10:00:00")
    _second_copy(client, account_id, token, issued["id"])
    at(client, "2026-06-15", "10:00:00")  # a month late: 2% once, 1% interest for 31 days
    copy = _second_copy(client, account_id, token, issued["id"])
    fees = [line["amount_cents"] for line in copy["lines"] if line["kind"] == "fee"]
    assert fees == [200, 103] and copy["total_cents"] == 10303
    assert [b["status"] for b in copy["previous_boletos"]] == ["replaced", "replaced"]


@pytest.mark.parametrize("state, code", [("paid", "invoice_not_payable"), ("missing", "invoice_not_found")])
def test_second_copy_is_refused_for_what_cannot_be_paid(client, state, code):
    account_id, token, issued = _invoice_of_100_reais_due_on_the_15th(client)
    invoice_id = issued["id"] if state == "paid" else "inv_nao_existe"
    if state == "paid":
        pay(client, issued["id"])
    response = client.call("POST", f"/v1/accounts/{account_id}/invoices/{invoice_id}/second-copy", token)
    assert response.status_code == (409 if state == "paid" else 404)
    assert response.data["error"]["code"] == code


def test_paid_in_part_the_second_copy_is_a_boleto_for_what_is_still_owed(client):
    account_id, token, issued = _invoice_of_100_reais_due_on_the_15th(client)
    at(client, "2026-05-12", "10:00:00")
    assert pay(client, issued["id"], amount_cents=4000)["invoice_status"] == "partially_paid"
    copy = _second_copy(client, account_id, token, issued["id"])
    assert copy["new_boleto"] is True
    boleto = copy["boleto"]
    assert (boleto["amount_cents"], boleto["due_date"], copy["paid_cents"]) == (6000, "2026-05-15", 4000)
    assert [line["kind"] for line in copy["lines"]] == ["subscription", "credit"]  # not late: no fees


def test_a_2a_via_of_an_invoice_superseded_twice_points_to_the_live_invoice_at_the_end(client):
    """A late installment carried into June, June's left unpaid and carried into July: May and June
    both point to July, the invoice that holds their items now."""
    account_id, token = billable_account(client, "chain-owner", due_day=15)
    at(client, "2026-04-20", "10:00:00")
    sub = subscribe(client, account_id, token, product_id="mentoria-12", periodicity="monthly",
                    payment_method="boleto")
    pay(client, sub["invoice_id"])
    run_job(client, "2026-05-08")
    (may,) = invoices(client, account_id, token, "open")
    run_job(client, "2026-06-08")
    (june,) = invoices(client, account_id, token, "open")
    run_job(client, "2026-07-08")
    (july,) = invoices(client, account_id, token, "open")
    # The chain: May -> June -> July.
    assert invoice(client, account_id, token, may["id"])["superseded_by"] == june["id"]
    assert invoice(client, account_id, token, june["id"])["superseded_by"] == july["id"]

    for old in (may, june):
        response = client.call("POST", f"/v1/accounts/{account_id}/invoices/{old['id']}/second-copy", token)
        assert response.status_code == 409, response.data
        error = response.data["error"]
        assert error["code"] == "invoice_superseded"
        assert error["details"] == {"superseded_by": july["id"], "superseded_by_number": july["number"]}
        assert f"substituída pela fatura {july['number']}" in error["message"]
    assert _second_copy(client, account_id, token, july["id"])["id"] == july["id"]
