"""Manual renewal of subscriptions cancelled for non-payment (domain.reinstatement): paying the debt
of such a subscription brings it back, from today, for as many periods as the invoice paid — unless
it can no longer come back (account closed, purge due, product no longer offered). Then the money
is kept as account credit and the finance team is asked to return it."""
from datetime import date

from chalicelib.domain.enums import SubscriptionStatus
from chalicelib.domain.money import format_brl
from chalicelib.domain.periods import Period
from chalicelib.domain.reinstatement import (
    BLOCKED_REASONS, Blocked, cancelled_for_non_payment, reinstated_period, reinstatement_blocked,
)
from chalicelib.domain.settlement import PAYABLE_STATUSES
from chalicelib.services.plans.invoice_schedule import schedule_next_issue
from chalicelib.services.subscriptions.standing_notices import finance_alert_notice
from chalicelib.store.billing import AccountSnapshot
from chalicelib.store.invoices import InvoiceItem
from chalicelib.store.payments import PaymentItem
from chalicelib.store.subscriptions import PaymentPart, SubscriptionItem


class Reinstatements:
    def __init__(self, catalog, retention):
        """`retention`: RetentionService (`scheduled_purge`), for the retention window."""
        self._catalog = catalog
        self._retention = retention

    def blocked(self, snapshot: AccountSnapshot, cancelled: list[SubscriptionItem],
                today: date) -> tuple[Blocked | None, date | None]:
        """(why none of `cancelled` can be reinstated, or None; the account's scheduled purge)."""
        account = snapshot.account
        purge_on = self._retention.scheduled_purge(account.account_id) if account else None
        reasons = [reinstatement_blocked(account_open=account is not None and account.status == "active",
                                         purge_on=purge_on, offered=self._offered(s), today=today)
                   for s in cancelled]
        # Reinstated if any can be: the others' lines are then simply paid, as they were before.
        return (reasons[0] if all(reasons) else None), purge_on

    def _offered(self, subscription: SubscriptionItem) -> bool:
        product = self._catalog.product(subscription.product_id)
        return product is not None and subscription.periodicity in product.prices

    def reinstate(self, invoice: InvoiceItem, cancelled: list[SubscriptionItem], snapshot: AccountSnapshot,
                  today: date) -> list[SubscriptionItem]:
        """Active again from today, for as many periods as the invoice paid; the days since the
        cancellation are not billed, and renewals bill on from the new period's end."""
        reinstated = []
        due_day = snapshot.account.due_day if snapshot.account else None
        for subscription in cancelled:
            lines = period_lines(invoice, subscription.subscription_id)
            if not self._offered(subscription):
                continue
            period = reinstated_period([Period(line.period_start, line.period_end) for line in lines],
                                       subscription.periodicity, today)
            subscription.status = SubscriptionStatus.ACTIVE.value
            subscription.auto_renew = True
            subscription.cancellation_cause = None
            subscription.current_period_start, subscription.current_period_end = period.start, period.end
            subscription.anchor_day = today.day
            subscription.billed_through = period.end
            # A new chain of periods: never mistaken for one billed before the cancellation.
            subscription.plan_revision = (subscription.plan_revision or 1) + 1
            subscription.period_payments = [PaymentPart(
                amount_cents=sum(line.amount_cents for line in invoice.lines
                                 if line.subscription_id == subscription.subscription_id), since=today)]
            schedule_next_issue(self._catalog, subscription, due_day, today)
            reinstated.append(subscription)
        return reinstated


def period_lines(invoice: InvoiceItem, subscription_id: str) -> list:
    return [line for line in invoice.lines if line.subscription_id == subscription_id
            and line.period_start and line.period_end and line.period_end > line.period_start]


def cancelled_for_non_payment_on(invoice: InvoiceItem, snapshot: AccountSnapshot) -> list[SubscriptionItem]:
    """The subscriptions the invoice bills a period of, when every one of them was cancelled for
    non-payment (an invoice that also bills a live subscription is simply paid)."""
    billed = [s for s in snapshot.subscriptions if period_lines(invoice, s.subscription_id)]
    if billed and all(cancelled_for_non_payment(s.status, s.cancellation_cause) for s in billed):
        return billed
    return []


def not_reinstated_by(payment: PaymentItem, invoice: InvoiceItem) -> bool:
    """Money that paid nothing of an invoice still owed: the debt of a subscription that could not
    come back (the only case settlement leaves a payable invoice untouched)."""
    return not payment.applied_cents and invoice.status in PAYABLE_STATUSES


def refund_request(payment: PaymentItem, invoice: InvoiceItem, blocked: Blocked, now):
    return finance_alert_notice(
        payment.account_id, "Pedido de estorno: pagamento de assinatura que não pode ser reativada", [
            f"Conta: {payment.account_id}", f"Pagamento: {payment.payment_id} ({payment.method})",
            f"Fatura: {invoice.label}", f"Valor recebido: {format_brl(payment.amount_cents)}",
            f"Motivo: {BLOCKED_REASONS[blocked]}", "O valor ficou como crédito da conta."],
        "Devolva o valor ao cliente e registre o estorno do pagamento (o crédito da conta é baixado com ele).",
        now)


def reinstatement_message(reinstated: list, not_reinstated: Blocked | None, payment: PaymentItem | None) -> str | None:
    if reinstated:
        return "; ".join(
            f"Assinatura reativada: licença liberada e novo período de {s.current_period_start:%d/%m/%Y} "
            f"a {s.current_period_end:%d/%m/%Y}, pago por esta fatura" for s in reinstated) + "."
    if not_reinstated is not None and payment is not None:
        return (f"A assinatura não pode mais ser reativada ({BLOCKED_REASONS[not_reinstated]}): os "
                f"{format_brl(payment.amount_cents)} viraram crédito da conta e a equipe financeira vai "
                "devolvê-los.")
    return None
