"""The current month day by day (docs/metrics.md): `days` on the current month's entry of
GET /v1/admin/metrics only, each day's MRR at its end, its movements, billed and collected; the days
add up to the month; documented in the OpenAPI document."""
import pytest

from tests.api.test_metrics import METRICS, OPERAND_MONTHLY, OPERAND_SEMIANNUAL, _script
from tests.steps.billing_steps import half_up
from tests.support import make_token


@pytest.fixture
def staff():
    return make_token("finance-1", groups=["finance"])


def test_the_current_month_has_its_days_up_to_today_and_the_others_none(client, staff):
    _script(client)  # ends on 03/04/2026: C subscribed on the 1st (paid by boleto that day), withdrew on the 3rd
    march_end = half_up(4 * OPERAND_SEMIANNUAL, 6) + OPERAND_MONTHLY
    months = client.call("GET", f"{METRICS}?from=2026-02&to=2026-04", staff).data["months"]
    assert ["days" in month for month in months] == [False, False, True]
    april = months[-1]
    assert [day["date"] for day in april["days"]] == ["2026-04-01", "2026-04-02", "2026-04-03"]
    assert [day["mrr_cents"] for day in april["days"]] == [march_end + OPERAND_MONTHLY, march_end + OPERAND_MONTHLY,
                                                           march_end]
    first, second, third = april["days"]
    assert (first["movements"]["new_cents"], third["movements"]["churn_cents"]) == (OPERAND_MONTHLY, -OPERAND_MONTHLY)
    assert not any(second["movements"].values())
    assert (first["billed_cents"], first["collected_cents"]) == (OPERAND_MONTHLY, OPERAND_MONTHLY)
    for name in ("billed_cents", "collected_cents"):
        assert sum(day[name] for day in april["days"]) == april[name]
    for kind in april["movements"]:
        assert sum(day["movements"][kind] for day in april["days"]) == april["movements"][kind]
    assert april["days"][-1]["mrr_cents"] == april["mrr_cents"]

    operand = client.call("GET", f"{METRICS}?from=2026-04&to=2026-04&product_id=operand-pro", staff).data
    assert all(day["billed_cents"] is None for day in operand["months"][0]["days"])
    past = client.call("GET", f"{METRICS}?from=2026-01&to=2026-03", staff).data["months"]
    assert not any("days" in month for month in past)


def test_the_days_are_in_the_openapi_document(client):
    schemas = client.call("GET", "/v1/openapi.json").data["components"]["schemas"]
    assert {"date", "mrr_cents", "movements", "billed_cents", "collected_cents"} <= set(schemas["MetricsDay"]["properties"])
    assert "days" in schemas["MetricsMonth"]["properties"]
