"""Conversation ids the server issues, so that nobody can guess or choose another person's.

An id is `c1-<random>.<signature>`: 144 random bits (base64url) and an HMAC-SHA256 of them with the
server's secret (truncated to 144 bits). Any server holding the same secret recognises an id it or
another one issued, without storing anything; nobody without the secret can make one. An id is a
bearer secret: whoever holds it continues that conversation and can ask for its summary (see
docs/reliability.md, "Who may use a conversation").

The secret: CONVERSATION_ID_SECRET from the environment (at least 32 characters; the same on every
server of a cluster), else the file var/conversation-id.key (CONVERSATION_ID_SECRET_FILE to put it
elsewhere), created with 32 random bytes (mode 600) on first use. Changing the secret ends every
conversation's id: their records stay in the tracker store, but no client can reach them.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path
from typing import Optional, Text

PREFIX = "c1-"
SECRET_VARIABLE = "CONVERSATION_ID_SECRET"
SECRET_FILE_VARIABLE = "CONVERSATION_ID_SECRET_FILE"
DEFAULT_SECRET_FILE = Path("var") / "conversation-id.key"
MIN_SECRET_CHARS = 32
RANDOM_BYTES = SIGNATURE_BYTES = 18  # 24 base64url characters each


def _b64(data: bytes) -> Text:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


class ConversationIds:
    def __init__(self, secret: bytes):
        if len(secret) < MIN_SECRET_CHARS:
            raise ValueError(f"the conversation id secret needs at least {MIN_SECRET_CHARS} characters")
        self._secret = secret

    @classmethod
    def from_environment(cls) -> "ConversationIds":
        given = os.environ.get(SECRET_VARIABLE)
        if given:
            return cls(given.encode("utf-8"))
        return cls(_secret_from_file(Path(os.environ.get(SECRET_FILE_VARIABLE) or DEFAULT_SECRET_FILE)))

    def _signature(self, nonce: Text) -> Text:
        digest = hmac.new(self._secret, (PREFIX + nonce).encode("ascii"), hashlib.sha256).digest()
        return _b64(digest[:SIGNATURE_BYTES])

    def issue(self) -> Text:
        nonce = _b64(secrets.token_bytes(RANDOM_BYTES))
        return f"{PREFIX}{nonce}.{self._signature(nonce)}"

    def is_issued(self, conversation_id: Optional[Text]) -> bool:
        if not isinstance(conversation_id, str) or not conversation_id.startswith(PREFIX):
            return False
        nonce, _, signature = conversation_id[len(PREFIX):].partition(".")
        if not nonce or not signature or not nonce.isascii():
            return False
        return hmac.compare_digest(signature.encode("ascii", "replace"), self._signature(nonce).encode("ascii"))


def _secret_from_file(path: Path) -> bytes:
    """The secret in `path`, made there (mode 600) when there is none. Written to a file of its own
    and linked into place, so two servers starting at once agree on the first one made."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_hex(32))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_bytes().strip()
