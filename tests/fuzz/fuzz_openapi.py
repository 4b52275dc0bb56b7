"""Fuzzing: schemathesis against `GET /v1/openapi.json` of the RUNNING local stack.

Run by `make fuzz` (mk/fuzz.mk), a step of `make test`. The file name does not match `test_*.py`, so
the fast pytest pass does not collect it; `make fuzz` names it explicitly.

Every operation of the document is fuzzed — a route added later is fuzzed without touching this
file — webhook bodies signed with the local secrets (tests/fuzz/signing.py), the rest with a token of the demo account's owner who is also in the finance group, and real ids
harvested from seed requests (tests/fuzz/seeds.py). Bounded: RENOVA_FUZZ_EXAMPLES examples per
operation in the fuzzing phase (default 20) plus schemathesis' coverage phase (boundary values,
missing and wrong-typed fields, unexpected methods); the whole run takes about two minutes on two
cores with the 55 operations of today when the machine is otherwise idle.

Order matters and is fixed (pytest runs this file top to bottom, `-p no:randomly`):
1. every operation except `PUT /v1/_dev/clock`;
2. every available job at a few clock dates, on the data the fuzzing left behind;
3. `PUT /v1/_dev/clock` itself, last, because each accepted value moves the clock every rule uses;
4. the access log of `chalice local`: not one 5xx served during the whole run, whoever sent it.
"""
from datetime import datetime, timedelta, timezone

import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig

from tests.fuzz import seeds, settings, signing
from tests.fuzz.stack import LocalStack
from tests.support import make_token

CLOCK_PUT = "PUT /v1/_dev/clock"
JOB_ROUTE = "/v1/_dev/jobs/{job}"


@pytest.fixture(scope="session")
def stack():
    with LocalStack() as running:
        yield running


@pytest.fixture(scope="session")
def token():
    user_id, email = seeds.DEMO_OWNER
    return make_token(user_id, email, groups=["finance"], expires_in=3600)


@pytest.fixture(scope="session")
def document(stack):
    answer = stack.call("GET", "/v1/openapi.json")
    assert answer.status == 200
    return answer.json


@pytest.fixture(scope="session")
def harvest(stack, token, document):
    return seeds.seed(stack, token, document)


@pytest.fixture(scope="session")
def api_schema(request, stack, token, document, harvest):
    names = {name for path in document["paths"] for name in seeds.path_params(path)}
    run_seed = settings.seed()
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(f"fuzzing seed {run_seed} (replay: RENOVA_FUZZ_SEED={run_seed} make fuzz), "
                            f"{settings.max_examples()} examples per operation")
    per_path = {path: harvest.ids_for(path) for path in document["paths"]}
    config = SchemathesisConfig.from_dict(settings.build_config(harvest.values, names, token, run_seed, per_path))
    return schemathesis.openapi.from_url(stack.url + "/v1/openapi.json", config=config)


schema = schemathesis.pytest.from_fixture("api_schema")


@schemathesis.hook
def before_call(context, case, kwargs):
    signing.sign_webhook(case, kwargs)  # webhook bodies get past verification to the event models


@pytest.fixture(autouse=True)
def _schemathesis_node_id(request):
    # schemathesis 4.32.5's lazy-schema wrapper reads `node._nodeid`, which pytest 9.2 no longer
    # has (it keeps `_id`); the wrapper only uses it to relabel the item for its report.
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


def test_the_seeds_gave_every_path_parameter_real_ids(document, harvest):
    """A new `{thing_id}` nobody can list or create would be fuzzed with random ids only (all 404)."""
    assert seeds.missing_path_values(document, harvest) == [], (
        "add a seed request for it in tests/fuzz/seeds.py (SEED_REQUESTS), or a list route that shows it")


@schema.exclude(name=CLOCK_PUT).parametrize()
def test_every_operation_answers_as_documented(case):
    case.call_and_validate()


def test_every_job_runs_at_several_dates_on_the_fuzzed_data(api_schema, harvest):
    jobs = harvest.values.get("job", [])
    assert jobs, "the job registry lists no job"
    clock = api_schema["/v1/_dev/clock"]["PUT"]
    run = api_schema[JOB_ROUTE]["POST"]
    today = datetime.now(timezone(timedelta(hours=-3))).replace(hour=9, minute=0, second=0, microsecond=0)
    # Each job catches up day by day since its checkpoint, so the cost follows the days covered
    # (a one-year jump means 365 days x 8 shards of Queries in one request: over 30 s through the
    # moto server); five weeks cover a renewal, a due date and the backup window.
    for days in (0, 8, 35):
        when = (today + timedelta(days=days)).isoformat()
        clock.Case(body={"now": when}, media_type="application/json").call_and_validate()
        for job in jobs:
            response = run.Case(path_parameters={"job": job}).call_and_validate()
            assert response.status_code == 200, (job, when, response.text)


@schema.include(name=CLOCK_PUT).parametrize()
def test_the_dev_clock_last(case):
    case.call_and_validate()


def test_the_stack_served_no_5xx_during_the_whole_run(stack):
    served = stack.access_log()
    assert len(served) > 100, "the access log does not show the fuzzing requests"
    assert stack.server_errors() == []
    unhandled = [record for record in stack.app_log() if record.get("message") == "unhandled error"]
    assert unhandled == []
