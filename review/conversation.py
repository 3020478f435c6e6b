"""One conversation as a reviewer reads it, built from the events Rasa stored for it.

Plain Python over the event dicts (no Rasa import). What it relies on:
- user events: `text`, `input_channel`, `parse_data.intent` and `parse_data.entities` (the NLU's
  symptom extractor: entity `symptom` with value = finding id and role = absent | possible |
  other_person | historical, none when present; `side`, `onset`, `red_flag_hint`);
- bot events: `text`, `data.buttons`, `data.custom.assessment` (the assessment payload);
- slot events: `assessment`, `triage`, `red_flags`, `feedback` and `interview` (the interview's
  whole state, a dict whose fields may change: read defensively, shown as found).
"""
from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from numbness_triage.knowledge import URGENCY_LEVELS as LEVELS
from numbness_triage.mentions import PRESENT, RED_FLAG_HINT_ENTITY, SYMPTOM_ENTITY
from review.vocabulary import Vocabulary

# The bot's replies that say it could not read a message (numbness_triage/replies.py and
# nlu_components/action_fallback.py word them): the start of the reply -> the reason shown.
UNREAD_REPLIES = {
    "I didn't understand that: it looks like a command": "a command, not words",
    "I didn't receive any text": "empty",
    "Sorry, I understand English only": "not in English",
    "Sorry, I didn't catch that": "not understood as an answer",
    "I couldn't find any symptoms in that": "no symptoms found",
    "I can only help with leg numbness": "off topic",
}
FAILURE_REPLIES = ("Sorry, I'm having trouble right now", "Sorry, something went wrong on my side")
CHANNEL_GREETING = "/greet"  # what a channel sends when a person opens the chat: not a turn
_HTML_TAG = re.compile(r"</?[a-zA-Z][^<>]{0,200}>")  # as numbness_triage/text_normalization.py


@dataclass
class Entity:
    kind: str  # symptom | side | onset | red_flag_hint | another entity's name
    value: str
    role: str = PRESENT  # for symptoms: present | absent | possible | other_person | historical
    label: str = ""
    words: str = ""  # the part of the message it was found in
    red_flag: bool = False


@dataclass
class Message:
    who: str  # person | bot
    at: Optional[float]
    text: str
    intent: Optional[str] = None
    confidence: Optional[float] = None
    entities: List[Entity] = field(default_factory=list)
    buttons: List[str] = field(default_factory=list)
    assessment: Optional[dict] = None
    unread: Optional[str] = None  # why the bot could not read it (person's messages)
    failed: bool = False  # the bot answered with its failure notice
    answers: Optional[str] = None  # the question (its text) this message answered
    question_id: Optional[str] = None  # the knowledge base's id of that question, when known


@dataclass
class Conversation:
    sender_id: str
    messages: List[Message] = field(default_factory=list)
    channels: List[str] = field(default_factory=list)
    started: Optional[float] = None
    last: Optional[float] = None
    slots: Dict[str, Any] = field(default_factory=dict)  # each slot's latest value
    assessment: Optional[dict] = None  # the latest assessment payload given ({"triage", "red_flags", "causes"})
    red_flags: List[str] = field(default_factory=list)  # every red flag the bot escalated on
    feedback: Optional[str] = None
    sessions: int = 0

    @property
    def person_messages(self) -> List[Message]:
        return [m for m in self.messages if m.who == "person"]

    @property
    def turns(self) -> int:
        """What the person sent, the channel's greeting aside."""
        return sum(1 for m in self.person_messages if m.text.strip() != CHANNEL_GREETING)

    @property
    def triage(self) -> Optional[str]:
        level = (self.assessment or {}).get("triage")
        return level if level in LEVELS else None

    @property
    def assessed(self) -> bool:
        """Reached an assessment or an emergency escalation."""
        return self.triage is not None

    @property
    def escalated(self) -> bool:
        return bool(self.red_flags)

    @property
    def causes(self) -> List[dict]:
        causes = (self.assessment or {}).get("causes")
        return [c for c in causes if isinstance(c, dict)] if isinstance(causes, list) else []

    @property
    def top_cause(self) -> Optional[str]:
        return self.causes[0].get("id") if self.causes else None

    @property
    def unread(self) -> List[Message]:
        return [m for m in self.person_messages if m.unread]

    @property
    def channel(self) -> str:
        return ", ".join(self.channels) or "-"

    @property
    def interview(self) -> dict:
        value = self.slots.get("interview")
        return value if isinstance(value, dict) else {}

    @property
    def opening(self) -> str:
        for message in self.person_messages:
            if message.text.strip() and not message.text.strip().startswith("/"):
                return message.text
        return ""

    def stuck(self, after_turns: int) -> bool:
        return not self.assessed and self.turns >= after_turns


def assessment_of(value: Any) -> Optional[dict]:
    """The payload inside the `assessment` slot ({"assessment": {...}}) or a bot's custom message."""
    if isinstance(value, dict) and isinstance(value.get("assessment"), dict):
        value = value["assessment"]
    return value if isinstance(value, dict) and value.get("triage") else None


def read_conversation(sender_id: str, events: List[dict], vocabulary: Vocabulary) -> Conversation:
    conversation = Conversation(sender_id)
    last_question: Optional[Message] = None
    replying_to: Optional[Message] = None  # the person's message the bot is answering
    for event in events:
        if not isinstance(event, dict):
            continue
        kind, at = event.get("event"), _number(event.get("timestamp"))
        if at is not None:
            conversation.started = at if conversation.started is None else min(conversation.started, at)
            conversation.last = at if conversation.last is None else max(conversation.last, at)
        if kind == "user":
            message = _person_message(event, at, vocabulary)
            if last_question is not None:
                message.answers, message.question_id = last_question.text, vocabulary.question_id(last_question.text)
            channel = event.get("input_channel")
            if isinstance(channel, str) and channel and channel not in conversation.channels:
                conversation.channels.append(channel)
            conversation.messages.append(message)
            replying_to, last_question = message, None
        elif kind == "bot":
            message = _bot_message(event, at)
            conversation.messages.append(message)
            last_question = message
            if replying_to is not None:
                _note_reply(replying_to, message)
            if message.assessment:
                conversation.assessment = message.assessment
        elif kind == "slot":
            _set_slot(conversation, event.get("name"), event.get("value"))
        elif kind == "session_started":
            conversation.sessions += 1
    return conversation


def _set_slot(conversation: Conversation, name: Any, value: Any) -> None:
    if not isinstance(name, str):
        return
    conversation.slots[name] = value
    if name == "assessment" and assessment_of(value):
        conversation.assessment = assessment_of(value)
    elif name == "red_flags" and isinstance(value, list):
        conversation.red_flags += [f for f in value if isinstance(f, str) and f not in conversation.red_flags]
    elif name == "feedback" and isinstance(value, str):
        conversation.feedback = value


def _note_reply(person: Message, reply: Message) -> None:
    for start, reason in UNREAD_REPLIES.items():
        if reply.text.startswith(start) and person.unread is None:
            person.unread = reason
    if reply.text.startswith(FAILURE_REPLIES):
        person.failed = True


def _person_message(event: dict, at: Optional[float], vocabulary: Vocabulary) -> Message:
    text = _text(event.get("text"))
    parse = _dict(event.get("parse_data"))
    intent = _dict(parse.get("intent"))
    entities = [_entity(e, text, vocabulary) for e in parse.get("entities") or [] if isinstance(e, dict)]
    return Message("person", at, text, intent=intent.get("name"), confidence=_number(intent.get("confidence")),
                   entities=[e for e in entities if e is not None])


def _as_read(text: str) -> str:
    """The text the extractor's offsets refer to: numbness_triage/text_normalization.py replaces each HTML
    tag with one space before reading."""
    return _HTML_TAG.sub(" ", text)


def _entity(raw: dict, text: str, vocabulary: Vocabulary) -> Optional[Entity]:
    kind, value = raw.get("entity"), raw.get("value")
    if not isinstance(kind, str) or value is None:
        return None
    value = str(value)
    start, end = raw.get("start"), raw.get("end")
    words = _as_read(text)[start:end] if isinstance(start, int) and isinstance(end, int) and end > start else ""
    role = raw["role"] if isinstance(raw.get("role"), str) else PRESENT
    if kind in (SYMPTOM_ENTITY, RED_FLAG_HINT_ENTITY):
        return Entity(kind, value, role if kind == SYMPTOM_ENTITY else "asked about", vocabulary.finding(value), words,
                      red_flag=vocabulary.is_red_flag(value))
    return Entity(kind, value, role, value, words)


def _bot_message(event: dict, at: Optional[float]) -> Message:
    text = _text(event.get("text"))
    data = _dict(event.get("data"))
    buttons = [str(b.get("title")) for b in data.get("buttons") or [] if isinstance(b, dict) and b.get("title")]
    return Message("bot", at, text, buttons=buttons, assessment=assessment_of(data.get("custom")))


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _dict(value: Any) -> Dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _number(value: Any) -> Optional[float]:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def median(values: List[float]) -> Optional[float]:
    return statistics.median(values) if values else None
