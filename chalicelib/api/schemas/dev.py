"""Local-stage tools: the clock, jobs and the e-mail outbox."""
from datetime import date, datetime

from pydantic import ConfigDict, Field

from chalicelib.api.schemas.common import ApiModel, Instant, RequestModel


class ClockIn(RequestModel):
    now: Instant = Field(description="Instante ISO 8601 com fuso, ex. 2026-12-01T09:00:00-03:00, "
                                     "entre os anos 2000 e 2199.")


class ClockOut(ApiModel):
    now: datetime
    today: date


class JobSummary(ApiModel):
    model_config = ConfigDict(extra="allow", defer_build=True)
    job: str
    date: date
    processed: int


class OutboxMessage(ApiModel):
    id: str
    to: list[str]
    subject: str
    text: str
    template: str | None = None
    account_id: str | None = None
    sent_at: datetime | None = None


class OutboxOut(ApiModel):
    items: list[OutboxMessage]
    next_cursor: str | None = None
