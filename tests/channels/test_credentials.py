"""The channels' credentials: from the environment, in a file of their own, checked at start."""
from pathlib import Path

import pytest
import rasa.core.run
from rasa.shared.exceptions import InvalidConfigException

from channels.slack_secure import RenderingSlackBot, SecureSlackInput
from channels.telegram_secure import RenderingTelegramOutput, SecureTelegramInput
from scripts.channel_credentials import CHANNELS, MissingVariables, credentials_text, main
from tests.channels.harness import SLACK_SECRET, SLACK_TOKEN, TELEGRAM_BOT_NAME, TELEGRAM_SECRET, TELEGRAM_TOKEN

ROOT = Path(__file__).resolve().parents[2]
ENVIRONMENT = {
    "SLACK_BOT_TOKEN": SLACK_TOKEN, "SLACK_SIGNING_SECRET": SLACK_SECRET,
    "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN, "TELEGRAM_BOT_NAME": TELEGRAM_BOT_NAME,
    "TELEGRAM_WEBHOOK_URL": "https://bot.example.org/webhooks/telegram/webhook",
    "TELEGRAM_SECRET_TOKEN": TELEGRAM_SECRET,
}
ALL_VARIABLES = {var for c in CHANNELS.values() for var in [*c.required.values(), *c.optional.values()]}


@pytest.fixture
def environment(monkeypatch):
    for var in ALL_VARIABLES:
        monkeypatch.delenv(var, raising=False)

    def set_(**values):
        for key, value in values.items():
            monkeypatch.setenv(key, value)

    return set_


def test_missing_variables_are_named_and_nothing_is_written(environment, tmp_path, capsys):
    environment(SLACK_BOT_TOKEN=SLACK_TOKEN)
    with pytest.raises(MissingVariables) as error:
        credentials_text(["slack"])
    assert error.value.missing == ["SLACK_SIGNING_SECRET"]
    out = tmp_path / "credentials.yml"
    assert main(["slack", "telegram", "--out", str(out)]) == 2
    assert not out.exists()
    assert "SLACK_SIGNING_SECRET, TELEGRAM_BOT_TOKEN" in capsys.readouterr().err


def test_the_file_refers_to_the_environment_and_holds_no_secret(environment, tmp_path):
    environment(**ENVIRONMENT)
    out = tmp_path / "credentials.yml"
    assert main(["slack", "telegram", "--out", str(out)]) == 0
    text = out.read_text()
    for secret in (SLACK_TOKEN, SLACK_SECRET, TELEGRAM_TOKEN, TELEGRAM_SECRET):
        assert secret not in text
    assert "slack_signing_secret: ${SLACK_SIGNING_SECRET}" in text
    assert "secret_token: ${TELEGRAM_SECRET_TOKEN}" in text
    assert "api_url" not in text and "slack_channel" not in text  # optional, unset


def test_rasa_builds_the_secure_channels_from_it(environment, tmp_path):
    environment(**ENVIRONMENT, SLACK_API_URL="http://127.0.0.1:9/api/", TELEGRAM_API_URL="http://127.0.0.1:9")
    out = tmp_path / "credentials.yml"
    out.write_text(credentials_text(["slack", "telegram"]))
    slack, telegram = rasa.core.run.create_http_input_channels(None, str(out))
    assert isinstance(slack, SecureSlackInput) and slack.name() == "slack" and slack.url_prefix() == "slack"
    assert slack.slack_token == SLACK_TOKEN and slack.slack_signing_secret == SLACK_SECRET
    assert isinstance(telegram, SecureTelegramInput) and telegram.name() == "telegram"
    assert telegram.secret_token == TELEGRAM_SECRET and telegram.verify == TELEGRAM_BOT_NAME
    bot = slack.get_output_channel("D1")
    assert isinstance(bot, RenderingSlackBot) and bot.client.base_url == "http://127.0.0.1:9/api/"
    out_channel = telegram.get_output_channel()
    assert isinstance(out_channel, RenderingTelegramOutput)
    assert out_channel.server.api_url("T", "getMe") == "http://127.0.0.1:9/botT/getMe"
    assert telegram.get_output_channel() is out_channel  # one bot, one HTTP session


def test_one_channel_alone_needs_only_its_own_variables(environment, tmp_path):
    environment(TELEGRAM_BOT_TOKEN=TELEGRAM_TOKEN, TELEGRAM_BOT_NAME=TELEGRAM_BOT_NAME,
                TELEGRAM_WEBHOOK_URL="https://bot.example.org/webhooks/telegram/webhook",
                TELEGRAM_SECRET_TOKEN=TELEGRAM_SECRET)
    out = tmp_path / "credentials.yml"
    assert main(["telegram", "--out", str(out)]) == 0
    [channel] = rasa.core.run.create_http_input_channels(None, str(out))
    assert isinstance(channel, SecureTelegramInput)


def test_rasa_shell_and_rest_credentials_need_no_channel_variable(environment):
    channels = rasa.core.run.create_http_input_channels(None, str(ROOT / "credentials.yml"))
    assert {c.name() for c in channels}.isdisjoint({"slack", "telegram"})
    shipped = (ROOT / "credentials.yml").read_text()
    assert "SLACK" not in shipped and "TELEGRAM" not in shipped


def test_slack_refuses_to_start_without_its_secret_or_token():
    with pytest.raises(InvalidConfigException, match="signing secret"):
        SecureSlackInput.from_credentials({"slack_token": SLACK_TOKEN, "slack_signing_secret": ""})
    with pytest.raises(InvalidConfigException, match="SLACK_BOT_TOKEN"):
        SecureSlackInput.from_credentials({"slack_token": "", "slack_signing_secret": SLACK_SECRET})


GOOD_TELEGRAM = {"access_token": TELEGRAM_TOKEN, "verify": TELEGRAM_BOT_NAME,
                 "webhook_url": "https://bot.example.org/webhooks/telegram/webhook", "secret_token": TELEGRAM_SECRET}


@pytest.mark.parametrize("change, complaint", [
    ({"secret_token": None}, "TELEGRAM_SECRET_TOKEN"),
    ({"secret_token": "has spaces and !"}, "TELEGRAM_SECRET_TOKEN"),
    ({"secret_token": "x" * 257}, "TELEGRAM_SECRET_TOKEN"),
    ({"access_token": "not-a-token"}, "TELEGRAM_BOT_TOKEN"),
    ({"verify": ""}, "TELEGRAM_BOT_NAME"),
    ({"webhook_url": "http://bot.example.org/webhooks/telegram/webhook"}, "TELEGRAM_WEBHOOK_URL"),
])
def test_telegram_refuses_to_start_with_a_missing_or_bad_setting(change, complaint):
    with pytest.raises(InvalidConfigException, match=complaint):
        SecureTelegramInput.from_credentials({**GOOD_TELEGRAM, **change})


def test_building_the_telegram_channel_sends_nothing(no_internet):
    before = list(no_internet.attempts)
    channel = SecureTelegramInput.from_credentials(GOOD_TELEGRAM)
    channel.blueprint(lambda message: None)  # Rasa's would call setWebhook on api.telegram.org here
    assert no_internet.attempts == before
    assert channel.get_output_channel()._session is None  # no HTTP session opened
