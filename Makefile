# Renova — the two commands: `make run` (local stack) and `make test` (every test and check).
# Both create the virtualenv and install the pinned dependencies when needed.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
BUILD := build

# Fragments add their own system dependencies to TEST_DEPS (see mk/).
TEST_DEPS :=
include $(wildcard mk/*.mk)

.PHONY: run test venv unit fast template bench bench-ddblocal clean

venv: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check 'pip>=24,<26.3'
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $(STAMP)

run: venv
	$(PY) -m scripts.local_stack

# The architecture contracts (.importlinter); the unit and use-case tiers with the domain coverage
# gate (the domain's rules are covered by their own tests, and coverage tracing stays off the slower
# tiers); every other test; the store/service tests again on AWS DynamoDB Local (tests marked
# `ddblocal`, see docs/reliability.md); schemathesis against the running local stack; and the
# deployable template checked by cfn-lint. Property tests run their full example counts
# (tests/examples.py). The first two tiers run on every core (pytest-xdist; a test file stays on one
# worker, so module fixtures such as a running stack start once); the DynamoDB Local pass shares one
# server and stays in one process.
WORKERS ?= auto
test: export HYPOTHESIS_PROFILE = full
test: venv $(TEST_DEPS)
	$(VENV)/bin/lint-imports --no-logo --no-cache
	$(PY) -m pytest -q -p no:randomly -n $(WORKERS) tests/unit tests/usecases \
		--cov=chalicelib.domain --cov-report=term-missing:skip-covered --cov-fail-under=95
	$(PY) -m pytest -q -p no:randomly -n $(WORKERS) --dist loadfile --ignore=tests/unit --ignore=tests/usecases tests
	RENOVA_TEST_BACKEND=ddblocal $(PY) -m pytest -q -p no:randomly -m ddblocal tests
	$(MAKE) --no-print-directory fuzz
	$(MAKE) --no-print-directory template

unit: venv
	$(PY) -m pytest -q tests/unit

# The unit and use-case tiers (services on in-memory fakes, tests/fakes): seconds, no AWS.
fast: venv
	$(PY) -m pytest -q -p no:randomly tests/unit tests/usecases

# `chalice package` with our tables, bucket, queue, bus and gateway responses merged in, then cfn-lint.
template: venv
	@rm -rf $(BUILD)/package && mkdir -p $(BUILD)
	$(PY) -m infra.build_resources > $(BUILD)/resources.json
	cd $(CURDIR) && AWS_DEFAULT_REGION=sa-east-1 $(VENV)/bin/chalice package --stage prod \
		--merge-template $(BUILD)/resources.json $(BUILD)/package
	$(VENV)/bin/cfn-lint $(BUILD)/package/sam.json
	@echo "template: $(BUILD)/package/sam.json passes cfn-lint"

# Every benchmark in one table, written to bench/results/latest.md (docs/performance.md says how to
# read it); `make bench ARGS=--quick` for a smoke run. The jobs benchmark runs on DynamoDB Local,
# hence deps-ddblocal; the portal benchmark needs the built portal and Chromium.
bench: venv deps-ddblocal portal-fresh deps-browser
	$(PY) -m bench $(ARGS)

# The same with DynamoDB on AWS's DynamoDB Local instead of moto.
bench-ddblocal: venv deps-ddblocal portal-fresh deps-browser
	$(PY) -m bench --ddb-local $(ARGS)

clean:
	rm -rf $(BUILD) .pytest_cache .coverage
