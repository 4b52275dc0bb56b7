"""The route benchmark walks the whole route table (a route added later included) and a route that
Scans makes `make bench` exit non-zero."""
import json

import pytest

from bench import bench_routes  # noqa: F401 — imports bench.world too: the call counter is installed at collection
from bench import __main__ as runner

SCAN_PATH = "/v1/_bench/scan-everything"


@pytest.fixture
def scanning_route():
    """A route added after the bench was written, which Scans the billing table."""
    from chalice import Blueprint

    import app as app_module
    from chalicelib.api.access import Access
    from chalicelib.api.routing import ENDPOINTS, endpoint
    from chalicelib.wiring import container

    bp = Blueprint("bench_scan_test")

    @endpoint(bp, SCAN_PATH, "GET", access=Access.PUBLIC, summary="Lê a tabela inteira (teste).")
    def scan_everything(ctx):
        services = container()
        services.boto3_client("dynamodb").scan(TableName=services.settings.billing_table, Limit=1)
        return {"ok": True}

    app_module.app.register_blueprint(bp)
    spec = next(s for s in ENDPOINTS if s.path == SCAN_PATH)
    try:
        yield spec
    finally:
        ENDPOINTS.remove(spec)
        app_module.app.routes.pop(SCAN_PATH, None)


def test_the_walk_covers_every_route_and_a_scan_makes_the_bench_exit_non_zero(scanning_route, monkeypatch,
                                                                                tmp_path, capsys):
    from chalicelib.api.routing import ENDPOINTS

    monkeypatch.setattr(runner, "BENCHMARKS", (("routes", "bench.bench_routes"),))
    monkeypatch.setattr(runner, "RESULTS", tmp_path)
    monkeypatch.setattr("bench.backend.configure", lambda **_: None)  # conftest set up the environment
    monkeypatch.setenv("BENCH_QUICK", "1")

    assert runner.main([]) == 1

    written = json.loads(next(tmp_path.glob("bench-*.json")).read_text())["routes"]
    walked = {row["route"]: row for row in written["detail"]}
    assert set(walked) == {f"{s.method} {s.path}" for s in ENDPOINTS}
    for row in walked.values():  # each route measured, or said why not
        assert row.get("unmeasured") or row["status"] != "-", row
    assert walked[f"GET {SCAN_PATH}"]["scans"] == 1
    assert written["failures"] == [f"Scan in GET {SCAN_PATH}"]
    assert "targets missed: routes" in capsys.readouterr().err
    # The routes' real work was counted: Meu Plano reads through PynamoDB's own client.
    meu_plano = walked["GET /v1/accounts/{account_id}/subscriptions/{subscription_id}"]
    assert meu_plano["status"] == "200" and meu_plano["dynamodb_calls"] >= 1
    # The partner batch's routes act on a batch prepare made through the API, a license per repeat.
    licenses = "/v1/accounts/{account_id}/batches/{subscription_id}/licenses"
    batch_routes = [f"GET {licenses}"] + [f"POST {licenses}/{{license_id}}/{action}"
                                          for action in ("assign", "substitute", "transfer", "cancel")]
    for route in batch_routes:
        assert walked[route]["status"] == "200" and walked[route]["dynamodb_calls"] >= 1, walked[route]
    assert written["unmeasured"] == 0, [row for row in walked.values() if row.get("unmeasured")]


def test_destructive_batch_routes_run_after_the_ones_that_need_the_licenses():
    from bench.bench_routes import _order, route_id
    from chalicelib.api.routing import ENDPOINTS

    order = [route_id(spec) for spec in sorted(ENDPOINTS, key=_order)]
    licenses = "/v1/accounts/{account_id}/batches/{subscription_id}/licenses"
    position = {route: n for n, route in enumerate(order)}
    for final in ("transfer", "cancel"):
        for earlier in ("assign", "substitute"):
            assert position[f"POST {licenses}/{{license_id}}/{final}"] > \
                position[f"POST {licenses}/{{license_id}}/{earlier}"]


def test_a_route_without_a_body_entry_is_reported_unmeasured(monkeypatch):
    from bench.bench_routes import RouteResult, summarize

    rows = [RouteResult(route="POST /v1/new-thing", access="user", unmeasured="no body in bench_routes.ROUTE_BODIES")]
    summary = summarize(rows, repeats=1, background=0, verbose=False)
    assert summary["unmeasured"] == 1 and summary["failures"] == []
    assert summary["detail"][0]["unmeasured"].startswith("no body")


def test_a_route_over_its_call_budget_fails():
    from bench.bench_routes import RouteResult, summarize

    row = RouteResult(route="GET /x", access="billing", statuses=[200], dynamodb_calls=3, target=2)
    assert summarize([row], repeats=1, background=0, verbose=False)["failures"] == [
        "GET /x: 3 DynamoDB calls > target 2"]
