"""Trials after subscribing (docs/promotions.md): cancelling during the trial, and the reminder e-mail
3 days before it ends.

- Cancelling in trial ends the subscription at once and bills nothing: the first period's invoice,
  if the invoicing job already issued it (7 days before `trial_end`), is voided, and account credit
  it had applied goes back to the account. CancellationService.cancel asks here first;
  `quote_end` answers the same without writing (the cancellation quote).
- The reminder (pt-BR, to the billing list and the owner) says when the trial ends and what will be
  charged then, and how (card on the day, or the boleto issued 7 days before). The trial marker sits
  on the send-reminders job's list of its reminder day (store TrialItem, `due` index) from the
  subscribing transaction; the reminder is claimed off the list (conditional write, with its audit
  entry) before it is sent: at most once."""
from dataclasses import dataclass
from datetime import date

from chalicelib.adapters.email import render
from chalicelib.catalog import Catalog
from chalicelib.domain.enums import InvoiceStatus, PaymentMethod, SubscriptionStatus
from chalicelib.domain.money import format_brl
from chalicelib.domain.promotions import in_trial, trial_unpaid
from chalicelib.errors import Conflict
from chalicelib.services.invoicing.discounts import discounted_price
from chalicelib.services.invoicing.notices import recipients
from chalicelib.services.lifecycle.closing import closing_if_nothing_left
from chalicelib.services.plans.invoice_schedule import schedule_next_issue
from chalicelib.services.plans.renewals import renewal_terms
from chalicelib.services.shared.audit import audit_entry
from chalicelib.services.shared.instants import frozen
from chalicelib.services.shared.retry import retrying
from chalicelib.services.subscriptions.standing_notices import cancellation_notice, cancelled_notice
from chalicelib.store.billing import AccountSnapshot
from chalicelib.store.invoices import OpenInvoiceItem
from chalicelib.store.subscriptions import SubscriptionItem, TrialItem

REMINDER_TEMPLATE = "trial_ending"
_PAYABLE = frozenset({InvoiceStatus.OPEN.value, InvoiceStatus.PARTIALLY_PAID.value})


@dataclass(frozen=True)
class TrialEnded:
    subscription: SubscriptionItem
    effective_date: date
    voided_invoice_ids: tuple[str, ...] = ()


@dataclass
class TrialReminderRun:
    processed: int = 0
    sent: int = 0
    skipped: int = 0


class TrialService:
    def __init__(self, repository, invoices, trials, retention, notices, mailer, catalog: Catalog, clock,
                 portal_url: str):
        self._repo = repository
        self._invoices = invoices  # InvoiceReads
        self._trials = trials  # store.subscriptions.TrialRepository
        self._retention = retention
        self._notices = notices  # StandingNotices
        self._mailer = mailer
        self._catalog = catalog
        self._clock = clock
        self._portal_url = portal_url.rstrip("/")

    # --- cancelling in trial ------------------------------------------------------------------
    def end_if_in_trial(self, account_id: str, subscription_id: str, actor: str) -> TrialEnded | None:
        """The trial ended at once (nothing billed), or None when the subscription is not in trial."""
        ended = retrying(lambda: self._end(account_id, subscription_id, actor))
        if ended is not None:
            snapshot, notice, result = ended
            self._notices.deliver(notice, snapshot)
            return result
        return None

    def quote_end(self, account_id: str, subscription_id: str) -> TrialEnded | None:
        """What `end_if_in_trial` would do now (refused the same way), nothing written."""
        today = frozen(self._clock).today()
        snapshot, subscription = self._in_trial(account_id, subscription_id, today)
        if subscription is None:
            return None
        voided = [invoice.invoice_id for invoice in self._first_period_invoices(snapshot, subscription)]
        subscription.status = SubscriptionStatus.CANCELLED.value  # in memory only: the answer's status
        subscription.auto_renew = False
        return TrialEnded(subscription, today, tuple(voided))

    def _in_trial(self, account_id: str, subscription_id: str,
                  today: date) -> tuple[AccountSnapshot, SubscriptionItem | None]:
        snapshot = self._repo.snapshot(account_id, consistent=True)
        snapshot.require_account()
        subscription = snapshot.subscription(subscription_id)
        if subscription.status != SubscriptionStatus.ACTIVE or not in_trial(
                subscription.trial_end, subscription.current_period_end, today):
            return snapshot, None
        return snapshot, subscription

    def _end(self, account_id: str, subscription_id: str, actor: str):
        clock = frozen(self._clock)
        today = clock.today()
        snapshot, subscription = self._in_trial(account_id, subscription_id, today)
        if subscription is None:
            return None
        writes = self._repo.writes()
        voided = self._void_first_invoice(writes, snapshot, subscription)
        before = {"status": subscription.status, "current_period_end": subscription.current_period_end.isoformat()}
        subscription.status = SubscriptionStatus.CANCELLED.value
        subscription.auto_renew = False
        subscription.current_period_end = max(today, subscription.current_period_start)
        schedule_next_issue(self._catalog, subscription, snapshot.account.due_day, today)
        writes.save(subscription)
        closing = closing_if_nothing_left(self._retention, self._catalog, snapshot, today, actor,
                                          "Nenhuma assinatura ativa após o cancelamento no período de teste.")
        closing.write(writes)
        writes.save(audit_entry(clock, account_id, actor=actor, action="subscription.trial_cancelled",
                                target=subscription_id, before=before, after={
                                    "status": subscription.status, "effective_date": today.isoformat(),
                                    "voided_invoice_ids": voided}))
        notice = cancelled_notice(account_id, cancellation_notice(
            subscription_id, subscription.product_id, today, "trial",
            purge_on=closing.purge_on.isoformat() if closing.purge_on else None), clock.now())
        writes.create(notice)
        writes.commit()
        return snapshot, notice, TrialEnded(subscription, today, tuple(voided))

    def _void_first_invoice(self, writes, snapshot: AccountSnapshot, subscription: SubscriptionItem) -> list[str]:
        """The first period's invoice, issued ahead and unpaid, voided; the account credit it had applied
        back to the account. One that also bills other subscriptions is not voided: the customer pays it
        first (the change rules do the same)."""
        voided = []
        for invoice in self._first_period_invoices(snapshot, subscription):
            returned = -sum(line.amount_cents for line in invoice.lines
                            if not line.subscription_id and line.amount_cents < 0)
            if returned:
                snapshot.account.credit_cents = (snapshot.account.credit_cents or 0) + returned
                writes.save(snapshot.account)
            invoice.status = InvoiceStatus.VOID.value
            writes.save(invoice)
            summary = next(s for s in snapshot.open_invoices if s.invoice_id == invoice.invoice_id)
            writes.delete(summary, condition=OpenInvoiceItem.pk.exists())
            voided.append(invoice.invoice_id)
        return voided

    def _first_period_invoices(self, snapshot: AccountSnapshot, subscription: SubscriptionItem) -> list:
        """The open invoices a cancellation in trial voids; refused (409) when one of them is paid in
        part or bills other subscriptions too."""
        ids = sorted(s.invoice_id for s in snapshot.open_invoices
                     if s.status in _PAYABLE and subscription.subscription_id in (s.subscription_ids or []))
        payable = [invoice for invoice in self._invoices.get_many(snapshot.account_id, ids)
                   if invoice.status in _PAYABLE]
        for invoice in payable:
            if invoice.paid_cents or any(line.subscription_id not in (None, subscription.subscription_id)
                                         for line in invoice.lines):
                raise Conflict("A fatura do primeiro período já foi paga ou cobra também outras assinaturas; "
                               "cancele pelas regras de cancelamento depois de pagá-la.",
                               code="open_invoice_bills_other_items", details={"invoice_id": invoice.invoice_id})
        return payable

    # --- the reminder -------------------------------------------------------------------------
    def remind_due(self, today: date) -> TrialReminderRun:
        """send-reminders: the trials whose reminder day is today (and yesterday's, a missed run)."""
        run = TrialReminderRun()
        for day in (date.fromordinal(today.toordinal() - 1), today):
            for trial in self._trials.due_on(day):
                run.processed += 1
                if self._remind(trial, today):
                    run.sent += 1
                else:
                    run.skipped += 1
        return run

    def _remind(self, trial: TrialItem, today: date) -> bool:
        clock = frozen(self._clock)
        snapshot = self._repo.snapshot(trial.account_id)
        subscription = next((s for s in snapshot.subscriptions if s.subscription_id == trial.subscription_id), None)
        still = (snapshot.account is not None and subscription is not None
                 and subscription.status == SubscriptionStatus.ACTIVE and subscription.auto_renew
                 and trial_unpaid(subscription.trial_end, subscription.current_period_end)
                 and today < subscription.trial_end)
        email = self._email(snapshot, subscription) if still else None
        audit = audit_entry(clock, trial.account_id, actor="job:send-reminders", action="subscription.trial_reminded"
                            if still else "subscription.trial_reminder_skipped", target=trial.subscription_id,
                            after={"trial_end": trial.trial_end.isoformat()})
        if not self._trials.claim_reminder(trial, today, audit) or email is None:
            return False
        self._mailer.send(email, account_id=trial.account_id)
        return True

    def _email(self, snapshot: AccountSnapshot, subscription: SubscriptionItem):
        account = snapshot.account
        members = sum(1 for member in snapshot.members if member.active)
        terms = renewal_terms(self._catalog, subscription, account.due_day, members)
        amount = discounted_price(subscription.discount, subscription.product_id, terms.period.start,
                                  terms.amount_cents)
        product = self._catalog.product(subscription.product_id)
        return render(REMINDER_TEMPLATE, recipients(snapshot), account_name=account.name,
                      product_name=product.name if product else subscription.product_id,
                      trial_end=f"{subscription.trial_end:%d/%m/%Y}", amount=format_brl(amount),
                      due_date=f"{terms.due_date:%d/%m/%Y}",
                      by_card=terms.payment_method == PaymentMethod.CARD,
                      coupon=subscription.discount.coupon_code if amount != terms.amount_cents else None,
                      plan_url=f"{self._portal_url}/contas/{account.account_id}/assinaturas/"
                               f"{subscription.subscription_id}")
