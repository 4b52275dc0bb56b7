"""The finance team's work queues: refunds, bank return imports, credits granted and failed NFS-e,
each a list of every account's items, newest first."""
from datetime import datetime
from typing import Literal

from pydantic import Field

from chalicelib.api.schemas.common import ApiModel, PageQuery, SingleLineText

REFUND_STATUSES = ("requested", "refunded")
SERVICE_INVOICE_STATUSES = ("failed",)


# Filters are plain text: a value outside the list is a 400 with a pt-BR message and a stable code
# from the handler (finance_queues.py), the same whichever way it is wrong.
class RefundQuery(PageQuery):
    status: SingleLineText = Field(
        "requested", max_length=20, json_schema_extra={"enum": list(REFUND_STATUSES)},
        description="requested (padrão): devoluções de boleto e Pix que o time faz à mão; refunded: "
                    "devolvidos pelo gateway (cartão).")


class CreditQuery(PageQuery):
    account_id: SingleLineText | None = Field(
        None, max_length=100, json_schema_extra={"pattern": r"^acc_[A-Za-z0-9_-]+$"},
        description="Só os créditos desta conta; sem ele, os de todas as contas.")


class ServiceInvoiceQuery(PageQuery):
    status: SingleLineText = Field(
        "failed", max_length=20, json_schema_extra={"enum": list(SERVICE_INVOICE_STATUSES)},
        description="failed (padrão): NFS-e que a SEFIN recusou ou que não puderam ser montadas.")


class RefundListItem(ApiModel):
    id: str
    account_id: str
    payment_id: str
    invoice_id: str
    amount_cents: int = Field(description="Valor devolvido (ou a devolver) ao cliente, em centavos.")
    currency: Literal["BRL"] = "BRL"
    method: str = Field(description="Forma do pagamento estornado: card, pix ou boleto.")
    status: Literal["requested", "refunded"] = Field(
        description="requested: a devolver pelo time financeiro (boleto, Pix); refunded: devolvido pelo gateway.")
    reason: str
    requested_by: str = Field(description="Quem pediu o estorno (pessoa, ou gateway:<nome> quando veio do gateway).")
    gateway_refund_id: str | None = None
    created_at: datetime


class RefundListPage(ApiModel):
    items: list[RefundListItem]
    next_cursor: str | None = None


class BankReturnToCheck(ApiModel):
    line: int = Field(description="Linha do registro no arquivo.")
    nosso_numero: str
    movement: str = Field(description="Código de ocorrência do banco, como veio no arquivo.")
    kind: Literal["unmatched", "rejected"] = Field(
        description="unmatched: pagamento sem fatura correspondente; rejected: boleto rejeitado pelo banco.")
    paid_cents: int | None = Field(None, description="Valor pago (pagamentos sem fatura).")
    invoice_id: str | None = Field(None, description="A fatura do boleto rejeitado, quando emitido por nós.")
    account_id: str | None = None


class BankReturnImportOut(ApiModel):
    id: str
    name: str
    layout: Literal[240, 400]
    bank_code: str
    imported_by: str = Field(description="Quem importou (pessoa), ou bank_file:s3 quando o arquivo chegou ao bucket.")
    imported_at: datetime
    records: int
    settled: int
    credited: int
    duplicates: int = Field(description="Registros já importados antes (nada aplicado de novo).")
    unmatched: int
    registered: int
    rejected: int
    ignored: int
    settled_cents: int = Field(description="Valor recebido nas liquidações, em centavos.")
    currency: Literal["BRL"] = "BRL"
    to_check: list[BankReturnToCheck] = Field(
        description="Registros para conferir (até os 200 primeiros; as contagens são sempre do arquivo inteiro).")


class BankReturnImportPage(ApiModel):
    items: list[BankReturnImportOut]
    next_cursor: str | None = None


class CreditGrantOut(ApiModel):
    id: str
    account_id: str
    amount_cents: int
    currency: Literal["BRL"] = "BRL"
    reason: str
    granted_by: str
    granted_at: datetime
    balance_after_cents: int = Field(description="Saldo de crédito da conta logo depois da concessão.")


class CreditGrantPage(ApiModel):
    items: list[CreditGrantOut]
    next_cursor: str | None = None


class FailedServiceInvoiceOut(ApiModel):
    account_id: str
    invoice_id: str
    status: Literal["failed"]
    error: str | None = Field(description="Por que a NFS-e não foi emitida (pt-BR).")
    error_code: str | None = Field(description="Código da SEFIN Nacional, ou dados_cobranca / leiaute.")
    failed_since: datetime | None = Field(description="Desde quando a NFS-e está com falha.")
    service_cents: int = Field(description="Valor do serviço declarado, em centavos.")
    currency: Literal["BRL"] = "BRL"
    next_attempt_at: datetime | None = Field(
        description="Próxima tentativa automática (job horário issue-service-invoices); nulo quando não há "
                    "mais tentativas e uma pessoa precisa agir.")
    request_id: str | None = Field(None, description="A solicitação aberta para o time financeiro sobre esta falha.")


class FailedServiceInvoicePage(ApiModel):
    items: list[FailedServiceInvoiceOut]
    next_cursor: str | None = None
