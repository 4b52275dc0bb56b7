from pydantic import BaseModel


class AuditEntryOut(BaseModel):
    id: str
    at: str
    actor: str
    action: str
    target: str
    before: dict | None = None
    after: dict | None = None
    request_id: str | None = None
    reason: str | None = None


class AuditPage(BaseModel):
    items: list[AuditEntryOut]
    next_cursor: str | None = None
