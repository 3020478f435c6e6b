"""Between Rasa's tracker/dispatcher and the framework-free interview."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from numbness_triage.interview import Turn
from numbness_triage.limits import TEXT_LENGTH
from numbness_triage.mentions import ASSERTIONS, PRESENT, RED_FLAG_HINT_ENTITY, SYMPTOM_ENTITY, Extraction, Mention
from numbness_triage.replies import Reply
from numbness_triage.state import State

STATE_SLOT = "interview"


def state_from(tracker: Tracker) -> State:
    return State.from_dict(tracker.get_slot(STATE_SLOT))


def turn_from(tracker: Tracker) -> Turn:
    message = tracker.latest_message or {}
    intent = (message.get("intent") or {}).get("name")
    mentions, values, hints = [], {}, []
    for entity in message.get("entities") or []:
        if entity.get("entity") == SYMPTOM_ENTITY and isinstance(entity.get("value"), str):
            assertion = entity.get("role") or PRESENT
            subject = entity.get("subject") if isinstance(entity.get("subject"), str) else ""
            theirs = entity.get("their_assertion") if entity.get("their_assertion") in ASSERTIONS else ""
            if assertion in ASSERTIONS:
                mentions.append(Mention(entity["value"], assertion, entity.get("start", 0), entity.get("end", 0), "",
                                        subject[:80], theirs))
        elif entity.get("entity") in ("side", "onset") and isinstance(entity.get("value"), str):
            values[entity["entity"]] = entity["value"]
        elif entity.get("entity") == RED_FLAG_HINT_ENTITY and isinstance(entity.get("value"), str):
            hints.append(entity["value"])
    extraction = Extraction(mentions=mentions, side=values.get("side"), onset=values.get("onset"),
                            hinted_red_flags=hints)
    length = message.get(TEXT_LENGTH)
    return Turn(intent=intent, text=message.get("text") or "", extraction=extraction,
                length=length if isinstance(length, int) else None)


def send(dispatcher: CollectingDispatcher, replies: List[Reply]) -> None:
    for reply in replies:
        dispatcher.utter_message(text=reply.text, buttons=reply.buttons or None, json_message=reply.custom)


def slot_events(state: State) -> List[Dict[Text, Any]]:
    """The whole interview in one slot; what others may read (triage, red flags, the latest
    assessment, feedback) mirrored in slots of their own."""
    return [
        SlotSet(STATE_SLOT, state.to_dict()),
        SlotSet("triage", state.triage),
        SlotSet("red_flags", list(state.red_flags)),
        SlotSet("assessment", state.assessment),
        SlotSet("feedback", state.feedback),
    ]
