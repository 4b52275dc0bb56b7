"""What other use cases write about an NFS-e in their own transaction: settlement, the pending NFS-e of
an invoice it pays in full (created with attribute_not_exists: one per invoice, ever); a refund, the
cancellation or substitution it makes due (a versioned put of the item read).

Both only put the NFS-e on the work list; the SEFIN is called after the commit, by the issuer."""
from chalicelib.adapters.clock import SAO_PAULO
from chalicelib.domain.service_invoice_rules import LineFacts, RefundEffect, declared_amounts, refund_effect
from chalicelib.domain.service_invoices import ServiceInvoiceStatus
from chalicelib.store.service_invoices import CANCEL, ISSUE, SUBSTITUTE, ServiceInvoiceItem, new_service_invoice


class ServiceInvoiceOpening:
    def __init__(self, catalog, dps_series: str):
        self._catalog = catalog
        self._series = dps_series

    def for_paid_invoice(self, invoice, snapshot, paid_at, now) -> ServiceInvoiceItem | None:
        """The pending NFS-e of `invoice`, just paid in full; None when none of its products issues
        NFS-e (or nothing of it is a service)."""
        products = {s.subscription_id: s.product_id for s in snapshot.subscriptions}
        facts, weights = [], {}
        for line in invoice.lines:
            product_id = products.get(line.subscription_id) if line.subscription_id else None
            product = self._catalog.product(product_id) if product_id else None
            declared = product.issues_service_invoice if product else line.subscription_id is None
            facts.append(LineFacts(line.amount_cents, line.kind, declared))
            if product is not None and declared and line.amount_cents > 0:
                weights[product.id] = weights.get(product.id, 0) + line.amount_cents
        if not weights:
            return None
        amounts = declared_amounts(facts)
        if amounts.net_cents <= 0:
            return None
        # One DPS carries one service code: the product with the largest share of the invoice.
        product_id = max(sorted(weights), key=weights.get)
        paid_on = paid_at.astimezone(SAO_PAULO).date().isoformat()
        return new_service_invoice(invoice.account_id, invoice.invoice_id, product_id, amounts.service_cents,
                                   amounts.discount_cents, paid_on, self._series, now)


def declared_net(item: ServiceInvoiceItem) -> int:
    """What the NFS-e declares now: the invoice's net, or what a partial refund left of it."""
    if item.kept_cents is not None:
        return item.kept_cents
    return item.service_cents - (item.discount_cents or 0)


def mark_refund(item: ServiceInvoiceItem, kept_cents: int, now) -> bool:
    """Make the cancellation or substitution a refund asks for due now; False when nothing changes
    (already cancelled or being cancelled, or the invoice keeps all it declared)."""
    if item.status == ServiceInvoiceStatus.CANCELLED or item.action == CANCEL:
        return False
    effect = refund_effect(declared_net(item), kept_cents)
    if effect is RefundEffect.NOTHING:
        return False
    if effect is RefundEffect.CANCEL:
        item.action = CANCEL
    else:
        item.kept_cents = kept_cents
        # Not issued yet: the first NFS-e already declares what is kept.
        item.action = SUBSTITUTE if item.status == ServiceInvoiceStatus.ISSUED else ISSUE
    item.attempts = 0
    item.schedule(now)
    return True
