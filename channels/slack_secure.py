"""Rasa 3.6's Slack connector, with the three things it lacks for this bot.

What Rasa's `SlackInput` already does, and this class keeps (checked against
rasa/core/channels/slack.py of 3.6.21):
- it refuses to start without `slack_signing_secret`, and every request to the webhook must carry a
  valid `X-Slack-Signature` over `X-Slack-Request-Timestamp` and the body, with a timestamp no
  more than 5 minutes away (unsigned, wrongly signed or stale requests are refused);
- it sends buttons as a Block Kit `actions` block (button value = the payload, e.g. "/affirm")
  and reads the value back from the interactive payload of a click.

What this class changes:
- Retries: Rasa ignores a retry only when its reason is `http_timeout`; a retry for any other
  reason (`http_error`, `connection_failed`, ...) was handled again and answered twice. Here every
  delivery is handled once: an event is remembered by its `event_id` (a click by its
  `trigger_id`), a repeated one is acknowledged with `X-Slack-No-Retry: 1` and not processed, and a
  retry that names no id is never processed. A retry of an event this server never received (the
  first delivery was lost) is handled, once.
- The URL-verification challenge is answered as `{"challenge": "..."}`, the form Slack documents
  (Rasa answers a bare JSON string); it is answered only to a signed request.
- The assessment payload `{"assessment": {...}}` is posted as a Block Kit card
  (channels/render.py) instead of its plain text; Rasa would pass it to chat.postMessage as
  unknown arguments.
- Messages are posted without `as_user`: Rasa passes `as_user=True` on every chat.postMessage, an
  argument Slack keeps for classic apps only; the apps that can be created today post as their
  bot user anyway, and Slack may refuse the argument (`invalid_arguments`, `deprecated_argument:
  as_user`).
- `slack_api_url` (optional) points the Web API client elsewhere than https://slack.com/api/
  (tests use a fake on loopback).

credentials (written by scripts/channel_credentials.py from the environment):
  channels.slack_secure.SecureSlackInput:
    slack_token: ${SLACK_BOT_TOKEN}
    slack_signing_secret: ${SLACK_SIGNING_SECRET}
"""
from __future__ import annotations

import asyncio
import json
import logging
from http import HTTPStatus
from typing import Any, Awaitable, Callable, Coroutine, Dict, List, Optional, Text, cast

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.slack import SlackBot, SlackInput
from rasa.shared.exceptions import InvalidConfigException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from slack_sdk.web.async_client import AsyncWebClient

from channels.recent import RecentIds
from channels.render import SendsAssessmentCards, assessment_of, slack_message

logger = logging.getLogger(__name__)

JSON, FORM = "application/json", "application/x-www-form-urlencoded"
NO_RETRY = {"X-Slack-No-Retry": "1"}


def button_block(buttons: List[Dict[Text, Any]]) -> Dict[Text, Any]:
    """Rasa's Block Kit buttons: the title shown, the payload sent back on a click."""
    return {
        "type": "actions",
        "elements": [
            {"type": "button", "text": {"type": "plain_text", "text": b["title"]}, "value": b["payload"]}
            for b in buttons
        ],
    }


class RenderingSlackBot(SendsAssessmentCards, SlackBot):
    """Rasa's SlackBot; a message that carries an assessment is posted as a Block Kit card."""

    def __init__(self, token: Text, slack_channel: Optional[Text] = None, thread_id: Optional[Text] = None,
                 proxy: Optional[Text] = None, api_url: Optional[Text] = None) -> None:
        super().__init__(token, slack_channel, thread_id, proxy)
        if api_url:
            self.client = AsyncWebClient(token, proxy=proxy, base_url=api_url.rstrip("/") + "/")

    async def _post_message(self, channel: Text, **kwargs: Any) -> None:
        kwargs.pop("as_user", None)  # see the module doc
        await super()._post_message(channel=channel, **kwargs)

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        assessment = assessment_of(message.get("custom"))
        if assessment is None:
            await super().send_response(recipient_id, message)
            return
        rest = {k: v for k, v in message.items() if k not in ("custom", "text", "buttons")}
        await self.send_assessment(recipient_id, assessment, fallback=message.get("text"),
                                   buttons=message.get("buttons"))
        await super().send_response(recipient_id, rest)  # an image or attachment beside it, if any

    async def send_assessment(self, recipient_id: Text, assessment: Dict[Text, Any],
                              fallback: Optional[Text] = None,
                              buttons: Optional[List[Dict[Text, Any]]] = None) -> None:
        card = slack_message({"assessment": assessment}, fallback=fallback)
        if buttons and len(buttons) <= 5:
            card["blocks"].append(button_block(buttons))
        await self._post_message(channel=self.slack_channel or recipient_id, **card)


class SecureSlackInput(SlackInput):
    """Rasa's SlackInput (same name "slack", same URL /webhooks/slack/webhook); see the module."""

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "SecureSlackInput":
        if not credentials:
            cls.raise_missing_credentials_exception()
        credentials = cast(Dict[Text, Any], credentials)  # the line above raised when there were none
        return cls(
            slack_token=cast(Text, credentials.get("slack_token")),
            slack_channel=credentials.get("slack_channel"),
            proxy=credentials.get("proxy"),
            slack_retry_reason_header=credentials.get("slack_retry_reason_header", "x-slack-retry-reason"),
            slack_retry_number_header=credentials.get("slack_retry_number_header", "x-slack-retry-num"),
            errors_ignore_retry=credentials.get("errors_ignore_retry"),
            use_threads=credentials.get("use_threads", False),
            slack_signing_secret=credentials.get("slack_signing_secret") or "",
            conversation_granularity=credentials.get("conversation_granularity", "sender"),
            slack_api_url=credentials.get("slack_api_url"),
        )

    def __init__(self, slack_token: Text, slack_channel: Optional[Text] = None, proxy: Optional[Text] = None,
                 slack_retry_reason_header: Optional[Text] = "x-slack-retry-reason",
                 slack_retry_number_header: Optional[Text] = "x-slack-retry-num",
                 errors_ignore_retry: Optional[List[Text]] = None, use_threads: Optional[bool] = False,
                 slack_signing_secret: Text = "", conversation_granularity: Optional[Text] = "sender",
                 slack_api_url: Optional[Text] = None) -> None:
        if not slack_token:
            raise InvalidConfigException("The Slack channel needs `slack_token`, the bot token (xoxb-...): "
                                         "set SLACK_BOT_TOKEN (see docs/channels.md).")
        super().__init__(slack_token, slack_channel, proxy, slack_retry_reason_header,
                         slack_retry_number_header or "x-slack-retry-num", errors_ignore_retry, use_threads,
                         slack_signing_secret, conversation_granularity)
        self.slack_api_url = slack_api_url or None
        self.deliveries = RecentIds()

    # ----------------------------------------------------------------- output
    def get_output_channel(self, channel: Optional[Text] = None, thread_id: Optional[Text] = None) -> OutputChannel:
        return RenderingSlackBot(self.slack_token, channel or self.slack_channel, thread_id, self.proxy,
                                 self.slack_api_url)

    # ----------------------------------------------------------------- input
    @staticmethod
    def _content_type(request: Request) -> Text:
        return (request.headers.get("content-type") or "").split(";")[0].strip().lower()

    @staticmethod
    def _form_payload(request: Request) -> Dict[Text, Any]:
        return json.loads(request.form.get("payload") or "{}")

    def get_metadata(self, request: Request) -> Dict[Text, Any]:
        """Rasa's metadata (output channel, thread, the bot's users), for either body type."""
        content_type = self._content_type(request)
        if content_type == JSON:
            slack_event = request.json or {}
            event = slack_event.get("event", {})
            users = list(slack_event.get("authed_users") or [])
            if not users and slack_event.get("authorizations"):
                users.append(slack_event["authorizations"][0].get("user_id"))
            return {"out_channel": event.get("channel"), "thread_id": event.get("thread_ts", event.get("ts")),
                    "users": users}
        if content_type == FORM:
            payload = self._form_payload(request)
            message = payload.get("message", {})
            user = payload.get("user", {}).get("id")
            return {"out_channel": payload.get("channel", {}).get("id"),
                    "thread_id": message.get("thread_ts", message.get("ts")), "users": [user] if user else []}
        return {}

    def first_delivery(self, request: Request, delivery_id: Optional[Text]) -> bool:
        """False for a delivery already handled, and for a retry that cannot be matched to one."""
        if not delivery_id:
            return request.headers.get(self.retry_num_header) is None
        return self.deliveries.first_time(delivery_id)

    @staticmethod
    def already_handled() -> HTTPResponse:
        return response.text("", status=HTTPStatus.OK, headers=NO_RETRY)

    async def process_message(self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]],
                              text: Text, sender_id: Optional[Text], metadata: Optional[Dict]) -> Any:
        """Acknowledge at once (Slack waits 3 seconds) and handle the message in the background.
        Duplicates were filtered before: there is no retry check here."""
        metadata = metadata or {}
        thread_id = metadata.get("thread_id") if self.use_threads else None
        user_message = UserMessage(text, self.get_output_channel(metadata.get("out_channel"), thread_id),
                                   sender_id, input_channel=self.name(), metadata=metadata)
        task = asyncio.create_task(cast(Coroutine[Any, Any, Any], on_new_message(user_message)))
        self._background_tasks.add(task)
        task.add_done_callback(self._background_tasks.discard)
        return response.text("")

    async def _on_event(self, request: Request, output: Dict[Text, Any],
                        on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> HTTPResponse:
        if not self._is_user_message(output):
            return response.text("Bot message delivered.")
        metadata = self.get_metadata(request)
        if not self._is_supported_channel(output, metadata):
            logger.warning("Slack message on a channel this bot does not serve: %s", metadata.get("out_channel"))
            return response.text("channel not supported.")
        if not self.first_delivery(request, output.get("event_id")):
            logger.info("Slack delivery %s (retry %s) was already handled: not answered again",
                        output.get("event_id"), request.headers.get(self.retry_num_header))
            return self.already_handled()
        event = output["event"]
        conversation_id = self._get_conversation_id(event.get("user", ""), metadata.get("out_channel"),
                                                    metadata.get("thread_id"))
        text = self._sanitize_user_message(event.get("text", ""), metadata["users"])
        return await self.process_message(request, on_new_message, text, conversation_id, metadata)

    async def _on_interaction(self, request: Request,
                              on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> HTTPResponse:
        payload = self._form_payload(request)
        if self._is_interactive_message(payload):
            action = payload["actions"][0]
            text = self._get_interactive_response(action)
            if text is not None:
                delivery = payload.get("trigger_id") or None
                if delivery is None and action.get("action_ts"):
                    delivery = f"{payload.get('user', {}).get('id')}:{action.get('action_ts')}"
                if not self.first_delivery(request, delivery):
                    return self.already_handled()
                metadata = self.get_metadata(request)
                conversation_id = self._get_conversation_id(payload["user"]["id"], metadata.get("out_channel"),
                                                            metadata.get("thread_id"))
                return await self.process_message(request, on_new_message, text, conversation_id, metadata)
            if action.get("type") == "button":  # a link button has no value: nothing to tell the bot
                return response.text("User clicked link button")
        return response.text("The input message could not be processed.", status=HTTPStatus.INTERNAL_SERVER_ERROR)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        slack_webhook = Blueprint("slack_webhook", __name__)

        @slack_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @slack_webhook.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if not self.is_request_from_slack_authentic(request):
                logger.warning("Refused a Slack request without a valid, recent signature")
                return response.text("Message is not properly signed with a valid X-Slack-Signature header",
                                     status=HTTPStatus.UNAUTHORIZED)
            content_type = self._content_type(request)
            try:
                if content_type == JSON:
                    output = request.json
                    if not isinstance(output, dict):
                        return response.text("Expected a JSON object.", status=HTTPStatus.BAD_REQUEST)
                    if output.get("type") == "url_verification" or "challenge" in output:
                        return response.json({"challenge": output.get("challenge")})
                    return await self._on_event(request, output, on_new_message)
                if content_type == FORM:
                    return await self._on_interaction(request, on_new_message)
            except (ValueError, KeyError, TypeError, AttributeError, IndexError) as error:
                logger.warning("Refused a malformed Slack request: %r", error)
                return response.text("Malformed request.", status=HTTPStatus.BAD_REQUEST)
            return response.text("Bot message delivered.")

        return slack_webhook
