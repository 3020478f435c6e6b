# Fault, bad-input and privacy tooling (docs/reliability.md).
#
#   make reliability          the fault and bad-input suites and the probes of issue 16 against a bot of
#                             their own (free ports on 127.0.0.1, a throw-away tracker store, a fake
#                             Telegram Bot API) -> results/reliability.json
#   make reliability-smoke    the reduced set, part of `make test` (about 3 minutes): exit 1 on a 5xx,
#                             silence, a lost message, a missed red flag, an injected slot change or a
#                             gated probe's problem (probes pending other branches' work are reported only)
#   make retention DAYS=30    delete the conversations whose latest event is older than DAYS days
#   make delete-conversation SENDER=<id>   delete one conversation ("delete my conversation")
#
# The privacy tests (no secrets in tracked files, no message text in the logs, retention) are in
# tests/privacy and run with the other tests (`make unit`).

DAYS ?= 30
SENDER ?=

.PHONY: reliability reliability-smoke retention delete-conversation

reliability: $(MODEL)  ## fault and bad-input suites -> results/reliability.json (logs/reliability-*.log)
	$(PY) scripts/reliability.py

reliability-smoke: $(MODEL)  ## the reduced fault and bad-input set of make test
	$(PY) scripts/reliability.py --smoke --check

retention: $(STAMP)  ## delete conversations older than DAYS days (default 30) from the tracker store
	$(PY) scripts/retention.py --days $(DAYS)

delete-conversation: $(STAMP)  ## delete the conversation of SENDER from the tracker store
	@test -n "$(SENDER)" || { echo "usage: make delete-conversation SENDER=<sender id>" >&2; exit 2; }
	$(PY) scripts/retention.py --sender "$(SENDER)"

test: reliability-smoke
