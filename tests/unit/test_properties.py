"""Properties of the extractor and the answer parser over generated text (hypothesis)."""
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from numbness_triage.answers import parse_age_sex, parse_duration, parse_onset, parse_side, parse_yes_no
from numbness_triage.extraction import PRESENT

# A red-flag phrase per red flag, as a person would type it.
RED_FLAG_SENTENCES = {
    "slurred_speech": "my speech is slurred",
    "loss_of_bladder_or_bowel_control": "I have lost control of my bladder",
    "confusion": "I am confused",
    "difficulty_breathing": "I have trouble breathing",
    "paralysis": "I can't move my leg",
    "vision_changes": "my vision is blurry",
    "face_drooping": "my face is drooping",
    "loss_of_consciousness": "I passed out",
    "no_pulse_in_leg": "there is no pulse in my foot",
}
NEGATED = {
    "slurred_speech": "no slurred speech",
    "loss_of_bladder_or_bowel_control": "no loss of bladder control",
    "confusion": "no confusion",
    "difficulty_breathing": "no trouble breathing",
    "paralysis": "no paralysis",
    "vision_changes": "no blurry vision",
    "face_drooping": "no face drooping",
    "loss_of_consciousness": "I did not pass out",
    "no_pulse_in_leg": "the pulse in my foot is fine",
}
NEUTRAL_WORDS = ["today", "really", "also", "honestly", "coffee", "weather", "morning", "okay so", "well",
                 "anyway", "please", "hello", "thanks", "um", "like", "at work", "my cat", "the kitchen"]
settings.register_profile("suite", max_examples=60, deadline=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture])
settings.load_profile("suite")


@given(st.text(max_size=400))
def test_the_extractor_never_raises(extractor, text):
    extractor.extract(text)


@given(st.text(max_size=200), st.sampled_from([None, "affirm", "deny", "unsure", "inform"]))
def test_the_answer_parsers_never_raise(text, intent):
    parse_yes_no(text, intent), parse_age_sex(text), parse_side(text), parse_onset(text), parse_duration(text)


@pytest.mark.parametrize("flag", sorted(NEGATED))
@given(prefix=st.lists(st.sampled_from(NEUTRAL_WORDS), max_size=3))
def test_a_denied_red_flag_is_never_present(extractor, flag, prefix):
    text = " ".join([*prefix, NEGATED[flag]])
    found = {m.finding: m.assertion for m in extractor.extract(text).mentions}
    assert found.get(flag) != PRESENT, text


@pytest.mark.parametrize("flag", sorted(RED_FLAG_SENTENCES))
@given(before=st.lists(st.sampled_from(NEUTRAL_WORDS), max_size=4),
       after=st.lists(st.sampled_from(NEUTRAL_WORDS), max_size=4))
def test_unrelated_words_never_remove_a_present_red_flag(extractor, flag, before, after):
    text = " ".join([*before, RED_FLAG_SENTENCES[flag], *after])
    found = {m.finding: m.assertion for m in extractor.extract(text).mentions}
    assert found.get(flag) == PRESENT, text
