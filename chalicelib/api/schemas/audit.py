"""Audit trail entries as the portal reads them."""
from datetime import datetime

from chalicelib.api.schemas.common import ApiModel


class AuditEntryOut(ApiModel):
    id: str
    at: datetime  # stored as text; shown like every other instant
    actor: str
    action: str
    target: str
    before: dict | None = None
    after: dict | None = None
    request_id: str | None = None
    reason: str | None = None


class AuditPage(ApiModel):
    items: list[AuditEntryOut]
    next_cursor: str | None = None
