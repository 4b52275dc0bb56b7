"""Unpaid addition orders (PRODUCT.md §7): an order for added licenses or storage is no part of the
subscription's dues — the base period it was bought on is paid, and stays active. Unpaid once the
product's overdue grace is over, the order is taken back instead: the licenses and GB it added
removed, its invoice voided, the account credit it used (and any part paid) returned to the account.
Done in memory here; the overdue review writes it in its transaction."""
from dataclasses import dataclass
from datetime import date

from chalicelib.catalog import overdue_policy_of
from chalicelib.domain.enums import InvoiceStatus, PaymentMethod, SubscriptionStatus
from chalicelib.domain.overdue import addition_order_lapsed
from chalicelib.services.collections.unpaid_dues import ADDED_LICENSES, ADDED_STORAGE, MOVABLE, is_addition_order
from chalicelib.store.billing import AccountSnapshot
from chalicelib.store.invoices import InvoiceItem
from chalicelib.store.subscriptions import SubscriptionItem


@dataclass(frozen=True)
class Reversal:
    """An unpaid addition order taken back: its invoice voided, what it added removed."""
    invoice: InvoiceItem
    subscription: SubscriptionItem
    licenses: int  # taken back
    storage_gb: int  # taken back
    returned_cents: int  # account credit it had used + any part paid: back to the account
    before: dict  # the subscription's quantity and storage_gb before


def lapsed_additions(catalog, snapshot: AccountSnapshot, invoices: list[InvoiceItem], today: date) -> list[Reversal]:
    """The addition orders whose grace is over, each taken back (in memory: subscription,
    invoice, account credit); the commit writes them."""
    reversals = []
    for invoice in invoices:
        if not is_addition_order(invoice):
            continue
        (subscription_id,) = {line.subscription_id for line in invoice.lines if line.subscription_id}
        subscription = next((s for s in snapshot.subscriptions if s.subscription_id == subscription_id), None)
        if subscription is None or SubscriptionStatus(subscription.status) not in MOVABLE:
            continue  # cancelled or ending on a scheduled date: nothing left to take back from
        policy = overdue_policy_of(catalog.product(subscription.product_id))
        if addition_order_lapsed(invoice.due_date, today, policy, invoice.payment_method == PaymentMethod.BOLETO):
            reversals.append(_take_back(snapshot, subscription, invoice))
    return reversals


def _take_back(snapshot: AccountSnapshot, subscription: SubscriptionItem, invoice: InvoiceItem) -> Reversal:
    """Undo the order: the licenses and GB it added, the period payment it recorded (money never
    received), the invoice voided with its boleto; the account credit it used and any part paid go
    back to the account — no centavo created or lost."""
    added = [line for line in invoice.lines if line.subscription_id]
    licenses = sum(line.added_quantity for line in added if line.kind == ADDED_LICENSES)
    storage_gb = sum(line.added_quantity for line in added if line.kind == ADDED_STORAGE)
    before = {"quantity": subscription.quantity, "storage_gb": subscription.storage_gb}
    subscription.quantity = max(1, subscription.quantity - licenses)
    subscription.storage_gb = max(0, (subscription.storage_gb or 0) - storage_gb)
    charge, since = sum(line.amount_cents for line in added), min(line.period_start for line in added)
    parts = list(subscription.period_payments or [])
    recorded = next((part for part in parts if part.amount_cents == charge and part.since == since), None)
    if recorded is not None:
        parts.remove(recorded)
        subscription.period_payments = parts
    credit_used = -sum(line.amount_cents for line in invoice.lines if not line.subscription_id and line.amount_cents < 0)
    returned = credit_used + (invoice.paid_cents or 0)
    if returned:
        snapshot.account.credit_cents = (snapshot.account.credit_cents or 0) + returned
    invoice.status = InvoiceStatus.VOID.value
    for document in invoice.documents:
        if document.status == "current":
            document.status = "void"  # a late payment of it still counts: it becomes account credit
    return Reversal(invoice, subscription, licenses, storage_gb, returned, before)


def reverted(reversal: Reversal) -> dict:
    """What the "pedido desfeito" notice tells of a reversal."""
    invoice, subscription = reversal.invoice, reversal.subscription
    return {"subscription_id": subscription.subscription_id, "product_id": subscription.product_id,
            "invoice_id": invoice.invoice_id, "invoice_number": invoice.label, "total_cents": invoice.total_cents,
            "due_date": invoice.due_date.isoformat(), "licenses": reversal.licenses,
            "storage_gb": reversal.storage_gb, "quantity": subscription.quantity,
            "storage_gb_after": subscription.storage_gb, "returned_cents": reversal.returned_cents}
