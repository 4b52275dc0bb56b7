"""Backups: schedule, list, download link."""
from datetime import datetime
from typing import Literal

from pydantic import Field

from chalicelib.api.schemas.common import ApiModel, Instant, RequestModel


class BackupIn(RequestModel):
    run_at: Instant = Field(description="Quando gerar, ISO 8601 com fuso; entre 19h e 4h (Brasília).")
    next_window: bool = Field(False, description="Fora da janela, agendar para as 19h seguintes em vez de recusar.")


class BackupOut(ApiModel):
    id: str
    status: Literal["scheduled", "ready", "expired"]
    run_at: datetime
    requested_by: str
    created_at: datetime | None = None
    ready_at: datetime | None = None
    expires_at: datetime | None = Field(None, description="Quando o arquivo deixa de existir (7 dias).")
    size_bytes: int | None = None


class BackupPage(ApiModel):
    items: list[BackupOut]
    next_cursor: str | None = None


class BackupDownloadOut(ApiModel):
    url: str = Field(description="Link de download assinado, válido por 15 minutos.")
    expires_at: datetime
    filename: str
