# The independent license file verifier (tests/licensing_node/): Node.js with `jose` from the npm
# registry, pinned by its package-lock.json, so a file Renova signs is checked by code that is not ours.
# - node (>= 20) must be on the machine; `npm ci` installs exactly the locked version, only when
#   node_modules is missing or older than the lock file. Never prompts.

LICENSING_NODE_DIR := tests/licensing_node

.PHONY: deps-licensing
deps-licensing: $(LICENSING_NODE_DIR)/node_modules/.package-lock.json

$(LICENSING_NODE_DIR)/node_modules/.package-lock.json: $(LICENSING_NODE_DIR)/package-lock.json $(LICENSING_NODE_DIR)/package.json
	@command -v node >/dev/null || { echo "deps-licensing: node (>= 20) is needed for the license verifier test"; exit 1; }
	cd $(LICENSING_NODE_DIR) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

TEST_DEPS += deps-licensing
