# Tools the boleto and Pix tests use to check our output independently:
# - zbarimg (Debian zbar-tools) reads the barcode and the QR code back from the rendered PDF;
# - pdftoppm (Debian poppler-utils) renders the PDF page to an image;
# - @brazilian-utils/brazilian-utils (npm) validates linhas digitáveis (isValidBoleto);
# - pix-utils (npm) parses the Pix BR Codes we build.
# npm packages go to a project-local, git-ignored prefix; the tests look for them there.
# Idempotent: installs only what is missing (apt-get update only then), never prompts.

BOLETO_NODE_PREFIX := .local/node
BOLETO_APT_PACKAGES := zbar-tools poppler-utils
BOLETO_NPM_PACKAGES := @brazilian-utils/brazilian-utils@2.4.0 pix-utils@2.8.2
BOLETO_SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps-boleto
deps-boleto:
	@missing=""; \
	for pkg in $(BOLETO_APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$pkg 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$pkg"; \
	done; \
	command -v node >/dev/null 2>&1 || missing="$$missing nodejs"; \
	command -v npm >/dev/null 2>&1 || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
	  echo "deps-boleto: installing$$missing"; \
	  $(BOLETO_SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(BOLETO_SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@for spec in $(BOLETO_NPM_PACKAGES); do \
	  name=$${spec%@*}; version=$${spec##*@}; \
	  manifest="$(BOLETO_NODE_PREFIX)/node_modules/$$name/package.json"; \
	  installed=$$(node -p "require('./$$manifest').version" 2>/dev/null || true); \
	  if [ "$$installed" != "$$version" ]; then \
	    echo "deps-boleto: npm install $$spec"; \
	    mkdir -p $(BOLETO_NODE_PREFIX) && \
	    npm install --prefix $(BOLETO_NODE_PREFIX) --no-audit --no-fund --loglevel=error $$spec || exit 1; \
	  fi; \
	done

TEST_DEPS += deps-boleto
