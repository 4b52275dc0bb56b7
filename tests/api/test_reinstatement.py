"""Manual renewal after a cancellation for non-payment (PRODUCT.md §4; Promob, "Renovação de
Assinaturas": "é possível realizar a renovação manual das assinaturas"), end to end through HTTP with
the dev clock: inside the retention window, paying the debt reinstates the subscription at once with a
new period from the settlement date; after it, the money becomes account credit and a refund request."""
from datetime import date

from tests.steps.billing_steps import add_card, at, plan, subscribe
from tests.steps.invoicing_steps import billable_account, invoice
from tests.steps.payment_steps import dev_pay
from tests.steps.standing_steps import check_overdue, entitlements, mails, status_of


def _cancelled_for_non_payment(client, user: str, product_id: str, subscribed_on: str, review_days: list[str]):
    """A subscription by boleto never paid, cancelled by the overdue rules on the last review day."""
    account_id, token = billable_account(client, user, due_day=None, name="Marcenaria Exemplo")
    at(client, subscribed_on)
    body = {"product_id": product_id, "periodicity": "monthly", "payment_method": "boleto"}
    if product_id == "promob-cats-mandatory":
        body["quantity"] = 1
    sub = subscribe(client, account_id, token, **body)
    for day in review_days:
        check_overdue(client, day)
    assert status_of(account_id, sub["id"]) == "cancelled"
    return account_id, token, sub


def _account_credit(client, account_id, token) -> int:
    return client.call("GET", f"/v1/accounts/{account_id}", token).data["credit_cents"]


def test_mandatory_cancelled_for_non_payment_paying_its_debt_reinstates_it_with_a_new_period(client, aws):
    account_id, token, sub = _cancelled_for_non_payment(
        client, "promob-late", "promob-cats-mandatory", "2027-02-05", ["2027-02-11", "2027-02-13", "2027-04-07"])
    assert entitlements(client, account_id, token)[sub["id"]]["license"] == "none"
    assert aws.retention.scheduled_purge(account_id) == date(2027, 7, 6)

    at(client, "2027-04-20", "10:00:00")  # inside the 90-day retention window: renewed by card, manually
    add_card(client, account_id, token)
    response = client.call("POST", f"/v1/accounts/{account_id}/invoices/{sub['invoice_id']}/pay", token)
    assert response.status_code == 201, response.data
    answer = response.data
    assert (answer["invoice_status"], answer["reinstated_subscription_ids"]) == ("paid", [sub["id"]])
    assert "Assinatura reativada" in answer["message"] and "20/04/2027 a 20/05/2027" in answer["message"]

    granted = entitlements(client, account_id, token)[sub["id"]]
    assert (granted["status"], granted["license"], granted["support"]) == ("active", "active", True)
    renewed = plan(client, account_id, token, sub["id"])
    assert (renewed["current_period_start"], renewed["current_period_end"]) == ("2027-04-20", "2027-05-20")
    assert renewed["auto_renew"] is True and renewed["next_renewal"]["period_start"] == "2027-05-20"
    assert aws.retention.scheduled_purge(account_id) is None  # the purge is off, with the payment
    [confirmed] = mails(client, "payment_confirmed")
    assert "Assinatura reativada" in confirmed["text"] and "20/04/2027 a 20/05/2027" in confirmed["text"]
    assert _account_credit(client, account_id, token) == 0  # the money paid the new period, no more


def test_optional_cancelled_for_non_payment_paying_its_debt_brings_support_and_updates_back(client, aws):
    account_id, token, sub = _cancelled_for_non_payment(
        client, "plus-late", "promob-cats-optional", "2027-03-01", ["2027-03-02", "2027-03-05", "2027-05-01"])
    kept = entitlements(client, account_id, token)[sub["id"]]
    assert (kept["license"], kept["support"], kept["updates"]) == ("active", False, False)  # perpetual license

    at(client, "2027-05-10")
    assert dev_pay(client, sub["invoice_id"], "boleto").status_code == 200
    granted = entitlements(client, account_id, token)[sub["id"]]
    assert (granted["status"], granted["license"], granted["support"], granted["updates"]) == (
        "active", "active", True, True)
    renewed = plan(client, account_id, token, sub["id"])
    assert (renewed["current_period_start"], renewed["current_period_end"]) == ("2027-05-10", "2027-06-10")
    [confirmed] = mails(client, "payment_confirmed")
    assert "Assinatura reativada" in confirmed["text"]


def test_fixed_term_cancelled_for_non_payment_paying_its_installment_reinstates_the_contract(client, aws):
    account_id, token, sub = _cancelled_for_non_payment(
        client, "mentee-late", "mentoria-12", "2027-01-04", ["2027-01-05", "2027-01-08", "2027-03-06"])
    assert entitlements(client, account_id, token)[sub["id"]]["license"] == "none"

    at(client, "2027-03-10")
    assert dev_pay(client, sub["invoice_id"], "pix").status_code == 200
    assert entitlements(client, account_id, token)[sub["id"]]["license"] == "active"
    renewed = plan(client, account_id, token, sub["id"])
    assert (renewed["status"], renewed["current_period_start"], renewed["current_period_end"]) == (
        "active", "2027-03-10", "2027-04-10")
    assert renewed["next_renewal"]["period_start"] == "2027-04-10"  # the installments go on from there
    assert aws.retention.scheduled_purge(account_id) is None


def test_paying_after_the_retention_window_cannot_reinstate_so_it_becomes_credit_and_a_refund_request(client, aws):
    account_id, token, sub = _cancelled_for_non_payment(
        client, "too-late", "promob-cats-mandatory", "2027-02-05", ["2027-02-11", "2027-02-13", "2027-04-07"])
    at(client, "2027-07-06", "10:00:00")  # the purge day (its job has not run yet)
    assert dev_pay(client, sub["invoice_id"], "boleto").status_code == 200

    assert status_of(account_id, sub["id"]) == "cancelled"
    assert invoice(client, account_id, token, sub["invoice_id"])["status"] == "open"  # nothing bought with it
    [payment] = client.call("GET", f"/v1/accounts/{account_id}/payments", token).data["items"]
    assert (payment["applied_cents"], payment["credit_cents"]) == (0, 19900)
    assert _account_credit(client, account_id, token) == 19900  # kept for the customer, not lost
    [alert] = mails(client, "finance_alert")
    assert "Pedido de estorno" in alert["subject"] and "R$ 199,00" in alert["text"]
    [confirmed] = mails(client, "payment_confirmed")
    assert "não pode mais ser reativada" in confirmed["text"] and "devolvê-los" in confirmed["text"]
