"""Properties of whole conversations with the framework-free interview, over answers hypothesis
makes up: every message gets a reply, no conversation is stuck, and a present emergency red flag
never ends below the emergency level, whatever comes before or after it."""
from hypothesis import given, settings
from hypothesis import strategies as st

from numbness_triage.extraction import shared_extractor
from numbness_triage.interview import Interview, Turn
from numbness_triage.knowledge import Urgency, shared_knowledge_base
from numbness_triage.state import State

ANSWERS = [
    ("no", "deny"), ("yes", "affirm"), ("not sure", "unsure"), ("nope, never", "deny"), ("yeah a bit", "affirm"),
    ("since Friday", "inform"), ("on and off for years", "inform"), ("it comes and goes", "inform"),
    ("my speech is fine", "deny"), ("no bladder problems", "deny"), ("45, male", "inform"), ("left", "inform"),
    ("gradually", "inform"), ("after the surgery", "inform"), ("hmm", "nlu_fallback"), ("/restart", "nlu_fallback"),
    ("what causes this?", "ask_faq"), ("thanks", "thanks"), ("", "nlu_fallback"), ("asking for my dad", "inform"),
    ("last year I had blurry vision", "inform"), ("my father had a stroke", "inform"),
]
OPENINGS = ["my left leg is numb", "my feet have been numb for months", "asking for my wife (70), her legs are numb",
            "hi", "numb toes, no back pain", "my outer thigh has a numb patch"]
RED_FLAGS = ["I can't breathe", "my speech is slurred", "I just passed out", "I've lost control of my bladder",
             "my face is drooping on one side", "I can't move my leg at all"]
EMERGENCY = Urgency.emergency


def play(messages):
    extractor = shared_extractor()
    state, interview, said = State(), Interview(shared_knowledge_base()), []
    for text, intent in messages:
        replies = interview.handle_turn(state, Turn(intent, text, extractor.extract(text)))
        said.append(replies)
    return state, said


@settings(max_examples=40, deadline=None)
@given(opening=st.sampled_from(OPENINGS), before=st.lists(st.sampled_from(ANSWERS), max_size=8),
       flag=st.sampled_from(RED_FLAGS), after=st.lists(st.sampled_from(ANSWERS), max_size=6))
def test_a_present_red_flag_never_ends_below_emergency(opening, before, flag, after):
    state, said = play([(opening, "describe_symptoms"), *before, (flag, "describe_symptoms"), *after])
    assert state.red_flags, f"{flag!r} was not heard"
    assert Urgency(state.triage).at_least(EMERGENCY)
    assert all(replies for replies in said), "a message got no reply"


NOT_ANSWERS = [("/restart", "nlu_fallback"), ("what causes this?", "ask_faq"), ("thanks", "thanks"),
               ("", "nlu_fallback")]
TRIES = [answer for answer in ANSWERS if answer not in NOT_ANSWERS]


# Every question is asked at most twice: the opening prompt three times, four opening questions,
# at most 8 yes/no questions and a few safety questions end within 2 x 15 + 3 answers.
MOST_ANSWERS = 33


@settings(max_examples=40, deadline=None)
@given(opening=st.sampled_from(OPENINGS),
       answers=st.lists(st.sampled_from(TRIES), min_size=MOST_ANSWERS, max_size=MOST_ANSWERS),
       noise=st.lists(st.tuples(st.integers(0, MOST_ANSWERS - 1), st.sampled_from(NOT_ANSWERS)), max_size=6))
def test_every_message_gets_a_reply_and_no_conversation_is_stuck(opening, answers, noise):
    """Answers that try to answer (a hedge, free text, a denial...), with commands and questions
    in between: the interview reaches an assessment or an escalation; nothing loops it."""
    messages = list(answers)
    for at, message in sorted(noise, reverse=True):
        messages.insert(at, message)
    state, said = play([(opening, "describe_symptoms"), *messages])
    assert all(replies for replies in said), "a message got no reply"
    assert state.stage in ("assessed", "escalated"), said[-1][-1].text
