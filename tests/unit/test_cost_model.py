"""The cost model's figures come from the counted calls: change a count and the bill moves by what
that count costs, nothing typed in."""
import copy

import pytest

from bench import cost

MEU_PLANO = "GET /v1/accounts/{account_id}/subscriptions/{subscription_id}"
ROUTES = {"detail": [
    {"route": MEU_PLANO, "calls": {"GetItem": 1, "Query": 1}, "other_calls": {}, "app_ms": 10.0,
     "units_per_call": {"GetItem": {"rru": 0.5, "wru": 0.0}, "Query": {"rru": 1.5, "wru": 0.0}}},
    {"route": "POST /v1/accounts/{account_id}/requests", "calls": {"GetItem": 2, "TransactWriteItems": 1},
     "other_calls": {"ses": {"SendEmail": 1}}, "app_ms": 20.0,
     "units_per_call": {"GetItem": {"rru": 0.5, "wru": 0.0}, "TransactWriteItems": {"rru": 0.0, "wru": 8.0}}},
]}
JOBS = {"detail": {"run-backups": {"small": {
    "empty_run_calls": {"Query": 16}, "empty_run_units_per_call": {"Query": {"rru": 0.5, "wru": 0.0}},
    "empty_run_other_calls": {}, "empty_run_app_ms": 3.0,
    "per_item_calls": {"GetItem": 3, "Query": 1, "TransactWriteItems": 1},
    "work_units_per_call": {"GetItem": {"rru": 0.5, "wru": 0}, "Query": {"rru": 2.0, "wru": 0},
                            "TransactWriteItems": {"rru": 0, "wru": 6.0}},
    "per_item_other_calls": {"ses": {"SendEmail": 1}, "s3": {"PutObject": 1}}, "per_item_app_ms": 40.0}}}}


def bill(routes=ROUTES, jobs=JOBS, pdf_bytes=50_000, init_ms=200.0, bytes_per_account=20_000):
    return cost.monthly_cost(routes, jobs, pdf_bytes, init_ms, bytes_per_account)


def with_calls(route: str, op: str, count: int) -> dict:
    routes = copy.deepcopy(ROUTES)
    next(r for r in routes["detail"] if r["route"] == route)["calls"][op] = count
    return routes


def test_more_queries_in_meu_plano_cost_their_read_units_and_their_latency():
    before, after = bill(), bill(with_calls(MEU_PLANO, "Query", 3))
    extra_reads = 2 * cost.VISITS * 1.5  # two more Queries a visit, at the measured 1.5 RRU each
    assert after["usage"]["read_units"] - before["usage"]["read_units"] == pytest.approx(extra_reads, abs=1)
    read_usd = before["by_service_usd"]["dynamodb requests"] + extra_reads / 1e6 * cost.DYNAMODB_READ_PER_MILLION
    assert after["by_service_usd"]["dynamodb requests"] == pytest.approx(read_usd, abs=1e-4)
    assert after["by_service_usd"]["lambda"] > before["by_service_usd"]["lambda"]  # each call waits
    assert sum(after["by_service_usd"].values()) > sum(before["by_service_usd"].values())
    assert after["saas_fee_to_aws_ratio"] < before["saas_fee_to_aws_ratio"]


def test_a_write_never_measured_before_is_billed_at_least_its_minimum():
    before = bill()
    after = bill(with_calls(MEU_PLANO, "PutItem", 1))
    assert after["usage"]["write_units"] - before["usage"]["write_units"] == pytest.approx(cost.VISITS, abs=1)


def test_job_items_cost_their_counted_calls_and_e_mails():
    jobs = copy.deepcopy(JOBS)
    jobs["detail"]["run-backups"]["small"]["per_item_calls"]["TransactWriteItems"] = 2
    _, items = cost.JOB_USAGE["run-backups"]
    assert bill(jobs=jobs)["usage"]["write_units"] - bill()["usage"]["write_units"] == pytest.approx(items * 6, abs=1)
    jobs["detail"]["run-backups"]["small"]["per_item_other_calls"]["ses"]["SendEmail"] = 3
    assert bill(jobs=jobs)["usage"]["emails"] - bill()["usage"]["emails"] == pytest.approx(items * 2, abs=1)


def test_the_saas_fee_and_the_ratio():
    result = bill()
    fee = cost.SUBSCRIPTIONS * cost.SUBSCRIPTION_PRICE_BRL * cost.SAAS_FEE
    assert result["saas_fee_brl_per_month"] == pytest.approx(fee) == 10_500
    assert result["saas_fee_to_aws_ratio"] == pytest.approx(fee / cost.BRL_PER_USD / result["usd_per_month"], rel=0.01)
    assert result["usd_per_month"] == pytest.approx(sum(result["by_service_usd"].values()), abs=0.01)


def test_what_no_benchmark_measured_is_listed_and_left_out():
    result = bill()
    unmeasured = "\n".join(result["unmeasured"])
    assert "job issue-invoices" in unmeasured and "POST /v1/webhooks/stripe" in unmeasured
    assert "job run-backups" not in unmeasured
    assert not any(line["name"].startswith("issue-invoices") for line in result["lines"])


def test_pdf_storage_follows_the_measured_pdf_size():
    small, large = bill(pdf_bytes=10_000), bill(pdf_bytes=20_000)
    assert large["usage"]["pdf_gb"] == pytest.approx(2 * small["usage"]["pdf_gb"], rel=0.01)


PIX = {"charge_calls_by_operation": {"GetItem": 2, "Query": 1, "TransactWriteItems": 1, "UpdateItem": -1},
       "settle_calls_by_operation": {"Query": 2, "TransactWriteItems": 2}, "settle_other_calls": {},
       "settle_app_ms": 5.0}


def test_pix_automatico_cycle_charges_and_their_webhooks_cost_their_counted_calls():
    base = cost.monthly_cost(ROUTES, JOBS, 50_000, 200.0, 20_000, PIX)
    more = copy.deepcopy(PIX)
    more["settle_calls_by_operation"]["TransactWriteItems"] = 3
    after = cost.monthly_cost(ROUTES, JOBS, 50_000, 200.0, 20_000, more)
    # One more transaction per settled charge: at least two write units each (MIN_UNITS).
    extra = after["usage"]["write_units"] - base["usage"]["write_units"]
    assert extra == pytest.approx(cost.PIX_CYCLE_CHARGES * 2, abs=1)
    names = [line["name"] for line in base["lines"]]
    assert "pix automático cycle charges" in names and "POST /v1/webhooks/pix" in names
    # What the charge saves (the boleto's counter) is not billed as negative work.
    [charges] = [line for line in base["lines"] if line["name"] == "pix automático cycle charges"]
    assert charges["wru"] == pytest.approx(cost.PIX_CYCLE_CHARGES * 2, abs=1)  # the one transaction
    assert any("Pix Automático" in line for line in bill()["unmeasured"])


def _metrics(late_calls: int = 2) -> dict:
    one = {"calls": {"TransactWriteItems": 1}, "units": {"read": 0.0, "write": 10.0}, "app_ms": 0.5}
    by_type = {kind: copy.deepcopy(one) for kind in cost.METRICS_EVENTS}
    by_type["invoice.paid (late)"] = {"calls": {"TransactWriteItems": late_calls},
                                      "units": {"read": 0.0, "write": 8.0 * late_calls}, "app_ms": 0.8}
    return {"detail": {"by_type": by_type}}


def test_the_metrics_consumer_costs_its_events_times_the_calls_counted_per_event():
    base = cost.monthly_cost(ROUTES, JOBS, 50_000, 200.0, 20_000, PIX, _metrics())
    after = cost.monthly_cost(ROUTES, JOBS, 50_000, 200.0, 20_000, PIX, _metrics(late_calls=3))
    # One more transaction per late payment, at its measured 8 write units.
    extra = after["usage"]["write_units"] - base["usage"]["write_units"]
    assert extra == pytest.approx(cost.METRICS_EVENTS["invoice.paid (late)"] * 8, abs=1)
    consumer = [line for line in base["lines"] if line["name"].startswith("metrics consumer: ")]
    assert len(consumer) == len(cost.METRICS_EVENTS)
    issued = next(line for line in consumer if line["name"] == "metrics consumer: invoice.issued")
    assert issued["wru"] == pytest.approx(cost.INVOICES * 10, abs=1)
    assert base["usage"]["lambda_invocations"] - bill()["usage"]["lambda_invocations"] == pytest.approx(
        sum(cost.METRICS_EVENTS.values()) + cost.PIX_CYCLE_CHARGES * 2, abs=1)
    assert any("metrics consumer" in line for line in bill()["unmeasured"])


NFSE = {"calls_by_operation": {"GetItem": 6, "PutItem": 4, "UpdateItem": 1, "TransactWriteItems": 1},
        "other_calls_per_nfse": {"s3": {"PutObject": 2}, "events": {"PutEvents": 1}, "ses": {"SendEmail": 1}},
        "sefin_requests_per_nfse": {"POST /nfse": 1}, "app_ms": 30.0, "empty_run_calls": {"Query": 8},
        "detail": {"units_per_call": {"GetItem": {"rru": 0.5, "wru": 0.0}, "PutItem": {"rru": 0.0, "wru": 5.0},
                                      "UpdateItem": {"rru": 0.0, "wru": 1.0},
                                      "TransactWriteItems": {"rru": 0.0, "wru": 6.0}},
                   "empty_run_units_per_call": {"Query": {"rru": 0.5, "wru": 0.0}}, "empty_run_app_ms": 2.0,
                   "xml_bytes": 10_000, "pdf_bytes": 40_000}}


def _with_nfse(nfse: dict | None) -> dict:
    return cost.monthly_cost(ROUTES, JOBS, 50_000, 200.0, 20_000, PIX, _metrics(), nfse)


def test_every_paid_invoice_issues_one_nfse_at_its_counted_calls_files_and_sefin_wait():
    without, base = _with_nfse(None), _with_nfse(NFSE)
    assert any("NFS-e" in line for line in without["unmeasured"])
    assert not any("NFS-e" in line for line in base["unmeasured"])
    # One more PutItem per NFS-e, at its measured 5 write units.
    more = copy.deepcopy(NFSE)
    more["calls_by_operation"]["PutItem"] = 5
    extra = _with_nfse(more)["usage"]["write_units"] - base["usage"]["write_units"]
    assert extra == pytest.approx(cost.SERVICE_INVOICES * 5, abs=1)
    # Its XML and DANFSe: two puts each, kept five years; the hourly runs and the worker's invocations.
    assert base["usage"]["s3_puts"] - without["usage"]["s3_puts"] == pytest.approx(cost.SERVICE_INVOICES * 2, abs=1)
    kept_gb = cost.SERVICE_INVOICES * cost.NFSE_RETENTION_MONTHS * 50_000 / 1024 ** 3
    assert base["usage"]["nfse_gb"] == pytest.approx(kept_gb, abs=0.01)
    assert base["by_service_usd"]["s3 (NFS-e XML and DANFSe kept 5 years)"] == pytest.approx(
        kept_gb * cost.S3_STANDARD_GB_MONTH, rel=0.01)
    assert base["usage"]["lambda_invocations"] - without["usage"]["lambda_invocations"] == pytest.approx(
        cost.SERVICE_INVOICES + cost.SERVICE_INVOICE_JOB_RUNS, abs=1)
    # Waiting on the SEFIN is billed at the assumed latency per request: a second request adds one more.
    [issued] = [line for line in base["lines"] if line["name"] == "NFS-e issued"]
    assert issued["lambda_ms"] > cost.SEFIN_REQUEST_MS
    twice = copy.deepcopy(NFSE)
    twice["sefin_requests_per_nfse"]["GET /dps/{id}"] = 1
    [again] = [line for line in _with_nfse(twice)["lines"] if line["name"] == "NFS-e issued"]
    assert again["lambda_ms"] - issued["lambda_ms"] == pytest.approx(cost.SEFIN_REQUEST_MS, abs=0.2)
    assert _with_nfse(twice)["by_service_usd"]["lambda"] > base["by_service_usd"]["lambda"]
