"""The interview's actions: thin adapters over numbness_triage.interview."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.tracker_adapter import send, slot_events, state_from, turn_from
from numbness_triage.interview import Interview
from numbness_triage.knowledge import shared_knowledge_base


def interview() -> Interview:
    return Interview(shared_knowledge_base())


class ActionInterviewTurn(Action):
    """Every message that is not an emergency: understand it, then ask, assess or answer."""

    def name(self) -> Text:
        return "action_interview_turn"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        state, replies = interview().handle_turn(state_from(tracker), turn_from(tracker))
        send(dispatcher, replies)
        return slot_events(state)


class ActionEscalate(ActionInterviewTurn):
    """Runs after the rule's emergency response. The same turn logic names what was heard, gives
    the urgency level and sends the payload; a message without a real red flag (a hand-typed
    "/red_flag") is simply handled as any other turn."""

    def name(self) -> Text:
        return "action_escalate"
