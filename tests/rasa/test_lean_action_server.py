"""The action server stays lean, and the faster check of action replies checks the same."""
import subprocess
import sys

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

import nlu_components.action_fallback  # noqa: F401 - installs the validator


def test_the_actions_do_not_import_spacy():
    code = "import sys, actions.interview_actions; sys.exit(1 if 'spacy' in sys.modules else 0)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


@pytest.mark.parametrize("reply", [{"events": "x"}, {"events": [{"event": "no_such_event"}]}, {"responses": "x"}])
def test_an_invalid_action_reply_is_still_rejected(reply):
    with pytest.raises(ValidationError):
        RemoteAction("action_interview_turn", None)._validate_action_result(reply)


def test_a_valid_action_reply_is_accepted():
    reply = {"events": [{"event": "slot", "name": "triage", "value": None}], "responses": [{"text": "hi"}]}
    assert RemoteAction("action_interview_turn", None)._validate_action_result(reply)
