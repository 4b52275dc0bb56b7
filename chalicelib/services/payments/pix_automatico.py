"""Pix Automático as a subscription's renewal method: authorise (create the recurrence at the PSP,
with its location for the QR of journey 2, or, when the subscription has an invoice to pay now, with an
immediate charge for it in the composed QR of journey 3), read, cancel, and mirror the recurrence's
states as the PSP's webhooks announce them (docs/pix-automatico.md).

- Approval: the subscription renews by Pix Automático from its next cycle (pending method).
- Rejection or expiry: the subscription keeps its method; the customer gets an e-mail.
- Cancellation by us (DELETE, or the subscription cancelled): renewals go back to the method the
  recurrence replaced. Revocation by the payer in their bank: renewals move to boleto, with an e-mail.

A change of state is applied only when it is a step forward (domain.pix_automatico.may_follow), as a
conditional write on the state read: a replayed notification is a `duplicate`, a late one `stale`."""
import json
import logging
from dataclasses import dataclass

from chalicelib.adapters.pix_automatico import PspError
from chalicelib.domain.enums import PaymentMethod, Periodicity, Pricing, SubscriptionStatus
from chalicelib.domain.pix_automatico import (
    PixAutomaticoError, RecurrenceStatus, debtor, immediate_charge_request, immediate_txid, is_live, may_follow,
    periodicidade, recurrence_amount, recurrence_request,
)
from chalicelib.errors import ConcurrentUpdate, Conflict, NotFound, ServiceUnavailable, ValidationFailed
from chalicelib.observability.logging import get_logger, log_event
from chalicelib.services.plans.pricing import Plan, period_price
from chalicelib.services.shared.audit import audit_entry
from chalicelib.services.shared.instants import frozen
from chalicelib.services.shared.recipients import billing_recipients
from chalicelib.services.subscriptions.subscription_rules import live_subscription
from chalicelib.store.pix_automatico import RECURRENCE_CHANGED, PixRecurrenceItem, new_recurrence

PIX_AUTOMATICO = "pix_automatico"
FALLBACK_METHOD = PaymentMethod.BOLETO.value
_PAYER_SIDE = {"USUARIO_PAGADOR", "PSP_PAGADOR"}
_log = get_logger("pix_automatico")


@dataclass(frozen=True)
class Notification:
    rec_id: str
    status: str
    ending_code: str | None = None
    ended_by: str | None = None  # cancelamento.solicitante


def psp_unavailable(error: PspError) -> ServiceUnavailable:
    log_event(_log, "psp call failed", level=logging.WARNING, status=error.status, reason=str(error))
    return ServiceUnavailable("O PSP do Pix Automático não atendeu agora; tente novamente em instantes.",
                              code="pix_psp_unavailable")


@dataclass(frozen=True)
class FirstPayment:
    """Journey 3: what is due now, paid with the same QR that authorises the recurrence."""
    invoice_id: str
    amount_cents: int
    txid: str


class PixAutomaticoService:
    def __init__(self, billing, recurrences, psp, catalog, accounts, mailer, clock, invoice_reads, pix_key: str,
                 portal_url: str = ""):
        """`invoice_reads`: the invoice journey 3 pays (what is left of it); `pix_key`: the vendor's Pix
        key, which receives that immediate payment."""
        self._reads = invoice_reads
        self._pix_key = pix_key
        self._billing = billing
        self._recurrences = recurrences
        self._psp = psp
        self._catalog = catalog
        self._accounts = accounts
        self._mailer = mailer
        self._clock = clock
        self._portal_url = portal_url

    # --- the customer's side -------------------------------------------------------------------------
    def authorise(self, account_id: str, subscription_id: str, actor: str) -> PixRecurrenceItem:
        clock = frozen(self._clock)
        snapshot = self._billing.snapshot(account_id, consistent=True)
        account = snapshot.require_account()
        subscription = live_subscription(snapshot, subscription_id)
        previous = self._recurrences.get(account_id, subscription_id)
        if previous is not None and is_live(previous.status):
            raise Conflict("Esta assinatura já tem uma autorização de Pix Automático em andamento ou aprovada.",
                           code="pix_automatico_exists", details={"rec_id": previous.rec_id,
                                                                  "status": previous.status})
        billing = _payer_data(account)
        product = self._catalog.product(subscription.product_id)
        periodicity = Periodicity(subscription.periodicity)
        price = period_price(self._catalog, Plan(product, periodicity, subscription.quantity,
                                                 subscription.storage_gb or 0))
        # A fixed amount only when nothing can change it: a flat plan without storage or coupon.
        varies = (product.pricing is not Pricing.FLAT or bool(subscription.storage_gb)
                  or subscription.discount is not None)
        try:
            body_of = dict(contract=subscription_id, subject=product.name, start=subscription.current_period_end,
                           periodicity=periodicity, amount=recurrence_amount(price, varies),
                           debtor_data=debtor(billing["document"], billing["legal_name"]))
        except PixAutomaticoError as error:
            raise ValidationFailed(str(error), code="pix_automatico_invalid") from error
        first = self._due_now(snapshot, subscription_id)
        try:
            if first is not None:
                self._psp.create_immediate_charge(first.txid, immediate_charge_request(
                    amount_cents=first.amount_cents, debtor_data=body_of["debtor_data"], key=self._pix_key,
                    info=f"Fatura {first.invoice_id} e autorização do Pix Automático"))
            location = self._psp.create_location()
            created = self._psp.create_recurrence(recurrence_request(
                **body_of, location_id=location["id"], first_payment_txid=first.txid if first else None))
            rec_id = created["idRec"]
            full = self._psp.get_recurrence(rec_id, first.txid if first else None)
        except PspError as error:
            raise psp_unavailable(error) from error
        journey = (full.get("dadosQR") or {}).get("jornada") or ("JORNADA_3" if first else "JORNADA_2")
        item = new_recurrence(
            account_id, subscription_id, rec_id, status=full.get("status", created.get("status", "CRIADA")),
            journey=journey, first_invoice_id=first.invoice_id if first else None,
            first_txid=first.txid if first else None, first_cents=first.amount_cents if first else None,
            qr_payload=(full.get("dadosQR") or {}).get("pixCopiaECola"), location=location.get("location"),
            location_id=location.get("id"), amount=json.dumps(body_of["amount"]),
            periodicidade=periodicidade(periodicity), start=subscription.current_period_end.isoformat(),
            status_changed_at=clock.now().isoformat(), created_by=actor, created_at=clock.now())
        writes = self._billing.writes()
        writes.save(item, condition=self._recurrences.replace_condition(previous), conflict=RECURRENCE_CHANGED)
        writes.save(audit_entry(clock, account_id, actor=actor, action="subscription.pix_automatico_requested",
                                target=subscription_id, after={"rec_id": rec_id, "status": item.status}))
        try:
            writes.commit()
        except Conflict:
            self._cancel_quietly(rec_id)  # nobody will show its QR: do not leave it open at the PSP
            raise
        return item

    def _due_now(self, snapshot, subscription_id: str) -> FirstPayment | None:
        """The subscription's oldest open invoice and what is left to pay of it, for journey 3."""
        import secrets

        summaries = sorted((summary for summary in snapshot.open_invoices
                            if subscription_id in summary.subscription_ids), key=lambda summary: summary.due_date)
        for summary in summaries:
            invoice = self._reads.get(snapshot.account_id, summary.invoice_id)
            left = invoice.total_cents - (invoice.paid_cents or 0) if invoice else 0
            if left > 0:
                nonce = "".join(secrets.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(9))
                return FirstPayment(invoice.invoice_id, left, immediate_txid(invoice.invoice_id, nonce))
        return None

    def require_billing_data(self, account_id: str) -> None:
        """409 `billing_data_required` before anything else is done, when the payer cannot be named."""
        _payer_data(self._billing.snapshot(account_id).require_account())

    def read(self, account_id: str, subscription_id: str) -> PixRecurrenceItem:
        snapshot = self._billing.snapshot(account_id)
        snapshot.require_account()
        snapshot.subscription(subscription_id)  # 404 for another account's subscription
        item = self._recurrences.get(account_id, subscription_id)
        if item is None:
            raise NotFound("Esta assinatura não tem autorização de Pix Automático.", code="pix_automatico_not_found")
        return item

    def cancel(self, account_id: str, subscription_id: str, actor: str) -> PixRecurrenceItem:
        item = self.read(account_id, subscription_id)
        if not is_live(item.status):
            raise Conflict("A autorização do Pix Automático já está encerrada.", code="pix_automatico_not_live",
                           details={"status": item.status})
        try:
            answer = self._psp.cancel_recurrence(item.rec_id)
        except PspError as error:
            if error.status != 400:
                raise psp_unavailable(error) from error
            answer = self._psp_state(item.rec_id)  # already ended at the PSP: mirror what it says
        status = answer.get("status", RecurrenceStatus.CANCELADA.value)
        self.apply(Notification(item.rec_id, status, "SLCR", "USUARIO_RECEBEDOR"), actor=actor)
        return self._recurrences.get(account_id, subscription_id)

    def end_with_subscription(self, account_id: str, subscription_id: str, actor: str) -> str:
        """The subscription is cancelled (scheduled or ended): its live recurrence is cancelled at the
        PSP and mirrored. Called after the cancellation's commit; idempotent (`none` when there is no
        live recurrence) and never raising: an unreachable PSP is logged (`psp_unavailable`) and the
        subscription's ending tries again."""
        try:
            item = self._recurrences.get(account_id, subscription_id)
            if item is None or not is_live(item.status):
                return "none"
            try:
                answer = self._psp.cancel_recurrence(item.rec_id)
            except PspError as error:
                if error.status != 400:
                    raise
                answer = self._psp.get_recurrence(item.rec_id)  # ended at the PSP already: mirror it
            status = answer.get("status", RecurrenceStatus.CANCELADA.value)
            return self.apply(Notification(item.rec_id, status, "SLCR", "USUARIO_RECEBEDOR"), actor=actor)
        except PspError as error:
            log_event(_log, "could not cancel recurrence of cancelled subscription", level=logging.WARNING,
                      account_id=account_id, subscription_id=subscription_id, status=error.status)
            return "psp_unavailable"

    # --- the PSP's side ------------------------------------------------------------------------------
    def apply(self, notification: Notification, actor: str = "psp:pix") -> str:
        """applied | duplicate | stale | unmatched (the outcome a webhook answers with)."""
        try:
            RecurrenceStatus(notification.status)
        except ValueError:
            return "ignored"
        for _ in range(3):
            item = self._recurrences.by_rec_id(notification.rec_id)
            if item is None:
                log_event(_log, "pix notification for unknown recurrence", level=logging.WARNING,
                          rec_id=notification.rec_id)
                return "unmatched"
            if item.status == notification.status:
                return "duplicate"
            if not may_follow(item.status, notification.status):
                log_event(_log, "pix notification out of order", rec_id=item.rec_id, current=item.status,
                          received=notification.status)
                return "stale"
            try:
                email = self._move(item, notification, actor)
            except ConcurrentUpdate:
                continue  # someone moved it meanwhile: read again, judge again
            if email:
                self._send(item, *email)
            return "applied"
        raise ConcurrentUpdate()

    def _move(self, item: PixRecurrenceItem, notification: Notification, actor: str):
        clock = frozen(self._clock)
        status_read, new = item.status, RecurrenceStatus(notification.status)
        snapshot = self._billing.snapshot(item.account_id, consistent=True)
        subscription = next((s for s in snapshot.subscriptions if s.subscription_id == item.subscription_id
                             and s.status != SubscriptionStatus.CANCELLED), None)  # a cancelled one renews no more
        writes = self._billing.writes()
        before = {"status": status_read}
        email = None
        if subscription is not None:
            before |= {"payment_method": subscription.payment_method,
                       "pending_payment_method": subscription.pending_payment_method}
        if new is RecurrenceStatus.APROVADA and subscription is not None:
            item.previous_method = subscription.renewal_payment_method
            _renew_with(subscription, PIX_AUTOMATICO)
            writes.save(subscription)
        elif new in (RecurrenceStatus.REJEITADA, RecurrenceStatus.EXPIRADA):
            email = ("pix_automatico_not_authorised", {"reason": "rejected" if new is RecurrenceStatus.REJEITADA
                                                       else "expired"})
        elif new is RecurrenceStatus.CANCELADA and status_read == RecurrenceStatus.APROVADA \
                and subscription is not None:
            by_payer = notification.ended_by in _PAYER_SIDE
            back_to = FALLBACK_METHOD if by_payer else (item.previous_method or FALLBACK_METHOD)
            if back_to == PIX_AUTOMATICO:
                back_to = FALLBACK_METHOD
            _renew_with(subscription, back_to)
            writes.save(subscription)
            if by_payer:
                email = ("pix_automatico_revoked", {"method": back_to})
        item.status = new.value
        item.status_changed_at = clock.now().isoformat()
        item.ending_code = notification.ending_code
        writes.save(item, condition=self._recurrences.state_condition(item, status_read))
        after = {"status": new.value}
        if subscription is not None:
            after |= {"payment_method": subscription.payment_method,
                      "pending_payment_method": subscription.pending_payment_method}
        writes.save(audit_entry(clock, item.account_id, actor=actor, action="subscription.pix_automatico_changed",
                                target=item.subscription_id, before=before, after=after,
                                reason=notification.ending_code))
        try:
            writes.commit()
        except ConcurrentUpdate:
            item.status = status_read
            raise
        except Conflict as conflict:
            item.status = status_read
            raise ConcurrentUpdate() from conflict
        return email

    def _send(self, item: PixRecurrenceItem, template: str, context: dict) -> None:
        from chalicelib.adapters.email import render

        account = self._accounts.get(item.account_id)
        if account is None:
            return
        recipients = billing_recipients(self._accounts, account)
        link = f"{self._portal_url.rstrip('/')}/contas/{item.account_id}/assinaturas/{item.subscription_id}"
        self._mailer.send(render(template, recipients, account_name=account.name, link=link,
                                 subscription_id=item.subscription_id, **context),
                          account_id=item.account_id, message_key=f"{template}:{item.rec_id}")

    def _psp_state(self, rec_id: str) -> dict:
        try:
            return self._psp.get_recurrence(rec_id)
        except PspError as error:
            raise psp_unavailable(error) from error

    def _cancel_quietly(self, rec_id: str) -> None:
        try:
            self._psp.cancel_recurrence(rec_id)
        except PspError:
            log_event(_log, "could not cancel orphan recurrence", level=logging.WARNING, rec_id=rec_id)


def _payer_data(account) -> dict:
    billing = account.billing_data.as_dict() if account.billing_data else {}
    if not billing.get("document") or not billing.get("legal_name"):
        raise Conflict("Preencha os dados de faturamento da conta (razão social e CPF ou CNPJ) para autorizar "
                       "o Pix Automático.", code="billing_data_required")
    return billing


def _renew_with(subscription, method: str) -> None:
    """From the next renewal on (PRODUCT.md §5), as a payment-method change does."""
    subscription.pending_payment_method = None if method == subscription.payment_method else method
