# Slack and Telegram (docs/channels.md). Their settings come from environment variables, through a
# credentials file of their own written by scripts/channel_credentials.py (var/credentials-*.yml,
# which refers to the variables and holds no secret): credentials.yml, and so `make chat`,
# `make run` and the REST / socket.io channels, need none of these variables.
#
#   make slack       Slack only       (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET)
#   make telegram    Telegram only    (TELEGRAM_BOT_TOKEN, TELEGRAM_BOT_NAME, TELEGRAM_WEBHOOK_URL,
#                                      TELEGRAM_SECRET_TOKEN)
#   make channels    both
#   make channel-tests   the channel tests, offline, against fake Slack / Telegram APIs on loopback

CHANNEL_PORT ?= 5005

.PHONY: slack telegram channels channel-tests

slack: CHANNEL_NAMES := slack
telegram: CHANNEL_NAMES := telegram
channels: CHANNEL_NAMES := slack telegram

slack telegram channels: $(MODEL) $(ENDPOINTS)  ## the Rasa server with the Slack and/or Telegram channel, and its action server
	@mkdir -p var logs
	$(PY) scripts/channel_credentials.py $(CHANNEL_NAMES) --out var/credentials-$@.yml
	@$(RASA) run actions --port $(ACTION_PORT) > logs/actions.log 2>&1 & echo $$! > var/actions.pid; \
	trap 'kill $$(cat var/actions.pid) 2>/dev/null' EXIT; \
	scripts/wait_for_port.sh $(ACTION_PORT) 60 && \
	$(RASA) run --model $(MODEL) --endpoints $(ENDPOINTS) --credentials var/credentials-$@.yml --port $(CHANNEL_PORT)

channel-tests: $(MODEL)  ## Slack and Telegram end to end against fakes on 127.0.0.1 (tests/channels/)
	RUN_CHANNEL_SERVER_TESTS=1 RASA_TELEMETRY_ENABLED=false CHANNEL_TEST_MODEL=$(MODEL) \
	  $(PY) -m pytest -q tests/channels

test: channel-tests
