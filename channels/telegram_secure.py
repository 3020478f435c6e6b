"""Rasa 3.6's Telegram connector with an authenticated webhook.

Rasa's `TelegramInput` (rasa/core/channels/telegram.py, aiogram 2.15) accepts any POST to
/webhooks/telegram/webhook: its only check is that `getMe` (called on every update) returns the
configured bot name, which says nothing about who sent the request. Anyone who knows the URL can
talk to the bot as any chat id. Telegram's answer is the webhook's `secret_token`: given to
`setWebhook`, it comes back in the header `X-Telegram-Bot-Api-Secret-Token` of every update.
aiogram 2.15 predates it, so `setWebhook` is called here with the raw Bot API method.

This class (same name "telegram", same URLs):
- refuses (403) every request to /webhook and /set_webhook without the secret header, or with a
  wrong one (constant-time comparison);
- registers the webhook with the secret when the server starts (in the server's own event loop;
  Rasa calls `asyncio.run(set_webhook(...))` while building the app), after checking once with
  `getMe` that the token belongs to the configured bot name, and fails the start if either fails;
- answers each Telegram update once (Telegram re-sends an update it got no 2xx for), ignores
  update types without a message (Rasa answered them with a 500, so Telegram kept re-sending),
  answers button clicks (`answerCallbackQuery`, so the button stops spinning), and reads
  Telegram's "/start" as a greeting (Rasa's NLU reads "/start" as `start_over`, which skips the
  welcome and its disclaimer);
- sends buttons as an inline keyboard (one row when they are few and short, else one per row),
  leaving out a button whose payload is longer than Telegram's 64-byte callback data (Telegram
  would refuse the whole message);
- sends the assessment payload as a card in Telegram's HTML (channels/render.py) instead of its
  plain text; Rasa drops it.
- drops (200, a WARNING naming what was wrong, nothing of its content) an update with the right
  secret that it cannot read: fields of the wrong type, a message without a chat, a text or button
  data that is not a string (Rasa answered those with a 500, and Telegram re-sends an update it got
  a 5xx for); a body that is not a JSON object gets 400;
- `api_url` (optional) points the bot at another Bot API server than https://api.telegram.org
  (a local Bot API server, or the fake on loopback the tests use).

credentials (written by scripts/channel_credentials.py from the environment):
  channels.telegram_secure.SecureTelegramInput:
    access_token: ${TELEGRAM_BOT_TOKEN}
    verify: ${TELEGRAM_BOT_NAME}
    webhook_url: ${TELEGRAM_WEBHOOK_URL}
    secret_token: ${TELEGRAM_SECRET_TOKEN}
"""
from __future__ import annotations

import hmac
import json
import logging
import re
from http import HTTPStatus
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text, cast

from aiogram.bot.api import TelegramAPIServer, check_token
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Update
from aiogram.utils.exceptions import TelegramAPIError, ValidationError
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.telegram import TelegramInput, TelegramOutput
from rasa.shared.constants import INTENT_MESSAGE_PREFIX
from rasa.shared.core.constants import USER_INTENT_RESTART
from rasa.shared.exceptions import InvalidConfigException, RasaException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.recent import RecentIds
from channels.render import SendsAssessmentCards, assessment_of, telegram_html
from numbness_triage.replies import CHANNEL_GREETING as GREET

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # what setWebhook accepts
CALLBACK_DATA_MAX_BYTES = 64
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
START_COMMAND = re.compile(r"^/start(@\w+)?(\s.*)?$", re.DOTALL)
ONE_ROW_MAX_BUTTONS, ONE_ROW_MAX_TITLE = 3, 12


def fits_callback_data(payload: Text) -> bool:
    return 0 < len(payload.encode("utf-8")) <= CALLBACK_DATA_MAX_BYTES


class RenderingTelegramOutput(SendsAssessmentCards, TelegramOutput):
    """Rasa's TelegramOutput (an aiogram Bot) with the keyboard and the card of the module doc."""

    def __init__(self, access_token: Optional[Text], api_url: Optional[Text] = None) -> None:
        super().__init__(access_token)
        if api_url:
            self.server = TelegramAPIServer.from_base(api_url)

    @staticmethod
    def keyboard(buttons: List[Dict[Text, Any]], button_type: Optional[Text] = None) -> Optional[InlineKeyboardMarkup]:
        usable = []
        for button in buttons:
            if fits_callback_data(str(button.get("payload", ""))):
                usable.append(button)
            else:
                logger.error("Telegram button %r left out: its payload is over %d bytes",
                             button.get("title"), CALLBACK_DATA_MAX_BYTES)
        if not usable:
            return None
        if button_type is None:
            few_and_short = len(usable) <= ONE_ROW_MAX_BUTTONS and all(
                len(b["title"]) <= ONE_ROW_MAX_TITLE for b in usable)
            button_type = "inline" if few_and_short else "vertical"
        markup = InlineKeyboardMarkup()
        keys = [InlineKeyboardButton(b["title"], callback_data=b["payload"]) for b in usable]
        if button_type == "inline":
            markup.row(*keys)
        else:
            for key in keys:
                markup.row(key)
        return markup

    async def send_text_with_buttons(self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]],
                                     button_type: Optional[Text] = None, **kwargs: Any) -> None:
        if button_type == "reply":
            await super().send_text_with_buttons(recipient_id, text, buttons, button_type=button_type, **kwargs)
            return
        await self.send_message(recipient_id, text, reply_markup=self.keyboard(buttons, button_type))

    async def send_assessment(self, recipient_id: Text, assessment: Dict[Text, Any],
                              buttons: Optional[List[Dict[Text, Any]]] = None) -> None:
        await self.send_message(recipient_id, telegram_html({"assessment": assessment}), parse_mode="HTML",
                                disable_web_page_preview=True,
                                reply_markup=self.keyboard(buttons) if buttons else None)

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        assessment = assessment_of(message.get("custom"))
        if assessment is None:
            await super().send_response(recipient_id, message)
            return
        await self.send_assessment(recipient_id, assessment, buttons=message.get("buttons"))
        rest = {k: v for k, v in message.items() if k not in ("custom", "text", "buttons")}
        await super().send_response(recipient_id, rest)  # an image beside it, if any


def _has_chat(message: Any) -> bool:
    chat = getattr(message, "chat", None)
    return chat is not None and isinstance(chat.id, int) and not isinstance(chat.id, bool)


def _json_object(request: Request) -> Optional[Dict[Text, Any]]:
    """The update as a JSON object (also when sent as a JSON string of one), or None."""
    try:
        data = request.json
        if isinstance(data, str):
            data = json.loads(data)
    except Exception:  # Sanic's InvalidUsage for a body that is not JSON; ValueError for the string
        return None
    return data if isinstance(data, dict) else None


def _dropped(reason: Text) -> HTTPResponse:
    """200, so that Telegram does not re-send it for a day; what was wrong, never the content."""
    logger.warning("Dropped a Telegram update with the right secret: %s", reason)
    return response.text("success")


class SecureTelegramInput(TelegramInput):
    """Rasa's TelegramInput with the secret token; see the module."""

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "SecureTelegramInput":
        if not credentials:
            cls.raise_missing_credentials_exception()
        credentials = cast(Dict[Text, Any], credentials)  # the line above raised when there were none
        return cls(credentials.get("access_token"), credentials.get("verify"), credentials.get("webhook_url"),
                   secret_token=credentials.get("secret_token"), api_url=credentials.get("api_url"))

    def __init__(self, access_token: Optional[Text], verify: Optional[Text], webhook_url: Optional[Text],
                 secret_token: Optional[Text] = None, api_url: Optional[Text] = None,
                 debug_mode: bool = False) -> None:
        super().__init__(access_token, verify, webhook_url, debug_mode)
        self.secret_token = secret_token or ""
        self.api_url = api_url or None
        self.updates = RecentIds(ttl=24 * 3600)
        self._output: Optional[RenderingTelegramOutput] = None
        self._validate()

    def _validate(self) -> None:
        problems = []
        try:
            check_token(self.access_token or "")
        except ValidationError:
            problems.append("`access_token` (TELEGRAM_BOT_TOKEN) is not a bot token from BotFather")
        if not self.verify:
            problems.append("`verify` (TELEGRAM_BOT_NAME) is empty: give the bot's username")
        if not (self.webhook_url or "").startswith("https://") and not (
                self.api_url and (self.webhook_url or "").startswith("http://")):
            problems.append("`webhook_url` (TELEGRAM_WEBHOOK_URL) must be the public https:// URL of "
                            "/webhooks/telegram/webhook")
        if not SECRET_TOKEN.match(self.secret_token):
            problems.append("`secret_token` (TELEGRAM_SECRET_TOKEN) must be 1-256 characters of A-Z, a-z, "
                            "0-9, _ and -")
        if problems:
            raise InvalidConfigException("Telegram channel: " + "; ".join(problems) + " (see docs/channels.md).")

    def get_output_channel(self) -> RenderingTelegramOutput:
        """One bot (one HTTP session) per channel; nothing is sent to Telegram here."""
        if self._output is None:
            self._output = RenderingTelegramOutput(self.access_token, self.api_url)
        return self._output

    def is_authentic(self, request: Request) -> bool:
        given = request.headers.get(SECRET_HEADER)
        return given is not None and hmac.compare_digest(given.encode("utf-8"), self.secret_token.encode("utf-8"))

    async def register_webhook(self) -> None:
        """Check the token's bot name, then set the webhook with the secret token."""
        bot = self.get_output_channel()
        try:
            me = await bot.get_me()
            expected = self.verify.lstrip("@").lower()
            if (me.username or "").lower() != expected:
                raise InvalidConfigException(f"The Telegram token belongs to @{me.username}, not to "
                                             f"@{expected} (TELEGRAM_BOT_NAME).")
            done = await bot.request("setWebhook", {"url": self.webhook_url, "secret_token": self.secret_token,
                                                    "allowed_updates": json.dumps(ALLOWED_UPDATES)})
        except TelegramAPIError as error:
            raise RasaException(f"Failed to set the Telegram webhook: {error}") from error
        if not done:
            raise RasaException("Telegram did not accept the webhook.")
        logger.info("Telegram webhook set to %s, with a secret token", self.webhook_url)

    @staticmethod
    def _incoming(update: Update) -> Optional[tuple]:
        """(message, text) of an update, or None for an update this bot does not answer."""
        if update.callback_query is not None:
            message, data = update.callback_query.message, update.callback_query.data
            if not _has_chat(message) or not isinstance(data, str):
                return None
            return message, data
        message = update.edited_message or update.message
        if not _has_chat(message):
            return None
        if isinstance(message.text, str):
            text = message.text.replace("/bot", "")
            return message, GREET if START_COMMAND.match(text.strip()) else text
        if message.location is not None:
            return message, '{{"lng":{0}, "lat":{1}}}'.format(message.location.longitude, message.location.latitude)
        return None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        telegram_webhook = Blueprint("telegram_webhook", __name__)
        out_channel = self.get_output_channel()

        @telegram_webhook.listener("before_server_start")
        async def set_webhook_on_start(*_: Any) -> None:
            await self.register_webhook()

        @telegram_webhook.listener("after_server_stop")
        async def close_session(*_: Any) -> None:
            session = getattr(out_channel, "_session", None)  # aiogram's Bot.close() is deprecated
            if session is not None and not session.closed:
                await session.close()

        @telegram_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @telegram_webhook.route("/set_webhook", methods=["POST"])
        async def set_webhook(request: Request) -> HTTPResponse:
            if not self.is_authentic(request):
                return response.text("Forbidden", status=HTTPStatus.FORBIDDEN)
            try:
                await self.register_webhook()
            except (RasaException, InvalidConfigException) as error:
                logger.warning("Webhook Setup Failed: %s", error)
                return response.text("Invalid webhook")
            return response.text("Webhook setup successful")

        @telegram_webhook.route("/webhook", methods=["POST"])
        async def message(request: Request) -> HTTPResponse:
            if not self.is_authentic(request):
                logger.warning("Refused a Telegram update without the right %s header", SECRET_HEADER)
                return response.text("Forbidden", status=HTTPStatus.FORBIDDEN)
            data = _json_object(request)
            if data is None:
                return response.text("Expected a JSON object.", status=HTTPStatus.BAD_REQUEST)
            update_id = data.get("update_id")
            if update_id is not None and (not isinstance(update_id, int) or isinstance(update_id, bool)):
                return _dropped("its update_id is not a number")
            if update_id is not None and not self.updates.first_time(update_id):
                logger.info("Telegram update %s was already handled: not answered again", update_id)
                return response.text("success")
            try:
                update = Update(**data)
                incoming = self._incoming(update)
            except Exception as error:  # aiogram reads fields lazily: any type may be wrong
                return _dropped(f"it could not be read ({type(error).__name__})")
            if incoming is None:
                return response.text("success")
            msg, text = incoming
            if update.callback_query is not None:
                try:
                    await out_channel.answer_callback_query(update.callback_query.id)
                except TelegramAPIError as error:
                    logger.warning("answerCallbackQuery failed: %s", error)
            sender_id = str(msg.chat.id)
            metadata = self.get_metadata(request)
            texts = [text, GREET] if text == INTENT_MESSAGE_PREFIX + USER_INTENT_RESTART else [text]
            try:
                for each in texts:
                    await on_new_message(UserMessage(each, out_channel, sender_id, input_channel=self.name(),
                                                     metadata=metadata))
            except Exception as error:  # Telegram would re-send the update on a 5xx
                logger.error("Exception when trying to handle a Telegram message: %s", error, exc_info=True)
                if self.debug_mode:
                    raise
            return response.text("success")

        return telegram_webhook
