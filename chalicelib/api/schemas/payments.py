"""Payments, refunds, webhooks acknowledgements, bank return imports and the local fake gateway."""
from datetime import date, datetime
from typing import ClassVar, Literal

from pydantic import Field

from chalicelib.api.schemas.common import ApiModel, MultiLineText, RequestModel, SingleLineText

Currency = Literal["BRL"]


class PaymentOut(ApiModel):
    id: str
    invoice_id: str = Field(description="Fatura creditada.")
    document_invoice_id: str | None = Field(None, description="Fatura cujo boleto foi pago, quando outra (boleto substituído).")
    amount_cents: int = Field(description="Valor recebido.")
    applied_cents: int = Field(description="Parte que pagou a fatura.")
    credit_cents: int = Field(description="Parte que virou crédito da conta (pagamento a mais).")
    currency: Currency = "BRL"
    method: Literal["card", "pix", "boleto"]
    paid_at: datetime
    source: Literal["gateway", "bank_file"]
    gateway: str | None = None
    nosso_numero: str | None = None
    status: Literal["settled", "refunded", "refund_requested", "charged_back"]
    refunded_cents: int = 0


class PaymentPage(ApiModel):
    items: list[PaymentOut]
    next_cursor: str | None = None


class InvoicePaidOut(ApiModel):
    """The answer of a manual payment by card."""

    invoice_id: str
    invoice_status: str
    outcome: Literal["settled", "credited", "duplicate"]
    payment: PaymentOut | None = None
    reinstated_subscription_ids: list[str] = Field(
        default_factory=list, description="Assinaturas canceladas por falta de pagamento que este pagamento reativou "
                                          "(renovação manual).")
    message: str | None = Field(None, description="O que o pagamento fez com a assinatura cancelada, para a pessoa: "
                                                 "reativada (novo período) ou, se não pode mais voltar, crédito a "
                                                 "devolver.")


class RefundIn(RequestModel):
    reason: MultiLineText = Field(min_length=3, max_length=500, description="Motivo do estorno (vai para a auditoria).")


class RefundOut(ApiModel):
    refund_id: str
    payment_id: str
    invoice_id: str
    amount_cents: int
    currency: Currency = "BRL"
    method: str
    status: Literal["refunded", "requested"] = Field(
        description="refunded: devolvido pelo gateway (cartão); requested: pedido à equipe financeira (boleto, Pix).")
    paid_on: date
    deadline: date = Field(description="Último dia do prazo de arrependimento (7 dias).")


class WebhookAck(ApiModel):
    received: bool = True
    event_id: str | None = Field(description="O id do evento no gateway; nulo só quando o evento não o trazia "
                                             "legível (outcome dead_letter).")
    outcome: str = Field(description="settled, credited, duplicate, unmatched, refunded, charged_back, held, "
                                     "ignored, payment_failed, dead_letter (evento ilegível, guardado para a "
                                     "equipe financeira)...")


class BankReturnOut(ApiModel):
    id: str | None = Field(None, description="A importação, como aparece na lista de retornos importados.")
    name: str
    layout: Literal[240, 400]
    bank_code: str
    records: int
    settled: int
    credited: int
    duplicates: int
    unmatched: int
    registered: int
    rejected: int
    ignored: int
    settled_cents: int
    currency: Currency = "BRL"


class BankReturnQuery(RequestModel):
    name: SingleLineText | None = Field(None, max_length=200, description="Nome do arquivo, para os registros.")


class DevPayIn(RequestModel):
    # An invoice id ends in 12 random hex characters: all decimal digits one time in ~300, which the
    # card-number check would refuse (a flaky dev route).
    digit_fields: ClassVar[frozenset[str]] = frozenset({"invoice_id"})
    invoice_id: SingleLineText = Field(min_length=1, max_length=100)
    method: Literal["card", "pix", "boleto", "pix_automatico"] = Field(
        description="pix_automatico: o PSP falso conclui a cobrança do ciclo e envia o webhook de cobrança.")
    amount_cents: int | None = Field(None, ge=1, le=100_000_000_00,
                                     description="Padrão: o que a fatura ainda deve.")


class DevPayOut(ApiModel):
    gateway: Literal["stripe", "asaas", "pix_automatico"]
    event_id: str
    outcome: str
    invoice_id: str
    invoice_status: str | None = None
    payment_id: str | None = None
    amount_cents: int
