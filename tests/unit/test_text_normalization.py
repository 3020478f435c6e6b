"""The normal form the extractor reads, and its map back to what the person typed."""
import re
import unicodedata

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from numbness_triage.text_normalization import normalize

WORDS = {"breathe", "so", "feel", "good", "numbness", "numb", "help", "leg", "please", "too", "to", "speech",
         "slurred", "i", "can"}


def normal(text):
    return normalize(text, WORDS.__contains__)


@pytest.mark.parametrize("typed, folded", [
    ("I CAN'T BREATHE", "i can't breathe"),
    ("I CAN’T BREATHE", "i can't breathe"),
    ("i can‘t breathe", "i can't breathe"),
    ("i can´t breathe", "i can't breathe"),
    ("i can`t breathe", "i can't breathe"),
    ("i canʼt breathe", "i can't breathe"),
    ("ＩＣＡＮ ＢＲＥＡＴＨＥ", "ican breathe"),  # full-width letters (NFKC)
    ("bre\u00adathe", "breathe"),  # a soft hyphen
    ("bre\u200bat\u200ch\u200de\u2060\ufeff", "breathe"),  # zero-width characters
    ("\u202ebreathe\u202c", "breathe"),  # direction marks
    ("breaaaathe", "breathe"),
    ("BREAAAATHE", "breathe"),
    ("sooooo numbbbbb", "so numb"),
    ("feeeeel", "feel"),
    ("numbnessssss", "numbness"),
    ("goooood", "good"),
    ("tooooo", "too"),
    ("zzzzz", "zz"),  # no word either way: two letters, as English spells
    ("feel numbness", "feel numbness"),  # real double letters stay
    ("i can't\nbreathe", "i can't\nbreathe"),
    ("i can't\r\n\r\nbreathe", "i can't\nbreathe"),
    ("i can't \n breathe", "i can't\nbreathe"),
    ("i can't\tbreathe", "i can't breathe"),
    ("i can't 😱 breathe", "i can't breathe"),
    ("i can't😭breathe", "i can't breathe"),
    ("i can't 🤦\u200d♀️ 👍🏽 breathe", "i can't breathe"),
    ("my  leg   is numb", "my leg is numb"),
    ("my speech is <i>slurred</i>", "my speech is slurred "),
    ("age \x1b[31m40", "age 40"),
    ("STRASSE Straße", "strasse strasse"),
    ("ẖ ǰ", "h j"),  # case-folded into a letter and a combining mark: the mark goes
])
def test_the_normal_form(typed, folded):
    assert normal(typed).folded == folded


@pytest.mark.parametrize("typed, folded", [
    ("cant dont doesnt didnt isnt wasnt couldnt wont", "can't don't doesn't didn't isn't wasn't couldn't won't"),
    ("IM FINE", "i'm fine"),
    ("ive whats thats youre theyre", "i've what's that's you're they're"),
    ("its ill well were id hell shell wed lets", "its ill well were id hell shell wed lets"),  # words as they are
    ("cannot", "cannot"),
    ("cooooouldnt", "couldn't"),  # stretched and without its apostrophe
])
def test_a_dropped_apostrophe_comes_back_where_no_word_is_meant(typed, folded):
    assert normal(typed).folded == folded


def test_the_cased_form_keeps_capitals_for_the_sentences():
    text = normal("I have no fever\nI CAN’T breathe")
    assert text.cased == "I have no fever\nI CAN'T breathe"
    assert text.folded == "i have no fever\ni can't breathe"
    assert text.flat == "i have no fever i can't breathe"


@pytest.mark.parametrize("typed, word, said", [
    ("I CAN’T BREAAAATHE now", "breathe", "BREAAAATHE"),
    ("I CAN’T BREAAAATHE now", "can't", "CAN’T"),
    ("i can\u00adt bre\u200bathe", "breathe", "bre\u200bathe"),
    ("i can\u00adt bre\u200bathe", "can't", "can\u00adt"),
    ("i cant breathe", "can't", "cant"),
    ("my speech is <b>SLURRRRED</b>!", "slurred", "SLURRRRED"),
    ("ｍｙ ｌｅｇ", "leg", "ｌｅｇ"),
    ("ﬁne", "fine", "ﬁne"),
])
def test_a_stretch_of_the_normal_form_says_back_what_was_typed(typed, word, said):
    text = normal(typed)
    start = text.folded.index(word)
    assert text.typed_text(start, start + len(word)) == said


def test_an_empty_stretch_maps_to_a_place_in_the_typed_text():
    text = normal("ＡＢ cd")
    assert text.to_typed(3, 3) == (3, 3)
    assert text.to_typed(len(text), len(text)) == (len("ＡＢ cd"), len("ＡＢ cd"))


def test_the_first_character_from_a_typed_position():
    text = normal("ＡＢ\u00ad\u00adcd")
    assert text.index_of_typed(4) == 2 and text.folded[2] == "c"
    assert text.index_of_typed(100) == len(text)


@given(st.text(max_size=300))
def test_the_map_back_is_whole_and_in_order(typed):
    text = normal(typed)
    assert len(text.folded) == len(text.cased) == len(text.starts) == len(text.ends)
    assert all(0 <= start <= end <= len(typed) for start, end in zip(text.starts, text.ends))
    assert list(text.starts) == sorted(text.starts)
    for i, char in enumerate(text.folded):  # each character comes from what was typed
        if char not in " \n'":
            assert text.typed_text(i, i + 1)


@given(st.text(max_size=300))
def test_the_normal_form_has_no_invisible_characters_runs_of_space_or_stretched_letters(typed):
    folded = normal(typed).folded
    assert not any(unicodedata.category(char) in ("Cf", "Cc", "Mn", "Me") and char != "\n" for char in folded)
    assert not re.search(r"[ \n]{2}", folded)
    assert not re.search(r"([a-z])\1\1", folded)
    assert folded.casefold() == folded


@given(st.from_regex(r"[a-z]{1,8}( [a-z]{1,8}){0,20}", fullmatch=True))
def test_plain_words_stay_as_typed_but_for_a_restored_apostrophe(typed):
    assume(not re.search(r"([a-z])\1\1", typed))
    assert normal(typed).folded.replace("'", "") == typed


@pytest.mark.parametrize("typed, folded", [
    ("numb,,,,,,,,,,,,,,,,,,,,", "numb,,,"),
    ("numb, , , , , , , breathe", "numb, , , breathe"),
    ("what?!?!?!?!", "what?!?"),
    ("wait..... ok", "wait... ok"),
    ("no... fever, chills", "no... fever, chills"),
    ("can't,can't", "can't,can't"),
])
def test_a_run_of_punctuation_keeps_three_marks(typed, folded):
    assert normal(typed).folded == folded
