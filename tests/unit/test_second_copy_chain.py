"""The 2ª via of a superseded invoice names the live invoice at the end of its supersession chain;
a chain that loops or breaks (data to repair) names the direct successor instead of looping."""
from datetime import datetime, timezone

import pytest

from chalicelib.errors import Conflict
from chalicelib.services.invoicing import second_copy
from chalicelib.services.invoicing.second_copy import SecondCopyService
from chalicelib.store.invoices import InvoiceItem


class Clock:
    def now(self):
        return datetime(2026, 7, 10, 13, 0, tzinfo=timezone.utc)


class Reads:
    def __init__(self, *invoices: InvoiceItem):
        self.invoices = {invoice.invoice_id: invoice for invoice in invoices}
        self.gets = 0

    def get(self, account_id: str, invoice_id: str):
        self.gets += 1
        return self.invoices.get(invoice_id)


def superseded(invoice_id: str, by: str) -> InvoiceItem:
    return InvoiceItem(account_id="acc_1", invoice_id=invoice_id, status="superseded", superseded_by=by)


def refusal(reads: Reads, invoice_id: str) -> Conflict:
    service = SecondCopyService(reads, writes=None, accounts=None, documents=None, clock=Clock(), bank_code="341")
    with pytest.raises(Conflict) as raised:
        service.second_copy("acc_1", invoice_id, actor="alice")
    assert raised.value.code == "invoice_superseded"
    return raised.value


def test_two_supersessions_lead_to_the_live_invoice():
    live = InvoiceItem(account_id="acc_1", invoice_id="inv_c", number="2026-000003", status="open")
    reads = Reads(superseded("inv_a", "inv_b"), superseded("inv_b", "inv_c"), live)
    assert refusal(reads, "inv_a").details == {"superseded_by": "inv_c", "superseded_by_number": "2026-000003"}


def test_a_cycle_stops_and_names_the_direct_successor():
    reads = Reads(superseded("inv_a", "inv_b"), superseded("inv_b", "inv_a"))
    assert refusal(reads, "inv_a").details == {"superseded_by": "inv_b", "superseded_by_number": None}
    assert reads.gets == 2  # inv_a itself, then inv_b; inv_a is not read again


def test_a_missing_link_names_the_direct_successor():
    reads = Reads(superseded("inv_a", "inv_b"), superseded("inv_b", "inv_gone"))
    assert refusal(reads, "inv_a").details["superseded_by"] == "inv_b"


def test_the_walk_is_bounded(monkeypatch):
    monkeypatch.setattr(second_copy, "MAX_SUPERSESSIONS", 3)
    reads = Reads(*(superseded(f"inv_{i}", f"inv_{i + 1}") for i in range(10)))
    assert refusal(reads, "inv_0").details["superseded_by"] == "inv_1"
    assert reads.gets == 1 + 3
