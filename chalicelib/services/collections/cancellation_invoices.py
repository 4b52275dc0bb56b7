"""The invoices a cancellation creates or voids (PRODUCT.md §8), as items for the use case's
transaction:
- notice given less than 30 days before the renewal: that renewal is still billed — here, at once,
  as the renewal the invoicing job would have issued (same lines, its ~BILLED# marker, its due date);
- a fixed-term contract ended early: one invoice for the installments not billed yet;
- a commitment billed monthly ended early: one invoice for the committed months not billed yet;
- a partner batch license cancelled late: the license billed once more for the next batch period;
- a withdrawal: the subscription's unpaid invoices are voided."""
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from chalicelib.catalog import Catalog, Product
from chalicelib.domain.cancellation import CommitmentCharge
from chalicelib.domain.enums import InvoiceStatus, PaymentMethod, Periodicity
from chalicelib.domain.invoice_calendar import due_date_for_renewal
from chalicelib.domain.money import format_brl
from chalicelib.domain.periods import Period
from chalicelib.services.invoicing.orders import BilledPeriod, Line, invoice_items, plan_lines, with_account_credit
from chalicelib.services.plans.pricing import Plan
from chalicelib.services.plans.renewals import RenewalTerms
from chalicelib.store.billing import AccountSnapshot, WriteSet
from chalicelib.store.invoices import InvoiceItem, OpenInvoiceItem, card_charge_due
from chalicelib.store.reviews import overdue_review_due
from chalicelib.store.subscriptions import SubscriptionItem

CANCELLATION = "cancellation"
TERMINATION = "termination"  # line kind: the rest of a fixed-term contract
BATCH_LICENSE = "batch_license"  # line kind: one batch license billed once more


@dataclass
class NewInvoice:
    invoice: InvoiceItem
    related: list  # its open summary and ~BILLED# markers
    charge_cents: int  # before account credit
    credit_applied_cents: int

    def write(self, writes: WriteSet) -> None:
        for item in (self.invoice, *self.related):
            writes.create(item)


def next_renewal_invoice(catalog: Catalog, snapshot: AccountSnapshot, subscription: SubscriptionItem,
                         terms: RenewalTerms, now: datetime) -> NewInvoice:
    """The renewal a late notice still owes, billed now; the subscription's billing cursor moves past
    it so the invoicing job never bills it again (and the marker refuses a second invoice)."""
    product = catalog.product(subscription.product_id)
    period = terms.period
    span = f" ({period.start:%d/%m/%Y} a {period.end - timedelta(days=1):%d/%m/%Y})"
    plan = Plan(product, Periodicity(subscription.periodicity), terms.quantity, terms.storage_gb)
    lines = [replace(line, description=line.description + span)
             for line in plan_lines(catalog, plan, subscription.subscription_id, period)]
    if terms.proration_cents:
        lines.append(Line("Ajuste proporcional ao dia de vencimento", terms.proration_cents, "proration",
                          subscription.subscription_id, period.start, period.end))
    billed = [BilledPeriod(subscription.subscription_id, subscription.plan_revision, period.start)]
    new = _invoice(snapshot, lines, terms.payment_method, now, billed)
    _due_on(new, due_date_for_renewal(period.start, snapshot.account.due_day))
    subscription.billed_through = period.end
    subscription.renewals_billed = (subscription.renewals_billed or 0) + 1
    return new


def termination_invoice(snapshot: AccountSnapshot, subscription: SubscriptionItem, product: Product,
                        installments: int, installment_cents: int, now: datetime) -> NewInvoice:
    description = (f"{product.name} — rescisão antecipada: {installments} parcela(s) restante(s) de "
                   f"{format_brl(installment_cents)}")
    line = Line(description, installments * installment_cents, TERMINATION, subscription.subscription_id)
    return _invoice(snapshot, [line], subscription.renewal_payment_method, now, [])


def commitment_invoice(snapshot: AccountSnapshot, subscription: SubscriptionItem, product: Product,
                       charge: CommitmentCharge, now: datetime) -> NewInvoice:
    """No period on the line: paying it must not extend the subscription (it ends all the same)."""
    last_day = charge.ends_on - timedelta(days=1)
    description = (f"{product.name} — cancelamento antes do fim da fidelidade de {product.commitment_months} "
                   f"meses (até {last_day:%d/%m/%Y}): {charge.months} mês(es) restante(s) de "
                   f"{format_brl(charge.amount_cents // charge.months)}")
    line = Line(description, charge.amount_cents, TERMINATION, subscription.subscription_id)
    return _invoice(snapshot, [line], subscription.renewal_payment_method, now, [])


def license_once_more_invoice(snapshot: AccountSnapshot, batch: SubscriptionItem, product: Product,
                              license_id: str, period: Period, now: datetime) -> NewInvoice:
    """No period on the line: paying it must not renew the batch (settlement extends a subscription
    by the periods its lines carry); the dates are in the description."""
    price = product.prices[Periodicity(batch.periodicity)]
    description = (f"{product.name} — licença {license_id} cancelada com menos de 30 dias da renovação: "
                   f"cobrada uma última vez ({period.start:%d/%m/%Y} a {period.end - timedelta(days=1):%d/%m/%Y})")
    new = _invoice(snapshot, [Line(description, price, BATCH_LICENSE, batch.subscription_id)],
                   batch.renewal_payment_method, now, [])
    _due_on(new, due_date_for_renewal(period.start, snapshot.account.due_day))
    return new


def void(writes: WriteSet, invoice: InvoiceItem, summary: OpenInvoiceItem | None) -> None:
    invoice.status = InvoiceStatus.VOID.value
    writes.save(invoice)
    if summary is not None:
        writes.delete(summary, condition=OpenInvoiceItem.pk.exists())


def _invoice(snapshot: AccountSnapshot, lines: list[Line], method: str, now: datetime,
             billed: list[BilledPeriod]) -> NewInvoice:
    account = snapshot.account
    order = with_account_credit(lines, account.credit_cents or 0)
    invoice, related = invoice_items(account.account_id, order, origin=CANCELLATION, payment_method=method,
                                     now=now, billed=billed, number=snapshot.next_invoice_number(now.date()))
    if order.credit_applied_cents:
        account.credit_cents = order.remaining_account_credit_cents
    return NewInvoice(invoice, related, order.charge_cents, order.credit_applied_cents)


def _due_on(new: NewInvoice, due: date) -> None:
    """Due with the renewal it stands for, not today: the invoice and its summary's job lists move."""
    new.invoice.due_date = max(due, new.invoice.due_date)
    for item in new.related:
        if isinstance(item, OpenInvoiceItem):
            item.due_date = new.invoice.due_date
            on_list = (card_charge_due if item.payment_method == PaymentMethod.CARD else overdue_review_due)(
                item.account_id, item.invoice_id, item.due_date)
            item.due_pk, item.due_sk = on_list["due_pk"], on_list["due_sk"]
