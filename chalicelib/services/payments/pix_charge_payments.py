"""Cycle-charge notifications of Pix Automático (`{"cobsr": [...]}`, the PSP's /webhookcobr): the
charge's txid names its invoice (domain.pix_automatico.invoice_of_txid, checked against the
recurrence), so no lookup item is needed.

- CONCLUIDA: the invoice is settled through the exactly-once settlement (SettlementService.settle),
  receipt `pix_automatico:<txid>` and gateway payment (`pix_automatico`, txid), method
  `pix_automatico`: a replay or a concurrent delivery is a `duplicate`.
- Any state (ATIVA, CONCLUIDA, REJEITADA, EXPIRADA, CANCELADA) is mirrored on the invoice's
  `pix_charge_status` when it is a step forward (domain.pix_automatico.charge_may_follow): a late
  ATIVA after CONCLUIDA changes nothing (`stale`). The payer's PSP's attempts (`tentativas`: the
  charge stays ATIVA while PERMITE_3R_7D retries a refused debit) are mirrored too, when the PSP
  reports more of them than the invoice has: the PSP retries, we keep count.
- A charge that ended unpaid (REJEITADA, EXPIRADA, CANCELADA) leaves the invoice open, now payable
  by boleto (issued then, with an e-mail: PixCycleCharges.bill_by_boleto; the e-mail says when the
  payer's PSP refused an amount above the maximum the payer set, rejection AM02), and the check-overdue
  job's rules take it from its due date as any unpaid invoice."""
import logging
from dataclasses import dataclass

from chalicelib.adapters.pix_automatico import PspError
from chalicelib.domain.pix_automatico import (
    UNPAID_ENDINGS, ChargeStatus, cents, charge_may_follow, invoice_of_txid, last_attempt, unpaid_reason,
)
from chalicelib.errors import ConcurrentUpdate, Conflict
from chalicelib.observability.logging import get_logger, log_event
from chalicelib.services.payments.incoming_payments import IncomingPayment
from chalicelib.services.shared.retry import retrying

PIX_AUTOMATICO = "pix_automatico"
_log = get_logger("pix_charge_payments")


@dataclass(frozen=True)
class ChargeNotified:
    outcome: str  # settled | credited | duplicate | applied | stale | unmatched | ignored
    invoice_id: str | None = None
    payment_id: str | None = None
    invoice_status: str | None = None


class PixChargeNotifications:
    def __init__(self, payments, invoice_reads, billing, settlement, cycle_charges, psp_provider, clock):
        """`payments`: PaymentRepository (`invoice_by_id`); `cycle_charges`: PixCycleCharges, which moves
        an invoice whose charge ended unpaid to boleto; `psp_provider`: the PSP port, asked for the
        charge (`GET /cobr/{txid}`) only when a notification of payment carries no amount."""
        self._cycle_charges = cycle_charges
        self._payments = payments
        self._reads = invoice_reads
        self._billing = billing
        self._settlement = settlement
        self._psp_provider = psp_provider
        self._clock = clock

    def apply(self, item: dict) -> ChargeNotified:
        txid, rec_id, status = item.get("txid"), item.get("idRec"), item.get("status")
        try:
            status = ChargeStatus(status)
        except ValueError:
            return ChargeNotified("ignored")
        invoice_id = invoice_of_txid(rec_id, txid) if isinstance(rec_id, str) and isinstance(txid, str) else None
        invoice = self._payments.invoice_by_id(invoice_id) if invoice_id else None
        if invoice is None:
            log_event(_log, "pix charge notification for unknown invoice", level=logging.WARNING, txid=txid,
                      rec_id=rec_id)
            return ChargeNotified("unmatched", invoice_id)
        settled = None
        if status is ChargeStatus.CONCLUIDA:
            amount = self._paid_cents(item, txid)
            settled = self._settlement.settle(IncomingPayment(
                receipt_key=f"{PIX_AUTOMATICO}:{txid}", amount_cents=amount, method=PIX_AUTOMATICO, source="gateway",
                paid_at=self._clock.now(), invoice_id=invoice.invoice_id, account_id=invoice.account_id,
                gateway=PIX_AUTOMATICO, gateway_payment_id=txid, actor="psp:pix"))
        attempts = last_attempt(item)
        mirrored = retrying(lambda: self._mirror(invoice.account_id, invoice.invoice_id, status, attempts))
        if status in UNPAID_ENDINGS and mirrored == "applied":
            self._cycle_charges.bill_by_boleto(invoice.account_id, invoice.invoice_id, unpaid_reason(item))
        log_event(_log, "pix charge notification", txid=txid, status=status.value, mirrored=mirrored,
                  settled=settled.outcome.value if settled else None)
        if settled is not None:
            paid = settled.invoice
            return ChargeNotified(settled.outcome.value, invoice.invoice_id,
                                  settled.payment.payment_id if settled.payment else None,
                                  paid.status if paid else None)
        return ChargeNotified(mirrored, invoice.invoice_id, invoice_status=invoice.status)

    def _paid_cents(self, item: dict, txid: str) -> int:
        received = [pix for pix in item.get("pix") or [] if isinstance(pix, dict) and pix.get("valor")]
        if received:
            return sum(cents(pix["valor"]) for pix in received)
        try:
            charge = self._psp_provider().get_cycle_charge(txid)
        except PspError as error:
            raise ConcurrentUpdate("O PSP não informou o valor pago; tente novamente.") from error
        return cents(charge["valor"]["original"])

    def _mirror(self, account_id: str, invoice_id: str, status: ChargeStatus, attempts: tuple[int, dict | None]) -> str:
        invoice = self._reads.get(account_id, invoice_id)  # consistent: the version to write on
        if invoice is None:
            return "unmatched"
        count, latest = attempts
        more_attempts = count > (invoice.pix_charge_attempts or 0)
        if invoice.pix_charge_status == status.value and not more_attempts:
            return "duplicate"
        forward = invoice.pix_charge_status != status.value and charge_may_follow(invoice.pix_charge_status, status)
        if not forward and not more_attempts:
            return "stale"
        if forward:
            invoice.pix_charge_status = status.value
        if more_attempts:
            import json

            invoice.pix_charge_attempts, invoice.pix_last_attempt = count, json.dumps(latest)
        writes = self._billing.writes()
        writes.save(invoice)  # version-checked
        try:
            writes.commit()
        except Conflict as conflict:
            raise ConcurrentUpdate() from conflict
        return "applied"
