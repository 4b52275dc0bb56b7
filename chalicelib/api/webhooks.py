"""Gateway webhooks: no token — the raw body is verified by the handler (Stripe signature, Asaas
token), then read into the gateway's event model (StripeEvent, AsaasEvent: the request bodies the
OpenAPI document shows). A verified event answers 200 whatever it did (duplicates, unknown types and
unreadable events kept as dead letters included), so the gateway stops retrying; a forged or stale
one, or a body that is not JSON, answers 400 and records nothing."""
from chalice import Blueprint

from chalicelib.api.access import Access
from chalicelib.api.routing import RequestContext, endpoint
from chalicelib.api.schemas.payments import WebhookAck
from chalicelib.wiring import container

bp = Blueprint(__name__)


# The event models are loaded when the OpenAPI document is built or an event is read, not by
# `import app`: they bring the gateway port with them, a few milliseconds of every cold start.
def _stripe_event():
    from chalicelib.adapters.gateways.event_models import StripeEvent

    return StripeEvent


def _asaas_event():
    from chalicelib.adapters.gateways.event_models import AsaasEvent

    return AsaasEvent


@endpoint(bp, "/v1/webhooks/stripe", "POST", access=Access.WEBHOOK, raw_body=True, raw_schema=_stripe_event,
          response=WebhookAck, tags=["webhooks"],
          summary="Eventos do Stripe (Stripe-Signature: HMAC-SHA256 de t.corpo, tolerância de 300 s para "
                  "trás e para a frente).")
def stripe_webhook(ctx: RequestContext):
    result = container().webhooks.receive_stripe(ctx.raw_body, ctx.headers.get("stripe-signature"))
    return WebhookAck(event_id=result.event_id, outcome=result.outcome)


@endpoint(bp, "/v1/webhooks/asaas", "POST", access=Access.WEBHOOK, raw_body=True, raw_schema=_asaas_event,
          response=WebhookAck, tags=["webhooks"],
          summary="Eventos do Asaas (cabeçalho asaas-access-token); responde 200.")
def asaas_webhook(ctx: RequestContext):
    result = container().webhooks.receive_asaas(ctx.raw_body, ctx.headers.get("asaas-access-token"))
    return WebhookAck(event_id=result.event_id, outcome=result.outcome)
