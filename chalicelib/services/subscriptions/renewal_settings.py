"""How a subscription renews: its renewal mode (all licenses or only the active ones) and its
payment method, on its own or following the account's default (PRODUCT.md §3, §5)."""
from dataclasses import dataclass
from datetime import date

from chalicelib.catalog import Catalog
from chalicelib.domain.enums import PaymentMethod, Periodicity, Pricing, RenewalMode, SubscriptionStatus
from chalicelib.errors import AppError, Conflict
from chalicelib.services.plans.payment_rules import (
    require_boleto_to_card_possible, require_card_still_there, require_method_allowed,
)
from chalicelib.services.shared.audit import audit_entry
from chalicelib.services.shared.instants import frozen
from chalicelib.services.subscriptions.subscription_rules import invalid_field, live_subscription
from chalicelib.store.billing import AccountSnapshot
from chalicelib.store.subscriptions import SubscriptionItem


@dataclass(frozen=True)
class NotFollowing:
    """A subscription that keeps its renewal method when the account's default changes, and why."""

    subscription_id: str
    reason_code: str
    message: str  # pt-BR, for the person who changed the default


class RenewalSettingsService:
    def __init__(self, repository, catalog: Catalog, clock):
        self._repo = repository
        self._catalog = catalog
        self._clock = clock

    def set_renewal_mode(self, account_id: str, subscription_id: str, mode: RenewalMode,
                         actor: str) -> AccountSnapshot:
        clock = frozen(self._clock)
        snapshot = self._repo.snapshot(account_id, consistent=True)
        subscription = live_subscription(snapshot, subscription_id)
        product = self._catalog.product(subscription.product_id)
        if mode is RenewalMode.ACTIVE_ONLY and product.pricing is not Pricing.PER_SEAT:
            raise invalid_field("renewal_mode", "Renovar apenas as licenças ativas vale só para planos por "
                           "licença.", "renewal_mode_not_applicable")
        before = subscription.renewal_mode
        subscription.renewal_mode = mode.value
        self._save(clock, account_id, subscription, "subscription.renewal_mode_changed",
                   {"renewal_mode": before}, {"renewal_mode": mode.value}, actor)
        return snapshot

    def set_payment_method(self, account_id: str, subscription_id: str, method: str,
                           actor: str) -> AccountSnapshot:
        """The new method takes over at the next renewal (PRODUCT.md §5)."""
        clock = frozen(self._clock)
        snapshot = self._repo.snapshot(account_id, consistent=True)
        subscription = live_subscription(snapshot, subscription_id)
        product = self._catalog.product(subscription.product_id)
        require_method_allowed(product, Periodicity(subscription.periodicity), method, snapshot)
        if subscription.renewal_payment_method == PaymentMethod.BOLETO and method == PaymentMethod.CARD:
            require_boleto_to_card_possible(subscription, snapshot.require_account().due_day, clock.today())
        before = _method_summary(subscription)
        subscription.pending_payment_method = None if method == subscription.payment_method else method
        self._save(clock, account_id, subscription, "subscription.payment_method_changed",
                   before, _method_summary(subscription), actor, method=method)
        return snapshot

    def set_default_payment_method(self, account_id: str, method: str,
                                   actor: str) -> tuple[AccountSnapshot, list[NotFollowing]]:
        """The account's default method (Promob, "Renovação de Assinaturas": the option chosen there
        pays the renewals of the account's subscriptions): set, and followed by the renewals of every
        live subscription that can, each under the same rules as its own switch (the product's boleto
        periodicities, the boleto → card deadline), in one transaction. The others keep their method
        and are returned with the reason."""
        clock = frozen(self._clock)
        snapshot = self._repo.snapshot(account_id, consistent=True)
        account = snapshot.require_account()
        writes = self._repo.writes()
        not_following, followed = [], 0
        for subscription in snapshot.subscriptions:
            if subscription.status == SubscriptionStatus.CANCELLED or subscription.renewal_payment_method == method:
                continue
            try:
                self._require_switch_possible(snapshot, subscription, method, clock.today())
            except AppError as refusal:
                not_following.append(NotFollowing(subscription.subscription_id, refusal.code, refusal.message))
                continue
            before = _method_summary(subscription)
            subscription.pending_payment_method = None if method == subscription.payment_method else method
            followed += 1
            writes.save(subscription)
            writes.save(audit_entry(clock, account_id, actor=actor, action="subscription.payment_method_changed",
                                    target=subscription.subscription_id, before=before,
                                    after=_method_summary(subscription) | {"by": "account_default"}))
        before = {"default_payment_method": account.default_payment_method}
        account.default_payment_method = method
        writes.save(account)
        if followed:  # the card checked above must still be there when the renewals move to it
            require_card_still_there(writes, account_id, method)
        writes.save(audit_entry(clock, account_id, actor=actor, action="account.billing_settings_updated",
                                target=account_id, before=before, after={
                                    "default_payment_method": method,
                                    "subscriptions_not_following": [n.subscription_id for n in not_following]}))
        writes.commit()
        return snapshot, not_following

    def _require_switch_possible(self, snapshot: AccountSnapshot, subscription: SubscriptionItem, method: str,
                                 today: date) -> None:
        if method not in (PaymentMethod.CARD, PaymentMethod.BOLETO):
            raise Conflict("Pix é escolhido fatura a fatura; as renovações desta assinatura continuam com a "
                           "forma de pagamento atual.", code="method_not_for_renewals")
        product = self._catalog.product(subscription.product_id)
        require_method_allowed(product, Periodicity(subscription.periodicity), method, snapshot)
        if subscription.renewal_payment_method == PaymentMethod.BOLETO and method == PaymentMethod.CARD:
            require_boleto_to_card_possible(subscription, snapshot.require_account().due_day, today)

    def _save(self, clock, account_id: str, subscription: SubscriptionItem, action: str, before: dict,
              after: dict, actor: str, method: str | None = None) -> None:
        writes = self._repo.writes()
        writes.save(subscription)
        if method:
            require_card_still_there(writes, account_id, method)
        writes.save(audit_entry(clock, account_id, actor=actor, action=action,
                                target=subscription.subscription_id, before=before, after=after))
        writes.commit()


def _method_summary(subscription: SubscriptionItem) -> dict:
    return {"payment_method": subscription.payment_method,
            "pending_payment_method": subscription.pending_payment_method}
