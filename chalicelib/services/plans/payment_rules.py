"""Payment-method rules of PRODUCT.md §5, shared by subscribing, plan changes, the payment-method
switch and card removal."""
from datetime import date, timedelta

from chalicelib.catalog import Product
from chalicelib.domain.due_day import invoice_issue_date
from chalicelib.domain.enums import PaymentMethod, Periodicity
from chalicelib.errors import Conflict, ValidationFailed
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


def boleto_to_card_last_day(renewal_date: date) -> date:
    """Boleto → card is possible until the day before the renewal boleto is issued (7 days ahead)."""
    return invoice_issue_date(renewal_date) - timedelta(days=1)


def require_boleto_to_card_possible(subscription: SubscriptionItem, today: date) -> None:
    renewal = subscription.current_period_end
    last_day = boleto_to_card_last_day(renewal)
    if today > last_day:
        raise Conflict(
            f"Não é mais possível trocar de boleto para cartão nesta renovação: a troca só pode ser "
            f"feita até 7 dias antes da renovação de {renewal:%d/%m/%Y}, porque nessa data o boleto "
            f"é gerado. O prazo terminou em {last_day:%d/%m/%Y}; pague o boleto desta renovação. "
            f"A troca poderá ser feita depois dela, para a renovação seguinte.",
            code="boleto_already_issued",
            details={"renewal_date": renewal.isoformat(), "possible_until": last_day.isoformat()})


def card_dependents(snapshot: AccountSnapshot) -> tuple[list[str], list[str]]:
    """Live subscriptions paid (or to be paid) by card, and open invoices to be charged on it."""
    subscriptions = [s.subscription_id for s in snapshot.subscriptions
                     if s.status in LIVE_STATUSES and PaymentMethod.CARD in (s.payment_method, s.renewal_payment_method)]
    invoices = [i.invoice_id for i in snapshot.open_invoices if i.payment_method == PaymentMethod.CARD]
    return subscriptions, invoices
