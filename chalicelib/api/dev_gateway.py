"""Local stage only: the fake gateway pays an invoice through the real webhook path."""
from chalice import Blueprint

from chalicelib.api.access import Access
from chalicelib.api.routing import RequestContext, endpoint
from chalicelib.api.schemas.payments import DevPayIn, DevPayOut
from chalicelib.wiring import container

bp = Blueprint(__name__)


@endpoint(bp, "/v1/_dev/gateway/pay", "POST", access=Access.DEV, body=DevPayIn, response=DevPayOut, tags=["dev"],
          summary="Simula o gateway pagando uma fatura: cartão vira evento Stripe assinado; Pix e boleto, "
                  "evento Asaas com o token. Passa pelo mesmo caminho de um webhook real.")
def dev_gateway_pay(ctx: RequestContext):
    gateway, amount, result = container().dev_gateway.pay(ctx.body.invoice_id, ctx.body.method, ctx.body.amount_cents)
    return DevPayOut(gateway=gateway, event_id=result.event_id, outcome=result.outcome,
                     invoice_id=result.invoice_id or ctx.body.invoice_id, invoice_status=result.invoice_status,
                     payment_id=result.payment_id, amount_cents=amount)
