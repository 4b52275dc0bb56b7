"""Entitlements: for the portal (billing roles) and for the vendor's product (service to service)."""
from chalice import Blueprint

from chalicelib.api.access import Access
from chalicelib.api.routing import RequestContext, endpoint
from chalicelib.api.schemas.entitlements import EntitlementOut, EntitlementsOut, EntitlementsQuery
from chalicelib.wiring import container

bp = Blueprint(__name__)
SUMMARY = "Por produto: licença, suporte, atualizações, licenças contratadas e armazenamento."


def _entitlements(account_id: str, product_id: str | None) -> EntitlementsOut:
    services = container()
    items = services.entitlements.for_account(account_id, product_id)
    return EntitlementsOut(account_id=account_id, as_of=services.clock.today(), items=[
        EntitlementOut(product_id=e.product_id, product_name=e.product_name, subscription_id=e.subscription_id,
                       status=e.status, license=e.grants.license, support=e.grants.support,
                       updates=e.grants.updates, seats=e.seats, storage_gb=e.storage_gb,
                       paid_through=e.paid_through, source=e.source)
        for e in items])


@endpoint(bp, "/v1/accounts/{account_id}/entitlements", "GET", access=Access.BILLING, query=EntitlementsQuery,
          response=EntitlementsOut, summary=SUMMARY, tags=["entitlements"])
def get_entitlements(ctx: RequestContext, account_id: str):
    return _entitlements(account_id, ctx.query.product_id)


@endpoint(bp, "/v1/internal/accounts/{account_id}/entitlements", "GET", access=Access.INTERNAL,
          query=EntitlementsQuery, response=EntitlementsOut, summary=SUMMARY + " Para o produto do fornecedor.",
          tags=["internal"])
def get_internal_entitlements(ctx: RequestContext, account_id: str):
    return _entitlements(account_id, ctx.query.product_id)
