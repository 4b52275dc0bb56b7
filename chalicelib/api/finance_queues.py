"""The finance team's work queues (token group `finance`): every account's refunds, the bank return
files imported with what each did, the credits granted and the NFS-e that failed. Each list is one
Query on an index written with the item (gsi1, or gsi2 for NFS-e), newest first, paged with signed
cursors; a filter outside its values is a 400 with a pt-BR message and a stable code."""
import re

from chalice import Blueprint

from chalicelib.api.access import Access
from chalicelib.api.pagination import Paged
from chalicelib.api.routing import RequestContext, endpoint
from chalicelib.api.schemas.finance_queues import (
    REFUND_STATUSES, SERVICE_INVOICE_STATUSES, BankReturnImportOut, BankReturnImportPage, BankReturnToCheck,
    CreditGrantOut, CreditGrantPage, CreditQuery, FailedServiceInvoiceOut, FailedServiceInvoicePage, RefundListItem,
    RefundListPage, RefundQuery, ServiceInvoiceQuery,
)
from chalicelib.api.times import in_sao_paulo
from chalicelib.errors import BadRequest
from chalicelib.wiring import container

bp = Blueprint(__name__)
_ACCOUNT_ID = re.compile(r"^acc_[A-Za-z0-9_-]+$")


def _status(value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise BadRequest(f"Situação inválida em status: use {' ou '.join(allowed)}.", code="invalid_status",
                         details={"allowed": list(allowed)})
    return value


@endpoint(bp, "/v1/admin/refunds", "GET", access=Access.FINANCE_STAFF, query=RefundQuery,
          cursor_scope="admin-refunds/{status}", response=RefundListPage, tags=["admin"],
          summary="Estornos de todas as contas por situação (a devolver à mão, ou devolvidos pelo gateway), "
                  "mais recentes primeiro.")
def list_refunds(ctx: RequestContext):
    status = _status(ctx.query.status, REFUND_STATUSES)
    items, last = container().payment_repository.refunds_by_status(status, ctx.page.limit, ctx.page.after_keys())
    return Paged(RefundListPage(items=[
        RefundListItem(id=r.refund_id, account_id=r.account_id, payment_id=r.payment_id, invoice_id=r.invoice_id,
                       amount_cents=r.amount_cents, method=r.method, status=r.status, reason=r.reason,
                       requested_by=r.requested_by, gateway_refund_id=r.gateway_refund_id,
                       created_at=in_sao_paulo(r.created_at))
        for r in items]), last)


@endpoint(bp, "/v1/admin/bank-returns", "GET", access=Access.FINANCE_STAFF, cursor_scope="admin-bank-returns",
          response=BankReturnImportPage, tags=["admin"],
          summary="Arquivos de retorno importados (pela tela ou pelo bucket) e o que cada um fez, mais recentes "
                  "primeiro.")
def list_bank_returns(ctx: RequestContext):
    items, last = container().bank_return_imports.page(ctx.page.limit, ctx.page.after_keys())
    return Paged(BankReturnImportPage(items=[
        BankReturnImportOut(
            id=i.import_id, name=i.name, layout=int(i.layout), bank_code=i.bank_code, imported_by=i.imported_by,
            imported_at=in_sao_paulo(i.created_at), records=i.records, settled=i.settled, credited=i.credited,
            duplicates=i.duplicates, unmatched=i.unmatched, registered=i.registered, rejected=i.rejected,
            ignored=i.ignored, settled_cents=i.settled_cents,
            to_check=[BankReturnToCheck(**entry) for entry in i.to_check_list])
        for i in items]), last)


@endpoint(bp, "/v1/admin/credits", "GET", access=Access.FINANCE_STAFF, query=CreditQuery,
          cursor_scope="admin-credits/{account_id}", response=CreditGrantPage, tags=["admin"],
          summary="Créditos concedidos pelo time financeiro (conta, valor, motivo, quem, quando), mais recentes "
                  "primeiro; de todas as contas ou de uma.")
def list_credits(ctx: RequestContext):
    account_id = ctx.query.account_id
    repository = container().credit_repository
    if account_id is None:
        items, last = repository.page(ctx.page.limit, ctx.page.after_keys())
    else:
        if not _ACCOUNT_ID.match(account_id):
            raise BadRequest("Conta inválida em account_id: use o identificador da conta (acc_…).",
                             code="invalid_account_id")
        items, last = repository.of_account(account_id, ctx.page.limit, ctx.page.after_keys())
    return Paged(CreditGrantPage(items=[
        CreditGrantOut(id=g.grant_id, account_id=g.account_id, amount_cents=g.amount_cents, reason=g.reason,
                       granted_by=g.granted_by, granted_at=in_sao_paulo(g.created_at),
                       balance_after_cents=g.balance_after_cents)
        for g in items]), last)


@endpoint(bp, "/v1/admin/service-invoices", "GET", access=Access.FINANCE_STAFF, query=ServiceInvoiceQuery,
          cursor_scope="admin-service-invoices/{status}", response=FailedServiceInvoicePage, tags=["admin"],
          summary="NFS-e com falha de todas as contas (o motivo em pt-BR, a fatura e a conta), as que falharam "
                  "por último primeiro. O job horário issue-service-invoices tenta de novo por alguns dias.")
def list_service_invoices(ctx: RequestContext):
    status = _status(ctx.query.status, SERVICE_INVOICE_STATUSES)
    items, last = container().service_invoice_repository.by_status(status, ctx.page.limit, ctx.page.after_keys())
    return Paged(FailedServiceInvoicePage(items=[
        FailedServiceInvoiceOut(
            account_id=s.account_id, invoice_id=s.invoice_id, status=s.status, error=s.error,
            error_code=s.error_code, failed_since=in_sao_paulo(s.failed_since) if s.failed_since else None,
            service_cents=s.service_cents,
            next_attempt_at=in_sao_paulo(s.scheduled_for) if s.scheduled_for else None, request_id=s.request_id)
        for s in items]), last)
