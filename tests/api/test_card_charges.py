"""Card charges: the charge-cards job on the due date with retries on days 1, 3 and 5 after the first
failure (an e-mail each time), and paying an invoice now by card (manual renewal)."""
from datetime import date

import pytest

from chalicelib.store.base import account_pk
from chalicelib.store.invoices import OpenInvoiceItem, open_invoice_sk
from chalicelib.store.payments import PaymentItem, payment_sk
from chalicelib.store.reviews import review_due
from chalicelib.store.subscriptions import CARD_SK, CardItem
from tests.steps.billing_steps import add_card, at
from tests.steps.payment_steps import (
    customer, deliver_stripe, invoice, outbox, payments, stripe_event, subjects,
)

pytestmark = pytest.mark.ddblocal  # also in the DynamoDB Local pass of `make test`

FAILED = "Não conseguimos cobrar seu cartão"


def run_charge_cards(client, day: str) -> dict:
    at(client, day, "08:00:00")
    response = client.call("POST", "/v1/_dev/jobs/charge-cards")
    assert response.status_code == 200, response.data
    return response.data


def failure_mails(client) -> list[dict]:
    return [m for m in reversed(outbox(client)) if m["subject"].startswith(FAILED)]


@pytest.fixture
def gateway(aws):
    return aws.card_gateway  # FakeCardGateway in the local stage


def test_a_charge_that_fails_twice_succeeds_on_the_next_retry(client, gateway):
    c = customer(client, method="card", day="2026-12-01")
    gateway.script = [False, False, True]

    first = run_charge_cards(client, "2026-12-01")
    assert (first["processed"], first["failed"], first["retries_scheduled"]) == (1, 1, 1)
    second = run_charge_cards(client, "2026-12-02")  # day 1 after the first failure
    assert (second["processed"], second["failed"]) == (1, 1)
    assert run_charge_cards(client, "2026-12-03")["processed"] == 0  # nothing due on day 2
    third = run_charge_cards(client, "2026-12-04")  # day 3
    assert (third["processed"], third["charged"]) == (1, 1)

    assert invoice(c.account_id, c.invoice_id).status == "paid"
    assert [charge.idempotency_key for charge in gateway.charges] == [
        f"{c.invoice_id}:attempt-1", f"{c.invoice_id}:attempt-2", f"{c.invoice_id}:attempt-3"]
    mails = failure_mails(client)
    assert len(mails) == 2
    assert "Vamos tentar de novo em 02/12/2026" in mails[0]["text"]
    assert "Vamos tentar de novo em 04/12/2026" in mails[1]["text"]
    assert "visa final 4242" in mails[0]["text"]
    assert subjects(client)[0].startswith("Pagamento confirmado — R$ 198,00")
    [payment] = payments(client, c)
    assert (payment["method"], payment["gateway"]) == ("card", "stripe")


def test_a_charge_that_succeeds_on_the_third_retry_is_charged_on_day_5(client, gateway):
    c = customer(client, method="card", day="2026-12-01")
    gateway.script = [False, False, False, True]
    for day in ("2026-12-01", "2026-12-02", "2026-12-04"):
        assert run_charge_cards(client, day)["failed"] == 1
    assert run_charge_cards(client, "2026-12-06")["charged"] == 1
    assert invoice(c.account_id, c.invoice_id).status == "paid"
    assert len(failure_mails(client)) == 3


def test_after_the_last_retry_the_invoice_is_left_to_the_overdue_rules(client, gateway):
    c = customer(client, method="card", day="2026-12-01")
    gateway.script = [False] * 4
    outcomes = [run_charge_cards(client, day) for day in ("2026-12-01", "2026-12-02", "2026-12-04", "2026-12-06")]
    assert [o["failed"] for o in outcomes] == [1, 1, 1, 1]
    assert outcomes[-1]["exhausted"] == 1 and outcomes[-1]["retries_scheduled"] == 0
    assert run_charge_cards(client, "2026-12-08")["processed"] == 0  # no fifth attempt
    assert invoice(c.account_id, c.invoice_id).status == "open"
    summary = OpenInvoiceItem.get(account_pk(c.account_id), open_invoice_sk(c.invoice_id))
    assert summary.charge_attempts == 4  # now on check-overdue's list, the day after the last attempt
    assert summary.due_pk == review_due(c.account_id, c.invoice_id, date(2026, 12, 7))["due_pk"]
    mails = failure_mails(client)
    assert len(mails) == 4 and "Esta foi a última tentativa automática" in mails[-1]["text"]
    entries = client.call("GET", f"{c.path}/audit?limit=100", c.token).data["items"]
    assert [e["action"] for e in entries].count("card.charge_failed") == 4


def test_a_payment_notice_a_crash_left_behind_goes_out_with_the_next_run(aws, client, gateway):
    c = customer(client, method="card", day="2026-12-01")
    real_send = aws.mailer.send
    aws.mailer.send = lambda *args, **kwargs: (_ for _ in ()).throw(RuntimeError("killed"))
    with pytest.raises(RuntimeError):
        aws.card_charges.run_due(date(2026, 12, 1))  # charged and settled, then died before the e-mail
    aws.mailer.send = real_send
    assert invoice(c.account_id, c.invoice_id).status == "paid"
    assert not any(s.startswith("Pagamento confirmado") for s in subjects(client))

    summary = run_charge_cards(client, "2026-12-02")

    assert (summary["notices"], summary["charged"], len(gateway.charges)) == (1, 0, 1)
    assert sum(s.startswith("Pagamento confirmado") for s in subjects(client)) == 1
    assert run_charge_cards(client, "2026-12-03")["notices"] == 0


def test_running_the_job_twice_on_a_day_charges_once(client, gateway):
    c = customer(client, method="card", day="2026-12-01")
    assert run_charge_cards(client, "2026-12-01")["charged"] == 1
    assert run_charge_cards(client, "2026-12-01")["processed"] == 0
    assert len(gateway.charges) == 1 and len(payments(client, c)) == 1


def test_missed_days_are_caught_up_from_the_checkpoint(client, gateway):
    run_charge_cards(client, "2026-11-30")  # the job's last run before an outage
    c = customer(client, method="card", day="2026-12-01")
    summary = run_charge_cards(client, "2026-12-04")  # first run after three missed days
    assert (summary["processed"], summary["charged"]) == (1, 1)
    assert invoice(c.account_id, c.invoice_id).status == "paid"


def test_an_account_without_a_card_counts_as_a_failed_attempt(client, gateway):
    c = customer(client, method="card", day="2026-12-01")
    assert client.call("DELETE", f"{c.path}/card", c.token).status_code == 409  # still in use
    CardItem.get(account_pk(c.account_id), CARD_SK).delete()  # gone anyway (e.g. by support)
    outcome = run_charge_cards(client, "2026-12-01")
    assert (outcome["failed"], gateway.charges) == (1, [])
    assert "nenhum cartão cadastrado" in failure_mails(client)[0]["text"]
    assert invoice(c.account_id, c.invoice_id).status == "open"


# --- paying now (manual renewal) -------------------------------------------------------------
def pay(client, c, headers=None, body=None):
    return client.call("POST", f"{c.path}/invoices/{c.invoice_id}/pay", c.token, body, headers=headers)


def test_paying_now_charges_the_card_and_settles_at_once(client, gateway):
    c = customer(client, day="2026-12-01")
    add_card(client, c.account_id, c.token)
    response = pay(client, c)
    assert response.status_code == 201, response.data
    assert (response.data["invoice_status"], response.data["outcome"]) == ("paid", "settled")
    assert response.data["payment"]["method"] == "card" and response.data["payment"]["amount_cents"] == 19_800
    assert invoice(c.account_id, c.invoice_id).status == "paid"
    # Stripe's own webhook for that charge arrives later: the same gateway payment, recorded once.
    stored = PaymentItem.get(account_pk(c.account_id), payment_sk(response.data["payment"]["id"]))
    late = deliver_stripe(client, stripe_event(c.invoice_id, c.account_id, 19_800,
                                               payment_id=stored.gateway_payment_id, event_id="evt_late_webhook"))
    assert late.data["outcome"] == "duplicate" and len(payments(client, c)) == 1


def test_paying_without_a_card_is_a_409_with_the_reason(client):
    c = customer(client, day="2026-12-01")
    response = pay(client, c)
    assert response.status_code == 409 and response.data["error"]["code"] == "no_card"


def test_a_declined_card_is_a_409_with_the_reason_and_nothing_is_paid(client):
    c = customer(client, day="2026-12-01")
    add_card(client, c.account_id, c.token, gateway_token="tok_fail_insufficient")
    response = pay(client, c)
    assert response.status_code == 409
    assert response.data["error"]["code"] == "card_declined"
    assert response.data["error"]["details"] == {"reason": "card_declined"}
    assert "recusado" in response.data["error"]["message"]
    assert invoice(c.account_id, c.invoice_id).status == "open" and payments(client, c) == []


def test_paying_a_paid_invoice_is_a_409_and_another_accounts_invoice_a_404(client):
    c = customer(client, day="2026-12-01")
    add_card(client, c.account_id, c.token)
    assert pay(client, c).status_code == 201
    again = pay(client, c)
    assert again.status_code == 409 and again.data["error"]["code"] == "invoice_not_payable"
    intruder = customer(client, "intruso")
    foreign = client.call("POST", f"{intruder.path}/invoices/{c.invoice_id}/pay", intruder.token)
    assert foreign.status_code == 404 and foreign.data["error"]["code"] == "invoice_not_found"


def test_the_same_idempotency_key_replays_the_payment_and_another_body_is_a_409(client, gateway):
    c = customer(client, day="2026-12-01")
    add_card(client, c.account_id, c.token)
    first = pay(client, c, headers={"Idempotency-Key": "pay-1"})
    second = pay(client, c, headers={"Idempotency-Key": "pay-1"})
    assert first.status_code == second.status_code == 201
    assert second.data == first.data and second.headers.get("Idempotent-Replayed") == "true"
    assert len(gateway.charges) == 1 and len(payments(client, c)) == 1
    other = pay(client, c, headers={"Idempotency-Key": "pay-1"}, body={"note": "outro corpo"})
    assert other.status_code == 409 and other.data["error"]["code"] == "idempotency_key_reused"


def test_an_absurdly_long_invoice_id_is_a_404_not_a_500(client):
    c = customer(client, day="2026-12-01")
    response = client.call("POST", f"{c.path}/invoices/{'x' * 1500}/pay", c.token)
    assert response.status_code == 404 and response.data["error"]["code"] == "invoice_not_found"


# --- one pay-now attempt at a time (docs/payments.md "Paying now") --------------------------------
def held_by_a_request_that_died(aws, c):
    """What a request killed between its claim and its answer leaves: the attempt held, and maybe
    the card charged with the attempt's key."""
    from chalicelib.services.payments.pay_attempts import PayAttempts

    return PayAttempts(aws.payment_repository, aws.clock).claim(c.account_id, c.invoice_id)


def test_pay_now_while_another_request_holds_the_attempt_is_a_409_payment_in_progress(aws, client, gateway):
    c = customer(client, day="2026-12-01")
    add_card(client, c.account_id, c.token)
    held_by_a_request_that_died(aws, c)

    response = pay(client, c)

    assert response.status_code == 409, response.data
    error = response.data["error"]
    assert (error["code"], error["details"]) == ("payment_in_progress", {"attempt": 1})
    assert error["message"].startswith("Já existe um pagamento desta fatura em andamento")
    assert gateway.charges == [] and invoice(c.account_id, c.invoice_id).status == "open"


def test_a_pay_now_that_died_after_charging_is_taken_over_and_the_card_is_charged_once(aws, client, gateway):
    from chalicelib.adapters.gateways import CardCharge

    c = customer(client, day="2026-12-01")
    add_card(client, c.account_id, c.token)
    claim = held_by_a_request_that_died(aws, c)
    gateway.charge(CardCharge(invoice_id=c.invoice_id, account_id=c.account_id, amount_cents=19_800,
                              customer_ref="", payment_method_token="tok_visa", idempotency_key=claim.idempotency_key))
    assert pay(client, c).data["error"]["code"] == "payment_in_progress"

    at(client, "2026-12-01", "09:03:00")  # the dead request's hold ran out
    response = pay(client, c)

    assert response.status_code == 201, response.data
    assert [charge.idempotency_key for charge in gateway.charges] == [f"{c.invoice_id}:manual-1"]
    assert len(payments(client, c)) == 1 and invoice(c.account_id, c.invoice_id).status == "paid"
    assert sum(s.startswith("Pagamento confirmado") for s in subjects(client)) == 1


def test_a_gateway_that_charged_but_never_answered_gives_the_same_charge_to_the_next_pay_now(aws, client, gateway):
    c = customer(client, day="2026-12-01")
    add_card(client, c.account_id, c.token)
    real_charge = gateway.charge

    def charged_then_timed_out(charge):
        real_charge(charge)
        raise TimeoutError("the gateway did not answer in time")

    gateway.charge = charged_then_timed_out
    with pytest.raises(TimeoutError):
        aws.card_charges.pay_now(c.account_id, c.invoice_id, "owner")
    gateway.charge = real_charge

    response = pay(client, c)  # at once: the attempt was let go without an answer, same key again

    assert response.status_code == 201, response.data
    assert [charge.idempotency_key for charge in gateway.charges] == [f"{c.invoice_id}:manual-1"]
    assert len(payments(client, c)) == 1 and invoice(c.account_id, c.invoice_id).paid_cents == 19_800


def test_after_a_declined_card_pay_now_makes_a_new_attempt(client, gateway):
    c = customer(client, day="2026-12-01")
    add_card(client, c.account_id, c.token)
    gateway.script = [False, True]

    assert pay(client, c).data["error"]["code"] == "card_declined"
    response = pay(client, c)

    assert response.status_code == 201, response.data
    assert [charge.idempotency_key for charge in gateway.charges] == [
        f"{c.invoice_id}:manual-1", f"{c.invoice_id}:manual-2"]
    assert len(payments(client, c)) == 1
