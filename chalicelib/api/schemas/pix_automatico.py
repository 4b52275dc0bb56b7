"""Pix Automático: the recurrence a subscription is authorised with, the PSP webhook's answer and
the local stage's fake PSP."""
from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field

from chalicelib.api.schemas.common import ApiModel

RecurrenceStatus = Literal["CRIADA", "APROVADA", "REJEITADA", "EXPIRADA", "CANCELADA"]


class PixAutomaticoOut(ApiModel):
    subscription_id: str
    rec_id: str = Field(description="idRec da recorrência no PSP.")
    status: RecurrenceStatus = Field(description="CRIADA: aguardando o pagador autorizar no app do banco; "
                                                 "APROVADA: as renovações passam ao Pix Automático a partir do "
                                                 "próximo ciclo; REJEITADA, EXPIRADA, CANCELADA: encerrada.")
    journey: str = Field(description="Jornada de autorização (JORNADA_2: QR só com a recorrência; JORNADA_3: QR "
                                     "composto, que também paga agora a fatura em aberto da assinatura).")
    first_payment_invoice_id: str | None = Field(None, description="Jornada 3: a fatura paga com o mesmo QR.")
    first_payment_cents: int | None = Field(None, description="Jornada 3: o valor pago agora com o QR.")
    qr_payload: str | None = Field(None, description="Pix copia e cola da autorização.")
    qr_url: str | None = Field(None, description="Imagem do QR Code (data URL SVG) para exibir ao cliente.")
    periodicity: str | None = Field(None, description="Periodicidade da recorrência (MENSAL, TRIMESTRAL, ...).")
    start_date: date | None = Field(None, description="Data estimada do primeiro pagamento.")
    amount: dict[str, str] | None = Field(None, description="valorRec (fixo) ou valorMinimoRecebedor (varia).")
    status_changed_at: datetime | None = None
    previous_payment_method: str | None = Field(None, description="A forma que a recorrência substitui.")


class PixRecNotificationIn(ApiModel):
    idRec: str = Field(description="O idRec da recorrência.")
    status: RecurrenceStatus
    atualizacao: list[dict[str, Any]] | None = Field(None, description="Histórico de status (status, data).")
    encerramento: dict[str, Any] | None = Field(None, description="rejeicao ou cancelamento (codigo, solicitante).")


class PixCobrNotificationIn(ApiModel):
    idRec: str | None = None
    txid: str
    status: str = Field(description="CRIADA, ATIVA, CONCLUIDA, EXPIRADA, REJEITADA, CANCELADA.")


class PixReceivedIn(ApiModel):
    endToEndId: str
    txid: str | None = Field(None, description="O txid da cobrança imediata (jornada 3), que nomeia a fatura.")
    valor: str = Field(pattern=r"^\d{1,10}\.\d{2}$")
    horario: str | None = None


class PixWebhookIn(ApiModel):
    """As the PSP sends it (WebhookRecBody, WebhookCobRBody, WebhookPixBody of the API Pix):
    documentation only, the handler checks the token before it reads the body."""

    recs: list[PixRecNotificationIn] | None = None
    cobsr: list[PixCobrNotificationIn] | None = None
    pix: list[PixReceivedIn] | None = None


class PixWebhookItemOut(ApiModel):
    kind: Literal["rec", "cobr", "pix"]
    id: str | None
    status: str | None
    outcome: str = Field(description="applied, duplicate, stale (chegou fora de ordem), unmatched, ignored.")


class PixWebhookAck(ApiModel):
    received: bool = True
    items: list[PixWebhookItemOut]


class DevPixApproveQuery(ApiModel):
    max_amount_cents: int | None = Field(None, ge=1, le=99_999_999_999,
                                         description="O máximo por pagamento que o pagador define no app do "
                                                     "banco ao aprovar (o PSP do pagador recusa cobranças acima "
                                                     "dele; o recebedor não o vê).")


class DevPixAnswerOut(ApiModel):
    rec_id: str
    notification: dict[str, Any] = Field(description="O corpo do webhook que o PSP local enviou.")
    items: list[PixWebhookItemOut]


class DevPixRequestOut(ApiModel):
    kind: Literal["rec", "solicrec", "locrec", "cobr", "cob"]
    method: str
    path: str
    body: Any = None
    status: str | None = Field(None, description="Estado atual da recorrência ou da cobrança.")
    rec_id: str | None = None
    txid: str | None = None
    received_at: str | None = None


class DevPixRequestsOut(ApiModel):
    items: list[DevPixRequestOut]
