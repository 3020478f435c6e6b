"""Rasa's socket.io channel for the web page: the assessment as one card, conversation ids the
server issues, malformed input answered, an origin check. docs/web.md has the trust model.

1. The assessment once, as the card. The interview sends an assessment (and an escalation) as one
   message with a text and the custom JSON `{"assessment": {...}}` (README). Other channels show
   the text (the shell) or draw the card instead of it (Slack, Telegram: channels/render.py); here
   the text is dropped and the card's words (`render.web_card`: the level and its advice, each
   cause's plain description, which instruction to follow...) go beside the unchanged payload as
   `card`, for web/app.js. (Rasa 3.6's own `send_custom_json` passes the payload to
   `AsyncServer.emit` as keyword arguments and raises TypeError on it; a payload of the documented
   `{"data": ...}` form keeps Rasa's behaviour.)
2. Conversation ids are the server's. Rasa's channel lets a client name any session id in
   `session_request`, then joins it to that conversation's room (it receives the replies live)
   and takes each message's `session_id` as its sender (it can write into any conversation). Here
   the server issues ids, `<conversation>.<signature>` (HMAC-SHA256 with a server secret), and
   binds each socket to the conversation of the id it was confirmed: an id the server did not
   issue starts a new conversation, and a message always goes to its socket's own conversation.
   The tracker stores `<conversation>` only, so an id seen in the tracker store, a log or an
   operator's tool opens nothing. The browser keeps the whole id (sessionStorage), so a reload
   resumes the conversation.
3. Malformed input is answered or dropped, never an unhandled error: a message whose text is not a
   string gets "please type your message", data that is not an object is answered the same way,
   metadata that is not a JSON object is ignored.
4. Rasa creates its socket.io server with CORS handling off, and `rasa run --cors` (Sanic-CORS)
   does not cover WebSocket connections, which browsers make from any page. When the
   environment variable SOCKETIO_ALLOWED_ORIGINS is set (space-separated origins, `make web`
   sets it to the page's), a connection whose browser sent another Origin is refused. Clients
   that send no Origin (scripts, the tests' socket.io client) are let in.

The secret comes from SOCKETIO_SESSION_SECRET, or else from the file SOCKETIO_SESSION_SECRET_FILE
(default var/socketio-session.key, created on first use): servers that share conversations must
share it. Everything else (the event names, the path, JWT) is Rasa's own.
credentials.yml:  channels.webchat_socketio.WebchatSocketIOInput: {same keys as socketio}
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import re
import secrets
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint

from channels.render import assessment_of, web_card

logger = logging.getLogger(__name__)

# The keyword arguments AsyncServer.emit takes besides the event name.
EMIT_ARGUMENTS = {"data", "to", "room", "skip_sid", "namespace", "callback", "ignore_queue"}
ALLOWED_ORIGINS_VARIABLE = "SOCKETIO_ALLOWED_ORIGINS"
SECRET_VARIABLE = "SOCKETIO_SESSION_SECRET"
SECRET_FILE_VARIABLE = "SOCKETIO_SESSION_SECRET_FILE"
DEFAULT_SECRET_FILE = "var/socketio-session.key"
NOT_TEXT = "Sorry, I couldn't read that message. Please type what you want to tell me as text."


def allowed_origins() -> Optional[List[str]]:
    """The origins from SOCKETIO_ALLOWED_ORIGINS; None (no check) when unset, empty or `*`."""
    origins = [o.rstrip("/") for o in os.environ.get(ALLOWED_ORIGINS_VARIABLE, "").split() if o]
    return None if not origins or "*" in origins else origins


class SessionIds:
    """Issues conversation ids `<conversation>.<signature>` and checks them."""

    _FORM = re.compile(r"^([0-9a-f]{32})\.([0-9a-f]{64})$")

    def __init__(self, secret: bytes):
        self._secret = secret

    def issue(self) -> str:
        conversation = secrets.token_hex(16)
        return f"{conversation}.{self._signature(conversation)}"

    def conversation_of(self, session_id: Any) -> Optional[str]:
        """The conversation (the tracker's sender id) of an id this server issued, else None."""
        match = self._FORM.match(session_id) if isinstance(session_id, str) else None
        if match and hmac.compare_digest(match.group(2), self._signature(match.group(1))):
            return match.group(1)
        return None

    def _signature(self, conversation: str) -> str:
        return hmac.new(self._secret, conversation.encode(), hashlib.sha256).hexdigest()


def session_secret() -> bytes:
    """SOCKETIO_SESSION_SECRET, or the key file (created with a random key, readable by its owner
    only); a key of this process alone, with a warning, when the file cannot be written."""
    if os.environ.get(SECRET_VARIABLE):
        return os.environ[SECRET_VARIABLE].encode()
    path = Path(os.environ.get(SECRET_FILE_VARIABLE) or DEFAULT_SECRET_FILE)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_hex(32))
    except FileExistsError:
        pass
    except OSError as error:
        logger.warning(f"Cannot write {path} ({error.strerror}): web chat conversations will not resume "
                       f"after this server restarts. Set {SECRET_VARIABLE} to keep them.")
        return secrets.token_bytes(32)
    return path.read_text().strip().encode()


def metadata_of(value: Any) -> Dict[Text, Any]:
    """A message's metadata: an object, or a JSON text of one; anything else counts as none."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return value if isinstance(value, dict) else {}


class WebchatSocketIOOutput(SocketIOOutput):
    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        """A message that carries an assessment is shown as the card alone: its text is dropped."""
        plain = not message.get("buttons") and not message.get("quick_replies")
        if plain and assessment_of(message.get("custom")) is not None:
            message = {key: value for key, value in message.items() if key != "text"}
        await super().send_response(recipient_id, message)

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        if "data" in json_message and set(json_message) <= EMIT_ARGUMENTS:
            await super().send_custom_json(recipient_id, json_message, **kwargs)
            return
        message = dict(json_message)
        room = message.pop("room", None) or recipient_id
        if assessment_of(message) is not None:
            message["card"] = web_card(message)
        await self._send_message(room, message)


class WebchatSocketIOInput(SocketIOInput):
    """Rasa's socket.io input channel (same name, URL and credentials) with the changes above."""

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    def get_output_channel(self) -> Optional[OutputChannel]:
        if self.sio is None:
            return super().get_output_channel()
        return WebchatSocketIOOutput(self.sio, self.bot_message_evt)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(on_new_message)
        self.session_ids = SessionIds(session_secret())
        self.conversations: Dict[Text, Text] = {}  # socket id -> the conversation it was confirmed
        self._replace_handlers(on_new_message)
        origins = allowed_origins()
        if origins:
            self._check_origin_on_connect(origins)
        return blueprint

    # ------------------------------------------------------------------ the handlers
    def _replace_handlers(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        sio, namespace = self.sio, self.namespace or "/"
        rasa_disconnect = sio.handlers[namespace]["disconnect"]

        async def session_request(sid: Text, data: Any = None, *_: Any) -> None:
            await self._confirm(sid, data.get("session_id") if isinstance(data, dict) else None)

        async def handle_message(sid: Text, data: Any = None, *_: Any) -> None:
            text = data.get("message", "") if isinstance(data, dict) else None
            if text is None and isinstance(data, dict):
                text = ""  # no text: the interview asks for one
            if not isinstance(text, str):
                logger.warning(f"socket.io message from {sid} without text ({type(data).__name__} data): answered.")
                await sio.emit(self.bot_message_evt, {"text": NOT_TEXT}, room=sid, namespace=self.namespace)
                return
            sender = sid
            if self.session_persistence:
                sender = self.conversations.get(sid) or await self._confirm(sid, None)
            await on_new_message(UserMessage(
                text, WebchatSocketIOOutput(sio, self.bot_message_evt), sender,
                input_channel=self.name(), metadata=metadata_of(data.get(self.metadata_key))))

        async def disconnect(sid: Text) -> None:
            self.conversations.pop(sid, None)
            await rasa_disconnect(sid)

        sio.on("session_request", session_request, namespace=self.namespace)
        sio.on(self.user_message_evt, handle_message, namespace=self.namespace)
        sio.on("disconnect", disconnect, namespace=self.namespace)

    async def _confirm(self, sid: Text, session_id: Any) -> Text:
        """Bind the socket to the conversation of `session_id` when this server issued it, else to
        a new one; send the id to keep (session_confirm). Returns the conversation."""
        conversation = self.session_ids.conversation_of(session_id)
        if conversation is None:
            session_id = self.session_ids.issue()
            conversation = self.session_ids.conversation_of(session_id)
            assert conversation is not None, "an id this server just issued is one of its own"
        if self.session_persistence:
            previous = self.conversations.get(sid)
            if previous and previous != conversation:
                self.sio.leave_room(sid, previous, namespace=self.namespace)
            self.sio.enter_room(sid, conversation, namespace=self.namespace)
            self.conversations[sid] = conversation
        await self.sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)
        return conversation

    def _check_origin_on_connect(self, origins: List[str]) -> None:
        namespace = self.namespace or "/"
        rasa_connect = self.sio.handlers[namespace]["connect"]

        async def connect(sid: Text, environ: Dict, auth: Optional[Dict] = None) -> bool:
            origin = environ.get("HTTP_ORIGIN")
            if origin and origin.rstrip("/") not in origins:
                logger.warning(f"Refused a socket.io connection from origin {origin!r} (allowed: {origins}).")
                return False
            return await rasa_connect(sid, environ, auth)

        self.sio.on("connect", connect, namespace=self.namespace)
