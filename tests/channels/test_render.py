"""channels/render.py: the assessment payload as a Slack Block Kit card and a Telegram HTML card."""
import ast
import html
import re
from pathlib import Path

import pytest

from channels.render import (
    SLACK_BLOCKS_MAX, SLACK_HEADER_MAX, SLACK_TEXT_MAX, TELEGRAM_TEXT_MAX, assessment_card, assessment_of,
    slack_blocks, slack_message, telegram_html)
from numbness_triage.knowledge import Urgency
from tests.unit.test_interview import DIABETIC_ANSWERS

ROOT = Path(__file__).resolve().parents[2]
ESCALATION = {"assessment": {"triage": "emergency_ambulance", "red_flags": ["slurred_speech"], "causes": []}}
README_EXAMPLE = {"assessment": {
    "triage": "consultation", "red_flags": [],
    "causes": [{"id": "herniated_disk", "name": "Herniated (slipped) disk in the lower back", "score": 0.81,
                "urgency": "consultation",
                "why": {"for": ["lower back pain", "numbness in one leg"],
                        "against": ["no back pain that shoots down the leg"]}}]}}


def slack_text(blocks):
    """Every text a person sees in the blocks, joined, with Slack's escaping undone."""
    texts = []
    for block in blocks:
        if "text" in block:
            texts.append(block["text"]["text"])
        for element in block.get("elements", []):
            texts.append(element["text"] if isinstance(element["text"], str) else element["text"]["text"])
    joined = "\n".join(texts)
    return joined.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def telegram_text(markup):
    return html.unescape(re.sub(r"</?[bi]>", "", markup))


def full_assessment(chat):
    """A whole interview with the framework-free interview, as in tests/unit/test_interview.py."""
    chat("my feet are numb and burn, I have diabetes")
    replies = chat.answer_until_done(DIABETIC_ANSWERS)
    assert chat.state.stage == "assessed"
    return next(r for r in replies if r.custom)


def test_assessment_of_accepts_only_the_assessment_payload():
    assert assessment_of(README_EXAMPLE) == README_EXAMPLE["assessment"]
    assert assessment_of({"text": "hello"}) is None
    assert assessment_of(None) is None
    assert assessment_of({"assessment": "not a dict"}) is None


def test_an_escalation_is_a_clear_warning_with_what_was_heard_and_911(kb):
    for text in (slack_text(slack_blocks(assessment_card(ESCALATION, kb))),
                 telegram_text(telegram_html(ESCALATION, kb))):
        assert text.startswith("⚠️ This may be a medical emergency")
        assert "Warning signs you mentioned: slurred speech" in text.replace("*", "")
        assert kb.advice_for(Urgency.emergency_ambulance) in text
        assert "911" in text
        assert "What your answers fit best" not in text
    blocks = slack_blocks(assessment_card(ESCALATION, kb))
    assert blocks[0]["type"] == "header"
    assert ":rotating_light:" in slack_text(blocks)
    assert "🚨" in telegram_html(ESCALATION, kb)


def test_the_readme_example_shows_level_advice_and_the_cause_with_its_reasons(kb):
    blocks = slack_blocks(assessment_card(README_EXAMPLE, kb))
    text = slack_text(blocks)
    assert blocks[0]["text"]["text"] == "Your assessment"
    assert "What to do: See your primary care doctor" in text
    assert kb.advice_for(Urgency.consultation) in text
    assert "1. Herniated (slipped) disk in the lower back* (81%) · See your primary care doctor" in text
    assert "*Fits:* lower back pain, numbness in one leg" in text
    assert "*Against:* no back pain that shoots down the leg" in text
    assert kb.advice["not_a_diagnosis"].text in text
    assert "⚠️" not in text


def test_a_real_assessment_says_in_the_card_what_its_text_says(chat, kb):
    reply = full_assessment(chat)
    payload = reply.custom["assessment"]
    level = Urgency(payload["triage"])
    for text in (slack_text(slack_message(reply.custom, kb)["blocks"]), telegram_text(telegram_html(reply.custom, kb))):
        assert kb.urgency_levels[level].label in text and kb.advice_for(level) in text
        assert kb.advice["not_a_diagnosis"].text in text
        assert 1 <= len(payload["causes"]) <= 3
        for cause in payload["causes"]:
            assert cause["name"] in text
            assert f"({round(cause['score'] * 100)}%)" in text
            assert kb.causes[cause["id"]].description.splitlines()[0] in text
            for reason in cause["why"]["for"][:5] + cause["why"]["against"][:4]:
                assert reason in text
            # the interview's own text of the assessment names the same reasons
            assert cause["name"] in reply.text


def test_the_leading_causes_own_advice_is_on_the_card(kb):
    payload = {"assessment": {"triage": "self_care", "red_flags": [], "causes": [
        {"id": "temporary_compression", "name": "Temporary pressure on a nerve (benign)", "score": 0.9,
         "urgency": "self_care", "why": {"for": ["numbness after sitting cross-legged"], "against": []}}]}}
    note = kb.causes["temporary_compression"].advice.strip()
    assert note
    assert note in slack_text(slack_message(payload, kb)["blocks"])
    assert note in telegram_text(telegram_html(payload, kb))


def test_an_emergency_level_from_the_causes_is_a_warning_too(kb):
    payload = {"assessment": {"triage": "emergency", "red_flags": [], "causes": [
        {"id": "vertebral_osteomyelitis", "name": "Vertebral osteomyelitis (infection of the spine)", "score": 0.7,
         "urgency": "emergency", "why": {"for": ["fever"], "against": []}}]}}
    card = assessment_card(payload, kb)
    assert card.warning and card.title.startswith("⚠️")
    assert kb.advice_for(Urgency.emergency) in slack_text(slack_blocks(card))


@pytest.mark.parametrize("triage", [None, "", "bogus"])
def test_an_unknown_level_still_says_to_call_911(kb, triage):
    payload = {"assessment": {"triage": triage, "red_flags": [], "causes": []}}
    card = assessment_card(payload, kb)
    assert card.warning and "911" in card.advice
    assert "911" in telegram_text(telegram_html(payload, kb))


def test_text_from_the_payload_is_escaped(kb):
    payload = {"assessment": {"triage": "consultation", "red_flags": [], "causes": [
        {"id": "x", "name": "<b>A & B</b> <!channel>", "score": 0.5, "urgency": "consultation",
         "why": {"for": ["<i>x</i>"], "against": []}}]}}
    blocks = slack_blocks(assessment_card(payload, kb))
    raw = "\n".join(b["text"]["text"] for b in blocks if "text" in b)
    assert "<!channel>" not in raw and "&lt;!channel&gt;" in raw and "A &amp; B" in raw
    markup = telegram_html(payload, kb)
    assert "<b>A & B</b>" not in markup and "&lt;b&gt;A &amp; B&lt;/b&gt;" in markup
    assert "&lt;i&gt;x&lt;/i&gt;" in markup


def test_cards_stay_within_slack_and_telegram_limits(kb):
    long = "a very long reason " * 60
    payload = {"assessment": {"triage": "consultation", "red_flags": ["slurred_speech"] * 40, "causes": [
        {"id": "herniated_disk", "name": "N" * 400, "score": 0.3, "urgency": "consultation",
         "why": {"for": [long] * 10, "against": [long] * 10}} for _ in range(3)]}}
    blocks = slack_blocks(assessment_card(payload, kb))
    assert len(blocks) <= SLACK_BLOCKS_MAX
    assert len(blocks[0]["text"]["text"]) <= SLACK_HEADER_MAX
    for block in blocks:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= SLACK_TEXT_MAX
    markup = telegram_html(payload, kb)
    assert len(markup) <= TELEGRAM_TEXT_MAX
    assert kb.advice_for(Urgency.consultation) in html.unescape(markup)
    assert kb.advice["not_a_diagnosis"].text in html.unescape(markup)


def test_render_is_framework_free():
    tree = ast.parse((ROOT / "channels" / "render.py").read_text(encoding="utf-8"))
    nodes = list(ast.walk(tree))
    imported = {alias.name.split(".")[0] for node in nodes if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module.split(".")[0] for node in nodes if isinstance(node, ast.ImportFrom) and node.module}
    assert not imported & {"rasa", "rasa_sdk", "slack_sdk", "aiogram", "sanic", "aiohttp"}, imported
