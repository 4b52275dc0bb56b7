"""Invoices of an account: open, paid or all (newest first), one invoice with its lines and its
current boleto, and the 2ª via (PRODUCT.md §4). Owner, admin and finance (billing screens)."""
from chalice import Blueprint

from chalicelib.api.access import Access
from chalicelib.api.pagination import Paged
from chalicelib.api.routing import RequestContext, endpoint
from chalicelib.api.schemas.invoices import (
    BoletoOut, InvoiceLineOut, InvoiceListQuery, InvoiceOut, InvoicePage, InvoiceSummaryOut, PreviousBoletoOut,
    SecondCopyOut, ServiceInvoiceOut,
)
from chalicelib.wiring import container

bp = Blueprint(__name__)
INVOICES = "/v1/accounts/{account_id}/invoices"
INVOICE = INVOICES + "/{invoice_id}"


def summary_fields(invoice) -> dict:
    return dict(id=invoice.invoice_id, number=invoice.number, status=invoice.status, origin=invoice.origin,
                issue_date=invoice.issue_date, due_date=invoice.due_date, total_cents=invoice.total_cents,
                paid_cents=invoice.paid_cents or 0, payment_method=invoice.payment_method,
                superseded_by=invoice.superseded_by)


def invoice_fields(invoice) -> dict:
    from chalicelib.domain.boleto import format_line
    from chalicelib.services.invoicing.records import CURRENT

    boleto = None
    link = container().invoice_queries.pdf_link(invoice)
    current = next((d for d in invoice.documents if d.status == CURRENT), None)
    if link and current:
        boleto = BoletoOut(barcode=current.barcode, digitable_line=current.digitable_line,
                           formatted_line=format_line(current.digitable_line), nosso_numero=current.nosso_numero,
                           due_date=current.due_date, amount_cents=current.amount_cents,
                           pix_payload=current.pix_payload, pdf_url=link.url, pdf_url_expires_at=link.expires_at)
    return summary_fields(invoice) | dict(
        lines=[InvoiceLineOut(description=line.description, amount_cents=line.amount_cents, kind=line.kind,
                              subscription_id=line.subscription_id, period_start=line.period_start,
                              period_end=line.period_end, source_invoice_id=line.source_invoice_id)
               for line in invoice.lines],
        boleto=boleto,
        previous_boletos=[PreviousBoletoOut(nosso_numero=d.nosso_numero, due_date=d.due_date,
                                            amount_cents=d.amount_cents, status=d.status)
                          for d in invoice.documents if d.status != CURRENT],
        service_invoice=service_invoice_out(invoice),
    )


def service_invoice_out(invoice) -> ServiceInvoiceOut | None:
    view = container().service_invoice_views.of(invoice.account_id, invoice.invoice_id)
    if view is None:
        return None
    return ServiceInvoiceOut(status=view.status, number=view.number, access_key=view.access_key,
                             issued_at=view.issued_at, pdf_url=view.pdf_url, xml_url=view.xml_url, error=view.error)


@endpoint(bp, INVOICES, "GET", access=Access.BILLING, query=InvoiceListQuery,
          cursor_scope="{account_id}/invoices/{status}", response=InvoicePage,
          summary="Faturas da conta (em aberto, pagas ou todas), da mais nova para a mais antiga.",
          tags=["invoices"])
def list_invoices(ctx: RequestContext, account_id: str):
    items, last = container().invoice_queries.page(account_id, ctx.query.status, ctx.page.limit, ctx.page.after)
    return Paged(InvoicePage(items=[InvoiceSummaryOut(**summary_fields(i)) for i in items]), last)


@endpoint(bp, INVOICE, "GET", access=Access.BILLING, response=InvoiceOut,
          summary="Fatura com itens e o boleto atual (linha digitável, Pix, PDF por link de 15 minutos).",
          tags=["invoices"])
def get_invoice(ctx: RequestContext, account_id: str, invoice_id: str):
    return InvoiceOut(**invoice_fields(container().invoice_queries.get(account_id, invoice_id)))


@endpoint(bp, INVOICE + "/second-copy", "POST", access=Access.BILLING, response=SecondCopyOut,
          summary="2ª via: o mesmo boleto se ainda no prazo; vencido, um boleto novo para hoje com multa e juros.",
          tags=["invoices"])
def second_copy(ctx: RequestContext, account_id: str, invoice_id: str):
    result = container().second_copies.second_copy(account_id, invoice_id, ctx.actor)
    return SecondCopyOut(**invoice_fields(result.invoice), new_boleto=result.new_boleto)
