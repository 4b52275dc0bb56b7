"""Telling people and systems when a subscription's standing changes: the pt-BR e-mails (invoice
overdue, license suspended, subscription cancelled or its cancellation scheduled, a batch client's
invitation) to the billing list and the owner, and the domain events `license.suspended`,
`license.restored` and `subscription.cancelled` (docs/events.md); and the finance team's alerts
after a refund request or a chargeback (with the chargeback's `license.suspended` events).

A use case records what to tell as a notice item (store/notices.py) in the transaction of its change
and delivers it right after the commit; a notice left behind by a crash is delivered by the next
check-overdue run. Event ids are stable per occurrence and e-mails keep the notice's id, so a
delivery repeated after a crash sends the same messages again, never different ones."""
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

from chalicelib.adapters.email import render
from chalicelib.domain.bank_calendar import add_business_days
from chalicelib.domain.enums import LicenseStatus, Role, SubscriptionStatus
from chalicelib.domain.money import format_brl
from chalicelib.catalog import overdue_policy_of
from chalicelib.services.plans.recurring import cancellations_mrr
from chalicelib.services.subscriptions.entitlements import grants_of
from chalicelib.services.shared.ids import sortable_id
from chalicelib.services.invoicing.notices import recipients
from chalicelib.store.billing import AccountSnapshot
from chalicelib.store.notices import EVENTS_KIND, NoticeItem, new_notice

OVERDUE, CANCELLED, INVITATION, FINANCE_ALERT = "overdue", "cancelled", "invitation", "finance_alert"
ADDITION_REVERTED = "addition_reverted"
REASON_LABELS = {"overdue": "falta de pagamento", "withdrawal": "desistência no prazo de 7 dias",
                 "customer_request": "a pedido da conta", "trial": "cancelamento durante o período de teste",
                 "batch_license": "licença encerrada pelo parceiro"}


@dataclass(frozen=True)
class CancellationNotice:
    subscription_id: str
    product_id: str
    effective_date: str  # ISO dates: the notice is stored as JSON
    reason: str  # a key of REASON_LABELS
    scheduled: bool = False
    refund_cents: int = 0
    refund_status: str | None = None  # refunded | requested | account_credit
    amount_owed_cents: int = 0
    purge_on: str | None = None


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def cancellation_notice(subscription_id: str, product_id: str, effective: date, reason: str,
                        **extra) -> CancellationNotice:
    return CancellationNotice(subscription_id, product_id, effective.isoformat(), reason, **extra)


def notice(account_id: str, kind: str, data: dict, now: datetime) -> NoticeItem:
    """A notice to record with the change, on the review list of `now`'s day. Its `created_at` is the
    clock's time, which is also its e-mails' place in the local outbox."""
    return new_notice(account_id, sortable_id("ntc", now), kind, data, now.date(), now)


def overdue_notice(account_id: str, transitions: list, today: date, purge_on: date | None, now) -> NoticeItem:
    return notice(account_id, OVERDUE, {"today": today.isoformat(), "purge_on": _iso(purge_on), "transitions": [
        {"subscription_id": t.subscription.subscription_id, "product_id": t.subscription.product_id,
         "before": t.before.value, "after": t.after.value, "oldest_due": _iso(t.oldest.due_date) if t.oldest else None,
         "invoice_id": t.oldest.invoice_id if t.oldest else None} for t in transitions]}, now)


def addition_reverted_notice(account_id: str, reverts: list[dict], now) -> NoticeItem:
    """reverts: per unpaid order taken back, `subscription_id`, `product_id`, `invoice_id`,
    `invoice_number`, `total_cents`, `due_date` (ISO), `licenses` and `storage_gb` (taken back),
    `quantity` and `storage_gb_after` (what the subscription has now), `returned_cents`."""
    return notice(account_id, ADDITION_REVERTED, {"reverts": reverts}, now)


def cancelled_notice(account_id: str, about: CancellationNotice, now) -> NoticeItem:
    return notice(account_id, CANCELLED, asdict(about), now)


def invitation_notice(account_id: str, account_name: str, email: str, now) -> NoticeItem:
    return notice(account_id, INVITATION, {"account_name": account_name, "email": email}, now)


def finance_alert_notice(account_id: str, title: str, lines: list[str], action: str, now,
                         events: list[dict] | None = None) -> NoticeItem:
    """An alert to the finance team (services/payments/refunds.py), and the domain events of the same change
    (`{"type", "data", "id"}`, published with these ids, before the e-mail)."""
    return notice(account_id, FINANCE_ALERT, {"title": title, "lines": lines, "action": action,
                                              "events": events or []}, now)


class StandingNotices:
    def __init__(self, mailer, events, catalog, invoices, billing, portal_url: str,
                 finance_team_email: str):
        self._mailer = mailer
        self._events = events
        self._catalog = catalog
        self._invoices = invoices
        self._billing = billing
        self._portal_url = portal_url.rstrip("/")
        self._finance = finance_team_email

    def deliver(self, item: NoticeItem, snapshot: AccountSnapshot | None = None) -> None:
        """Send what the notice says, then drop it (idempotent: a notice already gone is done)."""
        snapshot = snapshot or self._billing.snapshot(item.account_id)
        if snapshot.account is not None:
            {OVERDUE: self._overdue, CANCELLED: self._cancelled, INVITATION: self._invitation,
             FINANCE_ALERT: self._finance_alert, ADDITION_REVERTED: self._addition_reverted,
             EVENTS_KIND: self._events_only}[item.kind](snapshot, item)
        self._billing.drop_notice(item)

    # --- overdue ------------------------------------------------------------------------------
    def _overdue(self, snapshot: AccountSnapshot, item: NoticeItem) -> None:
        """One e-mail per step reached (listing its subscriptions), one event per subscription."""
        data = item.data
        by_step: dict[str, list[dict]] = {}
        for transition in data["transitions"]:
            by_step.setdefault(transition["after"], []).append(transition)
            self._license_event(snapshot.account_id, transition)
        self._invoices_overdue(snapshot.account_id, data["transitions"])
        for step, template in ((SubscriptionStatus.PAST_DUE, "invoice_overdue"),
                               (SubscriptionStatus.SUSPENDED, "license_suspended")):
            if step.value in by_step:
                self._overdue_email(snapshot, item, template, by_step[step.value])
        cancelled = by_step.get(SubscriptionStatus.CANCELLED.value, [])
        mrr = cancellations_mrr(self._catalog, snapshot.subscriptions, [t["subscription_id"] for t in cancelled],
                                date.fromisoformat(data["today"]))
        for transition in cancelled:
            self._send_cancelled(snapshot, item, CancellationNotice(
                transition["subscription_id"], transition["product_id"], data["today"], "overdue",
                purge_on=data["purge_on"]), suffix=transition["subscription_id"],
                mrr=mrr.get(transition["subscription_id"]))

    def _overdue_email(self, snapshot: AccountSnapshot, item: NoticeItem, template: str, transitions: list) -> None:
        dated = [t for t in transitions if t["oldest_due"]]
        if not dated:
            return
        first = min(dated, key=lambda t: t["oldest_due"])
        product = self._catalog.product(first["product_id"])
        policy = overdue_policy_of(product)
        due = date.fromisoformat(first["oldest_due"])
        invoice = self._invoices.get(snapshot.account_id, first["invoice_id"])
        card = snapshot.card
        self._send(snapshot, item, template, account_name=snapshot.account.name,
                   invoice_number=invoice.label if invoice else first["invoice_id"],
                   total=format_brl(_owed(invoice)), due_date=f"{due:%d/%m/%Y}",
                   suspend_on=f"{add_business_days(due, policy.grace_business_days):%d/%m/%Y}",
                   cancel_on=f"{due + timedelta(days=policy.cancel_after_days + 1):%d/%m/%Y}",
                   invoice_url=f"{self._portal_url}/contas/{snapshot.account_id}/faturas/{first['invoice_id']}",
                   card={"brand": card.brand.capitalize(), "last4": card.last4} if card else None,
                   subscriptions=[{"product_name": self._name(t["product_id"]),
                                   "blocked": self._blocked(t["product_id"], t["after"])} for t in transitions])

    def _invoices_overdue(self, account_id: str, transitions: list[dict]) -> None:
        """`invoice.overdue`, once per invoice, when it takes a subscription out of `active`."""
        invoice_ids = dict.fromkeys(t["invoice_id"] for t in transitions
                                    if t["before"] == SubscriptionStatus.ACTIVE and t["invoice_id"])
        for invoice_id in invoice_ids:
            invoice = self._invoices.get(account_id, invoice_id)
            if invoice is None:
                continue
            self._events.publish("invoice.overdue", account_id, {
                "invoice_id": invoice.invoice_id, "due_date": invoice.due_date.isoformat(),
                "total_cents": invoice.total_cents, "currency": "BRL", "payment_method": invoice.payment_method,
                "open_cents": max(invoice.total_cents - (invoice.paid_cents or 0), 0),
            }, event_id=f"invoice.overdue:{invoice.invoice_id}")

    def _license_event(self, account_id: str, transition: dict) -> None:
        """`license.suspended` at suspension, `license.restored` when a suspension ends."""
        after, subscription_id = transition["after"], transition["subscription_id"]
        occurrence = f"{subscription_id}:{transition['oldest_due'] or 'none'}"
        if after == SubscriptionStatus.SUSPENDED:
            event_type, event_id = "license.suspended", f"license.suspended:{occurrence}"
        elif after == SubscriptionStatus.ACTIVE and transition["before"] == SubscriptionStatus.SUSPENDED:
            event_type, event_id = "license.restored", f"license.restored:overdue:{occurrence}"
        else:
            return
        grants = grants_of(self._catalog.product(transition["product_id"]), after)
        self._events.publish(event_type, account_id, {
            "subscription_id": subscription_id, "product_id": transition["product_id"],
            "license": grants.license.value, "support": grants.support, "updates": grants.updates,
        }, event_id=event_id)

    # --- an unpaid order for added licenses or storage, taken back ---------------------------
    def _addition_reverted(self, snapshot: AccountSnapshot, item: NoticeItem) -> None:
        """One e-mail per order taken back: what was undone, that the paid plan stays as it was."""
        for revert in item.data["reverts"]:
            self._send(snapshot, item, "addition_reverted", suffix=revert["invoice_id"],
                       account_name=snapshot.account.name, product_name=self._name(revert["product_id"]),
                       invoice_number=revert["invoice_number"], total=format_brl(revert["total_cents"]),
                       due_date=f"{date.fromisoformat(revert['due_date']):%d/%m/%Y}",
                       licenses=revert["licenses"], storage_gb=revert["storage_gb"], quantity=revert["quantity"],
                       storage_gb_after=revert["storage_gb_after"],
                       returned=format_brl(revert["returned_cents"]) if revert["returned_cents"] else None,
                       plan_url=f"{self._portal_url}/contas/{snapshot.account_id}/assinaturas/"
                                f"{revert['subscription_id']}")
            event = revert.get("event")  # metrics: the MRR the licenses or GB taken back leave
            if event is not None:
                self._events.publish(event["type"], snapshot.account_id, event["data"], event_id=event["id"])

    # --- cancellation -------------------------------------------------------------------------
    def _cancelled(self, snapshot: AccountSnapshot, item: NoticeItem) -> None:
        self._send_cancelled(snapshot, item, CancellationNotice(**item.data))

    def _send_cancelled(self, snapshot: AccountSnapshot, item: NoticeItem, about: CancellationNotice,
                        suffix: str = "", mrr: dict | None = None) -> None:
        """The e-mail (scheduled or effective) and, once effective, `subscription.cancelled`."""
        product = self._catalog.product(about.product_id)
        effective = date.fromisoformat(about.effective_date)
        kept = grants_of(product, SubscriptionStatus.CANCELLED).license is not LicenseStatus.NONE
        purge_on = date.fromisoformat(about.purge_on) if about.purge_on else None
        self._send(snapshot, item, "subscription_cancelled", suffix=suffix, account_name=snapshot.account.name,
                   product_name=self._name(about.product_id), scheduled=about.scheduled,
                   effective_date=f"{effective:%d/%m/%Y}", last_day=f"{effective - timedelta(days=1):%d/%m/%Y}",
                   reason_label=REASON_LABELS.get(about.reason, ""),
                   refund=format_brl(about.refund_cents) if about.refund_cents else None,
                   refund_status=about.refund_status,
                   amount_owed=format_brl(about.amount_owed_cents) if about.amount_owed_cents else None,
                   license_kept=kept, purge_on=f"{purge_on:%d/%m/%Y}" if purge_on else None)
        if not about.scheduled:
            if mrr is None:
                mrr = cancellations_mrr(self._catalog, snapshot.subscriptions, [about.subscription_id],
                                        effective).get(about.subscription_id)
            self._events.publish("subscription.cancelled", snapshot.account_id, {
                "subscription_id": about.subscription_id, "product_id": about.product_id,
                "effective_date": about.effective_date, "reason": about.reason,
                **({"mrr": mrr} if mrr else {}),
            }, event_id=f"subscription.cancelled:{about.subscription_id}:{about.effective_date}")

    # --- a batch client's invitation ----------------------------------------------------------
    def _invitation(self, snapshot: AccountSnapshot, item: NoticeItem) -> None:
        from chalicelib.services.accounts.accounts import ROLE_LABELS

        email = item.data["email"]
        self._mailer.send(render("member_invited", [email], account_name=item.data["account_name"],
                                 role_label=ROLE_LABELS[Role.OWNER], email=email),
                          account_id=item.account_id, message_key=f"{item.notice_id}:member_invited",
                          queued_at=item.created_at)

    # --- the finance team ---------------------------------------------------------------------
    def _finance_alert(self, snapshot: AccountSnapshot, item: NoticeItem) -> None:
        data = item.data
        for event in data.get("events", []):
            self._events.publish(event["type"], item.account_id, event["data"], event_id=event["id"])
        if not self._finance:
            return
        self._mailer.send(render("finance_alert", [self._finance], title=data["title"], lines=data["lines"],
                                 action=data["action"]),
                          account_id=item.account_id, message_key=f"{item.notice_id}:finance_alert",
                          queued_at=item.created_at)

    def _events_only(self, snapshot: AccountSnapshot, item: NoticeItem) -> None:
        """Events an invoicing run left behind (a crash between its commit and their publication)."""
        for event in item.data.get("events", []):
            self._events.publish(event["type"], item.account_id, event["data"], event_id=event["id"])

    # --- shared -------------------------------------------------------------------------------
    def _send(self, snapshot: AccountSnapshot, item: NoticeItem, template: str, suffix: str = "", **context) -> None:
        self._mailer.send(render(template, recipients(snapshot), **context), account_id=snapshot.account_id,
                          message_key=f"{item.notice_id}:{template}:{suffix}", queued_at=item.created_at)

    def _name(self, product_id: str) -> str:
        product = self._catalog.product(product_id)
        return product.name if product else product_id

    def _blocked(self, product_id: str, status: str) -> str:
        if grants_of(self._catalog.product(product_id), status).license is not LicenseStatus.ACTIVE:
            return "licença de uso bloqueada"
        return "suporte e atualizações interrompidos; a licença de uso continua válida"


def _owed(invoice) -> int:
    return (invoice.total_cents - (invoice.paid_cents or 0)) if invoice else 0
