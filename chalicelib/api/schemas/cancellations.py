"""Cancelling a subscription and undoing it (API.md: cancel `reason`; the answer says
`effective_date`, `refund_cents`, `amount_owed_cents`, `status`; an early termination of a
commitment names its end and the months it billed). The quote answers the same before cancelling."""
from datetime import date
from typing import Literal

from pydantic import Field

from chalicelib.api.schemas.common import ApiModel, MultiLineText, RequestModel
from chalicelib.domain.enums import CancellationKind
from chalicelib.domain.enums import SubscriptionStatus


class CancelIn(RequestModel):
    reason: MultiLineText = Field(min_length=1, max_length=500, description="Por que a conta está cancelando.")


class CancellationEffect(ApiModel):  # what a cancellation does: the cancel's answer and its quote's
    subscription_id: str
    status: SubscriptionStatus = Field(description="cancelled (na hora) ou pending_cancellation (agendado).")
    kind: CancellationKind = Field(description="withdrawal (desistência em 7 dias), at_period_end, "
                                               "after_next_period (aviso com menos de 30 dias), early_termination ou "
                                               "trial (no período de teste: na hora, nada cobrado).")
    effective_date: date = Field(
        description="Dia em que o cancelamento passa a valer (o serviço vai até a véspera).")
    refund_cents: int = Field(description="Devolvido (desistência em 7 dias).")
    amount_owed_cents: int = Field(description="O que a assinatura ainda deve nas faturas em aberto.")
    voided_invoice_ids: list[str] = Field(default_factory=list, description="Faturas em aberto anuladas.")
    commitment_ends_on: date | None = Field(
        None, description="Cancelamento antes do fim da fidelidade (early_termination de um plano com "
                          "commitment_months): dia seguinte ao último mês da fidelidade.")
    commitment_months_billed: int = Field(
        0, description="Meses restantes da fidelidade cobrados pelo cancelamento (na fatura invoice_id), "
                       "cada um pelo preço mensal do que está contratado.")
    undo_until: date | None = Field(None, description="Último dia para desfazer o cancelamento.")
    currency: Literal["BRL"] = "BRL"


class CancellationQuoteOut(CancellationEffect):
    """O que `POST .../cancel` faria se fosse enviado agora, calculado pelas mesmas regras, sem alterar
    nada. Vale para hoje: outro dia, ou depois de um pagamento, a resposta pode mudar; a do cancelamento é
    a final."""


class CancelOut(CancellationEffect):
    refund_status: Literal["refunded", "requested", "account_credit"] | None = Field(
        None, description="refunded: estornado no cartão; requested: a equipe financeira devolve (boleto, Pix); "
                          "account_credit: virou crédito da conta (pagamento que cobria outras assinaturas).")
    invoice_id: str | None = Field(None, description="Fatura emitida pelo cancelamento (renovação ainda devida "
                                                     "ou parcelas restantes do contrato).")
    auto_renew: bool
