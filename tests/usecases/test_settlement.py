"""Settlement on the fakes: money is applied exactly once, whatever is delivered again."""
from chalicelib.services.payments.incoming_payments import Outcome
from tests.usecases.steps import incoming, pay, subscribe


def _open_invoice(world):
    account_id = world.account()
    done = subscribe(world, account_id)
    return account_id, done


def test_a_payment_settles_the_invoice_and_tells_the_customer(world):
    account_id, done = _open_invoice(world)
    result = pay(world, account_id, done.invoice_id, key="evt-1")
    assert result.outcome is Outcome.SETTLED
    invoice = world.invoice_reads.get(account_id, done.invoice_id)
    assert (invoice.status, invoice.paid_cents) == ("paid", 19900)
    assert world.billing_repository.snapshot(account_id).open_invoices == []
    assert "invoice.paid" in world.events.types()
    assert world.mailer.templates(account_id).count("payment_confirmed") == 1
    assert world.payment_repository.receipt("evt-1").notice_pending is None


def test_a_replayed_delivery_is_a_duplicate_and_changes_nothing(world):
    account_id, done = _open_invoice(world)
    first = pay(world, account_id, done.invoice_id, key="evt-1")
    items = dict(world.store.billing.items)
    sent, published = len(world.mailer.sent), len(world.events.published)
    for _ in range(3):
        assert world.settlement.settle(incoming(world, done.invoice_id, 19900, key="evt-1")).outcome is Outcome.DUPLICATE
    assert world.store.billing.items == items
    assert (len(world.mailer.sent), len(world.events.published)) == (sent, published)
    payments, _ = world.payment_repository.payments_page(account_id, 10, None)
    assert [p.payment_id for p in payments] == [first.payment.payment_id]


def test_the_same_gateway_payment_under_another_event_id_is_not_applied_twice(world):
    account_id, done = _open_invoice(world)
    pay(world, account_id, done.invoice_id, key="evt-1")
    again = incoming(world, done.invoice_id, 19900, key="evt-2")
    replay = type(again)(**{**again.__dict__, "gateway_payment_id": "pay-evt-1"})
    assert world.settlement.settle(replay).outcome is Outcome.DUPLICATE
    payments, _ = world.payment_repository.payments_page(account_id, 10, None)
    assert len(payments) == 1 and world.account_repository.get(account_id).credit_cents == 0


def test_a_partial_payment_leaves_the_invoice_partially_paid_and_open(world):
    account_id, done = _open_invoice(world)
    pay(world, account_id, done.invoice_id, key="evt-1", amount_cents=9900)
    invoice = world.invoice_reads.get(account_id, done.invoice_id)
    assert (invoice.status, invoice.paid_cents) == ("partially_paid", 9900)
    [summary] = world.billing_repository.snapshot(account_id).open_invoices
    assert summary.status == "partially_paid"
    pay(world, account_id, done.invoice_id, key="evt-2")
    assert world.invoice_reads.get(account_id, done.invoice_id).status == "paid"


def test_an_overpayment_becomes_account_credit(world):
    account_id, done = _open_invoice(world)
    result = pay(world, account_id, done.invoice_id, key="evt-1", amount_cents=25000)
    assert result.payment.credit_cents == 25000 - 19900
    assert world.account_repository.get(account_id).credit_cents == 25000 - 19900


def test_money_for_no_known_invoice_is_kept_unmatched_once(world):
    assert world.settlement.settle(incoming(world, "inv-unknown", 5000, key="evt-9")).outcome is Outcome.UNMATCHED
    assert world.settlement.settle(incoming(world, "inv-unknown", 5000, key="evt-9")).outcome is Outcome.DUPLICATE
    unmatched = [k for k in world.store.billing.items if k[0] == "UNMATCHED"]
    assert len(unmatched) == 1
