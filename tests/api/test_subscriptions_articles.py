"""The help-center articles' cases, end to end through HTTP with the dev clock."""
from datetime import date, timedelta
from fractions import Fraction

import pytest

from tests.steps.billing_steps import account, add_card, at, change, half_up, plan, subscribe
from tests.steps.invoicing_steps import invoices, pay
from tests.steps.standing_steps import issue_invoices
from tests.support import make_token

# Conditional writes and version checks also run on AWS DynamoDB Local (second pass of `make test`).
pytestmark = pytest.mark.ddblocal

CONECTA_MONTHLY, CONECTA_ANNUAL = 29900, 299000
OPERAND_MONTHLY, OPERAND_SEMIANNUAL = 9900, 53400
STORAGE_MONTHLY, STORAGE_SEMIANNUAL = 150, 900
PROMOB_MONTHLY = 19900


def _conecta_customer(client):
    account_id, token = client.create_account("ummense-owner", "Agência Ummense")
    add_card(client, account_id, token)
    return account_id, token


# --- Ummense: CONECTA ------------------------------------------------------------------------

def test_ummense_monthly_to_annual_discounts_the_unused_month_on_the_first_annual_payment(client):
    account_id, token = _conecta_customer(client)
    at(client, "2026-03-01")
    sub = subscribe(client, account_id, token, product_id="conecta-app", periodicity="monthly")
    pay(client, sub["invoice_id"])  # only money received becomes credit ("saldo já pago")
    at(client, "2026-03-16")
    unused = half_up(CONECTA_MONTHLY * 16, 31)  # 16 of March's 31 days unused
    body = {"periodicity": "annual", "payment_method": "card"}
    preview = change(client, account_id, token, sub["id"], body, preview=True).data
    applied = change(client, account_id, token, sub["id"], body)
    assert applied.status_code == 200, applied.data
    assert preview["credit_cents"] == applied.data["credit_cents"] == unused == 15432
    assert applied.data["charge_now_cents"] == CONECTA_ANNUAL - unused
    assert applied.data["account_credit_cents"] == 0
    assert applied.data["new_period_end"] == "2027-03-16"
    assert [line["amount_cents"] for line in applied.data["lines"]] == [CONECTA_ANNUAL, -unused]
    after = plan(client, account_id, token, sub["id"])
    assert (after["periodicity"], after["current_period_start"], after["current_period_end"]) == (
        "annual", "2026-03-16", "2027-03-16")
    invoice = next(i for i in after["open_invoices"]["items"] if i["id"] == applied.data["invoice_id"])
    assert invoice["total_cents"] == CONECTA_ANNUAL - unused and invoice["payment_method"] == "card"


def test_ummense_annual_to_monthly_pushes_the_renewal_and_keeps_the_centavos_as_account_credit(client):
    account_id, token = _conecta_customer(client)
    at(client, "2026-01-01")
    sub = subscribe(client, account_id, token, product_id="conecta-app", periodicity="annual")
    pay(client, sub["invoice_id"])
    at(client, "2026-07-01")
    credit = half_up(CONECTA_ANNUAL * 184, 365)  # 1 Jul -> 1 Jan: 184 of 365 days unused
    days = credit * 31 // CONECTA_MONTHLY  # July has 31 days: whole days at the monthly daily rate
    leftover = credit - half_up(CONECTA_MONTHLY * days, 31)
    response = change(client, account_id, token, sub["id"], {"periodicity": "monthly"})
    assert response.status_code == 200, response.data
    result = response.data
    assert (result["credit_cents"], result["charge_now_cents"], result["invoice_id"]) == (credit, 0, None)
    assert result["days_granted"] == days == 156
    assert result["new_period_end"] == (date(2026, 7, 1) + timedelta(days=days)).isoformat() == "2026-12-04"
    assert result["account_credit_cents"] == leftover == 264
    assert account(client, account_id, token)["credit_cents"] == leftover
    after = plan(client, account_id, token, sub["id"])
    assert after["current_period_end"] == "2026-12-04" and after["next_renewal"]["period_start"] == "2026-12-04"
    assert after["account_credit_cents"] == leftover


def test_ummense_boleto_is_refused_on_monthly_in_portuguese(client):
    account_id, token = _conecta_customer(client)
    at(client, "2026-03-01")
    refused = client.call("POST", f"/v1/accounts/{account_id}/subscriptions", token,
                          {"product_id": "conecta-app", "periodicity": "monthly", "payment_method": "boleto"})
    assert refused.status_code == 422
    assert refused.data["error"]["code"] == "boleto_not_allowed"
    assert "boleto não está disponível na periodicidade mensal" in refused.data["error"]["message"]
    assert "anual" in refused.data["error"]["message"]
    sub = subscribe(client, account_id, token, product_id="conecta-app", periodicity="monthly")
    switch = client.call("PUT", f"/v1/accounts/{account_id}/subscriptions/{sub['id']}/payment-method", token,
                         {"payment_method": "boleto"})
    assert switch.status_code == 422 and switch.data["error"]["code"] == "boleto_not_allowed"
    by_boleto = change(client, account_id, token, sub["id"], {"periodicity": "monthly", "quantity": 1,
                                                               "payment_method": "boleto"}, preview=True)
    assert by_boleto.status_code in (409, 422)
    to_annual = change(client, account_id, token, sub["id"], {"periodicity": "annual", "payment_method": "boleto"})
    assert to_annual.status_code == 200 and to_annual.data["payment_method"] == "boleto"


def _conecta_annual_by_boleto(client):
    """CONECTA annual by boleto from 10 Jan 2026: the renewal of 10 Jan 2027 is issued on 3 Jan (D-7)."""
    account_id, token = _conecta_customer(client)
    at(client, "2026-01-10")
    sub = subscribe(client, account_id, token, product_id="conecta-app", periodicity="annual",
                    payment_method="boleto")
    assert sub["current_period_end"] == "2027-01-10"
    assert sub["boleto_to_card_until"] == "2027-01-03"  # the issue day itself, until the job runs
    return account_id, token, sub, f"/v1/accounts/{account_id}/subscriptions/{sub['id']}/payment-method"


def _refused_naming_the_issue_date(client, token, path):
    refused = client.call("PUT", path, token, {"payment_method": "card"})
    assert refused.status_code == 409, refused.data
    error = refused.data["error"]
    assert error["code"] == "boleto_already_issued"
    assert error["message"].count("03/01/2027") == 1  # the issue date, named once
    assert "10/01/2027" not in error["message"]  # and no other date beside it
    assert error["details"] == {"renewal_date": "2027-01-10", "issue_date": "2027-01-03"}


def test_ummense_boleto_to_card_deadline_accepted_eight_days_before_refused_six_days_before(client):
    account_id, token, sub, path = _conecta_annual_by_boleto(client)
    at(client, "2027-01-02")  # D-8
    accepted = client.call("PUT", path, token, {"payment_method": "card"})
    assert accepted.status_code == 200, accepted.data
    assert accepted.data["payment_method"] == "boleto"  # the current period stays as it was paid
    assert (accepted.data["pending_payment_method"], accepted.data["pending_payment_method_from"]) == (
        "card", "2027-01-10")
    assert accepted.data["next_renewal"]["payment_method"] == "card"
    back = client.call("PUT", path, token, {"payment_method": "boleto"})
    assert back.status_code == 200 and back.data["pending_payment_method"] is None

    issue_invoices(client, "2027-01-03")  # the renewal boleto is generated
    at(client, "2027-01-04")  # D-6
    _refused_naming_the_issue_date(client, token, path)
    renewed = plan(client, account_id, token, sub["id"])
    assert renewed["next_renewal"]["payment_method"] == "boleto"
    assert renewed["boleto_to_card_until"] is None  # nothing left to switch for this renewal


def test_ummense_boleto_to_card_deadline_accepted_on_the_issue_day_before_the_job_runs(client):
    account_id, token, sub, path = _conecta_annual_by_boleto(client)
    at(client, "2027-01-03", "05:00:00")  # D-7, the issuing job runs at 06:00
    accepted = client.call("PUT", path, token, {"payment_method": "card"})
    assert accepted.status_code == 200, accepted.data
    assert accepted.data["pending_payment_method"] == "card"
    assert issue_invoices(client, "2027-01-03")["invoices_issued"] == 1
    [renewal] = [i for i in invoices(client, account_id, token, status="open") if i["due_date"] == "2027-01-10"]
    assert renewal["payment_method"] == "card"  # no boleto


def test_ummense_boleto_to_card_deadline_refused_on_the_issue_day_after_the_job_ran(client):
    account_id, token, sub, path = _conecta_annual_by_boleto(client)
    assert issue_invoices(client, "2027-01-03")["invoices_issued"] == 1
    at(client, "2027-01-03", "09:00:00")  # D-7, after the run
    _refused_naming_the_issue_date(client, token, path)
    [renewal] = [i for i in invoices(client, account_id, token, status="open") if i["due_date"] == "2027-01-10"]
    assert renewal["payment_method"] == "boleto"


# --- Operand: Meu Plano ----------------------------------------------------------------------

def _operand_customer(client):
    account_id, token = client.create_account("operand-owner", "Agência Operand")
    add_card(client, account_id, token)
    settings = client.call("PUT", f"/v1/accounts/{account_id}/billing-settings", token,
                           {"default_payment_method": "card"})
    assert settings.status_code == 200
    at(client, "2026-03-01")
    sub = subscribe(client, account_id, token, product_id="operand-pro", periodicity="monthly", quantity=5)
    assert sub["payment_method"] == "card" and sub["paid_cents"] == 5 * OPERAND_MONTHLY
    return account_id, token, sub["id"]


def test_operand_licenses_added_mid_period_are_paid_by_boleto_for_that_order_only(client):
    account_id, token, sub_id = _operand_customer(client)
    at(client, "2026-03-16")
    response = change(client, account_id, token, sub_id, {"quantity": 8, "payment_method": "boleto"})
    assert response.status_code == 200, response.data
    expected = half_up(3 * OPERAND_MONTHLY * 16, 31)
    assert response.data["charge_now_cents"] == expected == 15329
    assert response.data["new_period_end"] == "2026-04-01"  # additions do not move the renewal
    after = plan(client, account_id, token, sub_id)
    assert after["quantity"] == 8
    order = next(i for i in after["open_invoices"]["items"] if i["id"] == response.data["invoice_id"])
    assert (order["payment_method"], order["total_cents"]) == ("boleto", expected)
    assert (after["payment_method"], after["pending_payment_method"]) == ("card", None)
    assert account(client, account_id, token)["default_payment_method"] == "card"


def test_operand_make_default_turns_the_card_of_the_order_into_the_default(client):
    account_id, token, sub_id = _operand_customer(client)
    settings = client.call("PUT", f"/v1/accounts/{account_id}/billing-settings", token,
                           {"default_payment_method": "boleto"})
    assert settings.status_code == 200, settings.data
    at(client, "2026-03-16")
    response = change(client, account_id, token, sub_id,
                      {"quantity": 8, "payment_method": "card", "make_default": True})
    assert response.status_code == 200, response.data
    assert response.data["charge_now_cents"] == half_up(3 * OPERAND_MONTHLY * 16, 31)
    assert account(client, account_id, token)["default_payment_method"] == "card"


@pytest.mark.parametrize("preview", [True, False])
def test_make_default_only_for_card(client, preview):
    """Operand: only an order paid by card may become the default ("Tornar esta minha forma de
    pagamento padrão"); a boleto chosen for an order is for that order alone."""
    account_id, token, sub_id = _operand_customer(client)
    at(client, "2026-03-16")
    response = change(client, account_id, token, sub_id,
                      {"quantity": 8, "payment_method": "boleto", "make_default": True}, preview=preview)
    assert response.status_code == 422, response.data
    error = response.data["error"]
    assert error["code"] == "make_default_requires_card"
    assert "cartão de crédito" in error["message"] and "padrão" in error["message"]
    assert [f["field"] for f in error["details"]["fields"]] == ["make_default"]
    after = plan(client, account_id, token, sub_id)
    assert (after["quantity"], after["payment_method"], after["pending_payment_method"]) == (5, "card", None)
    assert account(client, account_id, token)["default_payment_method"] == "card"


def test_operand_active_only_renews_as_many_licenses_as_active_members(client):
    account_id, token, sub_id = _operand_customer(client)
    members = f"/v1/accounts/{account_id}/members"
    for name in ("ana", "bia", "caio", "davi"):
        invited = client.call("POST", members, token, {"email": f"{name}@example.com", "role": "member"})
        assert invited.status_code == 201
        client.call("GET", f"/v1/accounts/{account_id}", make_token(name, f"{name}@example.com"))  # joins
    assert plan(client, account_id, token, sub_id)["licenses_used"] == 5
    for name in ("caio", "davi"):
        assert client.call("PATCH", f"{members}/{name}", token, {"active": False}).status_code == 200
    renewal = client.call("PUT", f"/v1/accounts/{account_id}/subscriptions/{sub_id}/renewal", token,
                          {"renewal_mode": "active_only"})
    assert renewal.status_code == 200, renewal.data
    assert renewal.data["renewal_mode"] == "active_only"
    assert (renewal.data["quantity"], renewal.data["licenses_used"]) == (5, 3)
    next_renewal = renewal.data["next_renewal"]
    assert next_renewal["quantity"] == 3
    assert next_renewal["amount_cents"] == 3 * OPERAND_MONTHLY
    assert next_renewal["period_start"] == "2026-04-01"


def test_operand_storage_added_mid_period_is_prorated(client):
    account_id, token, sub_id = _operand_customer(client)
    at(client, "2026-03-10")
    response = change(client, account_id, token, sub_id, {"storage_gb": 10, "payment_method": "card"})
    assert response.status_code == 200, response.data
    assert response.data["charge_now_cents"] == half_up(10 * STORAGE_MONTHLY * 22, 31) == 1065
    assert response.data["lines"][0]["kind"] == "addon"
    storage = client.call("GET", f"/v1/accounts/{account_id}/storage", token).data
    assert storage["storage_gb"] == 10
    assert plan(client, account_id, token, sub_id)["next_renewal"]["amount_cents"] == (
        5 * OPERAND_MONTHLY + 10 * STORAGE_MONTHLY)


def test_operand_monthly_to_semiannual_uses_the_semiannual_price(client):
    account_id, token, sub_id = _operand_customer(client)
    at(client, "2026-03-10")
    added = change(client, account_id, token, sub_id, {"quantity": 8, "storage_gb": 10})
    for paid in [i["id"] for i in plan(client, account_id, token, sub_id)["open_invoices"]["items"]]:
        pay(client, paid)  # the month and the order: only money received becomes credit
    licenses_part, storage_part = half_up(3 * OPERAND_MONTHLY * 22, 31), half_up(10 * STORAGE_MONTHLY * 22, 31)
    assert added.data["charge_now_cents"] == licenses_part + storage_part
    at(client, "2026-03-21")
    # Each payment is credited for the part of its own coverage left unused (11 days of March):
    # the month's price over 31 days, the order paid on the 10th over its 22; rounded once.
    credit = half_up(Fraction(5 * OPERAND_MONTHLY * 11, 31) + Fraction((licenses_part + storage_part) * 11, 22))
    semiannual = 8 * OPERAND_SEMIANNUAL + 10 * STORAGE_SEMIANNUAL
    assert 8 * OPERAND_SEMIANNUAL < 6 * 8 * OPERAND_MONTHLY  # the semiannual price is the discounted one
    response = change(client, account_id, token, sub_id, {"periodicity": "semiannual"})
    assert response.status_code == 200, response.data
    assert response.data["credit_cents"] == credit
    assert response.data["charge_now_cents"] == semiannual - credit
    assert [line["amount_cents"] for line in response.data["lines"]] == [
        8 * OPERAND_SEMIANNUAL, 10 * STORAGE_SEMIANNUAL, -credit]
    assert response.data["new_period_end"] == "2026-09-21"
    assert plan(client, account_id, token, sub_id)["periodicity"] == "semiannual"


# --- Promob: due day -------------------------------------------------------------------------

def test_promob_due_day_change_keeps_the_current_end_and_lands_the_next_period_on_the_new_day(client):
    account_id, token = client.create_account("promob-owner", "Marcenaria Promob")
    at(client, "2026-03-10")
    assert client.call("PUT", f"/v1/accounts/{account_id}/billing-settings", token, {"due_day": 15}).status_code == 200
    sub = subscribe(client, account_id, token, product_id="promob-cats-mandatory", periodicity="monthly",
                    payment_method="boleto")
    # Subscribing on the 10th with due day 15: the first period runs to 15 Apr, 5 days more prorated.
    assert (sub["current_period_start"], sub["current_period_end"]) == ("2026-03-10", "2026-04-15")
    first_invoice = sub["open_invoices"]["items"][0]
    assert first_invoice["total_cents"] == PROMOB_MONTHLY + half_up(PROMOB_MONTHLY * 5, 31)
    assert sub["next_renewal"]["period_end"] == "2026-05-15"

    at(client, "2026-03-28")  # in the middle of the period
    assert client.call("PUT", f"/v1/accounts/{account_id}/billing-settings", token, {"due_day": 22}).status_code == 200
    after = plan(client, account_id, token, sub["id"])
    assert after["current_period_end"] == "2026-04-15"  # the current period keeps its end
    renewal = after["next_renewal"]
    assert (renewal["period_start"], renewal["period_end"]) == ("2026-04-15", "2026-05-22")
    gap = half_up(PROMOB_MONTHLY * 7, 30)  # 15 -> 22 May, at the 30-day period's daily rate
    assert renewal["proration_cents"] == gap == 4643
    assert renewal["amount_cents"] == PROMOB_MONTHLY + gap
    assert after["next_due_date"] == first_invoice["due_date"]
