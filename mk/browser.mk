# The browser test (tests/browser/): real Chromium calling the API from a page on another origin, so
# CORS is checked by a browser, not by our own reading of the headers.
# - chromium (Debian package): Playwright for Python (pinned in requirements-dev.txt) drives it through
#   `executable_path`; Playwright's own browser downloads are never used (`playwright install` is not
#   reachable from here).
# Idempotent: installs only when missing (apt-get update only then), never prompts.

BROWSER_APT_PACKAGES := chromium
BROWSER_SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps-browser
deps-browser:
	@missing=""; \
	for pkg in $(BROWSER_APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$pkg 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$pkg"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "deps-browser: installing$$missing"; \
	  $(BROWSER_SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(BROWSER_SUDO) apt-get install -y -qq --no-install-recommends $$missing || exit 1; \
	fi

TEST_DEPS += deps-browser
