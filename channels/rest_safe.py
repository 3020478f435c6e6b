"""Rasa 3.6's REST channel, answering a bad request clearly and a failure without silence or leak.

Same name ("rest"), same URLs (GET /webhooks/rest/ -> {"status": "ok"}, POST
/webhooks/rest/webhook), same request ({"sender": "...", "message": "...", optional "metadata"
and "input_channel"; `?stream=true`) and same reply (a JSON list of the bot's messages, or with
stream=true one JSON message a line) as `rasa.core.channels.rest.RestInput` of 3.6.21, which this
class subclasses. What it changes:

1. A request that is not a message is refused with a JSON error saying what is wrong and what a
   valid request looks like, instead of Rasa's 500 (a JSON array, `null` or an empty body: Rasa
   calls `.get` on it) or 200 with an empty list and nothing stored (`"message"` missing, null, a
   number, a list, an object) or a conversation shared by every such client (`"sender"` missing:
   Rasa files it under "default"):
     415  Content-Type is not application/json (also a missing one: a web page on another
          origin can post text/plain or a typeless body without asking CORS first);
     400  the body is empty, not JSON, not UTF-8, or not a JSON object; `sender` missing, not a
          string, blank or longer than 255 characters (the SQL tracker store's column); `message`
          missing or not a string; `metadata` not an object; `input_channel` not a string; a
          string with an unpaired UTF-16 surrogate (it cannot be stored as UTF-8).
   An empty or whitespace-only `message` is a message (the bot answers it).
   The error never repeats what was sent; it is logged at INFO with the reason only.
2. When handling a message fails (an exception, or the handler cancelled by Rasa's timeout),
   Rasa logs the message text at ERROR (`rest.message.received.failure` / `.timeout`, the text
   once more in the traceback's local variables) and answers 200 with whatever the bot had said
   so far, often `[]`. Here the person gets what the bot had said so far followed by
   FAILURE_TEXT ("... If this is urgent, call 911."), and the log has, at ERROR, the sender's
   hash, the text's length, the exception's type and where it was raised (file:line, no
   message, no variables). The exception's message, which may quote the text, goes to DEBUG.
3. With `?stream=true` Rasa waits forever when handling fails (its queue never gets "DONE"):
   here the stream ends with FAILURE_TEXT as its last line, as above.
4. The server issues the conversation ids (channels/conversation_ids.py): a client gets one with
   `POST /webhooks/rest/conversations` (201 {"sender": "c1-..."}) and sends it as `sender` with
   every message of that conversation. A `sender` this server (or one sharing its secret) did not
   issue is refused with 403 and a JSON error: an id a client makes up ("alice", a Telegram chat
   id, someone else's guess) could be another person's conversation, and `/request_summary` would
   hand that person's health data to whoever guessed it. The trust model: docs/reliability.md.

credentials.yml:
  channels.rest_safe.SafeRestInput:
"""
from __future__ import annotations

import asyncio
import json
import logging
import re
import traceback
from asyncio import CancelledError, Queue
from http import HTTPStatus
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, Optional, Text, Union, cast

import rasa.utils.endpoints
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import QueueOutputChannel, RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse, ResponseStream

from channels.conversation_ids import ConversationIds
from cluster.records import conversation_hash  # the tracker store's logs name conversations the same way

logger = logging.getLogger(__name__)

FAILURE_TEXT = "Sorry, something went wrong on my side. If this is urgent, call 911."
MAX_SENDER_LENGTH = 255  # rasa.core.tracker_store.SQLTrackerStore: sender_id String(255)
JSON_TYPES = ("application/json",)
VALID_REQUEST = {"sender": "...", "message": "..."}
ISSUE_PATH = "/conversations"  # under /webhooks/rest
VALID_REQUEST_HELP = ('POST /webhooks/rest/conversations for a conversation id ({"sender": "c1-..."}), then POST '
                      'each message as a JSON object with Content-Type: application/json: {"sender": "<that id>", '
                      '"message": "<what the person wrote, a string>"}; optional: "metadata" (an object), '
                      '"input_channel" (a string); ?stream=true for one JSON message a line.')


class BadRequest(Exception):
    """What is wrong with a request, in words safe to send back and to log (no content)."""

    def __init__(self, reason: Text, status: int = HTTPStatus.BAD_REQUEST):
        super().__init__(reason)
        self.reason, self.status = reason, int(status)


def kind(value: Any) -> Text:
    """The JSON type of `value`, for an error message ("a number", "null", ...)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def where_raised(error: BaseException) -> Text:
    """file:line (function) of the frames of `error`'s traceback, innermost last; no message,
    no variables, no source text."""
    frames = traceback.extract_tb(error.__traceback__)[-4:]
    return " <- ".join(f"{'/'.join(Path(f.filename).parts[-2:])}:{f.lineno} ({f.name})"
                       for f in reversed(frames)) or "-"


def failure_message(sender_id: Text) -> Dict[Text, Any]:
    return {"recipient_id": sender_id, "text": FAILURE_TEXT}


def _check_text(name: Text, value: Text) -> None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise BadRequest(f'"{name}" contains an unpaired UTF-16 surrogate (\\ud800-\\udfff alone): it is not '
                         f"valid Unicode text.") from None


def read_body(request: Request) -> Dict[Text, Any]:
    """The request's JSON object, checked; raises BadRequest. Sets `request.parsed_json`, so
    Rasa's `get_metadata` and the other extractors read the same object."""
    content_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if content_type not in JSON_TYPES:
        if not content_type:
            shown = "no Content-Type"
        elif re.fullmatch(r"[\w.+-]{1,40}/[\w.+-]{1,60}", content_type):  # echoed and logged: a media type only
            shown = f"Content-Type {content_type}"
        else:
            shown = "an unrecognised Content-Type"
        raise BadRequest(f"the request has {shown}: send the body as JSON with Content-Type: application/json.",
                         HTTPStatus.UNSUPPORTED_MEDIA_TYPE)
    if not request.body or not request.body.strip():
        raise BadRequest("the body is empty.")
    try:
        body = json.loads(request.body)
    except UnicodeDecodeError:
        raise BadRequest("the body is not valid UTF-8 text.") from None
    except json.JSONDecodeError as error:  # its message names a position, never the content
        raise BadRequest(f"the body is not valid JSON ({error.msg}; line {error.lineno}, column "
                         f"{error.colno}).") from None
    except (ValueError, RecursionError):
        raise BadRequest("the body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise BadRequest(f"the body is {kind(body)}, not a JSON object.")
    sender = body.get("sender")
    if "sender" not in body or sender is None:
        raise BadRequest('"sender" is missing: every message needs the id of its conversation '
                         '(POST /webhooks/rest/conversations for a new one).')
    if not isinstance(sender, str):
        raise BadRequest(f'"sender" must be a string, got {kind(sender)}.')
    if not sender.strip():
        raise BadRequest('"sender" is blank.')
    if len(sender) > MAX_SENDER_LENGTH:
        raise BadRequest(f'"sender" is {len(sender)} characters long; at most {MAX_SENDER_LENGTH}.')
    _check_text("sender", sender)
    if "message" not in body:
        raise BadRequest('"message" is missing.')
    message = body["message"]
    if not isinstance(message, str):
        raise BadRequest(f'"message" must be a string, got {kind(message)}.')
    _check_text("message", message)
    metadata = body.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise BadRequest(f'"metadata" must be an object, got {kind(metadata)}.')
    input_channel = body.get("input_channel")
    if input_channel is not None and not isinstance(input_channel, str):
        raise BadRequest(f'"input_channel" must be a string, got {kind(input_channel)}.')
    cast(Any, request).parsed_json = body
    return body


def refusal(error: BadRequest) -> HTTPResponse:
    return response.json({"error": error.reason, "expected": VALID_REQUEST, "help": VALID_REQUEST_HELP},
                         status=error.status)


def check_issued(ids: ConversationIds, sender: Text) -> None:
    if not ids.is_issued(sender):
        raise BadRequest('"sender" is not a conversation id this server issued: POST /webhooks/rest/conversations '
                         "for a new conversation and send the id it returns with each message (ids cannot be "
                         "chosen by the client: docs/reliability.md).", HTTPStatus.FORBIDDEN)


class SafeRestInput(RestInput):
    """Rasa's RestInput (name "rest", URL /webhooks/rest/webhook); see the module."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    @property
    def conversation_ids(self) -> ConversationIds:
        if getattr(self, "_conversation_ids", None) is None:
            self._conversation_ids = ConversationIds.from_environment()
        return self._conversation_ids

    @staticmethod
    def log_failure(error: BaseException, sender_id: Text, text: Text, streamed: bool = False) -> None:
        what = "timed out (cancelled)" if isinstance(error, CancelledError) else "failed"
        logger.error("REST message %s: sender %s, %d characters%s, %s at %s; the person got the failure reply",
                     what, conversation_hash(sender_id), len(text), ", streamed" if streamed else "",
                     type(error).__name__, where_raised(error))
        logger.debug("REST message failure detail", exc_info=error)

    async def handle(self, on_new_message: Callable[[UserMessage], Awaitable[Any]],
                     message: UserMessage) -> Optional[BaseException]:
        """Runs `on_new_message`; returns the exception it raised (None when it went well)."""
        try:
            await on_new_message(message)
        except (Exception, CancelledError) as error:  # noqa: B902 - Rasa's own handler catches both
            self.log_failure(error, message.sender_id, message.text or "",
                             streamed=isinstance(message.output_channel, QueueOutputChannel))
            return error
        return None

    def stream_response(self, on_new_message: Callable[[UserMessage], Awaitable[None]], text: Text,
                        sender_id: Text, input_channel: Text,
                        metadata: Optional[Dict[Text, Any]]) -> Callable[[Any], Awaitable[None]]:
        """Rasa's stream (one JSON message a line), ended with the failure reply when handling fails."""

        async def stream(resp: Any) -> None:
            queue: Queue = Queue()

            async def produce() -> None:
                message = UserMessage(text, QueueOutputChannel(queue), sender_id, input_channel=input_channel,
                                      metadata=metadata)
                try:
                    if await self.handle(on_new_message, message) is not None:
                        await queue.put(failure_message(sender_id))
                finally:
                    queue.put_nowait("DONE")

            task = asyncio.ensure_future(produce())
            while True:
                result = await queue.get()
                if result == "DONE":
                    break
                await resp.write(json.dumps(result) + "\n")
            await task

        return stream

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route(ISSUE_PATH, methods=["POST"])
        async def new_conversation(_: Request) -> HTTPResponse:
            return response.json({"sender": self.conversation_ids.issue()}, status=HTTPStatus.CREATED)

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> Union[ResponseStream, HTTPResponse]:
            try:
                check_issued(self.conversation_ids, read_body(request)["sender"])
            except BadRequest as error:
                logger.info("REST request refused (%d): %s", error.status, error.reason)
                return refusal(error)
            sender_id = await self._extract_sender(request)
            text = self._extract_message(request)
            input_channel = self._extract_input_channel(request)
            metadata = self.get_metadata(request)
            if rasa.utils.endpoints.bool_arg(request, "stream", default=False):
                streaming = self.stream_response(on_new_message, text, sender_id, input_channel, metadata)
                return response.stream(cast(Any, streaming), content_type="text/event-stream")
            collector = CollectingOutputChannel()
            message = UserMessage(text, collector, sender_id, input_channel=input_channel, metadata=metadata)
            if await self.handle(on_new_message, message) is not None:
                return response.json(collector.messages + [failure_message(sender_id)])
            return response.json(collector.messages)

        return webhook

