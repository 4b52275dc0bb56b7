# The NFS-e tests check our XML signatures with an implementation that is not ours:
# - xmlsec1 (Debian xmlsec1, with the system's libxml2 and OpenSSL) verifies the signed DPS and
#   events against the tests' throwaway CA (tests/unit/service_invoices/independent.py).
# The DANFSe tests use pdftoppm/pdftotext and zbarimg, which mk/boleto.mk installs.
# Idempotent: installs only when missing (apt-get update only then), never prompts.

NFSE_APT_PACKAGES := xmlsec1
NFSE_SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps-nfse
deps-nfse:
	@missing=""; \
	for pkg in $(NFSE_APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$pkg 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$pkg"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "deps-nfse: installing$$missing"; \
	  $(NFSE_SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(NFSE_SUDO) apt-get install -y -qq --no-install-recommends $$missing || exit 1; \
	fi

TEST_DEPS += deps-nfse
