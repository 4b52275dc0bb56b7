"""The finance team's alerts after a refund request or a chargeback survive a crash after the commit:
they are a notice written in the transaction of the change (services/subscriptions/standing_notices.py), delivered
right after it, and — when the process dies in between — by the next check-overdue run, once. A
webhook delivered again finds its receipt and sends no second alert."""
import pytest

from chalicelib.adapters.events import RecordingPublisher
from chalicelib.store.base import account_pk
from chalicelib.store.notices import NoticeItem
from tests.steps.billing_steps import at
from tests.steps.payment_steps import customer, deliver_stripe, dev_pay, payments, stripe_event, stripe_payload, subjects
from tests.steps.standing_steps import check_overdue
from tests.faults.injection import DynamoFaults, SimulatedCrash, crash_after

pytestmark = pytest.mark.ddblocal  # also in the DynamoDB Local pass of `make test`

FINANCE = "financeiro@renova.local"
CHARGEBACK_ALERT = "[Renova] Contestação de pagamento (chargeback)"
REFUND_ALERT = "[Renova] Pedido de estorno para devolver"


@pytest.fixture
def published(aws):
    recorder = RecordingPublisher(aws.clock)
    aws.__dict__["events"] = recorder
    return recorder.published


def pending_notices(account_id: str) -> list[NoticeItem]:
    return list(NoticeItem.query(account_pk(account_id), NoticeItem.sk.startswith("NOTICE#"), consistent_read=True))


def disputed_card_payment(client):
    c = customer(client, method="card", day="2026-12-01")
    deliver_stripe(client, stripe_event(c.invoice_id, c.account_id, 19_800, payment_id="pi_cb", event_id="evt_p"))
    dispute = stripe_payload("charge.dispute.created", {"id": "dp_1", "object": "dispute", "payment_intent": "pi_cb",
                                                        "amount": 19_800}, "evt_dispute")
    return c, dispute


def test_a_chargeback_alert_goes_out_at_once_and_leaves_no_notice_behind(client, published):
    c, dispute = disputed_card_payment(client)
    assert deliver_stripe(client, dispute).data["outcome"] == "charged_back"
    assert subjects(client, FINANCE).count(CHARGEBACK_ALERT) == 1
    assert [e["type"] for e in published].count("license.suspended") == 1
    assert pending_notices(c.account_id) == []
    # The gateway delivers the event again: its receipt is there, nothing is sent twice.
    assert deliver_stripe(client, dispute).data["outcome"] == "duplicate"
    assert subjects(client, FINANCE).count(CHARGEBACK_ALERT) == 1
    assert [e["type"] for e in published].count("license.suspended") == 1


def test_a_chargeback_whose_delivery_dies_after_the_commit_is_alerted_once_by_the_next_run(client, published):
    c, dispute = disputed_card_payment(client)
    with DynamoFaults().add(crash_after(1)), pytest.raises(SimulatedCrash):  # dies right after the commit
        deliver_stripe(client, dispute)
    assert payments(client, c)[0]["status"] == "charged_back"  # the change is committed
    assert CHARGEBACK_ALERT not in subjects(client, FINANCE)
    [notice] = pending_notices(c.account_id)
    assert notice.kind == "finance_alert"

    # The gateway's retry finds the receipt: it answers duplicate and sends nothing itself.
    assert deliver_stripe(client, dispute).data["outcome"] == "duplicate"
    assert CHARGEBACK_ALERT not in subjects(client, FINANCE)

    assert check_overdue(client)["notices_delivered"] == 1
    assert subjects(client, FINANCE).count(CHARGEBACK_ALERT) == 1
    assert pending_notices(c.account_id) == []
    suspended = [e for e in published if e["type"] == "license.suspended"]
    # Published before the crash and again by the run (at least once), always as the same event.
    assert suspended and len({e["id"] for e in suspended}) == 1

    # Later runs and later deliveries of the webhook send nothing more.
    assert check_overdue(client)["notices_delivered"] == 0
    assert deliver_stripe(client, dispute).data["outcome"] == "duplicate"
    at(client, "2026-12-02")
    check_overdue(client)
    assert subjects(client, FINANCE).count(CHARGEBACK_ALERT) == 1


def test_a_refund_request_whose_process_dies_after_the_commit_is_alerted_once_by_the_next_run(aws, client):
    c = customer(client, day="2026-12-01")
    dev_pay(client, c.invoice_id, "boleto")
    [payment] = payments(client, c)
    at(client, "2026-12-03")
    with DynamoFaults().add(crash_after(1)), pytest.raises(SimulatedCrash):  # dies right after the commit
        aws.refunds.refund_payment(c.account_id, payment["id"], "Cliente desistiu da compra", actor="fin-1")
    assert payments(client, c)[0]["status"] == "refund_requested"
    assert REFUND_ALERT not in subjects(client, FINANCE)
    assert len(pending_notices(c.account_id)) == 2  # the finance team's alert and the payment.refunded event

    assert check_overdue(client)["notices_delivered"] == 2
    assert subjects(client, FINANCE).count(REFUND_ALERT) == 1
    mail = next(m for m in client.call("GET", "/v1/_dev/outbox").data["items"] if m["subject"] == REFUND_ALERT)
    assert "R$ 198,00" in mail["text"] and payment["id"] in mail["text"]
    assert pending_notices(c.account_id) == []
    assert check_overdue(client)["notices_delivered"] == 0
    assert subjects(client, FINANCE).count(REFUND_ALERT) == 1
