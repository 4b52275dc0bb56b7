"""Manual renewal of a subscription cancelled for non-payment (PRODUCT.md §4; Promob, "Renovação de
Assinaturas": "Caso o pagamento do boleto bancário não seja realizado, é possível realizar a
renovação manual das assinaturas").

While the account is inside its retention window (its purge not due yet), paying the debt of a
subscription the overdue rules cancelled reinstates it: license and entitlements back at once, a new
period starting on the settlement date, as many periods long as the invoice paid for; the days in
between are not billed. When that is no longer possible — the account purged or closed, its purge
day reached, the product or the periodicity no longer offered — the money buys nothing: it becomes
account credit and a refund request for the finance team, never kept for nothing."""
from collections.abc import Iterable
from datetime import date
from enum import StrEnum

from chalicelib.domain.enums import Periodicity, SubscriptionStatus
from chalicelib.domain.errors import DomainError
from chalicelib.domain.periods import Period, add_months

# What the overdue rules record on a subscription they cancel (a customer's cancellation has its
# own CancellationItem and is never reinstated by a payment).
NON_PAYMENT = "non_payment"


class Blocked(StrEnum):
    """Why a subscription cancelled for non-payment can no longer be reinstated."""
    ACCOUNT_GONE = "account_gone"  # purged or closed
    RETENTION_OVER = "retention_over"  # the purge day has come: the data is being deleted
    NOT_OFFERED = "not_offered"  # the product, or its periodicity, left the catalog


BLOCKED_REASONS = {
    Blocked.ACCOUNT_GONE: "a conta foi encerrada",
    Blocked.RETENTION_OVER: "o prazo de guarda dos dados da conta terminou",
    Blocked.NOT_OFFERED: "o produto não é mais oferecido nesta periodicidade",
}


def cancelled_for_non_payment(status: str, cancellation_cause: str | None) -> bool:
    return SubscriptionStatus(status) is SubscriptionStatus.CANCELLED and cancellation_cause == NON_PAYMENT


def reinstatement_blocked(*, account_open: bool, purge_on: date | None, offered: bool,
                          today: date) -> Blocked | None:
    """None when paying reinstates; else why it cannot. `purge_on`: the account's scheduled purge
    (None: none scheduled, the account keeps something else)."""
    if not account_open:
        return Blocked.ACCOUNT_GONE
    if purge_on is not None and today >= purge_on:
        return Blocked.RETENTION_OVER
    if not offered:
        return Blocked.NOT_OFFERED
    return None


def reinstated_period(paid: Iterable[Period], periodicity: Periodicity, settled_on: date) -> Period:
    """The new period: from the settlement date, one period of the subscription's periodicity for
    each distinct period the paid invoice billed (a carried invoice with two months buys two)."""
    count = len(set(paid))
    if count < 1:
        raise DomainError("A fatura paga não cobre nenhum período da assinatura.")
    return Period(settled_on, add_months(settled_on, Periodicity(periodicity).months * count, settled_on.day))
