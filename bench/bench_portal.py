"""The customer portal as a visitor gets it: the gzip size of its JavaScript, and Meu Plano opened in
real Chromium against the local stack, with the time to its first render beside the API calls it
renders from.

- JavaScript: every `.js` file in portal/dist/assets, gzip level 9 (as tests/portal/test_bundle_size.py
  measures it), in two parts. `js_gzip_kb` is what a customer's first visit loads: the scripts
  index.html names (the entry and the chunks it preloads) and every chunk they import statically.
  Budget: 150 KB (1 KB = 1,024 bytes). `console_js_gzip_kb` is the rest, the chunks loaded on demand:
  the finance console with its chart library, which only the `finance` group opens. Budget: 150 KB of
  its own. The largest file is named too.
- Meu Plano: a LocalStack (tests/fuzz/stack.py) serving the portal on a free port; the demo account
  (seeded by the stack) subscribes through the API, then its Meu Plano is opened with `#token=...` in
  Debian's /usr/bin/chromium (tests/portal/conftest.py's launch arguments), driven by Playwright.
  `first render` is the page's own `performance.now()` (milliseconds since the navigation started)
  when the h1 "Meu Plano" is first in the document and laid out; `loaded` is when nothing says
  "Carregando…" any more (the plan is on screen). The first load, with an empty HTTP cache, is
  reported on its own as `cold`; the others reuse that browser context (its cached assets, its
  connections) and their median is the figure. API calls are the requests to the API's origin,
  preflights (OPTIONS) and config.json left out, counted until the network has been idle for 500 ms;
  the largest count of any load is judged. Budget: 3.

Loads: 1 cold + 7 warm, `--quick` 1 cold + 3 warm. portal/dist is built first when missing or stale
(scripts/local_stack.build_portal, as `make portal-fresh` does).

Run: .venv/bin/python -m bench.bench_portal [--quick]   (or `make bench`)
"""
import gzip
import re
import shutil
import statistics
import sys
import time
from pathlib import Path

from bench import backend

ROOT = Path(__file__).resolve().parents[1]
PORTAL = ROOT / "portal"
JS_BUDGET_BYTES = 150 * 1024
CONSOLE_JS_BUDGET_BYTES = 150 * 1024
CALL_BUDGET = 3
WARM_LOADS, QUICK_WARM_LOADS = 7, 3
TITLE = "Meu Plano"
DEMO_PLAN = {"product_id": "operand-pro", "periodicity": "monthly", "quantity": 3, "payment_method": "boleto"}
TIMEOUT_MS = 30_000

# Runs in the page before any of the portal's scripts, on every navigation: the instants (page time,
# from the navigation's start) of the first render of the h1 and of the end of every "Carregando…".
_MARKS_SCRIPT = """(() => {
  const marks = {};
  window.__benchMarks = marks;
  const observer = new MutationObserver(() => {
    const h1 = document.querySelector("h1");
    if (!marks.firstRender && h1 && h1.textContent.trim() === %r && h1.getClientRects().length) {
      marks.firstRender = performance.now();
    }
    if (marks.firstRender && !marks.loaded && !document.querySelector(".loading")) {
      marks.loaded = performance.now();
      observer.disconnect();
    }
  });
  observer.observe(document, {childList: true, subtree: true, characterData: true});
})();""" % TITLE


def measure(js_budget_bytes: int = JS_BUDGET_BYTES, call_budget: int = CALL_BUDGET,
            warm_loads: int | None = None, console_budget_bytes: int = CONSOLE_JS_BUDGET_BYTES) -> dict:
    from scripts.local_stack import build_portal

    if warm_loads is None:
        warm_loads = QUICK_WARM_LOADS if backend.quick() else WARM_LOADS
    problem = build_portal(PORTAL)
    if problem:
        return {"failures": [f"the portal did not build: {problem}"]}
    sizes = javascript_sizes(PORTAL / "dist" / "assets")
    if not sizes:
        return {"failures": ["portal/dist/assets has no JavaScript"]}
    first_visit = initial_scripts(PORTAL / "dist")
    total = sum(gzipped for name, (_, gzipped) in sizes.items() if name in first_visit)
    on_demand = sum(gzipped for name, (_, gzipped) in sizes.items() if name not in first_visit)
    largest = max(sizes, key=lambda name: sizes[name][1])
    result = {
        "js_gzip_kb": _kb(total),
        "js_budget_kb": _kb(js_budget_bytes),
        "console_js_gzip_kb": _kb(on_demand),
        "console_js_budget_kb": _kb(console_budget_bytes),
        "js_files": len(sizes),
        "largest_js": largest,
        "largest_js_gzip_kb": _kb(sizes[largest][1]),
    }
    failures = [f"JavaScript {_kb(total)} KB gzip (budget {_kb(js_budget_bytes)} KB)"] if total > js_budget_bytes else []
    if on_demand > console_budget_bytes:
        failures.append(f"console JavaScript {_kb(on_demand)} KB gzip (budget {_kb(console_budget_bytes)} KB)")
    loads, problem = _meu_plano_loads(1 + warm_loads)
    if problem:
        failures.append(problem)
    if loads:
        cold, warm = loads[0], loads[1:] or loads[:1]
        calls = max(len(load["api_calls"]) for load in loads)
        result.update({
            "first_render_cold_ms": cold["first_render_ms"],
            "first_render_ms": _median(warm, "first_render_ms"),
            "loaded_cold_ms": cold["loaded_ms"],
            "loaded_ms": _median(warm, "loaded_ms"),
            "warm_loads": len(loads) - 1,
            "api_calls": calls,
            "api_calls_budget": call_budget,
        })
        if calls > call_budget:
            failures.append(f"Meu Plano made {calls} API calls (budget {call_budget})")
        if len({tuple(load["api_calls"]) for load in loads}) > 1:
            failures.append("Meu Plano made different API calls from one load to the next")
        for number, load in enumerate(loads):
            failures += [f"load {number}: page error: {error}" for error in load["errors"]]
    result["failures"] = failures
    result["detail"] = {"javascript": {name: {"bytes": raw, "gzip": gzipped} for name, (raw, gzipped) in sizes.items()},
                        "loads": loads}
    _print_table(result, sizes, first_visit, loads)
    return result


def javascript_sizes(assets: Path) -> dict[str, tuple[int, int]]:
    """{file name: (bytes, gzip bytes)} of every script in portal/dist/assets."""
    return {path.name: (len(data), len(gzip.compress(data, compresslevel=9)))
            for path in sorted(assets.glob("*.js")) for data in (path.read_bytes(),)}


_HTML_SCRIPT = re.compile(r'<(?:script[^>]*\ssrc|link[^>]*rel="modulepreload"[^>]*\shref)="/assets/([^"]+\.js)"')
# A static import of a chunk (`import{a as b}from"./x.js"`, `import"./x.js"`); `import("./x.js")`,
# the on-demand kind, has a parenthesis and does not match.
_STATIC_IMPORT = re.compile(r'(?:^|[;}\s])import\s*(?:[\w$*{}\s,]*?from\s*)?["\'`]\./([^"\'`]+\.js)["\'`]')


def initial_scripts(dist: Path) -> set[str]:
    """Names of the scripts a first visit loads: those index.html names, and every chunk they import
    statically, transitively. Chunks reached only through `import()` are left out."""
    pending = _HTML_SCRIPT.findall((dist / "index.html").read_text())
    found: set[str] = set()
    while pending:
        name = pending.pop()
        if name not in found:
            found.add(name)
            pending += _STATIC_IMPORT.findall((dist / "assets" / name).read_text())
    return found


def _meu_plano_loads(count: int) -> tuple[list[dict], str | None]:
    """Meu Plano opened `count` times in one browser context: each load's times and API calls, or
    why it could not be opened."""
    from tests.fuzz.stack import LocalStack, free_port
    from tests.portal.conftest import CHROMIUM, CHROMIUM_ARGS

    if not shutil.which(CHROMIUM):
        return [], f"{CHROMIUM} is missing: `make deps-browser` installs Debian's chromium"
    port = free_port()
    stack = LocalStack(env={"PORTAL_PORT": str(port), "CORS_ORIGINS": f"http://127.0.0.1:{port}"})
    try:
        with stack:
            if not stack.ready.get("portal"):
                tail = stack.stderr_path.read_text(errors="replace")[-1500:]
                return [], f"the local stack did not serve the portal:\n{tail}"
            path = _demo_plan_path(stack)
            return _open_in_chromium(stack, path, count, CHROMIUM, CHROMIUM_ARGS), None
    finally:
        if stack.workdir is not None:
            shutil.rmtree(stack.workdir, ignore_errors=True)


def _demo_plan_path(stack) -> str:
    """The demo account (the stack's ready line: its id and its owner's token) subscribes and pays
    through the API: the portal path of that subscription's Meu Plano, with the token."""
    account_id, token = stack.ready["demo_account_id"], stack.ready["dev_token"]
    answer = stack.call("POST", f"/v1/accounts/{account_id}/subscriptions", token=token, body=DEMO_PLAN)
    if answer.status != 201:
        raise RuntimeError(f"subscribing the demo account: {answer.status} {answer.body[:500]!r}")
    subscription = answer.json
    paid = stack.call("POST", "/v1/_dev/gateway/pay", body={"invoice_id": subscription["invoice_id"], "method": "boleto"})
    if paid.status != 200:
        raise RuntimeError(f"paying the demo subscription: {paid.status} {paid.body[:500]!r}")
    return f"/contas/{account_id}/assinaturas/{subscription['id']}#token={token}"


def _open_in_chromium(stack, path: str, count: int, chromium: str, args: list[str]) -> list[dict]:
    from playwright.sync_api import sync_playwright

    api = stack.url
    with sync_playwright() as playwright:  # closed before the stack: its keep-alive connections would hold it
        browser = playwright.chromium.launch(executable_path=chromium, args=args, headless=True)
        try:
            context = browser.new_context(base_url=stack.ready["portal"], viewport={"width": 1280, "height": 900},
                                          locale="pt-BR", timezone_id="America/Sao_Paulo")
            context.add_init_script(_MARKS_SCRIPT)
            loads = [_load(context, path, api) for _ in range(count)]
            context.close()
        finally:
            browser.close()
    return loads


def _load(context, path: str, api: str) -> dict:
    """One navigation in a new tab of `context`: a tab of its own, so each load is a full page load."""
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    calls, errors = [], []

    def record(request):
        url = request.url
        if url.startswith(api + "/") and request.method != "OPTIONS" and not url.split("?")[0].endswith("/config.json"):
            calls.append(f"{request.method} {url[len(api):]}")

    page.on("request", record)
    page.on("pageerror", lambda error: errors.append(str(error)))
    started = time.perf_counter()
    page.goto(path, wait_until="commit")
    page.locator("h1", has_text=TITLE).wait_for(state="visible")
    wall_first_render = time.perf_counter() - started
    page.wait_for_function("() => Boolean(window.__benchMarks && window.__benchMarks.loaded)", polling=10)
    page.get_by_role("heading", name="Assinatura", exact=True).wait_for(state="visible")  # the plan, not an error
    page.wait_for_load_state("networkidle")  # a late call is counted too
    marks = page.evaluate("() => window.__benchMarks")
    page.close()
    return {"first_render_ms": round(float(marks["firstRender"]), 1), "loaded_ms": round(float(marks["loaded"]), 1),
            "wall_first_render_ms": round(wall_first_render * 1000, 1), "api_calls": calls, "errors": errors}


def _median(loads: list[dict], key: str) -> float:
    return round(float(statistics.median(load[key] for load in loads)), 1)


def _kb(size: int) -> float:
    return round(size / 1024, 1)


def _print_table(result: dict, sizes: dict, first_visit: set[str], loads: list[dict]) -> None:
    print(f"\nportal JavaScript, gzip -9 (budgets: first visit {result['js_budget_kb']} KB, "
          f"on demand {result['console_js_budget_kb']} KB)")
    width = max(len(name) for name in sizes) + 2
    print(f"  {'file':<{width}} {'part':<11} {'KB':>8} {'gzip KB':>8}")
    for name, (raw, gzipped) in sorted(sizes.items(), key=lambda item: -item[1][1]):
        part = "first visit" if name in first_visit else "on demand"
        print(f"  {name:<{width}} {part:<11} {_kb(raw):>8} {_kb(gzipped):>8}")
    for part, initial, gzipped in (("first visit", True, result["js_gzip_kb"]),
                                   ("on demand", False, result["console_js_gzip_kb"])):
        raw = sum(r for name, (r, _) in sizes.items() if (name in first_visit) == initial)
        print(f"  {'total':<{width}} {part:<11} {_kb(raw):>8} {gzipped:>8}")
    if loads:
        print(f"\nMeu Plano in Chromium against the local stack (API calls budget {result['api_calls_budget']}; "
              "ms since the navigation started)")
        print(f"  {'load':<8} {'first render':>12} {'loaded':>8} {'API calls':>9}")
        for number, load in enumerate(loads):
            name = "cold" if number == 0 else f"warm {number}"
            print(f"  {name:<8} {load['first_render_ms']:>12.1f} {load['loaded_ms']:>8.1f} {len(load['api_calls']):>9}")
        print(f"  {'median':<8} {result['first_render_ms']:>12.1f} {result['loaded_ms']:>8.1f}   (of the warm loads)")
        print("  calls: " + "; ".join(loads[0]["api_calls"]))
    for failure in result["failures"]:
        print(f"  FAILED: {failure}")
    print()


if __name__ == "__main__":
    sys.exit(backend.run_alone(measure, __doc__))
