"""On the web the assessment is the card alone (channels/webchat_socketio.py drops its text), so
the card must say what the text says. Conversations with the framework-free interview; the card
is what `render.web_card` makes of the payload. Wording-tolerant: whatever the text says of the
causes, the level, the safety rules, the leading cause's advice and the fit, the card says too."""
import pytest

from channels.render import CAUSES_FIT_WEAKLY, web_card
from numbness_triage.interview import Interview, State, Turn

NOT_SURE = {"age_sex": ("40 female", "inform")}
CONVERSATIONS = {
    "diabetic feet": ("my feet are numb and burn, I have diabetes",
                      {"age_sex": ("63 male", "inform"), "onset": ("gradually", "inform"),
                       "duration": ("months", "inform")}),
    "a safety rule": ("I have diabetes, a sore on my foot and a fever, and my foot is numb", NOT_SURE),
    "temporary pressure": ("my leg went numb after sitting cross-legged and it went away in a few minutes", NOT_SURE),
    "nothing fits well": ("my left knee feels numb", NOT_SURE),
}


def strings(value):
    """Every text in the card."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def assessment_reply(kb, extractor, first, answers):
    """The interview's reply that carries the assessment: the description, then each question
    answered by its kind (answers: kind -> (text, intent)), "not sure" to the rest."""
    state, interview = State(), Interview(kb)
    text, intent = first, "describe_symptoms"
    for _ in range(25):
        replies = interview.handle_turn(state, Turn(intent, text, extractor.extract(text)))
        if any(reply.custom for reply in replies):
            return next(reply for reply in replies if reply.custom)
        kind = kb.questions[state.pending].kind if state.pending else None
        text, intent = answers.get(kind, ("not sure", "unsure"))
    raise AssertionError(f"no assessment after {first!r}")


@pytest.mark.parametrize("name", CONVERSATIONS)
def test_the_card_says_what_the_assessment_text_says(kb, extractor, name):
    reply = assessment_reply(kb, extractor, *CONVERSATIONS[name])
    text, assessment = reply.text, reply.custom["assessment"]
    card = web_card(reply.custom, kb)
    words = "\n".join(strings(card))

    assert card["level"] in text and card["advice"] in text  # the same level and advice as the text
    assert kb.advice["not_a_diagnosis"].text == card["disclaimer"]
    assert [shown["name"] for shown in card["causes"]] == [cause["name"] for cause in assessment["causes"]]
    for cause, shown in zip(assessment["causes"], card["causes"]):
        assert shown["description"] and shown["description"] in kb.causes[cause["id"]].description
        for reason in cause["why"]["for"][:5] + cause["why"]["against"][:4]:
            assert reason in words
    for cause in kb.causes.values():  # every cause the text names, with its description
        if f"{cause.name} (" in text:
            assert cause.name in words and cause.description.splitlines()[0] in words, cause.id
    for rule in kb.safety_rules.values():
        if rule.says[1:] in text:
            assert any(rule.says[1:] in reason for reason in card["why"]), (rule.id, card["why"])
    for cause in kb.causes.values():
        if cause.advice and cause.advice.strip() in text:
            assert cause.advice.strip() in card["notes"], cause.id
    assert (card["causes_title"] == CAUSES_FIT_WEAKLY) == (CAUSES_FIT_WEAKLY in text)
