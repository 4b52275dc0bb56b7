"""Payments: the account's history, paying an invoice now by card (manual renewal), refunds by the
finance team and the import of bank return files."""
from chalice import Blueprint

from chalicelib.api.access import Access
from chalicelib.api.pagination import Paged
from chalicelib.api.routing import RequestContext, endpoint
from chalicelib.api.schemas.payments import (
    BankReturnOut, BankReturnQuery, InvoicePaidOut, PaymentOut, PaymentPage, RefundIn, RefundOut,
)
from chalicelib.api.times import in_sao_paulo
from chalicelib.wiring import container

bp = Blueprint(__name__)


def payment_out(payment) -> PaymentOut:
    return PaymentOut(
        id=payment.payment_id, invoice_id=payment.invoice_id, document_invoice_id=payment.document_invoice_id,
        amount_cents=payment.amount_cents, applied_cents=payment.applied_cents, credit_cents=payment.credit_cents,
        method=payment.method, paid_at=in_sao_paulo(payment.paid_at), source=payment.source,
        gateway=payment.gateway, nosso_numero=payment.nosso_numero, status=payment.status,
        refunded_cents=payment.refunded_cents or 0)


@endpoint(bp, "/v1/accounts/{account_id}/payments", "GET", access=Access.BILLING,
          cursor_scope="payments/{account_id}", response=PaymentPage, tags=["payments"],
          summary="Histórico de pagamentos, do mais novo para o mais antigo.")
def list_payments(ctx: RequestContext, account_id: str):
    items, last = container().payment_repository.payments_page(account_id, ctx.page.limit, ctx.page.after)
    return Paged(PaymentPage(items=[payment_out(p) for p in items]), last)


@endpoint(bp, "/v1/accounts/{account_id}/invoices/{invoice_id}/pay", "POST", access=Access.BILLING,
          response=InvoicePaidOut, status=201, tags=["payments"],
          summary="Paga a fatura agora com o cartão da conta (renovação manual); 409 sem cartão, se recusado "
                  "ou com outro pagamento desta fatura em andamento.")
def pay_invoice(ctx: RequestContext, account_id: str, invoice_id: str):
    result = container().card_charges.pay_now(account_id, invoice_id, ctx.actor)
    invoice = result.invoice
    return InvoicePaidOut(invoice_id=invoice.invoice_id if invoice else invoice_id,
                          invoice_status=invoice.status if invoice else "paid", outcome=result.outcome.value,
                          payment=payment_out(result.payment) if result.payment else None,
                          reinstated_subscription_ids=[s.subscription_id for s in result.reinstated],
                          message=result.message)


@endpoint(bp, "/v1/admin/accounts/{account_id}/payments/{payment_id}/refund", "POST",
          access=Access.FINANCE_STAFF, body=RefundIn, response=RefundOut, status=201, tags=["admin"],
          summary="Estorna um pagamento no prazo de 7 dias: cartão pelo gateway; boleto e Pix viram pedido "
                  "de devolução para a equipe financeira.")
def refund_payment(ctx: RequestContext, account_id: str, payment_id: str):
    refund = container().refunds.refund_payment(account_id, payment_id, ctx.body.reason, ctx.actor)
    return RefundOut(**refund.__dict__)


@endpoint(bp, "/v1/admin/bank-returns", "POST", access=Access.FINANCE_STAFF, raw_body=True, query=BankReturnQuery,
          response=BankReturnOut, tags=["admin"],
          summary="Importa um arquivo de retorno CNAB 240/400 (corpo: o arquivo). Liquidações quitam faturas, "
                  "uma vez só; um arquivo com linha inválida é recusado inteiro (422, com a linha).")
def import_bank_return(ctx: RequestContext):
    name = ctx.query.name or f"upload-{ctx.request_id}"
    summary = container().bank_returns.import_file(ctx.raw_body, name, ctx.actor)
    return BankReturnOut(**{k: v for k, v in summary.__dict__.items() if k in BankReturnOut.model_fields})
