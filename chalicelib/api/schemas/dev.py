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


class DevServiceInvoiceEventOut(ApiModel):
    code: str = Field(description="Código do evento (101101, 105102).")
    description: str | None = None
    registered_at: str | None = None


class DevServiceInvoiceOut(ApiModel):
    invoice_id: str | None = Field(None, description="Fatura da DPS (pelo id da DPS); nula se desconhecida.")
    dps_id: str
    dps_xml: str = Field(description="A DPS assinada como a SEFIN local a recebeu (decodificada).")
    status: str = Field(description="issued | rejected | failed | cancelled | substituted (estado na SEFIN local).")
    access_key: str | None = None
    events: list[DevServiceInvoiceEventOut] = Field(
        default_factory=list, description="Eventos registrados na NFS-e (101101: cancelamento; 105102: "
                                          "cancelamento por substituição).")


class DevServiceInvoicesOut(ApiModel):
    items: list[DevServiceInvoiceOut]
