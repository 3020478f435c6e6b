"""Rasa's socket.io channel, able to send the assessment payload, with an origin check.

1. Rasa 3.6's `SocketIOOutput.send_custom_json` passes the custom JSON as keyword arguments to
   `AsyncServer.emit` (it expects `{"data": ...}`), so the interview's custom message
   `{"assessment": {...}}` raises `TypeError: emit() got an unexpected keyword argument
   'assessment'` and the bot's remaining messages of that turn are lost. This channel sends such
   a payload as the body of a `bot_uttered` event instead, which is what the rasa-webchat widget
   hands to its `customComponent`. A payload of the documented `{"data": ...}` form keeps
   Rasa's behaviour.
2. Rasa creates its socket.io server with CORS handling off, and `rasa run --cors` (Sanic-CORS)
   does not cover WebSocket connections, which browsers make from any page. When the
   environment variable SOCKETIO_ALLOWED_ORIGINS is set (space-separated origins, `make web`
   sets it to the page's), a connection whose browser sent another Origin is refused.
   Clients that send no Origin (scripts, the tests' socket.io client) are let in.

Everything else (session persistence, the event names, the path, JWT) is Rasa's own.
credentials.yml:  channels.webchat_socketio.WebchatSocketIOInput: {same keys as socketio}
"""
from __future__ import annotations

import logging
import os
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint

logger = logging.getLogger(__name__)

# The keyword arguments AsyncServer.emit takes besides the event name.
EMIT_ARGUMENTS = {"data", "to", "room", "skip_sid", "namespace", "callback", "ignore_queue"}
ALLOWED_ORIGINS_VARIABLE = "SOCKETIO_ALLOWED_ORIGINS"


def allowed_origins() -> Optional[List[str]]:
    """The origins from SOCKETIO_ALLOWED_ORIGINS; None (no check) when unset, empty or `*`."""
    origins = [o.rstrip("/") for o in os.environ.get(ALLOWED_ORIGINS_VARIABLE, "").split() if o]
    return None if not origins or "*" in origins else origins


class WebchatSocketIOOutput(SocketIOOutput):
    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        if "data" in json_message and set(json_message) <= EMIT_ARGUMENTS:
            await super().send_custom_json(recipient_id, json_message, **kwargs)
            return
        message = dict(json_message)
        room = message.pop("room", None) or recipient_id
        await self._send_message(room, message)


class WebchatSocketIOInput(SocketIOInput):
    """Rasa's socket.io input channel (same name, URL and credentials) with the output above."""

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    def get_output_channel(self) -> Optional[OutputChannel]:
        if self.sio is None:
            return super().get_output_channel()
        return WebchatSocketIOOutput(self.sio, self.bot_message_evt)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        async def on_message(message: UserMessage) -> Any:
            channel = message.output_channel
            if isinstance(channel, SocketIOOutput) and not isinstance(channel, WebchatSocketIOOutput):
                message.output_channel = WebchatSocketIOOutput(channel.sio, channel.bot_message_evt)
            return await on_new_message(message)

        blueprint = super().blueprint(on_message)
        origins = allowed_origins()
        if origins:
            self._check_origin_on_connect(origins)
        return blueprint

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
