"""The property tests of test_properties.py, typed in capitals, mixed case, curly apostrophes
and invisible characters: a denied red flag is never present, a red flag always is (issue 16)."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from numbness_triage.extraction import PRESENT
from tests.unit.test_properties import NEGATED, NEUTRAL_WORDS, RED_FLAG_SENTENCES

DENIALS = {**NEGATED, "slurred_speech_fine": "my speech is fine"}  # "MY SPEECH IS FINE" must not escalate


def _flag(key):
    return key.replace("_fine", "")


def typed(text, capitals, invisible):
    """`text` with the letters `capitals` says in capitals, curly apostrophes, and `invisible`
    (soft hyphen, zero-width space) inside its words."""
    out = []
    for i, char in enumerate(text.replace("'", "’")):
        out.append(char.upper() if capitals[i % len(capitals)] else char)
        if invisible and char.isalpha() and i + 1 < len(text) and text[i + 1].isalpha() and i % 3 == 1:
            out.append(invisible)
    return "".join(out)


CAPITALS = st.one_of(st.just([True]), st.just([False]), st.lists(st.booleans(), min_size=1, max_size=7))
INVISIBLE = st.sampled_from(["", "\u00ad", "\u200b"])


@pytest.mark.parametrize("key", sorted(DENIALS))
@given(prefix=st.lists(st.sampled_from(NEUTRAL_WORDS), max_size=3), capitals=CAPITALS, invisible=INVISIBLE)
def test_a_denied_red_flag_is_never_present_however_it_is_typed(extractor, key, prefix, capitals, invisible):
    text = typed(" ".join([*prefix, DENIALS[key]]), capitals, invisible)
    assert extractor.extract(text).assertions.get(_flag(key)) != PRESENT, text


@pytest.mark.parametrize("flag", sorted(RED_FLAG_SENTENCES))
@given(before=st.lists(st.sampled_from(NEUTRAL_WORDS), max_size=4),
       after=st.lists(st.sampled_from(NEUTRAL_WORDS), max_size=4), capitals=CAPITALS, invisible=INVISIBLE)
def test_a_red_flag_is_present_however_it_is_typed(extractor, flag, before, after, capitals, invisible):
    text = typed(" ".join([*before, RED_FLAG_SENTENCES[flag], *after]), capitals, invisible)
    assert extractor.extract(text).assertions.get(flag) == PRESENT, text


@pytest.mark.parametrize("text", ["MY SPEECH IS FINE", "My Speech Is Fine", "NO SLURRED SPEECH", "I DIDN’T PASS OUT",
                                  "I DIDNT PASS OUT", "NO TROUBLE BREATHING",
                                  "I HAVE NO TROUBLE BREATHING AND MY LEG IS NUMB"])
def test_denials_in_capitals_raise_no_alarm(extractor, text):
    assert not {f for f, a in extractor.extract(text).assertions.items() if a == PRESENT} & set(RED_FLAG_SENTENCES)


@pytest.mark.parametrize("text, flag", [("I CAN'T BREATHE AND MY LEG IS NUMB", "difficulty_breathing"),
                                        ("I DON'T KNOW WHERE I AM AND MY LEG IS NUMB", "confusion"),
                                        ("I CAN’T BREATHE", "difficulty_breathing"),
                                        ("I CANT BREATHE", "difficulty_breathing"),
                                        ("i can't breaaaathe", "difficulty_breathing"),
                                        ("my speech\nis slurred", "slurred_speech"),
                                        ("i can't 😭 breathe", "difficulty_breathing")])
def test_the_messages_of_the_issue_escalate(extractor, text, flag):
    assert extractor.extract(text).assertions.get(flag) == PRESENT
