"""One suite of repository behaviours, run against the in-memory fakes (tests/fakes) and against the
real repositories on moto: what the use-case tier assumes of the store is checked on the store itself,
so the fakes cannot drift from it unnoticed."""
from datetime import date, datetime, timezone

import pytest

from chalicelib.errors import ConcurrentUpdate, Conflict
from chalicelib.store.accounts import ACCOUNT_SK, AccountItem
from chalicelib.store.base import account_pk
from chalicelib.store.cancellations import CancellationItem, cancellation_sk
from chalicelib.store.invoices import (
    INVOICE_COUNTER_SK, InvoiceCounterItem, InvoiceItem, InvoiceLine, OpenInvoiceItem, invoice_sk, open_invoice_sk,
)
from chalicelib.store.payments import RECEIPT_SK, ReceiptItem, receipt_pk
from chalicelib.store.reviews import review_due
from chalicelib.store.subscriptions import SubscriptionItem, subscription_sk
from tests.fakes.world import World, offline

NOW = datetime(2026, 4, 20, 13, 0, tzinfo=timezone.utc)
TODAY = date(2026, 4, 20)
NAMED = Conflict("Já existe.", code="already_there")


class Repositories:
    def __init__(self, services):
        self.billing = services.billing_repository
        self.payments = services.payment_repository
        self.reads = services.invoice_reads
        self.accounts = services.account_repository
        self.reviews = services.review_repository


@pytest.fixture(params=["fake", "moto"])
def repos(request):
    if request.param == "moto":
        yield Repositories(request.getfixturevalue("aws"))
    else:
        with offline():
            yield Repositories(World())


def _account(account_id="acc-1", credit=0) -> AccountItem:
    return AccountItem(pk=account_pk(account_id), sk=ACCOUNT_SK, account_id=account_id, name="Conta",
                       owner_user_id="u-1", credit_cents=credit, created_at=NOW)


def _subscription(account_id="acc-1", subscription_id="sub-1") -> SubscriptionItem:
    return SubscriptionItem(pk=account_pk(account_id), sk=subscription_sk(subscription_id), account_id=account_id,
                            subscription_id=subscription_id, product_id="promob-cats-mandatory",
                            periodicity="monthly", current_period_start=TODAY, current_period_end=date(2026, 5, 20),
                            anchor_day=20, payment_method="boleto")


def _invoice(snapshot, invoice_id: str) -> InvoiceItem:
    return InvoiceItem(pk=account_pk(snapshot.account_id), sk=invoice_sk(invoice_id), account_id=snapshot.account_id,
                       invoice_id=invoice_id, number=snapshot.next_invoice_number(TODAY), status="open",
                       origin="subscription", issue_date=TODAY, due_date=TODAY, payment_method="boleto",
                       lines=[InvoiceLine(description="Plano", amount_cents=100, kind="subscription")],
                       total_cents=100)


def _commit(repos, *items):
    writes = repos.billing.writes()
    for item in items:
        writes.create(item)
    writes.commit()


def test_a_create_of_an_existing_key_is_a_concurrent_update_or_the_named_conflict(repos):
    _commit(repos, _account())
    writes = repos.billing.writes()
    writes.create(_account())
    with pytest.raises(ConcurrentUpdate):
        writes.commit()
    named = repos.billing.writes()
    named.create(_account(), conflict=NAMED)
    with pytest.raises(Conflict) as raised:
        named.commit()
    assert raised.value.code == "already_there"


def test_a_save_of_an_item_changed_since_it_was_read_fails_and_the_fresh_one_wins(repos):
    _commit(repos, _account())
    first, second = repos.billing.snapshot("acc-1", consistent=True), repos.billing.snapshot("acc-1", consistent=True)
    first.account.credit_cents = 500
    writes = repos.billing.writes()
    writes.save(first.account)
    writes.commit()
    assert first.account.version == 2  # the object follows its stored version, as PynamoDB's does
    second.account.credit_cents = 900
    stale = repos.billing.writes()
    stale.save(second.account)
    with pytest.raises(ConcurrentUpdate):
        stale.commit()
    assert repos.accounts.get("acc-1").credit_cents == 500
    again = repos.billing.writes()
    again.save(first.account)  # saved twice from the same read, version followed: fine
    again.commit()
    assert repos.accounts.get("acc-1").version == 3


def test_a_delete_of_a_stale_versioned_item_fails(repos):
    _commit(repos, _account(), _subscription())
    old = repos.billing.snapshot("acc-1").subscription("sub-1")
    fresh = repos.billing.snapshot("acc-1").subscription("sub-1")
    fresh.status = "past_due"
    writes = repos.billing.writes()
    writes.save(fresh)
    writes.commit()
    delete = repos.billing.writes()
    delete.delete(old)
    with pytest.raises(ConcurrentUpdate):
        delete.commit()
    assert repos.billing.snapshot("acc-1").subscription("sub-1").status == "past_due"


def test_a_commit_writes_everything_or_nothing_and_names_the_write_that_failed(repos):
    _commit(repos, _account(), _subscription())
    snapshot = repos.billing.snapshot("acc-1", consistent=True)
    snapshot.account.credit_cents = 700
    writes = repos.billing.writes()
    writes.save(snapshot.account)
    writes.create(_subscription(subscription_id="sub-2"))
    writes.create(_subscription(), conflict=NAMED)  # fails: sub-1 exists
    with pytest.raises(Conflict) as raised:
        writes.commit()
    assert raised.value.code == "already_there"
    after = repos.billing.snapshot("acc-1", consistent=True)
    assert [s.subscription_id for s in after.subscriptions] == ["sub-1"]
    assert (after.account.credit_cents, after.account.version) == (0, 1)


def test_a_failed_condition_check_or_update_condition_cancels_with_its_conflict(repos):
    _commit(repos, _account())
    writes = repos.billing.writes()
    writes.create(_subscription())
    writes.require(AccountItem, account_pk("acc-1"), ACCOUNT_SK, AccountItem.credit_cents > 0, NAMED)
    with pytest.raises(Conflict) as raised:
        writes.commit()
    assert raised.value.code == "already_there"
    missing = OpenInvoiceItem(pk=account_pk("acc-1"), sk=open_invoice_sk("inv-x"))
    update = repos.billing.writes()
    update.update(missing, [OpenInvoiceItem.status.set("paid")], condition=OpenInvoiceItem.pk.exists())
    with pytest.raises(ConcurrentUpdate):
        update.commit()
    assert repos.billing.snapshot("acc-1").subscriptions == [] and repos.billing.snapshot("acc-1").open_invoices == []


def test_an_update_changes_only_its_attributes(repos):
    summary = OpenInvoiceItem(pk=account_pk("acc-1"), sk=open_invoice_sk("inv-1"), account_id="acc-1",
                              invoice_id="inv-1", status="open", due_date=TODAY, total_cents=100,
                              payment_method="boleto", subscription_ids=["sub-1"], notice_pending=True)
    _commit(repos, _account(), summary)
    writes = repos.billing.writes()
    writes.update(summary, [OpenInvoiceItem.status.set("partially_paid"), OpenInvoiceItem.notice_pending.remove(),
                            OpenInvoiceItem.charge_attempts.add(2)], condition=OpenInvoiceItem.pk.exists())
    writes.commit()
    stored = repos.billing.snapshot("acc-1").open_invoices[0]
    assert (stored.status, stored.notice_pending, stored.charge_attempts, stored.total_cents,
            stored.subscription_ids) == ("partially_paid", None, 2, 100, ["sub-1"])


def test_the_snapshot_returns_the_live_items_of_the_account_typed_and_nothing_else(repos):
    snapshot = repos.billing.snapshot("acc-1")
    _commit(repos, _account(), _subscription(), _subscription(subscription_id="sub-2"), _invoice(snapshot, "inv-1"),
            _account("acc-2"), _subscription("acc-2", "sub-9"))
    live = repos.billing.snapshot("acc-1", consistent=True)
    assert isinstance(live.account, AccountItem) and live.account.account_id == "acc-1"
    assert [s.subscription_id for s in live.subscriptions] == ["sub-1", "sub-2"]
    # The invoice is history (~INV#): not live. The counter its number claimed is.
    assert live.other(InvoiceCounterItem, INVOICE_COUNTER_SK).last == 1
    assert all(not isinstance(item, InvoiceItem) for item in live.others)
    assert repos.reads.get("acc-1", "inv-1").number == "2026-000001"


def test_snapshots_are_copies_a_change_in_memory_is_not_stored(repos):
    _commit(repos, _account())
    snapshot = repos.billing.snapshot("acc-1")
    snapshot.account.credit_cents = 12345
    assert repos.billing.snapshot("acc-1").account.credit_cents == 0
    assert repos.accounts.get("acc-1").credit_cents == 0


def test_invoice_numbers_follow_the_counter_and_a_writer_that_read_it_before_loses(repos):
    _commit(repos, _account())
    first, second = repos.billing.snapshot("acc-1", consistent=True), repos.billing.snapshot("acc-1", consistent=True)
    _commit(repos, _invoice(first, "inv-1"), _invoice(first, "inv-2"))
    late = repos.billing.writes()
    late.create(_invoice(second, "inv-3"))  # numbered 1 again: the counter moved since its read
    with pytest.raises(ConcurrentUpdate):
        late.commit()
    assert repos.reads.get("acc-1", "inv-3") is None
    fresh = repos.billing.snapshot("acc-1", consistent=True)
    _commit(repos, _invoice(fresh, "inv-3"))
    numbers = [repos.reads.get("acc-1", f"inv-{n}").number for n in (1, 2, 3)]
    assert numbers == ["2026-000001", "2026-000002", "2026-000003"]
    with pytest.raises(ValueError):  # an invoice without a number is refused before any write
        repos.billing.writes().create(InvoiceItem(pk="ACCOUNT#acc-1", sk=invoice_sk("inv-4"), account_id="acc-1",
                                                  invoice_id="inv-4", number=None))


def test_two_writes_of_one_item_in_a_transaction_are_refused(repos):
    _commit(repos, _account())
    snapshot = repos.billing.snapshot("acc-1", consistent=True)
    writes = repos.billing.writes()
    writes.save(snapshot.account)
    writes.delete(_account())
    with pytest.raises(ConcurrentUpdate):
        writes.commit()
    assert repos.accounts.get("acc-1").version == 1


def test_a_receipt_is_recorded_once(repos):
    receipt = ReceiptItem(pk=receipt_pk("evt-1"), sk=RECEIPT_SK, key="evt-1", outcome="unmatched", created_at=NOW)
    assert repos.payments.record_receipt(receipt) is True
    again = ReceiptItem(pk=receipt_pk("evt-1"), sk=RECEIPT_SK, key="evt-1", outcome="other", created_at=NOW)
    assert repos.payments.record_receipt(again) is False
    assert repos.payments.receipt("evt-1").outcome == "unmatched"


def test_the_review_list_of_a_day_holds_the_items_due_that_day_typed(repos):
    def summary(account_id, invoice_id, day=None):
        due = review_due(account_id, invoice_id, day) if day else {}
        return OpenInvoiceItem(pk=account_pk(account_id), sk=open_invoice_sk(invoice_id), account_id=account_id,
                               invoice_id=invoice_id, status="open", due_date=TODAY, total_cents=100,
                               payment_method="boleto", subscription_ids=["sub-1"], **due)

    cancellation = CancellationItem(
        pk=account_pk("acc-2"), sk=cancellation_sk("sub-2"), account_id="acc-2", subscription_id="sub-2",
        kind="at_period_end", reason="r", requested_on=TODAY, requested_by="u-1", effective_date=TODAY,
        previous_status="active", **review_due("acc-2", cancellation_sk("sub-2"), TODAY))
    _commit(repos, summary("acc-1", "inv-1", TODAY), summary("acc-1", "inv-2", date(2026, 4, 21)),
            summary("acc-1", "inv-3"), cancellation)
    listed = {(type(item).__name__, item.account_id, item.sk) for item in repos.reviews.items_to_review(TODAY)}
    assert listed == {("OpenInvoiceItem", "acc-1", open_invoice_sk("inv-1")),
                      ("CancellationItem", "acc-2", cancellation_sk("sub-2"))}
