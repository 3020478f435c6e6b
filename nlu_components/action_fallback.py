"""When the action server is down or too slow, the person still gets an answer.

Rasa 3.6 logs a failed custom action and carries on in silence. This wraps its RemoteAction so
that a failure or a timeout sends the knowledge base's `trouble` advice instead ("I'm having
trouble right now - if this is urgent call 911"). The emergency itself never depends on the
action server: a red flag is answered by a rule with `utter_red_flag` before any custom action.
Installed when the NLU pipeline loads (nlu_components is imported by every Rasa server, shell
included).
"""
from __future__ import annotations

import asyncio
import functools
import logging
import os

from jsonschema import ValidationError
from jsonschema.validators import validator_for

from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.shared.core.events import BotUttered

from numbness_triage.knowledge import shared_knowledge_base

logger = logging.getLogger(__name__)


def action_timeout() -> float:
    """Seconds a custom action may take (ACTION_TIMEOUT_SECONDS, default 10)."""
    try:
        return float(os.environ.get("ACTION_TIMEOUT_SECONDS", "10"))
    except ValueError:
        return 10.0


def trouble_text() -> str:
    try:
        return shared_knowledge_base().advice["trouble"].text
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


def install() -> None:
    if getattr(RemoteAction.run, "with_fallback", False):
        return
    RemoteAction._validate_action_result = _validate_action_result
    original_run = RemoteAction.run

    async def run_with_fallback(self, output_channel, nlg, tracker, domain):
        try:
            return await asyncio.wait_for(original_run(self, output_channel, nlg, tracker, domain), action_timeout())
        except ActionExecutionRejection:
            raise
        except Exception as error:  # refused connection, error status, timeout
            logger.error("custom action %s failed (%s); the person was told", self.name(), type(error).__name__)
            return [BotUttered(trouble_text())]

    run_with_fallback.with_fallback = True
    RemoteAction.run = run_with_fallback


install()
