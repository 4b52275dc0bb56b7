# The customer portal (portal/): a static SPA built with Vite, served by `make run` at
# http://127.0.0.1:3000 (scripts/local_stack.py) and tested in Chromium (tests/portal/).
# - Node.js >= 20.19 and npm: Debian's nodejs/npm packages when missing (apt-get update only when the
#   install fails on stale or missing package lists).
# - deps-portal: `npm ci` from the committed portal/package-lock.json (exact versions), redone only
#   when the lock or package.json changes; never prompts.
# - portal: the production build (type check, then vite build) into portal/dist.
# - portal-api: regenerates portal/src/api/schema.d.ts from the app's OpenAPI document (written
#   offline by portal/tools/write_openapi.py); tests/portal/test_api_types.py fails when it drifts.

PORTAL_DIR := portal
PORTAL_STAMP := $(PORTAL_DIR)/node_modules/.package-lock.json
PORTAL_SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps-portal portal portal-api deploy-portal

deps-portal: $(PORTAL_STAMP)

$(PORTAL_STAMP): $(PORTAL_DIR)/package.json $(PORTAL_DIR)/package-lock.json
	@missing=""; \
	command -v node >/dev/null 2>&1 || missing="$$missing nodejs"; \
	command -v npm >/dev/null 2>&1 || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
	  echo "deps-portal: installing$$missing"; \
	  install="$(PORTAL_SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends$$missing"; \
	  $$install || { $(PORTAL_SUDO) apt-get update -qq && $$install; } || exit 1; \
	fi; \
	node -e 'const [a,b]=process.versions.node.split(".").map(Number); if (a<20||(a===20&&b<19)) { console.error("deps-portal: Node.js >= 20.19 is needed (found "+process.versions.node+")"); process.exit(1); }'
	cd $(PORTAL_DIR) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

portal: deps-portal
	cd $(PORTAL_DIR) && npm run --silent build

portal-api: venv deps-portal
	cd $(PORTAL_DIR) && PYTHON=$(CURDIR)/$(PY) npm run --silent gen:api

# deploy-portal: the build uploaded to the stack's portal bucket, config.json written from the stack's
# outputs (API URL, Cognito), CloudFront invalidated: scripts/deploy_portal.py, docs/portal.md.
# `make deploy-portal STACK=renova-prod [BRAND=marca.json] [DEPLOY_ARGS="--api-url https://..."]`
STACK ?= renova-prod
deploy-portal: portal venv
	$(PY) -m scripts.deploy_portal --stack $(STACK) $(if $(BRAND),--brand $(BRAND)) $(DEPLOY_ARGS)

# `make run` serves the portal: its dependencies first (the build itself happens in local_stack.py,
# only when portal/dist is missing or older than its sources).
run: deps-portal

# The tests build the portal once, before any test starts a stack: stacks started by parallel test
# workers then never build it at the same time (build_portal only builds when portal/dist is stale).
.PHONY: portal-fresh
portal-fresh: deps-portal venv
	@$(PY) -c "import sys; from scripts.local_stack import build_portal; sys.exit(build_portal())"

TEST_DEPS += portal-fresh
