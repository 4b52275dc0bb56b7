"""Journey 3's immediate payment (`{"pix": [...]}`, the PSP's `/webhook` for charges `/cob`): the
payer scanned the composed QR, paid what was due now and approved the recurrence in one step. The
charge's txid names its invoice (domain.pix_automatico.invoice_of_immediate_txid), which is settled
through the exactly-once settlement, receipt `pix:<endToEndId>`: a replay or a concurrent delivery is
a `duplicate`; a Pix the invoice no longer needs (paid by boleto meanwhile) becomes credit, as any
payment after the fact does."""
import logging

from chalicelib.domain.pix_automatico import cents, invoice_of_immediate_txid
from chalicelib.observability.logging import get_logger, log_event
from chalicelib.services.payments.incoming_payments import IncomingPayment
from chalicelib.services.payments.pix_charge_payments import ChargeNotified

_log = get_logger("pix_first_payments")


class PixImmediatePayments:
    def __init__(self, payments, settlement, clock):
        """`payments`: PaymentRepository (`invoice_by_id`); `settlement`: SettlementService."""
        self._payments = payments
        self._settlement = settlement
        self._clock = clock

    def apply(self, item: dict) -> ChargeNotified:
        txid, e2e = item.get("txid"), item["endToEndId"]
        invoice_id = invoice_of_immediate_txid(txid) if isinstance(txid, str) else None
        invoice = self._payments.invoice_by_id(invoice_id) if invoice_id else None
        if invoice is None:
            log_event(_log, "pix payment for unknown charge", level=logging.WARNING, txid=txid)
            return ChargeNotified("unmatched", invoice_id)
        settled = self._settlement.settle(IncomingPayment(
            receipt_key=f"pix:{e2e}", amount_cents=cents(item["valor"]), method="pix", source="gateway",
            paid_at=self._clock.now(), invoice_id=invoice.invoice_id, account_id=invoice.account_id,
            gateway="pix_automatico", gateway_payment_id=e2e, actor="psp:pix"))
        paid = settled.invoice
        return ChargeNotified(settled.outcome.value, invoice.invoice_id,
                              settled.payment.payment_id if settled.payment else None, paid.status if paid else None)
