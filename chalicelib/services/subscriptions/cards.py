"""The account's single card (PRODUCT.md §5): set or replace it — every card subscription follows,
since subscriptions point at the account's card rather than holding one — and remove it, unless
something is still to be paid with it."""
from dataclasses import dataclass

from chalicelib.adapters.gateways import CardRejected, GatewayUnavailable, SavedCard
from chalicelib.errors import ConcurrentUpdate, Conflict, NotFound, ServiceUnavailable, ValidationFailed
from chalicelib.services.shared.audit import audit_entry
from chalicelib.services.shared.instants import frozen
from chalicelib.services.plans.payment_rules import card_dependents
from chalicelib.store.base import account_pk
from chalicelib.store.subscriptions import (
    CARD_SK, GATEWAY_CUSTOMER_SK, CardItem, GatewayCustomerItem, SubscriptionItem,
)


@dataclass(frozen=True)
class CardData:
    gateway_token: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int


def card_summary(card: CardItem | None) -> dict | None:
    """What the audit trail keeps of a card: never the gateway token."""
    if card is None:
        return None
    return {"brand": card.brand, "last4": card.last4, "exp_month": card.exp_month, "exp_year": card.exp_year}


class CardService:
    def __init__(self, repository, clock, gateway, gateway_name: str):
        self._repo = repository
        self._clock = clock
        self._gateway = gateway
        self._gateway_name = gateway_name

    def set_card(self, account_id: str, data: CardData, actor: str) -> tuple[CardItem, list[str]]:
        """Returns the card and the subscriptions that will be charged on it."""
        clock = frozen(self._clock)
        now = clock.now()
        if (data.exp_year, data.exp_month) < (now.year, now.month):
            raise ValidationFailed("O cartão está vencido.", code="card_expired",
                                   details={"fields": [{"field": "exp_year", "code": "card_expired",
                                                        "message": "O cartão está vencido."}]})
        snapshot = self._repo.snapshot(account_id, consistent=True)
        snapshot.require_account()
        customer = snapshot.other(GatewayCustomerItem, GATEWAY_CUSTOMER_SK)
        customer_ref = self._attach_at_gateway(snapshot, data, customer)
        card = CardItem(pk=account_pk(account_id), sk=CARD_SK, account_id=account_id,
                        gateway_token=data.gateway_token, brand=data.brand, last4=data.last4,
                        exp_month=data.exp_month, exp_year=data.exp_year, gateway_customer=customer_ref,
                        created_at=now)
        writes = self._repo.writes()
        writes.save(card)
        if customer is None:
            writes.save(GatewayCustomerItem(pk=account_pk(account_id), sk=GATEWAY_CUSTOMER_SK, account_id=account_id,
                                            gateway=self._gateway_name, customer_ref=customer_ref, created_at=now))
        action = "card.replaced" if snapshot.card else "card.set"
        writes.save(audit_entry(clock, account_id, actor=actor, action=action, target=CARD_SK,
                                before=card_summary(snapshot.card), after=card_summary(card)))
        writes.commit()
        followers, _ = card_dependents(snapshot)
        return card, followers

    def _attach_at_gateway(self, snapshot, data: CardData, customer: GatewayCustomerItem | None) -> str:
        """Before anything is written: a card the gateway refuses is never saved. Retrying after a
        failed write is safe (the gateway calls carry idempotency keys of the account and token)."""
        billing = snapshot.account.billing_data.as_dict() if snapshot.account.billing_data else {}
        emails = billing.get("billing_emails") or [None]
        try:
            return self._gateway.save_card(SavedCard(
                account_id=snapshot.account_id, payment_method_token=data.gateway_token,
                customer_ref=customer.customer_ref if customer else None, email=emails[0],
                name=billing.get("legal_name") or snapshot.account.name))
        except CardRejected as exc:
            message = f"O gateway de pagamento recusou o cartão: {exc.message}"
            raise ValidationFailed(message, code="card_rejected", details={
                "gateway_code": exc.code,
                "fields": [{"field": "gateway_token", "code": "card_rejected", "message": message}]}) from exc
        except GatewayUnavailable as exc:
            raise ServiceUnavailable("O gateway de pagamento não respondeu; o cartão não foi salvo. Tente de novo.",
                                     code="gateway_unavailable") from exc

    def remove_card(self, account_id: str, actor: str) -> None:
        clock = frozen(self._clock)
        snapshot = self._repo.snapshot(account_id, consistent=True)
        if snapshot.card is None:
            raise NotFound("A conta não tem cartão cadastrado.", code="card_not_found")
        subscriptions, invoices = card_dependents(snapshot)
        if subscriptions or invoices:
            raise Conflict(_in_use_message(subscriptions, invoices), code="card_in_use",
                           details={"subscription_ids": subscriptions, "invoice_ids": invoices})
        writes = self._repo.writes()
        writes.delete(snapshot.card, CardItem.pk.exists())
        # A subscription switched to card since the snapshot would lose its card: require none changed.
        for subscription in snapshot.subscriptions:
            writes.require(SubscriptionItem, subscription.pk, subscription.sk,
                           SubscriptionItem.version == subscription.version,
                           ConcurrentUpdate("Uma assinatura mudou enquanto o cartão era removido; tente de novo."))
        writes.save(audit_entry(clock, account_id, actor=actor, action="card.removed", target=CARD_SK,
                                before=card_summary(snapshot.card)))
        writes.commit()


def _in_use_message(subscriptions: list[str], invoices: list[str]) -> str:
    parts = []
    if subscriptions:
        parts.append(f"as assinaturas {', '.join(subscriptions)} são pagas com ele")
    if invoices:
        parts.append(f"as faturas em aberto {', '.join(invoices)} serão cobradas nele")
    return (f"O cartão não pode ser removido: {' e '.join(parts)}. Troque a forma de pagamento para "
            f"boleto (ou aguarde a cobrança) antes de remover o cartão.")
