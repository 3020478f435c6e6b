"""The interview's actions: thin adapters over numbness_triage.interview."""
from __future__ import annotations

import logging
import os
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.tracker_adapter import send, slot_events, state_from, turn_from
from cluster.records import RECORD_UNREACHABLE
from numbness_triage.interview import Interview
from numbness_triage.knowledge import RECORD_UNREACHABLE_NOTICE, TROUBLE, shared_knowledge_base
from numbness_triage.questions import DEFAULT_QUESTION_BUDGET


logger = logging.getLogger(__name__)



def record_unreachable(tracker: Tracker) -> bool:
    """Whether the current session was started without the conversation's record: the tracker
    store (cluster/tracker_store.py) marks such a session; the person is then told (advice
    RECORD_UNREACHABLE_NOTICE)."""
    starts = [e for e in tracker.events if isinstance(e, dict) and e.get("event") == "session_started"]
    return bool(starts) and bool((starts[-1].get("metadata") or {}).get(RECORD_UNREACHABLE))


def interview() -> Interview:
    """The interview over the shared knowledge base. INTERVIEW_QUESTION_BUDGET sets how many
    discriminating questions it may ask after the opening ones (default 8)."""
    budget = os.environ.get("INTERVIEW_QUESTION_BUDGET", "")
    return Interview(shared_knowledge_base(), int(budget) if budget.isdigit() else DEFAULT_QUESTION_BUDGET)


class ActionInterviewTurn(Action):
    """Every message that is not an emergency: understand it, then ask, assess or answer."""

    def name(self) -> Text:
        return "action_interview_turn"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        """Sends the interview's replies to the latest message and returns the slots that store the
        interview. A failure is answered with the "trouble" advice (call 911 if urgent), never silence."""
        try:
            state = state_from(tracker)
            flags_before = list(state.red_flags)  # handle_turn updates the state in place
            replies = interview().handle_turn(state, turn_from(tracker))
        except Exception as error:  # never leave a person without an answer
            # The type only at ERROR: an exception's message may quote what the person wrote.
            logger.error("the interview failed on a message (%s); the person was told", type(error).__name__)
            logger.debug("interview failure detail", exc_info=True)
            dispatcher.utter_message(text=shared_knowledge_base().advice[TROUBLE].text)
            return []
        if record_unreachable(tracker) and state.red_flags == flags_before and not state.clarifying:
            # No interview on a missing record; a red flag (or the question about one) still goes through.
            dispatcher.utter_message(text=shared_knowledge_base().advice[RECORD_UNREACHABLE_NOTICE].text)
            return []
        send(dispatcher, replies)
        return slot_events(state)


class ActionEscalate(ActionInterviewTurn):
    """Runs after the rule's emergency response. The same turn logic names what was heard, gives
    the urgency level and sends the payload; a message without a real red flag (a hand-typed
    "/red_flag") is simply handled as any other turn."""

    def name(self) -> Text:
        return "action_escalate"


class ActionRestart(Action):
    """Replaces Rasa's default `action_restart` (the `/restart` command), which would wipe the
    conversation and with it any red flag already heard: a new interview, red flags kept."""

    def name(self) -> Text:
        return "action_restart"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        """Starts the interview again (saying so) and returns its slots; the red flags stay."""
        state = state_from(tracker)
        send(dispatcher, interview().start_over(state))
        return slot_events(state)


class ActionBack(Action):
    """Replaces Rasa's default `action_back` (the `/back` command), which would undo turns and
    could undo an emergency: answers are corrected by saying so instead."""

    def name(self) -> Text:
        return "action_back"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        """Says how to correct an answer instead; changes nothing."""
        dispatcher.utter_message(text="I can't undo an answer, but you can correct it: tell me, for example "
                                      "\"actually it's my right leg\", or say \"start over\".")
        return []
