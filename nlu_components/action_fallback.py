"""When the action server is down or too slow, the person still gets an answer.

Rasa 3.6 logs a failed custom action and carries on in silence. This wraps its RemoteAction so
that a failure or a timeout sends the knowledge base's `trouble` advice instead ("I'm having
trouble right now - if this is urgent call 911"). The emergency itself never depends on the
action server: a red flag is answered by a rule with `utter_red_flag` before any custom action.
Installed when the NLU pipeline loads (nlu_components is imported by every Rasa server, shell
included).

It also keeps the tracker sent to the action server under ACTION_REQUEST_BUDGET_BYTES, half the
action server's own request limit (SANIC_REQUEST_MAX_SIZE, 1 MB in the Makefile): Rasa sends every
event of the session, and one message of 600 KB (its text three times, escaped) made every later
turn of the conversation fail with a 413, "start over" included. The actions read the latest
message and the slots (actions/tracker_adapter.py), and of the latest message's text the interview
reads the first MAX_MESSAGE_CHARS characters and its length (to say what it read). So:
- every message in the events is cut as the tracker store keeps it (cluster.records.stored_form);
- the latest message's text is its first MAX_MESSAGE_CHARS characters, with its length beside it
  (`text_length`, read by actions/tracker_adapter.py; the NLU has read the whole message before);
- when the request is still over the budget, the earlier messages' text and parse data are left
  out (their intents kept).
"""
from __future__ import annotations

import asyncio
import functools
import json
import logging
import os
from typing import Any, Dict, List

from jsonschema import ValidationError
from jsonschema.validators import validator_for

from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.shared.core.events import BotUttered

from cluster.records import stored_form, stored_metadata
from numbness_triage.limits import MAX_MESSAGE_CHARS, TEXT_LENGTH
from numbness_triage.knowledge import TROUBLE, shared_knowledge_base

logger = logging.getLogger(__name__)

ACTION_REQUEST_BUDGET_BYTES = 500_000


def action_timeout() -> float:
    """Seconds a custom action may take (ACTION_TIMEOUT_SECONDS, default 10)."""
    try:
        return float(os.environ.get("ACTION_TIMEOUT_SECONDS", "10"))
    except ValueError:
        return 10.0


def trouble_text() -> str:
    try:
        return shared_knowledge_base().advice[TROUBLE].text
    except Exception:  # the knowledge base itself may be what failed
        return "Sorry, I'm having trouble right now. If this is urgent, call 911."


@functools.lru_cache(maxsize=1)
def _response_validator():
    """Rasa 3.6 validates every action reply with jsonschema.validate, which first re-checks the
    constant schema against its metaschema: about 28 ms a turn on the event loop (bench/PROFILE.md).
    The same checks with a validator built once."""
    spec = RemoteAction.action_response_format_spec()
    validator_class = validator_for(spec)
    validator_class.check_schema(spec)
    return validator_class(spec)


def _validate_action_result(self, result) -> bool:
    try:
        _response_validator().validate(result)
        return True
    except ValidationError as error:
        error.message += ". Failed to validate Action server response from API, make sure your response " \
                         "from the Action endpoint is valid."
        raise error


def _latest_for_actions(parse_data: Any) -> Any:
    """The latest message as the actions read it: the text the interview reads, and its length."""
    if not isinstance(parse_data, dict):
        return parse_data
    parse_data = dict(parse_data)
    if "metadata" in parse_data:
        parse_data["metadata"] = stored_metadata(parse_data["metadata"])
    text = parse_data.get("text")
    if isinstance(text, str) and len(text) > MAX_MESSAGE_CHARS:
        parse_data["text"] = text[:MAX_MESSAGE_CHARS]
        parse_data[TEXT_LENGTH] = len(text)  # the interview tells the person how much it read
    return parse_data


def _without_earlier_messages(events: List[Any]) -> List[Any]:
    users = [i for i, event in enumerate(events) if isinstance(event, dict) and event.get("event") == "user"]
    earlier = set(users[:-1])
    return [{**event, "text": None, "parse_data": {"intent": (event.get("parse_data") or {}).get("intent")},
             "metadata": {}} if i in earlier else event for i, event in enumerate(events)]


def trimmed_action_call(body: Dict[str, Any]) -> Dict[str, Any]:
    """Rasa's request to the action server, within ACTION_REQUEST_BUDGET_BYTES (see the module)."""
    state = body.get("tracker")
    if not isinstance(state, dict):
        return body
    state = dict(state)
    state["events"] = [stored_form(e) if isinstance(e, dict) else e for e in state.get("events") or []]
    state["latest_message"] = _latest_for_actions(state.get("latest_message"))
    body = {**body, "tracker": state}
    if len(json.dumps(body)) > ACTION_REQUEST_BUDGET_BYTES:
        state["events"] = _without_earlier_messages(state["events"])
        size = len(json.dumps(body))
        if size > ACTION_REQUEST_BUDGET_BYTES:
            logger.warning("the tracker sent to the action server is %d bytes, over the %d budget",
                           size, ACTION_REQUEST_BUDGET_BYTES)
    return body


def install() -> None:
    if getattr(RemoteAction.run, "with_fallback", False):
        return
    RemoteAction._validate_action_result = _validate_action_result
    original_call_format = RemoteAction._action_call_format

    def action_call_format(self, tracker, domain):
        return trimmed_action_call(original_call_format(self, tracker, domain))

    RemoteAction._action_call_format = action_call_format
    original_run = RemoteAction.run

    async def run_with_fallback(self, output_channel, nlg, tracker, domain):
        try:
            return await asyncio.wait_for(original_run(self, output_channel, nlg, tracker, domain), action_timeout())
        except ActionExecutionRejection:
            raise
        except Exception as error:  # refused connection, error status, timeout
            logger.error("custom action %s failed (%s); the person was told", self.name(), type(error).__name__)
            return [BotUttered(trouble_text())]

    run_with_fallback.with_fallback = True  # type: ignore[attr-defined]
    RemoteAction.run = run_with_fallback


install()
