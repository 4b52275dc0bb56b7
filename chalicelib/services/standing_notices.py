"""Telling people and systems when a subscription's standing changes: the pt-BR e-mails (invoice
overdue, license suspended, subscription cancelled or its cancellation scheduled) to the billing list
and the owner, and the domain events `license.suspended`, `license.restored` and
`subscription.cancelled` (docs/events.md). Event ids are stable per occurrence, so a retry
republishes the same ids."""
from dataclasses import dataclass
from datetime import date, timedelta

from chalicelib.adapters.email import render
from chalicelib.domain.bank_calendar import add_business_days
from chalicelib.domain.enums import LicenseStatus, SubscriptionStatus
from chalicelib.domain.money import format_brl
from chalicelib.services.entitlements import grants_of, overdue_policy_of
from chalicelib.services.invoice_notices import recipients
from chalicelib.store.billing import AccountSnapshot

REASON_LABELS = {"overdue": "falta de pagamento", "withdrawal": "desistência no prazo de 7 dias",
                 "customer_request": "a pedido da conta", "contract_end": "fim do contrato",
                 "batch_license": "licença encerrada pelo parceiro"}


@dataclass(frozen=True)
class CancellationNotice:
    subscription_id: str
    product_id: str
    effective_date: date
    reason: str  # a key of REASON_LABELS
    scheduled: bool = False
    refund_cents: int = 0
    refund_status: str | None = None  # refunded | requested | account_credit
    amount_owed_cents: int = 0
    purge_on: date | None = None


class StandingNotices:
    def __init__(self, mailer, events, catalog, invoices, portal_url: str):
        self._mailer = mailer
        self._events = events
        self._catalog = catalog
        self._invoices = invoices
        self._portal_url = portal_url.rstrip("/")

    # --- overdue ------------------------------------------------------------------------------
    def overdue_transitions(self, snapshot: AccountSnapshot, transitions: list, today: date,
                            purge_on: date | None = None) -> None:
        """One e-mail per step reached (listing its subscriptions), one event per subscription."""
        by_step: dict[SubscriptionStatus, list] = {}
        for transition in transitions:
            by_step.setdefault(transition.after, []).append(transition)
            self._license_event(snapshot.account_id, transition)
        if SubscriptionStatus.PAST_DUE in by_step:
            self._overdue_email(snapshot, "invoice_overdue", by_step[SubscriptionStatus.PAST_DUE])
        if SubscriptionStatus.SUSPENDED in by_step:
            self._overdue_email(snapshot, "license_suspended", by_step[SubscriptionStatus.SUSPENDED])
        for transition in by_step.get(SubscriptionStatus.CANCELLED, []):
            subscription = transition.subscription
            self.cancelled(snapshot, CancellationNotice(subscription.subscription_id, subscription.product_id,
                                                        today, "overdue", purge_on=purge_on))

    def _overdue_email(self, snapshot: AccountSnapshot, template: str, transitions: list) -> None:
        first = min((t for t in transitions if t.oldest), key=lambda t: t.oldest.due_date, default=None)
        if first is None:
            return
        invoice = self._invoices.get(snapshot.account_id, first.oldest.invoice_id)
        policy = overdue_policy_of(first.product)
        due = first.oldest.due_date
        card = snapshot.card
        self._mailer.send(render(
            template, recipients(snapshot), account_name=snapshot.account.name, invoice_id=first.oldest.invoice_id,
            total=format_brl(_owed(invoice)), due_date=f"{due:%d/%m/%Y}",
            suspend_on=f"{add_business_days(due, policy.grace_business_days):%d/%m/%Y}",
            cancel_on=f"{due + timedelta(days=policy.cancel_after_days + 1):%d/%m/%Y}",
            invoice_url=f"{self._portal_url}/contas/{snapshot.account_id}/faturas/{first.oldest.invoice_id}",
            card={"brand": card.brand.capitalize(), "last4": card.last4} if card else None,
            subscriptions=[{"product_name": _name(t.product, t.subscription.product_id),
                            "blocked": _blocked(t.product, t.after)} for t in transitions],
        ), account_id=snapshot.account_id)

    def _license_event(self, account_id: str, transition) -> None:
        """`license.suspended` at suspension, `license.restored` when a suspension ends."""
        subscription, after = transition.subscription, transition.after
        occurrence = transition.oldest.due_date.isoformat() if transition.oldest else "none"
        if after is SubscriptionStatus.SUSPENDED:
            event_type, event_id = "license.suspended", f"license.suspended:{subscription.subscription_id}:{occurrence}"
        elif after is SubscriptionStatus.ACTIVE and transition.before is SubscriptionStatus.SUSPENDED:
            event_type, event_id = "license.restored", f"license.restored:overdue:{subscription.subscription_id}:{occurrence}"
        else:
            return
        grants = grants_of(transition.product, after)
        self._events.publish(event_type, account_id, {
            "subscription_id": subscription.subscription_id, "product_id": subscription.product_id,
            "license": grants.license.value, "support": grants.support, "updates": grants.updates,
        }, event_id=event_id)

    # --- cancellation -------------------------------------------------------------------------
    def cancelled(self, snapshot: AccountSnapshot, notice: CancellationNotice) -> None:
        """The e-mail (scheduled or effective) and, once effective, `subscription.cancelled`."""
        product = self._catalog.product(notice.product_id)
        kept = grants_of(product, SubscriptionStatus.CANCELLED).license is not LicenseStatus.NONE
        self._mailer.send(render(
            "subscription_cancelled", recipients(snapshot), account_name=snapshot.account.name,
            product_name=_name(product, notice.product_id), scheduled=notice.scheduled,
            effective_date=f"{notice.effective_date:%d/%m/%Y}",
            last_day=f"{notice.effective_date - timedelta(days=1):%d/%m/%Y}",
            reason_label=REASON_LABELS.get(notice.reason, ""),
            refund=format_brl(notice.refund_cents) if notice.refund_cents else None,
            refund_status=notice.refund_status,
            amount_owed=format_brl(notice.amount_owed_cents) if notice.amount_owed_cents else None,
            license_kept=kept, purge_on=f"{notice.purge_on:%d/%m/%Y}" if notice.purge_on else None,
        ), account_id=snapshot.account_id)
        if not notice.scheduled:
            self._events.publish("subscription.cancelled", snapshot.account_id, {
                "subscription_id": notice.subscription_id, "product_id": notice.product_id,
                "effective_date": notice.effective_date.isoformat(), "reason": notice.reason,
            }, event_id=f"subscription.cancelled:{notice.subscription_id}:{notice.effective_date}")


def _name(product, product_id: str) -> str:
    return product.name if product else product_id


def _blocked(product, status: SubscriptionStatus) -> str:
    grants = grants_of(product, status)
    if grants.license is not LicenseStatus.ACTIVE:
        return "licença de uso bloqueada"
    return "suporte e atualizações interrompidos; a licença de uso continua válida"


def _owed(invoice) -> int:
    return (invoice.total_cents - (invoice.paid_cents or 0)) if invoice else 0
