"""What settlement is given and what it answers: every way money arrives (gateway webhooks, card
charges made by the app, bank return files) describes it as an `IncomingPayment`, and gets back a
`SettlementResult`."""
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from chalicelib.domain.reinstatement import Blocked
from chalicelib.domain.settlement import Allocation
from chalicelib.services.payments.reinstatements import reinstatement_message
from chalicelib.store.invoices import InvoiceItem
from chalicelib.store.payments import PaymentItem


class Outcome(StrEnum):
    SETTLED = "settled"  # applied to an invoice (all of it, or with the rest as credit)
    CREDITED = "credited"  # nothing left to pay on the invoice: the whole amount became credit
    DUPLICATE = "duplicate"  # this delivery, or this gateway payment, was already recorded
    UNMATCHED = "unmatched"  # no invoice matched: kept for the finance team


@dataclass(frozen=True)
class IncomingPayment:
    receipt_key: str  # what makes this delivery unique (gateway event, bank movement, card charge)
    amount_cents: int
    method: str  # card | pix | boleto
    source: str  # gateway | bank_file
    paid_at: datetime
    invoice_id: str | None = None
    account_id: str | None = None  # when the delivery names it (Stripe metadata)
    nosso_numero_key: str | None = None  # bank files: domain.nosso_numero.return_file_key
    gateway: str | None = None
    gateway_payment_id: str | None = None
    bank_code: str | None = None
    nosso_numero: str | None = None
    fee_cents: int = 0
    credited_on: date | None = None
    actor: str = "system"

    @property
    def reference(self) -> str:
        return self.invoice_id or self.nosso_numero or self.receipt_key


@dataclass
class SettlementResult:
    outcome: Outcome
    payment: PaymentItem | None = None
    invoice: InvoiceItem | None = None
    allocation: Allocation | None = None
    held_applied: list = field(default_factory=list)
    # Manual renewal of subscriptions cancelled for non-payment (domain.reinstatement): the ones
    # this payment reinstated, or why it could not (the money then became credit to refund).
    reinstated: list = field(default_factory=list)
    not_reinstated: Blocked | None = None

    @property
    def message(self) -> str | None:
        """What a person is told about a reinstatement (pt-BR), when there is one."""
        return reinstatement_message(self.reinstated, self.not_reinstated, self.payment)


def outcome_of(allocation: Allocation) -> Outcome:
    return Outcome.SETTLED if allocation.applied_cents else Outcome.CREDITED
