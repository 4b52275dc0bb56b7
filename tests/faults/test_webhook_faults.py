"""The fault injector on the webhooks: a genuine delivery under DynamoDB throttling or transaction
conflicts either goes through after retries, or answers 4xx (429/409, so the gateway delivers it
again); redelivered as gateways do, the event is recorded exactly once.

The event records a receipt and nothing else (a failed card payment), so this runs without
invoices. To add when the payment-settling flow is stable (tests/steps/payment_steps.py committed):
PENDING_WITH_PAYMENTS below, the same runs on a payment that settles an invoice — one payment, one
receipt, the invoice paid once, whatever the faults."""
import pytest

from tests.faults.injection import ALWAYS, INTERNAL_SERVER_ERROR, DynamoFaults, fail, throttle
from tests.faults.tables import billing_items, dump_tables
from tests.faults.test_api_faults import changes
from tests.security.test_webhooks_matrix import failed_payment_event
from tests.security.webhooks import ASAAS, STRIPE, genuine

pytestmark = pytest.mark.ddblocal

# Settling payments under TransactionConflict, alone and ten at once: tests/integration/test_ddblocal_races.py.
PENDING_WITH_PAYMENTS = [
    "a world where issue-invoices, check-overdue and send-reminders have work, for the killed-and-rerun walk "
    "(tests/faults/test_jobs_faults.py walks every job already; today only run-backups and charge-cards get work)",
]

FAULTS = [  # the receipt is one conditional PutItem: transactions get their conflicts with payments
    ("every call throttled twice", lambda: throttle(times=2)),
    ("the write throttled twice", lambda: throttle("PutItem", times=2, code="ThrottlingException")),
    ("the write failing once with a 500", lambda: fail(INTERNAL_SERVER_ERROR, "PutItem")),
]


def receipts(aws) -> list[dict]:
    return [item for item in billing_items(aws) if "RECEIPT" in item["pk"] or item.get("type") == "receipt"]


@pytest.fixture(autouse=True)
def no_app_sleep(monkeypatch):
    from chalicelib.store import base

    monkeypatch.setattr(base, "_sleep", lambda seconds: None)


@pytest.mark.parametrize("profile", [STRIPE, ASAAS], ids=["stripe", "asaas"])
@pytest.mark.parametrize("fault_id, rule", FAULTS, ids=[f[0] for f in FAULTS])
def test_a_delivery_under_transient_faults_is_recorded_once(client, aws, profile, fault_id, rule):
    body = failed_payment_event(profile)
    before = dump_tables(aws)
    injected = rule()
    with DynamoFaults().add(injected) as faults:
        response = client.call("POST", profile.path, headers=genuine(profile, body), raw=body)
    assert response.status_code == 200, (fault_id, response.data)
    assert sum(faults.injected.values()) == injected.times and faults.backoff_sleeps
    written = changes(before, dump_tables(aws))
    assert written
    again = client.call("POST", profile.path, headers=genuine(profile, body), raw=body)
    assert again.status_code == 200 and again.data["outcome"] == "duplicate", again.data
    assert changes(before, dump_tables(aws)) == written


@pytest.mark.parametrize("profile", [STRIPE, ASAAS], ids=["stripe", "asaas"])
def test_a_delivery_while_dynamodb_stays_busy_is_refused_for_redelivery_then_recorded_once(client, aws, profile):
    body = failed_payment_event(profile)
    before = dump_tables(aws)
    with DynamoFaults().add(throttle(times=ALWAYS)):
        response = client.call("POST", profile.path, headers=genuine(profile, body), raw=body)
    assert response.status_code == 429, response.data  # not 2xx: the gateway delivers it again
    assert changes(before, dump_tables(aws)) == {}
    for _ in range(2):  # the gateway's redeliveries
        assert client.call("POST", profile.path, headers=genuine(profile, body), raw=body).status_code == 200
    written = changes(before, dump_tables(aws))
    assert written and all(len(items) >= 1 for items in written.values())
    first = client.call("POST", profile.path, headers=genuine(profile, body), raw=body)
    assert first.data["outcome"] == "duplicate"
    assert changes(before, dump_tables(aws)) == written
