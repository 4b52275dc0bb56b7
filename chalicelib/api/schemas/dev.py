"""Local-stage tools: the clock, jobs and the e-mail outbox."""
from datetime import date, datetime

from pydantic import AwareDatetime, BaseModel, Field

from chalicelib.api.schemas.common import RequestModel


class ClockIn(RequestModel):
    now: AwareDatetime = Field(description="Instante ISO 8601 com fuso, ex. 2026-12-01T09:00:00-03:00.")


class ClockOut(BaseModel):
    now: datetime
    today: date


class JobSummary(BaseModel):
    model_config = {"extra": "allow"}
    job: str
    date: date
    processed: int


class OutboxMessage(BaseModel):
    id: str
    to: list[str]
    subject: str
    text: str
    template: str | None = None
    account_id: str | None = None
    sent_at: datetime | None = None


class OutboxOut(BaseModel):
    items: list[OutboxMessage]
    next_cursor: str | None = None
