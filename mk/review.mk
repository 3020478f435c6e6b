# The review page for the clinicians who run the bot (review/, docs/review.md): what the bot did,
# read from the tracker store of endpoints.yml (never written), the reviewers' marks in a table of
# its own (var/review.db), behind a login.
#
#   make review                      start it on http://$(REVIEW_HOST):$(REVIEW_PORT)/ (a first run with no
#                                    account asks for one, or creates `reviewer` with its password in
#                                    var/review-initial-password when there is no terminal)
#   make review-cluster              the same on the PostgreSQL of a running `make cluster`
#   make review-account NAME=alice   add a reviewer (asks for the password) or change its password
#   make review-tests                its tests against a bot run of their own (SQLite); part of `make test`
#   make review-postgres-tests       the same on PostgreSQL (Debian's package); part of `make cluster-smoke`
REVIEW_HOST ?= 127.0.0.1
REVIEW_PORT ?= 8090
REVIEW_ENDPOINTS ?= endpoints.yml
NAME ?=
CHROMIUM ?= /usr/bin/chromium

.PHONY: review review-cluster review-account review-tests review-postgres-tests

review: $(STAMP)  ## the review page on its own port (REVIEW_PORT, default 8090), reading REVIEW_ENDPOINTS' tracker store
	@mkdir -p var
	$(PY) -m review --host $(REVIEW_HOST) --port $(REVIEW_PORT) --endpoints $(REVIEW_ENDPOINTS)

review-cluster: $(STAMP)  ## the review page on the PostgreSQL tracker store of a running `make cluster`
	@mkdir -p var
	$(PY) -m review --host $(REVIEW_HOST) --port $(REVIEW_PORT) --cluster

review-account: $(STAMP)  ## add or change a reviewer account: make review-account NAME=<name>
	@test -n "$(NAME)" || { echo "usage: make review-account NAME=<name>" >&2; exit 2; }
	$(PY) -m review.accounts add "$(NAME)"

review-tests: $(MODEL) $(VENV)/.web-tests-installed $(CHROMIUM)  ## the review page against real conversations (SQLite), in chromium -> results/screenshots/review-*.png
	RUN_REVIEW_TESTS=1 CHROMIUM=$(CHROMIUM) RASA_TELEMETRY_ENABLED=false $(PY) -m pytest -q -p no:cacheprovider tests/review

review-postgres-tests: $(MODEL) cluster-install  ## the review page on a PostgreSQL tracker store (a private PostgreSQL on a free port)
	RUN_CLUSTER_TESTS=1 RASA_TELEMETRY_ENABLED=false $(PY) -m pytest -q -p no:cacheprovider tests/review/test_postgres.py

test: review-tests
cluster-smoke: review-postgres-tests
