# The web chat: the rasa-webchat widget on a page of its own (web/), talking to Rasa's socket.io
# channel. See docs/web.md.
#   make web          start the action server, the Rasa server and the page; prints the address
#   make web-tests    the browser tests (tests/web: headless chromium, axe-core, and `make chat` in a
#                     pseudo-terminal); part of `make test`
WEB_HOST ?= 127.0.0.1
WEB_PORT ?= 8080
WEB_RASA_PORT ?= 5005
WEB_ORIGIN ?= http://$(WEB_HOST):$(WEB_PORT)
# Origins the Rasa server accepts (rasa run --cors, and the socket.io origin check); "*" for any.
WEB_CORS ?= $(WEB_ORIGIN)
CHROMIUM ?= /usr/bin/chromium
WEB_NODE_STAMP := web/node_modules/.installed
WEB_TEST_STAMP := $(VENV)/.web-tests-installed

.PHONY: web web-setup web-test-setup web-tests

web: $(MODEL) web-setup  ## the web chat: action server, Rasa server (socket.io + REST), the page
	@mkdir -p var logs
	$(PY) scripts/web_stack.py --host $(WEB_HOST) --web-port $(WEB_PORT) --rasa-port $(WEB_RASA_PORT) \
	  --action-port $(ACTION_PORT) --model $(MODEL) --cors $(WEB_CORS)

web-setup: $(WEB_NODE_STAMP)  ## npm ci in web/ (rasa-webchat, React and, for the tests, axe-core, from web/package-lock.json)
$(WEB_NODE_STAMP): web/package.json web/package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing: install Node.js and npm (Debian: apt-get install -y nodejs npm)" >&2; exit 1; }
	cd web && npm ci --no-audit --no-fund
	@touch $@

web-test-setup: web-setup $(WEB_TEST_STAMP) $(CHROMIUM)  ## the browser tests' set-up: chromium, Playwright
$(WEB_TEST_STAMP): requirements-web.txt $(STAMP)
	$(PY) -m pip install --quiet -r requirements-web.txt -c constraints.txt
	$(PY) -m pip check
	@touch $@

# Debian's chromium (Playwright's own browser downloads are not used).
$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ]; then \
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	elif command -v sudo >/dev/null; then \
	  sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	else echo "$(CHROMIUM) is missing: install Debian's chromium package (apt-get install -y chromium)" >&2; exit 1; fi
	@test -x $(CHROMIUM) || { echo "$(CHROMIUM) is still missing after installing chromium: set CHROMIUM=/path/to/chromium" >&2; exit 1; }

web-tests: web-test-setup $(MODEL)  ## browser tests of the web chat -> results/accessibility.json, results/screenshots/
	RUN_WEB_TESTS=1 CHROMIUM=$(CHROMIUM) $(PY) -m pytest -q tests/web

# `make test` runs the browser tests too (after the rest: its own prerequisites come first).
test: web-tests
