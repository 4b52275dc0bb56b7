"""Usage reported by the vendor's product (service to service)."""
from chalice import Blueprint

from chalicelib.api.access import Access
from chalicelib.api.routing import RequestContext, endpoint
from chalicelib.api.schemas.subscriptions import UsageIn, UsageOut
from chalicelib.api.subscriptions import gigabytes
from chalicelib.wiring import container

bp = Blueprint(__name__)


@endpoint(bp, "/v1/internal/accounts/{account_id}/usage", "PUT", access=Access.INTERNAL, body=UsageIn,
          response=UsageOut, summary="Armazenamento usado pela conta, em bytes.", tags=["internal"])
def put_usage(ctx: RequestContext, account_id: str):
    usage = container().storage.record_usage(account_id, ctx.body.storage_used_bytes)
    return UsageOut(account_id=account_id, storage_used_bytes=usage.storage_used_bytes,
                    storage_used_gb=gigabytes(usage.storage_used_bytes))
