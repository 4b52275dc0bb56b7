"""The portal's JavaScript stays within its budgets: 150 KB gzip for what a customer's first visit
loads (the entry index.html names and the chunks it imports statically), and 150 KB gzip of its own
for the chunks loaded on demand: the finance console and its chart library, which never reach a
customer's screens."""
import gzip

from bench.bench_portal import CONSOLE_JS_BUDGET_BYTES, JS_BUDGET_BYTES, initial_scripts

# A class name every recharts chart carries: its presence tells where the chart library landed.
CHART_LIBRARY_MARK = b"recharts-wrapper"


def test_the_customer_first_visit_and_the_console_fit_their_gzip_budgets(portal_dist):
    scripts = {path.name: path.read_bytes() for path in sorted((portal_dist / "assets").glob("*.js"))}
    assert scripts, "portal/dist/assets has no JavaScript"
    first_visit = initial_scripts(portal_dist)
    on_demand = set(scripts) - first_visit
    assert first_visit and on_demand, (first_visit, on_demand)
    sizes = {name: len(gzip.compress(data, compresslevel=9)) for name, data in scripts.items()}
    assert sum(sizes[name] for name in first_visit) <= JS_BUDGET_BYTES, sizes
    assert sum(sizes[name] for name in on_demand) <= CONSOLE_JS_BUDGET_BYTES, sizes


def test_the_chart_library_lives_only_in_the_console_chunk(portal_dist):
    scripts = {path.name: path.read_bytes() for path in (portal_dist / "assets").glob("*.js")}
    first_visit = initial_scripts(portal_dist)
    assert not [name for name in first_visit if CHART_LIBRARY_MARK in scripts[name]], first_visit
    assert [name for name in set(scripts) - first_visit if CHART_LIBRARY_MARK in scripts[name]]
