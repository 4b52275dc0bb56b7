"""What a cancellation request looks at (PRODUCT.md §8), read from the store: the period in force,
the payment of the purchase or renewal whose withdrawal window is still open (the window counts from
the purchase date or the renewal date, not from the day it was paid: domain.cancellation), the next renewal and, for a fixed-term
contract, the installments still to bill; with a commitment billed monthly, the committed months
billed so far. The rule itself is domain.cancellation."""
from dataclasses import dataclass
from datetime import date

from chalicelib.adapters.clock import SAO_PAULO
from chalicelib.catalog import Catalog, Product
from chalicelib.domain.cancellation import (
    CancellationRequest, Commitment, Payment, withdrawal_window_start, within_withdrawal_window,
)
from chalicelib.domain.enums import Contract, Periodicity
from chalicelib.domain.periods import Period, period_containing
from chalicelib.services.plans.invoice_schedule import next_renewal_start
from chalicelib.services.plans.pricing import Plan, period_price
from chalicelib.services.plans.renewals import RenewalTerms, renewal_terms
from chalicelib.store.billing import AccountSnapshot
from chalicelib.store.subscriptions import SubscriptionItem

RECENT_PAYMENTS = 20  # the window is 7 days from the purchase or a renewal: the newest payments are enough
SETTLED = "settled"
# A payment refunded already still marks the withdrawal (a cancellation retried after its refund).
WITHDRAWABLE = frozenset({SETTLED, "refunded", "refund_requested"})


@dataclass(frozen=True)
class WithdrawalPayment:
    """The payment the right of withdrawal gives back: the subscription's purchase or latest renewal."""

    window_start: date  # the purchase or renewal date the 7 days count from (not the payment date)
    share_cents: int  # what of it paid this subscription
    payment_id: str | None = None  # None: a purchase not paid yet (nothing to give back)
    exclusive: bool = True  # the whole payment was for this subscription (else its share becomes credit)
    already_refunded_cents: int | None = None  # refunded before (an earlier attempt): not again
    applied_cents: int = 0  # what the payment paid of its invoice (a refund gives it back)
    credit_cents: int = 0  # the account credit the payment created (given back while unused)


@dataclass(frozen=True)
class CancellationContext:
    request: CancellationRequest
    period: Period  # the period in force today
    next_renewal: RenewalTerms | None  # the first renewal not invoiced yet
    invoiced_through: date  # end of what is already invoiced (a renewal is invoiced ahead of payment)
    withdrawal: WithdrawalPayment | None


def period_in_force(subscription: SubscriptionItem, today: date) -> Period:
    """The paid period, or — when a renewal is late — the invoiced renewal, or the period of the
    subscription's chain that contains today."""
    current = Period(subscription.current_period_start, subscription.current_period_end)
    if today < current.end:
        return current
    invoiced = next_renewal_start(subscription)
    if today < invoiced:
        return Period(current.end, invoiced)
    return period_containing(current.start, Periodicity(subscription.periodicity), today, subscription.anchor_day)


class CancellationTerms:
    def __init__(self, catalog: Catalog, payments, invoices):
        self._catalog = catalog
        self._payments = payments
        self._invoices = invoices

    def context(self, snapshot: AccountSnapshot, subscription: SubscriptionItem, today: date) -> CancellationContext:
        product = self._catalog.product(subscription.product_id)
        members = sum(1 for member in snapshot.members if member.active)
        invoiced = next_renewal_start(subscription)
        renewal = renewal_terms(self._catalog, subscription, snapshot.account.due_day, members, after=invoiced)
        period = period_in_force(subscription, today)
        withdrawal = self.withdrawal_payment(snapshot.account_id, subscription, today)
        request = CancellationRequest(
            contract=product.contract, current_period=period, periodicity=Periodicity(subscription.periodicity),
            next_period_price_cents=renewal.amount_cents if renewal else 0, anchor_day=subscription.anchor_day,
            last_payment=Payment(withdrawal.window_start, withdrawal.share_cents) if withdrawal else None,
            installments_remaining=installments_left(product, subscription),
            installment_price_cents=product.prices[Periodicity(subscription.periodicity)],
            commitment=self.commitment(product, subscription, snapshot.account.due_day, invoiced))
        return CancellationContext(request, period, renewal, invoiced, withdrawal)

    def commitment(self, product: Product, subscription: SubscriptionItem, due_day: int | None,
                   invoiced_through: date) -> Commitment | None:
        """A commitment counts monthly periods: billed monthly only. The months billed are the first
        period (billed at the purchase) and every renewal billed since; the monthly price is what is
        contracted today (licenses and storage)."""
        if not product.commitment_months or Periodicity(subscription.periodicity) is not Periodicity.MONTHLY:
            return None
        plan = Plan(product, Periodicity.MONTHLY, subscription.quantity, subscription.storage_gb or 0)
        purchased_on = subscription.created_at.astimezone(SAO_PAULO).date() if subscription.created_at else None
        return Commitment(product.commitment_months, 1 + (subscription.renewals_billed or 0),
                          period_price(self._catalog, plan), invoiced_through,
                          due_day or subscription.anchor_day or invoiced_through.day, purchased_on)

    def withdrawal_payment(self, account_id: str, subscription: SubscriptionItem,
                           today: date) -> WithdrawalPayment | None:
        purchased_on = subscription.created_at.astimezone(SAO_PAULO).date() if subscription.created_at else None
        paid = self._recent_payment(account_id, subscription.subscription_id, purchased_on, today)
        if paid is not None:
            return paid
        if purchased_on and within_withdrawal_window(purchased_on, today):
            return WithdrawalPayment(purchased_on, 0)  # bought days ago, not paid: nothing to give back
        return None

    def _recent_payment(self, account_id: str, subscription_id: str, purchased_on: date | None,
                        today: date) -> WithdrawalPayment | None:
        """The newest settled payment whose invoice bills the subscription's purchase or a renewal whose
        window is still open. The window is judged on the period the invoice bills, so a renewal paid
        early (its boleto is issued 7 days ahead) or late is judged on its renewal date all the same."""
        payments, _ = self._payments.payments_page(account_id, RECENT_PAYMENTS, None)
        candidates = [p for p in payments if p.status in WITHDRAWABLE and p.applied_cents > 0
                      and p.paid_at.astimezone(SAO_PAULO).date() <= today]
        invoice_ids = sorted({p.invoice_id for p in candidates})
        invoices = {i.invoice_id: i for i in self._invoices.get_many(account_id, invoice_ids)}
        for payment in candidates:  # newest first
            invoice = invoices.get(payment.invoice_id)
            mine = [line for line in invoice.lines if line.subscription_id == subscription_id] if invoice else []
            starts = [line.period_start for line in mine if line.kind == "subscription" and line.period_start]
            if not starts:
                continue
            window_start = withdrawal_window_start(purchased_on, max(starts))
            if not within_withdrawal_window(window_start, today):
                continue
            others = any(line.subscription_id not in (None, subscription_id) for line in invoice.lines)
            share = payment.amount_cents if not others else min(sum(line.amount_cents for line in mine),
                                                                payment.applied_cents)
            refunded = None if payment.status == SETTLED else (payment.refunded_cents or 0)
            return WithdrawalPayment(window_start, share, payment.payment_id,
                                     exclusive=not others, already_refunded_cents=refunded,
                                     applied_cents=payment.applied_cents, credit_cents=payment.credit_cents or 0)
        return None


def installments_left(product: Product, subscription: SubscriptionItem) -> int:
    """fixed_term: installments not invoiced yet (the first is invoiced when subscribing)."""
    if product.contract is not Contract.FIXED_TERM or not product.term_installments:
        return 0
    return max(product.term_installments - 1 - (subscription.renewals_billed or 0), 0)
