"""The account's audit trail, newest first (owner and admin)."""
from chalice import Blueprint

from chalicelib.api.access import Access
from chalicelib.api.pagination import Paged
from chalicelib.api.routing import RequestContext, endpoint
from chalicelib.api.schemas.audit import AuditEntryOut, AuditPage
from chalicelib.wiring import container

bp = Blueprint(__name__)


@endpoint(bp, "/v1/accounts/{account_id}/audit", "GET", access=Access.AUDIT, cursor_scope="{account_id}",
          response=AuditPage, summary="Trilha de auditoria: quem, quando, o quê e por quê.", tags=["audit"])
def list_audit(ctx: RequestContext, account_id: str):
    items, last = container().audit_repository.list(account_id, ctx.page.limit, ctx.page.after)
    return Paged(AuditPage(
        items=[AuditEntryOut(id=i.audit_id, at=i.at, actor=i.actor, action=i.action, target=i.target,
                             before=i.before.as_dict() if i.before else None,
                             after=i.after.as_dict() if i.after else None,
                             request_id=i.request_id, reason=i.reason) for i in items],
    ), last)
