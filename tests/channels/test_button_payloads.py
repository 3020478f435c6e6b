"""Every button the bot can send fits Telegram's callback data: at most 64 bytes of UTF-8.

The buttons are collected, not listed by hand: the button constants of numbness_triage/replies.py,
the buttons of every response in domain.yml, every `{"payload": "..."}` literal in the code of
numbness_triage/ and actions/, and the buttons the interview actually sends in a few whole
conversations. A new button anywhere is checked without touching this test.
"""
import ast
from pathlib import Path

import pytest
import yaml

import numbness_triage.replies as interview  # the buttons live with the replies
from channels.telegram_secure import CALLBACK_DATA_MAX_BYTES, RenderingTelegramOutput, fits_callback_data

ROOT = Path(__file__).resolve().parents[2]


def is_button_list(value):
    return isinstance(value, list) and value and all(isinstance(b, dict) and "payload" in b for b in value)


def interview_constants():
    return {name: value for name, value in vars(interview).items() if name.isupper() and is_button_list(value)}


def domain_buttons():
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    found = []
    for name, variations in (domain.get("responses") or {}).items():
        for variation in variations or []:
            for button in variation.get("buttons") or []:
                found.append((f"domain.yml responses.{name}", button))
    return found


def payload_literals():
    """("file:line", payload) of every dict literal with a constant "payload" in the bot's code."""
    found = []
    for folder in ("numbness_triage", "actions"):
        for path in sorted((ROOT / folder).glob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Dict):
                    for key, value in zip(node.keys, node.values):
                        if isinstance(key, ast.Constant) and key.value == "payload":
                            assert isinstance(value, ast.Constant) and isinstance(value.value, str), (
                                f"{path.name}:{node.lineno}: a payload that is not a constant string cannot be "
                                f"checked here; check its length where it is built")
                            found.append((f"{path.relative_to(ROOT)}:{node.lineno}", value.value))
    return found


def spoken_buttons(chat):
    """Buttons the interview sends in whole conversations (an assessment, an escalation, a restart)."""
    seen = []
    scripts = [
        [("my feet are numb and burn, I have diabetes", "describe_symptoms")],
        [("my leg is numb and I feel weak", "describe_symptoms"), ("yes", "affirm"), ("thanks", "thanks")],
    ]
    for script in scripts:
        chat("hello", intent="greet")
        for text, intent in script:
            chat(text, intent=intent)
            seen += [b for r in chat.replies for b in r.buttons]
        answers = {"age_sex": ("63 male", "inform"), "onset": ("gradually", "inform"), "duration": ("months", "inform")}
        for _ in range(20):
            if chat.state.stage != "interview" or not chat.question:
                break
            question = chat.interview.kb.questions[chat.question]
            chat(*answers.get(question.kind, ("no", "deny")))
            seen += [b for r in chat.replies for b in r.buttons]
        for text, intent in [("yes", "affirm"), ("summary please", "request_summary"), ("start over", "start_over")]:
            chat(text, intent=intent)
            seen += [b for r in chat.replies for b in r.buttons]
    return seen


def test_the_collection_finds_the_known_buttons():
    constants = interview_constants()
    assert {"YES_NO_BUTTONS", "SIDE_BUTTONS", "ONSET_BUTTONS", "AFTER_BUTTONS", "FEEDBACK_BUTTONS"} <= set(constants)
    payloads = {p for _, p in payload_literals()}
    assert {"/affirm", "/deny", "/unsure", '/inform{"side": "left"}', "/request_summary", "/start_over",
            "/talk_to_person"} <= payloads


def test_every_button_payload_fits_telegram_callback_data(chat):
    buttons = [(f"interview.{name}", b) for name, value in interview_constants().items() for b in value]
    buttons += domain_buttons()
    buttons += [(where, {"payload": payload}) for where, payload in payload_literals()]
    buttons += [("said in a conversation", b) for b in spoken_buttons(chat)]
    assert buttons
    too_long = [(where, b["payload"], len(b["payload"].encode("utf-8"))) for where, b in buttons
                if len(b["payload"].encode("utf-8")) > CALLBACK_DATA_MAX_BYTES]
    assert not too_long, f"payloads over Telegram's {CALLBACK_DATA_MAX_BYTES} bytes: {too_long}"


def test_the_buttons_sent_in_conversations_are_among_those_checked(chat):
    known = {b["payload"] for value in interview_constants().values() for b in value}
    assert {b["payload"] for b in spoken_buttons(chat)} <= known


@pytest.mark.parametrize("payload, fits", [("/affirm", True), ("x" * 64, True), ("x" * 65, False),
                                            ("é" * 32, True), ("é" * 33, False), ("", False)])
def test_the_limit_counts_utf8_bytes(payload, fits):
    assert fits_callback_data(payload) is fits


def test_the_keyboard_leaves_out_a_payload_telegram_would_refuse():
    markup = RenderingTelegramOutput.keyboard([{"title": "Yes", "payload": "/affirm"},
                                               {"title": "Too long", "payload": "/inform" + "x" * 80}])
    assert [[k.callback_data for k in row] for row in markup.inline_keyboard] == [["/affirm"]]
    assert RenderingTelegramOutput.keyboard([{"title": "Too long", "payload": "x" * 80}]) is None


def test_short_choices_share_a_row_long_ones_get_a_row_each():
    yes_no = RenderingTelegramOutput.keyboard(interview.YES_NO_BUTTONS)
    assert [[k.text for k in row] for row in yes_no.inline_keyboard] == [["Yes", "No", "Not sure"]]
    after = RenderingTelegramOutput.keyboard(interview.AFTER_BUTTONS)
    assert [len(row) for row in after.inline_keyboard] == [1, 1, 1]
