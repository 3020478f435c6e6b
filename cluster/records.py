"""What is kept of a conversation, and how the logs name one: plain Python, no database, no Rasa.

The tracker store (tracker_store.py) keeps a person's message and a client's metadata in the
forms below; the NLU's answers for a failed action server (nlu_components/action_fallback.py)
send the action server the same forms; the REST channel, the tracker store and the review page
name a conversation in their logs by `conversation_hash`, never by its id; the action server
reads RECORD_UNREACHABLE from a session the store had to start without the conversation's record.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any, Dict

from numbness_triage.limits import MAX_MESSAGE_CHARS

# The `session_started` metadata of a conversation started while its record was unreachable.
RECORD_UNREACHABLE = "conversation_record_unreachable"
MAX_STORED_MESSAGE_CHARS = MAX_MESSAGE_CHARS  # what is kept of a message: what the interview reads
MAX_STORED_METADATA_BYTES = 10_000
STORED_TEXT = "stored_text"  # the user event's metadata key saying how long the message was


def conversation_hash(sender_id: Any) -> str:
    """What the logs name a conversation by."""
    return hashlib.sha256(str(sender_id).encode("utf-8", "surrogatepass")).hexdigest()[:12]


def stored_metadata(metadata: Any) -> Any:
    """`metadata` itself, or {"metadata_not_stored": <its size>} when its JSON is over
    MAX_STORED_METADATA_BYTES."""
    size = len(json.dumps(metadata)) if metadata else 0
    return metadata if size <= MAX_STORED_METADATA_BYTES else {"metadata_not_stored": size}


def stored_form(event: Dict[str, Any]) -> Dict[str, Any]:
    """`event` (Event.as_dict()) as it is kept: a person's message cut to MAX_STORED_MESSAGE_CHARS
    (its length noted in the metadata) and client metadata over MAX_STORED_METADATA_BYTES dropped.
    Returns `event` itself when nothing is cut."""
    if event.get("event") != "user":
        return event
    text, metadata = event.get("text"), event.get("metadata")
    long_text = text if isinstance(text, str) and len(text) > MAX_STORED_MESSAGE_CHARS else None
    kept_metadata = stored_metadata(metadata)
    if long_text is None and kept_metadata is metadata:
        return event
    event = dict(event)
    metadata = dict(kept_metadata or {})
    if long_text is not None:
        event["text"] = long_text[:MAX_STORED_MESSAGE_CHARS]
        metadata[STORED_TEXT] = {"chars": len(long_text), "kept": MAX_STORED_MESSAGE_CHARS}
    event["metadata"] = metadata
    parse_data = event.get("parse_data")
    if isinstance(parse_data, dict):
        parse_data = dict(parse_data)
        if isinstance(parse_data.get("text"), str):
            parse_data["text"] = parse_data["text"][:MAX_STORED_MESSAGE_CHARS]
        if "metadata" in parse_data:
            parse_data["metadata"] = metadata
        event["parse_data"] = parse_data
    return event
