"""Revenue metrics for the vendor's finance team (token group `finance`), docs/metrics.md: the months
as JSON, and the same months as a CSV file (`/v1/admin/metrics.csv`, a sibling path as
`/v1/openapi.json` is: the format is the path's, and the query is the same)."""
import csv
import io

from chalice import Blueprint, Response

from chalicelib.api.access import Access
from chalicelib.api.routing import RequestContext, endpoint
from chalicelib.api.schemas.metrics import (
    MetricsByMethod, MetricsDay, MetricsDunning, MetricsMonth, MetricsMovements, MetricsQuery, MetricsReportOut,
)
from chalicelib.wiring import container

bp = Blueprint(__name__)
METRICS = "/v1/admin/metrics"
CSV_TYPE = "text/csv; charset=utf-8"
# Column headers people read (pt-BR), in the order of the JSON fields they carry.
CSV_COLUMNS = (
    ("mes", "month"), ("mrr_centavos", "mrr_cents"), ("arr_centavos", "arr_cents"),
    ("novo_centavos", "movements.new_cents"), ("expansao_centavos", "movements.expansion_cents"),
    ("contracao_centavos", "movements.contraction_cents"), ("churn_centavos", "movements.churn_cents"),
    ("reativacao_centavos", "movements.reactivation_cents"), ("contas_ativas", "active_accounts"),
    ("assinaturas_ativas", "active_subscriptions"), ("arpa_centavos", "arpa_cents"),
    ("taxa_churn_contas", "logo_churn_rate"), ("taxa_churn_receita", "revenue_churn_rate"),
    ("nrr", "nrr"), ("faturado_centavos", "billed_cents"), ("recebido_centavos", "collected_cents"),
    ("estornado_centavos", "refunded_cents"), ("faturas_vencidas", "dunning.overdue_invoices"),
    ("faturas_recuperadas", "dunning.recovered_invoices"), ("recuperado_centavos", "dunning.recovered_cents"),
    ("taxa_recuperacao", "dunning.recovery_rate"), ("mediana_dias_recuperacao", "dunning.median_days_to_recover"),
)


def _report(query: MetricsQuery) -> MetricsReportOut:
    from chalicelib.services.metrics.report import default_range, month_range

    services = container()
    first, last = default_range(services.clock.today(), query.from_, query.to)
    figures = services.metrics_report.months(month_range(first, last), query.product_id, services.clock.today())
    whole = query.product_id is None  # invoices are not split by product: collection is the whole's
    return MetricsReportOut(product_id=query.product_id, months=[_month(f, whole) for f in figures])


def _movements(moved: dict[str, int]) -> MetricsMovements:
    return MetricsMovements(new_cents=moved["new"], expansion_cents=moved["expansion"],
                            contraction_cents=moved["contraction"], churn_cents=moved["churn"],
                            reactivation_cents=moved["reactivation"])


def _month(figures, whole: bool) -> MetricsMonth:
    return MetricsMonth(
        month=figures.month, mrr_cents=figures.mrr_cents, arr_cents=figures.arr_cents,
        movements=_movements(figures.movements),
        active_accounts=figures.active_accounts, active_subscriptions=figures.active_subscriptions,
        arpa_cents=figures.arpa_cents, logo_churn_rate=figures.logo_churn_rate,
        revenue_churn_rate=figures.revenue_churn_rate, nrr=figures.nrr,
        billed_cents=figures.billed_cents if whole else None,
        collected_cents=figures.collected_cents if whole else None,
        refunded_cents=figures.refunded_cents if whole else None,
        dunning=MetricsDunning(overdue_invoices=figures.overdue_invoices, recovered_invoices=figures.recovered_invoices,
                               recovered_cents=figures.recovered_cents, recovery_rate=figures.recovery_rate,
                               median_days_to_recover=figures.median_days_to_recover) if whole else None,
        by_method={method: MetricsByMethod(**{f"{name}_cents" if name in ("billed", "collected", "refunded")
                                              else name: value for name, value in values.items()})
                   for method, values in figures.by_method.items()} if whole else None,
        days=[MetricsDay(date=day.day.isoformat(), mrr_cents=day.mrr_cents, movements=_movements(day.movements),
                         billed_cents=day.billed_cents if whole else None,
                         collected_cents=day.collected_cents if whole else None)
              for day in figures.days] if figures.days is not None else None)


@endpoint(bp, METRICS, "GET", access=Access.FINANCE_STAFF, query=MetricsQuery, response=MetricsReportOut,
          tags=["admin"], summary="Métricas de receita por mês: MRR e seus movimentos, churn, faturado e recebido, "
                                  "inadimplência recuperada (até 36 meses; sem from/to, os últimos 12); o mês "
                                  "corrente traz também `days`, dia a dia até hoje.")
def get_metrics(ctx: RequestContext):
    return _report(ctx.query)


@endpoint(bp, METRICS + ".csv", "GET", access=Access.FINANCE_STAFF, query=MetricsQuery, media_type="text/csv",
          tags=["admin"], summary="As mesmas métricas em CSV (UTF-8, vírgula, ponto decimal), uma linha por mês.")
def get_metrics_csv(ctx: RequestContext):
    report = _report(ctx.query)
    body = io.StringIO()
    writer = csv.writer(body, lineterminator="\r\n")
    writer.writerow([header for header, _ in CSV_COLUMNS])
    for month in report.months:
        data = month.model_dump(mode="json")
        writer.writerow(["" if value is None else value for value in (_pick(data, path) for _, path in CSV_COLUMNS)])
    name = f"metricas-{report.months[0].month}-a-{report.months[-1].month}"
    name += f"-{report.product_id}" if report.product_id else ""
    return Response(body=body.getvalue(), status_code=200,
                    headers={"Content-Type": CSV_TYPE, "Content-Disposition": f'attachment; filename="{name}.csv"'})


def _pick(data: dict, path: str):
    for part in path.split("."):
        data = None if data is None else data.get(part)
    return data
