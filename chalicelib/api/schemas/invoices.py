"""Invoices: lists by status, one invoice with its lines and current boleto, the 2ª via."""
from datetime import date, datetime
from typing import Literal

from pydantic import Field

from chalicelib.api.schemas.common import ApiModel, PageQuery

InvoiceStatus = Literal["draft", "open", "paid", "partially_paid", "void", "superseded", "refunded"]


class InvoiceListQuery(PageQuery):
    status: Literal["open", "paid", "all"] = Field(
        "all", description="open: em aberto (inclui parcialmente pagas); paid: pagas; all: todas.")


class InvoiceLineOut(ApiModel):
    description: str
    amount_cents: int
    kind: str = Field(description="subscription | proration | addon | credit | fee")
    subscription_id: str | None = None
    period_start: date | None = None
    period_end: date | None = None
    source_invoice_id: str | None = Field(None, description="Fatura em atraso de onde o item veio (consolidação).")


class BoletoOut(ApiModel):
    barcode: str = Field(description="Código de barras, 44 dígitos.")
    digitable_line: str = Field(description="Linha digitável, 47 dígitos.")
    formatted_line: str
    nosso_numero: str
    due_date: date
    amount_cents: int
    currency: Literal["BRL"] = "BRL"
    pix_payload: str = Field(description="Pix copia e cola (BR Code) do boleto híbrido.")
    pdf_url: str = Field(description="PDF do boleto: link assinado, válido por 15 minutos.")
    pdf_url_expires_at: datetime


class PreviousBoletoOut(ApiModel):
    nosso_numero: str
    due_date: date
    amount_cents: int
    status: Literal["replaced", "superseded", "void"] = Field(
        description="Substituído por 2ª via, ou pela fatura que o consolidou; se pago, ainda é creditado.")


class InvoiceSummaryOut(ApiModel):
    id: str
    number: str | None = Field(
        None, description="Número da fatura para pessoas, sequencial por conta: ano de emissão e sequência "
                          "(2026-000123). Nulo em faturas emitidas antes da numeração.",
        examples=["2026-000123"])
    status: InvoiceStatus
    origin: str = Field(description="subscription | change | renewal | reissue")
    issue_date: date
    due_date: date
    total_cents: int
    paid_cents: int
    currency: Literal["BRL"] = "BRL"
    payment_method: str
    superseded_by: str | None = None


class InvoicePage(ApiModel):
    items: list[InvoiceSummaryOut]
    next_cursor: str | None = None


class ServiceInvoiceOut(ApiModel):
    status: Literal["pending", "issued", "failed", "cancelled"] = Field(
        description="pending: a emitir; issued: emitida; failed: não emitida (veja `error`); cancelled: cancelada "
                    "(estorno).")
    number: str | None = Field(None, description="Número da NFS-e (nNFSe).")
    access_key: str | None = Field(None, description="Chave de acesso da NFS-e, 50 dígitos.")
    issued_at: datetime | None = None
    pdf_url: str | None = Field(None, description="DANFSe em PDF: link assinado, válido por 15 minutos.")
    xml_url: str | None = Field(None, description="XML autorizado da NFS-e: link assinado, válido por 15 minutos.")
    error: str | None = Field(None, description="Por que a NFS-e não foi emitida ou cancelada (pt-BR).")


class InvoiceOut(InvoiceSummaryOut):
    lines: list[InvoiceLineOut]
    boleto: BoletoOut | None = Field(None, description="O boleto atual, se a fatura em aberto é paga por boleto.")
    previous_boletos: list[PreviousBoletoOut] = Field(default_factory=list)
    service_invoice: ServiceInvoiceOut | None = Field(
        None, description="A NFS-e da fatura: nula enquanto a fatura não está paga, ou se o produto não emite NFS-e.")


class SecondCopyOut(InvoiceOut):
    new_boleto: bool = Field(description="false: o mesmo boleto (ainda no prazo); true: um boleto novo.")
