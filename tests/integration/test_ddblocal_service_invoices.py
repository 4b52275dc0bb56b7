"""NFS-e under races, on AWS DynamoDB Local (moto is not thread-safe): two workers on one invoice at
once send one DPS (the lease is a versioned put), DPS numbers are never handed out twice, and the
repository's versioned put refuses a stale item."""
import threading
import time

import pytest

from tests import ddblocal
from tests.fakes.service_invoices import InMemorySefin, render_danfse
from tests.integration.test_ddblocal_concurrency import race
from tests.steps.payment_steps import customer, dev_pay

pytestmark = [
    pytest.mark.ddblocal,
    pytest.mark.skipif(not ddblocal.ACTIVE, reason="moto is not thread-safe: runs in the DynamoDB Local pass"),
]


class SlowSefin(InMemorySefin):
    """Takes its time to authorise, so a second worker arrives while the first is waiting; counts the
    DPS it was sent under a lock (the workers are threads)."""

    def __init__(self, clock):
        super().__init__(clock)
        self.lock = threading.Lock()

    def issue(self, dps):
        time.sleep(0.3)
        with self.lock:
            return super().issue(dps)


def test_two_workers_on_one_invoice_send_one_dps(client, aws):
    sefin = SlowSefin(aws.clock)
    aws.__dict__["service_invoice_authority"] = sefin
    aws.__dict__["render_danfse"] = render_danfse
    c = customer(client, day="2026-12-01")
    assert dev_pay(client, c.invoice_id, "pix").status_code == 200
    outcomes = race(2, lambda i: aws.service_invoice_issuer.process(c.account_id, c.invoice_id))
    assert sorted(value for status, value in outcomes if status == "ok") == ["busy", "issued"], outcomes
    assert sefin.calls.count("issue") == 1 and sefin.issued == 1
    item = aws.service_invoice_repository.get(c.account_id, c.invoice_id)
    assert item.status == "issued" and not item.scheduled and item.lease_owner is None


def test_dps_numbers_are_never_handed_out_twice(aws):
    repository = aws.service_invoice_repository
    outcomes = race(8, lambda i: [repository.next_dps_number("7") for _ in range(5)])
    numbers = [n for status, taken in outcomes if status == "ok" for n in taken]
    assert sorted(numbers) == list(range(1, 41))


def test_a_stale_item_is_refused(client, aws):
    c = customer(client, day="2026-12-01")
    dev_pay(client, c.invoice_id, "pix")
    repository = aws.service_invoice_repository
    first, second = (repository.get(c.account_id, c.invoice_id) for _ in range(2))
    first.lease_owner = "a"
    assert repository.save(first)
    second.lease_owner = "b"
    assert not repository.save(second)
    assert repository.get(c.account_id, c.invoice_id).lease_owner == "a"
