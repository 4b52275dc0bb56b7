"""The portal benchmark measures the built portal and a real Meu Plano: the JavaScript's gzip size
(a customer's first visit, and the finance console's on-demand chunks, each against its budget),
the time to Meu Plano's first render (cold, and the median of the warm loads) and the API calls it
renders from, each judged against its budget; a budget exceeded makes `make bench` exit non-zero."""
import gzip
import statistics
from concurrent.futures import ThreadPoolExecutor

import pytest

from bench import __main__ as runner
from bench import bench_portal


def test_the_budgets_are_the_portal_s():
    assert bench_portal.JS_BUDGET_BYTES == 150 * 1024
    assert bench_portal.CONSOLE_JS_BUDGET_BYTES == 150 * 1024
    assert bench_portal.CALL_BUDGET == 3
    assert "bench.bench_portal" in [module for _, module in runner.BENCHMARKS]


def test_the_first_visit_is_the_entry_and_its_static_imports_not_the_chunks_loaded_on_demand(tmp_path):
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text(
        '<script type="module" crossorigin src="/assets/index-a1.js"></script>\n'
        '<link rel="modulepreload" crossorigin href="/assets/vendor-b2.js">\n'
        '<link rel="stylesheet" crossorigin href="/assets/index-c3.css">')
    scripts = {
        "index-a1.js": 'import{a as b}from"./shared-d4.js";const C=lazy(()=>import(`./Console-e5.js`));',
        "vendor-b2.js": "export const v=1;",
        "shared-d4.js": 'import"./deep-f6.js";export const a=1;',
        "deep-f6.js": "export {};",
        "Console-e5.js": 'import{a}from"./shared-d4.js";import{x}from"./charts-g7.js";',
        "charts-g7.js": "export const x=1;",
    }
    for name, text in scripts.items():
        (tmp_path / "assets" / name).write_text(text)
    assert bench_portal.initial_scripts(tmp_path) == {"index-a1.js", "vendor-b2.js", "shared-d4.js", "deep-f6.js"}


@pytest.mark.stack
def test_a_quick_run_reports_the_three_figures_and_fails_over_a_tiny_budget(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("BENCH_QUICK", "1")

    # In a thread of its own: Playwright's sync API refuses a thread whose event loop is still held by
    # another file's browser fixture (tests/portal) when the same test worker ran that file first.
    with ThreadPoolExecutor(1) as pool:
        result = pool.submit(bench_portal.measure, js_budget_bytes=1024, call_budget=0,
                             console_budget_bytes=1024).result()

    scripts = sorted((bench_portal.PORTAL / "dist" / "assets").glob("*.js"))
    gzipped = {path.name: len(gzip.compress(path.read_bytes(), compresslevel=9)) for path in scripts}
    entry = (bench_portal.PORTAL / "dist" / "index.html").read_text().split('src="/assets/', 1)[1].split('"', 1)[0]
    first_visit = bench_portal.initial_scripts(bench_portal.PORTAL / "dist")
    assert entry in first_visit and len(first_visit) < len(gzipped)  # the console is loaded on demand
    assert result["js_gzip_kb"] == round(sum(gzipped[name] for name in first_visit) / 1024, 1)
    assert result["console_js_gzip_kb"] == round(sum(size for name, size in gzipped.items()
                                                     if name not in first_visit) / 1024, 1)
    assert result["largest_js"] == max(gzipped, key=gzipped.get)
    assert result["largest_js_gzip_kb"] == round(max(gzipped.values()) / 1024, 1)

    assert result["warm_loads"] == bench_portal.QUICK_WARM_LOADS
    loads = result["detail"]["loads"]
    assert len(loads) == 1 + bench_portal.QUICK_WARM_LOADS
    for load in loads:  # measured in the page: rendered, then loaded, within the wait's timeout
        assert 0 < load["first_render_ms"] <= load["loaded_ms"] < bench_portal.TIMEOUT_MS, load
        assert not load["errors"], load
    assert result["first_render_cold_ms"] == loads[0]["first_render_ms"]
    assert result["first_render_ms"] == round(statistics.median(load["first_render_ms"] for load in loads[1:]), 1)

    # Only the API's own requests are counted (no config.json, no preflight), the plan's among them.
    calls = loads[0]["api_calls"]
    assert result["api_calls"] == len(calls) >= 2, calls
    assert all(call.startswith("GET /v1/accounts/") for call in calls), calls
    assert any("/subscriptions/" in call for call in calls), calls

    assert result["failures"] == [
        f"JavaScript {result['js_gzip_kb']} KB gzip (budget 1.0 KB)",
        f"console JavaScript {result['console_js_gzip_kb']} KB gzip (budget 1.0 KB)",
        f"Meu Plano made {result['api_calls']} API calls (budget 0)",
    ]
    printed = capsys.readouterr().out
    assert "Meu Plano in Chromium" in printed and "FAILED: Meu Plano made" in printed

    # `make bench` turns the failures into a non-zero exit naming the portal benchmark.
    title = next(title for title, module in runner.BENCHMARKS if module == "bench.bench_portal")
    monkeypatch.setattr(runner, "BENCHMARKS", ((title, "bench.bench_portal"),))
    monkeypatch.setattr(runner, "RESULTS", tmp_path)
    monkeypatch.setattr("bench.backend.configure", lambda **_: None)  # conftest set up the environment
    monkeypatch.setattr(bench_portal, "measure", lambda: dict(result))
    assert runner.main(["--quick"]) == 1
    assert f"targets missed: {title}" in capsys.readouterr().err
