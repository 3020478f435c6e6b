"""Rasa's reader of typed "/intent{...}" payloads, as nlu_components/commands.py wraps it (issue 16):
the bot's own buttons still read as before; a red flag, a payload too deep or too long, and
anything not well formed keep what the pipeline decided, and nothing is parsed or logged."""
import json
from pathlib import Path

import pytest
from rasa.nlu.classifiers.regex_message_handler import RegexMessageHandler
from rasa.shared.core.domain import Domain
from rasa.shared.nlu.training_data.message import Message

import numbness_triage.replies as replies
from nlu_components.commands import MAX_PAYLOAD_CHARS, nesting_depth, readable_payload
from tests.command_cases import RED_FLAG, deep_payload

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def domain():
    return Domain.load(str(ROOT / "domain.yml"))


def handled(text, domain, intent="nlu_fallback", entities=()):
    message = Message(data={"text": text, "intent": {"name": intent, "confidence": 1.0},
                            "entities": list(entities)})
    return RegexMessageHandler().process([message], domain)[0]


def bot_payloads():
    buttons = [value for name, value in vars(replies).items() if name.endswith("_BUTTONS")]
    return sorted({b["payload"] for group in buttons for b in group} | {replies.CHANNEL_GREETING})


@pytest.mark.parametrize("payload", bot_payloads())
def test_the_bots_own_payloads_read_as_rasa_reads_them(domain, payload):
    message = handled(payload, domain)
    assert message.get("intent")["name"] == payload[1:].split("{")[0]
    _, brace, rest = payload.partition("{")
    assert {e["entity"]: e["value"] for e in message.get("entities")} == json.loads(brace + rest or "{}")


@pytest.mark.parametrize("text", ["/restart", "/back", '/inform{"side": ["left", "right"]}'])
def test_other_well_formed_payloads_read_too(domain, text):
    assert handled(text, domain).get("intent")["name"] == text[1:].split("{")[0]


@pytest.mark.parametrize("text", [
    "/session_start", "/foo", "/", "/@x", '/{"side": "left"}', "/inform@0.9", '/inform{"side": "left"',
    '/inform{"unknown": "x"}', '/inform{"side": "left"} and more', '/inform{"side": "left"}\nand more',
    '/inform["left"]', deep_payload(), deep_payload(depth=4), '/inform{"side": "' + "x" * MAX_PAYLOAD_CHARS + '"}'])
def test_anything_else_keeps_the_pipelines_intent(domain, text):
    message = handled(text, domain)
    assert message.get("intent")["name"] == "nlu_fallback" and message.get("entities") == []


def test_a_red_flag_in_a_payload_stays_an_emergency(domain):
    heard = {"entity": "symptom", "value": "trouble_breathing", "start": 24, "end": 39}
    message = handled(f'/inform{{"side": "left"}} {RED_FLAG}', domain, intent="red_flag", entities=[heard])
    assert message.get("intent")["name"] == "red_flag" and message.get("entities") == [heard]


@pytest.mark.parametrize("depth", [4, 900, 3_000, 200_000])
def test_a_deep_payload_is_refused_before_parsing(domain, depth):
    assert not readable_payload(deep_payload(depth=depth), domain)  # no RecursionError


@pytest.mark.parametrize("text, depth", [("{}", 1), ('{"a": [1, {"b": 2}]}', 3), ('{"a": "[[[{{{"}', 1),
                                         ('{"a": "\\"[[["}', 1), ("[[[]]", 3)])
def test_nesting_depth_ignores_brackets_in_strings(text, depth):
    assert nesting_depth(text) == depth
