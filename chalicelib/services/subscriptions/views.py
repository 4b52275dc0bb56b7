"""Read side: "Minhas assinaturas", "Meu Plano" and storage, from one Query of the account's live
items plus the catalog in memory. No clock read: everything shown follows from stored dates."""
from dataclasses import dataclass
from datetime import date

from chalicelib.catalog import Catalog, Product
from chalicelib.domain.enums import PaymentMethod, SubscriptionStatus
from chalicelib.domain.promotions import trial_unpaid
from chalicelib.services.invoicing.discounts import discounted_price
from chalicelib.services.plans.payment_rules import LIVE_STATUSES, boleto_to_card_last_day
from chalicelib.services.plans.renewals import RenewalTerms, renewal_terms
from chalicelib.store.billing import AccountSnapshot
from chalicelib.store.invoices import OpenInvoiceItem
from chalicelib.store.pix_automatico import PixRecurrenceItem
from chalicelib.store.subscriptions import CardItem, SubscriptionItem


@dataclass(frozen=True)
class SubscriptionView:
    subscription: SubscriptionItem
    product: Product
    licenses_used: int  # active members of the account
    storage_used_bytes: int  # the account's, as last reported by the vendor's product
    next_due_date: date | None
    renewal: RenewalTerms | None
    open_invoices: list[OpenInvoiceItem]
    card: CardItem | None
    account_credit_cents: int
    boleto_to_card_until: date | None  # last day to switch the next renewal from boleto to card
    status: str = ""  # as shown: `trialing` while the current period is the trial, else the stored one
    renewal_discount_cents: int = 0  # what a coupon takes off the next renewal
    pix_recurrence: PixRecurrenceItem | None = None  # its Pix Automático authorisation, live or ended


@dataclass(frozen=True)
class StorageView:
    purchased_gb: int
    used_bytes: int
    by_subscription: list[tuple[str, str, int]]  # (subscription id, product id, GB)


def active_members(snapshot: AccountSnapshot) -> int:
    return sum(1 for member in snapshot.members if member.active)


def used_bytes(snapshot: AccountSnapshot) -> int:
    return snapshot.usage.storage_used_bytes if snapshot.usage else 0


def view_of(catalog: Catalog, snapshot: AccountSnapshot, subscription: SubscriptionItem) -> SubscriptionView:
    account = snapshot.require_account()
    invoices = sorted((i for i in snapshot.open_invoices if subscription.subscription_id in i.subscription_ids),
                      key=lambda invoice: invoice.due_date)
    renewal = renewal_terms(catalog, subscription, account.due_day, active_members(snapshot))
    next_due = invoices[0].due_date if invoices else (renewal.due_date if renewal else None)
    switch_until = None
    if renewal and subscription.renewal_payment_method == PaymentMethod.BOLETO:
        switch_until = boleto_to_card_last_day(subscription, account.due_day)
    discount = 0
    if renewal is not None:
        discount = renewal.amount_cents - discounted_price(subscription.discount, subscription.product_id,
                                                           renewal.period.start, renewal.amount_cents)
    return SubscriptionView(subscription, catalog.product(subscription.product_id), active_members(snapshot),
                            used_bytes(snapshot), next_due, renewal, invoices, snapshot.card,
                            account.credit_cents, switch_until, shown_status(subscription), discount,
                            pix_recurrence_of(snapshot, subscription.subscription_id))


def pix_recurrence_of(snapshot: AccountSnapshot, subscription_id: str) -> PixRecurrenceItem | None:
    """The recurrence is one of the account's live items: Meu Plano shows it from the same Query."""
    return next((item for item in snapshot.others
                 if isinstance(item, PixRecurrenceItem) and item.subscription_id == subscription_id), None)


def shown_status(subscription: SubscriptionItem) -> str:
    if subscription.status == SubscriptionStatus.ACTIVE and trial_unpaid(subscription.trial_end,
                                                                         subscription.current_period_end):
        return SubscriptionStatus.TRIALING.value
    return subscription.status


class SubscriptionViews:
    def __init__(self, repository, catalog: Catalog):
        self._repo = repository
        self._catalog = catalog

    def list(self, account_id: str) -> list[SubscriptionView]:
        snapshot = self._repo.snapshot(account_id)
        return [view_of(self._catalog, snapshot, s) for s in snapshot.subscriptions]

    def plan(self, account_id: str, subscription_id: str) -> SubscriptionView:
        snapshot = self._repo.snapshot(account_id)
        return view_of(self._catalog, snapshot, snapshot.subscription(subscription_id))

    def storage(self, account_id: str) -> StorageView:
        snapshot = self._repo.snapshot(account_id)
        live = [s for s in snapshot.subscriptions if s.status in LIVE_STATUSES and s.storage_gb]
        return StorageView(sum(s.storage_gb for s in live), used_bytes(snapshot),
                           [(s.subscription_id, s.product_id, s.storage_gb) for s in live])
