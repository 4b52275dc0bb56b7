"""Cancellation (PRODUCT.md §8, Conta Azul's terms), end to end through HTTP with the dev clock:
withdrawal within 7 days with refund, 30-day notice, one more period when late, undo until the
effective date, early termination of a fixed-term contract. The cancellation quote (GET
.../cancellation-quote) is asked before each kind of cancel and must equal its answer."""
from datetime import date

from tests.steps.billing_steps import add_card, at, plan, subscribe
from tests.steps.invoicing_steps import billable_account, invoice, invoices
from tests.steps.payment_steps import dev_pay
from tests.steps.standing_steps import (
    audit_actions, cancel, cancel_as_quoted, cancellation_quote, check_overdue, entitlements, issue_invoices, mails,
    reactivate, status_of,
)

CONTA_AZUL = "conta-azul-mais"
MONTHLY, ANNUAL = 4900, 49000  # per license
MENTORSHIP_INSTALLMENT = 50000


def _partner(client, user: str = "partner-owner"):
    account_id, token = billable_account(client, user, due_day=None, name="Escritório Contábil Parceiro")
    add_card(client, account_id, token)
    return account_id, token


def _annual_batch_paid(client, account_id, token, day: str = "2027-01-10") -> dict:
    at(client, day)
    sub = subscribe(client, account_id, token, product_id=CONTA_AZUL, periodicity="annual", quantity=2,
                    payment_method="card")
    assert dev_pay(client, sub["invoice_id"], "card").status_code == 200
    return sub


def test_cancelled_on_day_5_after_a_renewal_is_immediate_and_that_payment_is_refunded(client):
    account_id, token = _partner(client)
    at(client, "2027-03-01")
    # A product without a commitment: inside one (conta-azul-mais) a monthly bill is no renewal of the
    # contract and opens no withdrawal window (test_batches: full value on early termination).
    sub = subscribe(client, account_id, token, product_id="operand-pro", periodicity="monthly", quantity=2,
                    payment_method="card")
    assert dev_pay(client, sub["invoice_id"], "card").status_code == 200
    issue_invoices(client, "2027-03-25")
    [renewal] = invoices(client, account_id, token, status="open")
    at(client, "2027-04-01", "08:00:00")
    assert dev_pay(client, renewal["id"], "card").status_code == 200

    at(client, "2027-04-06", "15:00:00")  # day 5 after the renewal payment
    response = cancel_as_quoted(client, account_id, token, sub["id"], "Fechamos o escritório")
    result = response.data
    assert (result["kind"], result["status"], result["effective_date"]) == ("withdrawal", "cancelled", "2027-04-06")
    assert (result["refund_cents"], result["refund_status"], result["amount_owed_cents"]) == (
        2 * 9900, "refunded", 0)
    assert invoice(client, account_id, token, renewal["id"])["status"] == "refunded"
    payments = client.call("GET", f"/v1/accounts/{account_id}/payments", token).data["items"]
    assert [p["invoice_id"] for p in payments if p.get("status") == "refunded"] == [renewal["id"]]
    assert entitlements(client, account_id, token)[sub["id"]]["license"] == "none"
    assert {"subscription.cancelled", "payment.refunded"} <= set(audit_actions(client, account_id, token))
    [mail] = mails(client, "subscription_cancelled")
    assert "devolvido no cartão" in mail["text"]


def test_cancelled_40_days_before_the_renewal_ends_at_the_period_end(client):
    account_id, token = _partner(client)
    sub = _annual_batch_paid(client, account_id, token)
    at(client, "2027-12-01")  # 40 days before 10 January 2028
    result = cancel_as_quoted(client, account_id, token, sub["id"]).data
    assert (result["kind"], result["status"], result["effective_date"]) == (
        "at_period_end", "pending_cancellation", "2028-01-10")
    assert (result["refund_cents"], result["amount_owed_cents"], result["invoice_id"]) == (0, 0, None)
    assert result["auto_renew"] is False and result["undo_until"] == "2028-01-09"
    assert plan(client, account_id, token, sub["id"])["next_renewal"] is None
    assert issue_invoices(client, "2028-01-03")["invoices_issued"] == 0  # the renewal is not billed
    assert entitlements(client, account_id, token)[sub["id"]]["license"] == "active"  # until the end
    assert check_overdue(client, "2028-01-09")["cancellations_effective"] == 0
    assert check_overdue(client, "2028-01-10")["cancellations_effective"] == 1
    assert status_of(account_id, sub["id"]) == "cancelled"
    assert entitlements(client, account_id, token)[sub["id"]]["license"] == "none"
    assert check_overdue(client, "2028-01-10")["cancellations_effective"] == 0  # run twice: nothing more
    assert [m["subject"].split(":")[0] for m in mails(client, "subscription_cancelled")] == [
        "Assinatura cancelada", "Cancelamento agendado para 10/01/2028"]


def test_cancelled_20_days_before_the_renewal_is_billed_once_more_and_ends_a_period_later(client):
    account_id, token = _partner(client)
    sub = _annual_batch_paid(client, account_id, token)
    at(client, "2027-12-21")  # 20 days before 10 January 2028
    result = cancel_as_quoted(client, account_id, token, sub["id"]).data
    assert (result["kind"], result["status"], result["effective_date"]) == (
        "after_next_period", "pending_cancellation", "2029-01-10")
    assert result["amount_owed_cents"] == 2 * ANNUAL
    billed = invoice(client, account_id, token, result["invoice_id"])
    assert (billed["total_cents"], billed["due_date"], billed["payment_method"]) == (2 * ANNUAL, "2028-01-10", "card")
    [line] = billed["lines"]
    assert (line["period_start"], line["period_end"]) == ("2028-01-10", "2029-01-10")
    assert issue_invoices(client, "2028-01-03")["invoices_issued"] == 0  # never billed twice
    at(client, "2028-01-10", "09:00:00")
    assert dev_pay(client, result["invoice_id"], "card").status_code == 200
    renewed = plan(client, account_id, token, sub["id"])
    assert (renewed["status"], renewed["current_period_end"]) == ("pending_cancellation", "2029-01-10")
    assert check_overdue(client, "2029-01-10")["cancellations_effective"] == 1
    assert status_of(account_id, sub["id"]) == "cancelled"


def test_undo_works_until_the_effective_date(client):
    account_id, token = _partner(client)
    sub = _annual_batch_paid(client, account_id, token)
    at(client, "2027-12-01")
    cancel(client, account_id, token, sub["id"])
    again = cancel(client, account_id, token, sub["id"])
    assert again.status_code == 409 and again.data["error"]["code"] == "cancellation_already_scheduled"
    at(client, "2028-01-09")
    undone = reactivate(client, account_id, token, sub["id"])
    assert undone.status_code == 200, undone.data
    assert (undone.data["status"], undone.data["auto_renew"]) == ("active", True)
    assert undone.data["next_renewal"]["period_start"] == "2028-01-10"
    assert check_overdue(client, "2028-01-10")["cancellations_effective"] == 0
    assert status_of(account_id, sub["id"]) == "active"
    assert issue_invoices(client, "2028-01-10")["invoices_issued"] == 1  # the renewal is billed again
    nothing = reactivate(client, account_id, token, sub["id"])
    assert nothing.status_code == 409 and nothing.data["error"]["code"] == "no_cancellation_scheduled"
    assert "subscription.reactivated" in audit_actions(client, account_id, token)


def test_undo_is_refused_from_the_effective_date_on(client):
    account_id, token = _partner(client)
    sub = _annual_batch_paid(client, account_id, token)
    at(client, "2027-12-01")
    cancel(client, account_id, token, sub["id"])
    at(client, "2028-01-10", "06:00:00")  # before the job ran that day
    late = reactivate(client, account_id, token, sub["id"])
    assert late.status_code == 409 and late.data["error"]["code"] == "cancellation_effective"


def test_a_12_installment_mentorship_cancelled_after_4_is_invoiced_the_remaining_8(client):
    account_id, token = billable_account(client, "mentee", due_day=None, name="Loja Aprendiz")
    at(client, "2027-01-04")
    sub = subscribe(client, account_id, token, product_id="mentoria-12", periodicity="monthly",
                    payment_method="boleto")
    assert dev_pay(client, sub["invoice_id"], "boleto").status_code == 200
    for issue_day, due in (("2027-01-28", "2027-02-04"), ("2027-02-25", "2027-03-04"), ("2027-03-28", "2027-04-04")):
        issue_invoices(client, issue_day)
        [installment] = invoices(client, account_id, token, status="open")
        assert installment["due_date"] == due
        at(client, due)
        assert dev_pay(client, installment["id"], "boleto").status_code == 200
    assert plan(client, account_id, token, sub["id"])["current_period_end"] == "2027-05-04"  # 4 paid

    at(client, "2027-04-20")
    result = cancel_as_quoted(client, account_id, token, sub["id"], "Encerramos a mentoria").data
    assert (result["kind"], result["effective_date"]) == ("early_termination", "2027-05-04")
    assert result["amount_owed_cents"] == 8 * MENTORSHIP_INSTALLMENT
    termination = invoice(client, account_id, token, result["invoice_id"])
    assert termination["total_cents"] == 8 * MENTORSHIP_INSTALLMENT
    assert "8 parcela(s) restante(s)" in termination["lines"][0]["description"]
    assert issue_invoices(client, "2027-04-27")["invoices_issued"] == 0  # no 5th installment any more


def test_undoing_an_early_termination_voids_its_invoice(client):
    account_id, token = billable_account(client, "mentee-2", due_day=None)
    at(client, "2027-01-04")
    sub = subscribe(client, account_id, token, product_id="mentoria-12", periodicity="monthly",
                    payment_method="boleto")
    dev_pay(client, sub["invoice_id"], "boleto")
    at(client, "2027-01-20")
    result = cancel(client, account_id, token, sub["id"]).data
    assert result["amount_owed_cents"] == 11 * MENTORSHIP_INSTALLMENT
    assert reactivate(client, account_id, token, sub["id"]).status_code == 200
    assert invoice(client, account_id, token, result["invoice_id"])["status"] == "void"
    assert issue_invoices(client, "2027-01-28")["invoices_issued"] == 1  # installments bill as usual


def test_a_purchase_not_paid_yet_is_withdrawn_at_once_and_its_invoice_voided(client, aws):
    account_id, token = billable_account(client, "quick-regret", due_day=None)
    at(client, "2027-05-03")
    sub = subscribe(client, account_id, token, product_id="operand-pro", periodicity="monthly", quantity=1,
                    payment_method="boleto")
    at(client, "2027-05-06")
    result = cancel_as_quoted(client, account_id, token, sub["id"]).data
    assert (result["kind"], result["status"], result["refund_cents"]) == ("withdrawal", "cancelled", 0)
    assert result["voided_invoice_ids"] == [sub["invoice_id"]]
    assert invoice(client, account_id, token, sub["invoice_id"])["status"] == "void"
    assert aws.retention.scheduled_purge(account_id) == date(2027, 8, 4)
    assert check_overdue(client, "2027-05-07")["past_due"] == 0  # nothing left to chase


def test_optional_contract_cancelled_keeps_the_perpetual_license_and_the_account(client, aws):
    account_id, token = billable_account(client, "plus-leaver", due_day=None)
    at(client, "2027-01-05")
    sub = subscribe(client, account_id, token, product_id="promob-cats-optional", periodicity="annual",
                    payment_method="boleto")
    dev_pay(client, sub["invoice_id"], "boleto")
    at(client, "2027-06-01")
    assert cancel(client, account_id, token, sub["id"]).data["effective_date"] == "2028-01-05"
    check_overdue(client, "2028-01-05")
    granted = entitlements(client, account_id, token)[sub["id"]]
    assert (granted["status"], granted["license"], granted["support"], granted["updates"]) == (
        "cancelled", "active", False, False)
    assert aws.retention.scheduled_purge(account_id) is None  # the license is still theirs


def test_cancel_is_for_owner_and_admin_and_refuses_bad_input(client):
    account_id, token = billable_account(client, "strict-owner", due_day=None)
    at(client, "2027-05-03")
    sub = subscribe(client, account_id, token, product_id="operand-pro", periodicity="monthly", quantity=1,
                    payment_method="boleto")
    empty = client.call("POST", f"/v1/accounts/{account_id}/subscriptions/{sub['id']}/cancel", token, {})
    assert empty.status_code == 422
    unknown = cancel(client, account_id, token, "sub_unknown")
    assert unknown.status_code == 404 and unknown.data["error"]["code"] == "subscription_not_found"
    assert cancel(client, account_id, token, sub["id"]).status_code == 200
    twice = cancel(client, account_id, token, sub["id"])
    assert twice.status_code == 409 and twice.data["error"]["code"] == "subscription_cancelled"


def _monthly_boleto_with_renewal_issued(client, user: str):
    """operand-pro bought on 3 May 2027 by boleto; its renewal (due 3 June) issued on 27 May (D-7)."""
    account_id, token = billable_account(client, user, due_day=None)
    at(client, "2027-05-03")
    sub = subscribe(client, account_id, token, product_id="operand-pro", periodicity="monthly", quantity=1,
                    payment_method="boleto")
    assert dev_pay(client, sub["invoice_id"], "boleto").status_code == 200
    issue_invoices(client, "2027-05-27")
    [renewal] = invoices(client, account_id, token, status="open")
    assert renewal["due_date"] == "2027-06-03"
    return account_id, token, sub, renewal


def test_withdrawal_window_counts_from_the_renewal_date_so_a_renewal_paid_early_is_refunded(client):
    account_id, token, sub, renewal = _monthly_boleto_with_renewal_issued(client, "early-payer")
    at(client, "2027-05-27", "10:00:00")  # paid the day the boleto arrived (D-7)
    assert dev_pay(client, renewal["id"], "boleto").status_code == 200

    at(client, "2027-06-06", "15:00:00")  # D+3: 10 days after the payment, 3 after the renewal
    result = cancel_as_quoted(client, account_id, token, sub["id"], "Não vamos mais usar").data
    assert (result["kind"], result["status"], result["effective_date"]) == ("withdrawal", "cancelled", "2027-06-06")
    assert (result["refund_cents"], result["refund_status"], result["amount_owed_cents"]) == (
        renewal["total_cents"], "requested", 0)
    assert invoice(client, account_id, token, renewal["id"])["status"] == "refunded"


def test_withdrawal_window_counts_from_the_renewal_date_so_a_renewal_paid_late_is_not_refunded(client):
    account_id, token, sub, renewal = _monthly_boleto_with_renewal_issued(client, "late-payer")
    at(client, "2027-06-12", "10:00:00")  # D+9
    assert dev_pay(client, renewal["id"], "boleto").status_code == 200

    at(client, "2027-06-13", "15:00:00")  # D+10: the day after the payment, 10 after the renewal
    response = cancel(client, account_id, token, sub["id"], "Não vamos mais usar")
    assert response.status_code == 200, response.data
    result = response.data
    assert result["kind"] != "withdrawal" and result["status"] == "pending_cancellation"
    assert (result["refund_cents"], result["refund_status"]) == (0, None)
    assert invoice(client, account_id, token, renewal["id"])["status"] == "paid"


def _stored(aws) -> dict:
    """Every item of every table, by table."""
    dynamodb = aws.boto3_client("dynamodb")
    stored = {}
    for table in dynamodb.list_tables()["TableNames"]:
        pages = dynamodb.get_paginator("scan").paginate(TableName=table)
        stored[table] = sorted(repr(sorted(item.items())) for page in pages for item in page["Items"])
    return stored


def test_the_quote_writes_nothing_and_is_refused_as_the_cancel_would_be(client, aws):
    account_id, token = _partner(client, "quote-reader")
    sub = _annual_batch_paid(client, account_id, token)
    at(client, "2027-12-21")  # late notice: the cancel would bill the renewal now
    before = _stored(aws)
    quote = cancellation_quote(client, account_id, token, sub["id"])
    assert quote.status_code == 200, quote.data
    assert (quote.data["kind"], quote.data["amount_owed_cents"]) == ("after_next_period", 2 * ANNUAL)
    assert _stored(aws) == before  # no invoice, no cancellation, no audit entry, no e-mail
    assert plan(client, account_id, token, sub["id"])["status"] == "active"
    cancel(client, account_id, token, sub["id"])
    scheduled = cancellation_quote(client, account_id, token, sub["id"])
    assert scheduled.status_code == 409 and scheduled.data["error"]["code"] == "cancellation_already_scheduled"
    assert scheduled.data["error"]["message"] == "O cancelamento desta assinatura já está agendado."
    unknown = cancellation_quote(client, account_id, token, "sub_unknown")
    assert unknown.status_code == 404 and unknown.data["error"]["code"] == "subscription_not_found"
