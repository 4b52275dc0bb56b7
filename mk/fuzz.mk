# API fuzzing (docs/reliability.md "Fuzzing"): schemathesis against GET /v1/openapi.json of
# the running local stack (moto server + chalice local on free 127.0.0.1 ports, started and stopped
# by the test itself). About two minutes on two cores; tune with RENOVA_FUZZ_EXAMPLES (per operation,
# default 20) and replay a run with RENOVA_FUZZ_SEED=<the seed the run prints>.
#
# deps-fuzz installs the pinned schemathesis when the virtualenv lacks it (a no-op once the pin is in
# requirements-dev.txt); it is a TEST_DEPS prerequisite because the fast pass also tests the harness.

FUZZ_SCHEMATHESIS_VERSION := 4.32.5

.PHONY: fuzz deps-fuzz
deps-fuzz: venv
	@$(PY) -c "import importlib.metadata as m, sys; sys.exit(m.version('schemathesis') != '$(FUZZ_SCHEMATHESIS_VERSION)')" 2>/dev/null || \
	  { echo "deps-fuzz: pip install schemathesis==$(FUZZ_SCHEMATHESIS_VERSION)"; \
	    $(PY) -m pip install --quiet --disable-pip-version-check 'schemathesis==$(FUZZ_SCHEMATHESIS_VERSION)'; }

fuzz: venv deps-fuzz
	$(PY) -m pytest -q -p no:randomly tests/fuzz/fuzz_openapi.py

TEST_DEPS += deps-fuzz
