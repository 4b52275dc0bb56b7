"""Payment-method rules of PRODUCT.md §5, shared by subscribing, plan changes, the payment-method
switch and card removal."""
from datetime import date

from chalicelib.catalog import Product
from chalicelib.domain.invoice_calendar import renewal_issue_date
from chalicelib.domain.enums import PaymentMethod, Periodicity
from chalicelib.errors import Conflict, ValidationFailed
from chalicelib.services.plans.invoice_schedule import next_renewal_start
from chalicelib.services.plans.pricing import PERIODICITY_LABELS
from chalicelib.store.base import account_pk
from chalicelib.store.billing import AccountSnapshot, WriteSet
from chalicelib.store.subscriptions import CARD_SK, CardItem, SubscriptionItem

LIVE_STATUSES = frozenset({"active", "past_due", "suspended", "pending_cancellation"})


def card_required() -> Conflict:
    return Conflict("Cadastre um cartão de crédito na conta antes de escolher o pagamento por cartão.",
                    code="card_required")


def require_method_allowed(product: Product, periodicity: Periodicity, method: str,
                           snapshot: AccountSnapshot) -> None:
    """Boleto only on the product's boleto periodicities; card only with a card on the account."""
    if method == PaymentMethod.BOLETO and not product.accepts_boleto(periodicity):
        raise ValidationFailed(_boleto_refusal(product, periodicity), code="boleto_not_allowed",
                               details={"periodicity": periodicity.value,
                                        "boleto_periodicities": [p.value for p in product.boleto_periodicities]})
    if method == PaymentMethod.CARD and snapshot.card is None:
        raise card_required()


def require_default_by_card(method: str, make_default: bool) -> None:
    """"Tornar esta minha forma de pagamento padrão" is offered only when the order is paid by card
    (Operand, "Meu Plano"): any other method chosen for an order is for that order alone."""
    if make_default and method != PaymentMethod.CARD:
        message = ("Somente o cartão de crédito pode ser tornado a forma de pagamento padrão; a forma "
                   "escolhida para este pedido vale apenas para ele. Desmarque \"Tornar esta minha forma "
                   "de pagamento padrão\" ou pague o pedido com cartão.")
        code = "make_default_requires_card"
        raise ValidationFailed(message, code=code, details={
            "payment_method": method,
            "fields": [{"field": "make_default", "code": code, "message": message}]})


def require_card_still_there(writes: WriteSet, account_id: str, method: str) -> None:
    """The card checked above must still exist when the change commits (a removal may race it)."""
    if method == PaymentMethod.CARD:
        writes.require(CardItem, account_pk(account_id), CARD_SK, CardItem.pk.exists(), card_required())


def _boleto_refusal(product: Product, periodicity: Periodicity) -> str:
    label = PERIODICITY_LABELS[periodicity]
    if not product.boleto_periodicities:
        return f"{product.name} não aceita boleto; escolha cartão de crédito."
    allowed = ", ".join(PERIODICITY_LABELS[p] for p in product.boleto_periodicities)
    return (f"O pagamento por boleto não está disponível na periodicidade {label} de {product.name} "
            f"(somente: {allowed}). Escolha cartão de crédito.")


def renewal_already_issued(subscription: SubscriptionItem) -> bool:
    """The invoicing job has billed the renewal at the end of the current period (its boleto exists)."""
    return next_renewal_start(subscription) > subscription.current_period_end


def boleto_to_card_last_day(subscription: SubscriptionItem, due_day: int | None) -> date | None:
    """Boleto → card is possible "até 07 dias antes da data de renovação ... pois é a data em que o
    sistema irá gerar o boleto" (Ummense): up to the issue date of the renewal on the account's
    due-day grid, that day included until the job has billed it. None once it is billed."""
    if renewal_already_issued(subscription):
        return None
    return renewal_issue_date(subscription.current_period_end, due_day)


def require_boleto_to_card_possible(subscription: SubscriptionItem, due_day: int | None, today: date) -> None:
    """Refused once the renewal boleto is issued: billed by the job (even on its issue day), or its
    issue date on the grid is past (the job bills it on that date)."""
    renewal = subscription.current_period_end
    issue_day = renewal_issue_date(renewal, due_day)
    if renewal_already_issued(subscription) or today > issue_day:
        raise Conflict(
            f"Não é mais possível trocar de boleto para cartão nesta renovação: a troca só pode ser "
            f"feita até a geração do boleto da renovação, 7 dias antes do vencimento, em "
            f"{issue_day:%d/%m/%Y}. Pague o boleto desta renovação; a troca poderá ser feita depois "
            f"dela, para a renovação seguinte.",
            code="boleto_already_issued",
            details={"renewal_date": renewal.isoformat(), "issue_date": issue_day.isoformat()})


def card_dependents(snapshot: AccountSnapshot) -> tuple[list[str], list[str]]:
    """Live subscriptions paid (or to be paid) by card, and open invoices to be charged on it."""
    subscriptions = [s.subscription_id for s in snapshot.subscriptions
                     if s.status in LIVE_STATUSES and PaymentMethod.CARD in (s.payment_method, s.renewal_payment_method)]
    invoices = [i.invoice_id for i in snapshot.open_invoices if i.payment_method == PaymentMethod.CARD]
    return subscriptions, invoices
