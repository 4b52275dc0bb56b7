"""Revenue metrics of the finance console (docs/metrics.md)."""
from typing import Literal

from pydantic import Field, model_serializer

from chalicelib.api.schemas.common import ApiModel, RequestModel, SingleLineText

MONTH = {"pattern": r"^\d{4}-\d{2}$", "examples": ["2026-03"]}


class MetricsQuery(RequestModel):
    # Plain text here: a malformed month is a 400 `invalid_month` from the handler (report.month_range),
    # with the same message whichever way it is wrong.
    from_: SingleLineText | None = Field(None, alias="from", max_length=7, json_schema_extra=MONTH,
                                         description="Primeiro mês (AAAA-MM); padrão: 11 meses antes de `to`.")
    to: SingleLineText | None = Field(None, max_length=7, json_schema_extra=MONTH,
                                      description="Último mês (AAAA-MM); padrão: o mês corrente.")
    product_id: SingleLineText | None = Field(None, max_length=64,
                                              description="Só este produto; sem ele, todos os produtos.")


class MetricsMovements(ApiModel):
    new_cents: int = Field(description="MRR de assinaturas novas.")
    expansion_cents: int = Field(description="Aumentos de MRR de assinaturas que já tinham MRR.")
    contraction_cents: int = Field(description="Reduções (negativo).")
    churn_cents: int = Field(description="MRR de assinaturas canceladas (negativo).")
    reactivation_cents: int = Field(description="MRR de assinaturas reativadas depois de canceladas.")


class MetricsDunning(ApiModel):
    overdue_invoices: int = Field(description="Faturas que venceram sem pagamento neste mês.")
    recovered_invoices: int = Field(description="Dessas, quantas foram pagas depois (até agora).")
    recovered_cents: int
    recovery_rate: float | None = Field(description="recovered_invoices ÷ overdue_invoices (decimal).")
    median_days_to_recover: float | None = Field(description="Mediana dos dias entre o vencimento e o pagamento.")


class MetricsByMethod(ApiModel):
    billed_cents: int
    collected_cents: int
    refunded_cents: int
    overdue_invoices: int
    recovered_invoices: int
    recovered_cents: int


class MetricsDay(ApiModel):
    date: str = Field(description="AAAA-MM-DD")
    mrr_cents: int = Field(description="MRR no fim do dia.")
    movements: MetricsMovements
    billed_cents: int | None = Field(description="Faturado no dia (todos os produtos: null com product_id).")
    collected_cents: int | None = Field(description="Recebido no dia (todos os produtos: null com product_id).")


class MetricsMonth(ApiModel):
    month: str = Field(description="AAAA-MM")
    mrr_cents: int = Field(description="MRR no fim do mês.")
    arr_cents: int = Field(description="12 × MRR.")
    movements: MetricsMovements
    active_accounts: int
    active_subscriptions: int
    arpa_cents: int | None = Field(description="MRR ÷ contas ativas (meio para cima); null sem contas.")
    logo_churn_rate: float | None = Field(description="Contas que saíram ÷ contas ativas no início do mês.")
    revenue_churn_rate: float | None = Field(description="−(churn + contração) ÷ MRR no início do mês.")
    nrr: float | None = Field(description="(MRR inicial + expansão + contração + churn) ÷ MRR inicial.")
    billed_cents: int | None = Field(description="Faturado no mês (todos os produtos: null com product_id).")
    collected_cents: int | None = Field(description="Recebido no mês (pagamentos que quitaram faturas).")
    refunded_cents: int | None
    dunning: MetricsDunning | None = Field(description="Inadimplência (todos os produtos: null com product_id).")
    by_method: dict[Literal["boleto", "card", "pix", "pix_automatico"], MetricsByMethod] | None = None
    days: list[MetricsDay] | None = Field(None, description="Só no mês corrente: cada dia, do dia 1 até hoje.")

    @model_serializer(mode="wrap")
    def _days_only_in_the_current_month(self, handler):
        data = handler(self)
        if self.days is None:
            data.pop("days", None)
        return data


class MetricsReportOut(ApiModel):
    product_id: str | None = None
    currency: Literal["BRL"] = "BRL"
    months: list[MetricsMonth]
