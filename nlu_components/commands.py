"""Typed commands ("/intent{...}"): Rasa reads one only when it is small, well formed and no emergency.

Rasa's RegexMessageHandler runs after every component of the pipeline and reads a text starting
with "/" as an intent and its entities (YAMLStoryReader.unpack_regex_message). As shipped it
- replaces what the pipeline found: a red flag written after or inside a payload
  ('/inform{"side": "left"} I can't breathe') was lost;
- parses JSON of any depth: 3,000 nested brackets raised an uncaught RecursionError, and the
  person got "something went wrong";
- logs a text it cannot read ("/@...", "/{...}") at WARNING, with the text.

Installed when the pipeline loads (nlu_components/message_limit.py imports this module), the
wrapper below lets Rasa read a command only when the extractor heard no red flag in it and it is
a payload like the bot's buttons: at most MAX_PAYLOAD_CHARS characters and MAX_PAYLOAD_DEPTH
brackets deep (checked before any parsing), a known intent a person may type, no confidence, nothing
after it, and entities, if any, a JSON object of the domain's entities. Anything else keeps what
the pipeline decided: a red flag stays `red_flag` (the rule answers it from the domain), any other
command stays `nlu_fallback`, which the interview answers with "it looks like a command".
"""
from __future__ import annotations

import json
from typing import List, Optional

from rasa.nlu.classifiers.regex_message_handler import RegexMessageHandler
from rasa.shared.constants import INTENT_MESSAGE_PREFIX
from rasa.shared.core.domain import Domain
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

MAX_PAYLOAD_CHARS = 1_000  # the bot's own payloads are under 64 bytes (Telegram's limit)
MAX_PAYLOAD_DEPTH = 3  # the bot's own payloads are one object deep
# Rasa starts a session by itself (session_config); typed, /session_start started one in silence.
NOT_TYPED = {"session_start"}
RED_FLAG_INTENT = "red_flag"  # as nlu_components/symptom_extractor.py sets it


def nesting_depth(text: str) -> int:
    """How deep brackets nest in `text`, brackets inside JSON strings aside; nothing is parsed."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def readable_payload(text: str, domain: Optional[Domain]) -> bool:
    """Whether Rasa may read `text` as a payload (see the module doc)."""
    if len(text) > MAX_PAYLOAD_CHARS or nesting_depth(text) > MAX_PAYLOAD_DEPTH:
        return False
    match = YAMLStoryReader._regex_message_pattern().match(text)
    if not match or match.end() != len(text) or match.group("confidence") or match.group("rest"):
        return False
    intent = match.group("name").strip()
    if intent in NOT_TYPED or (domain is not None and intent not in domain.intents):
        return False
    if match.group("entities") is None:
        return True
    try:
        entities = json.loads(match.group("entities"))
    except (ValueError, RecursionError):
        return False
    return isinstance(entities, dict) and (domain is None or set(entities) <= set(domain.entities))


def unpack_command(message: Message, domain: Optional[Domain], extractor_name: str) -> Message:
    text = message.get(TEXT)
    if not isinstance(text, str) or not text.strip().startswith(INTENT_MESSAGE_PREFIX):
        return message
    if (message.get(INTENT) or {}).get(INTENT_NAME_KEY) == RED_FLAG_INTENT:
        return message  # the extractor heard an emergency: that decides
    if not readable_payload(text.strip(), domain):
        return message
    return YAMLStoryReader.unpack_regex_message(message, domain, entity_extractor_name=extractor_name)


def _process(self, messages: List[Message], domain: Optional[Domain] = None) -> List[Message]:
    # `self` unannotated, as Rasa's: the graph's validation reads the annotations as inputs.
    return [unpack_command(message, domain, self.name) for message in messages]


def install() -> None:
    RegexMessageHandler.process = _process


install()
