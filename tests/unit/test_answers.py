"""Free-text answers to the bot's questions."""
import pytest

from numbness_triage.answers import parse_age_sex, parse_duration, parse_is_new, parse_onset, parse_side, parse_yes_no


@pytest.mark.parametrize("text, expected", [
    ("yeah", "yes"), ("yep, definitely", "yes"), ("kind of", "yes"), ("only at night", "yes"), ("sometimes", "yes"),
    ("nope", "no"), ("not really", "no"), ("I don't", "no"), ("never", "no"),
    ("not sure", "unsure"), ("dunno", "unsure"), ("maybe", "unsure"), ("hard to say", "unsure"),
    ("banana", None),
])
def test_yes_no(text, expected):
    assert parse_yes_no(text) == expected


def test_button_intent_answers_when_the_text_does_not():
    assert parse_yes_no("/affirm", intent="affirm") == "yes"


@pytest.mark.parametrize("text, age, sex", [
    ("45 female", 45, "female"), ("I'm a 62 year old man", 62, "male"), ("f, 28", 28, "female"),
    ("male, seventy two", 72, "male"), ("I've had it for 3 weeks", None, None),
])
def test_age_and_sex(text, age, sex):
    assert parse_age_sex(text) == (age, sex)


@pytest.mark.parametrize("text, side", [
    ("left leg", "left"), ("just the right one", "right"), ("both", "both"), ("both legs", "both"),
    ("actually it's my right leg", "right"), ("only one leg", "one"), ("hmm", None),
])
def test_side(text, side):
    assert parse_side(text) == side


@pytest.mark.parametrize("text, onset", [
    ("suddenly", "sudden"), ("straight after the kick", "sudden"), ("out of the blue", "sudden"),
    ("gradually", "gradual"), ("slowly over months", "gradual"), ("no idea", None),
])
def test_onset(text, onset):
    assert parse_onset(text) == onset


@pytest.mark.parametrize("text, duration", [
    ("a few minutes", "minutes"), ("since yesterday", "days"), ("about three weeks", "weeks"),
    ("for years", "years"), ("since last winter", "months"), ("not sure", None),
])
def test_duration(text, duration):
    assert parse_duration(text) == duration


@pytest.mark.parametrize("text, expected", [
    ("yes, the not being able to walk started this morning", "yes"),
    ("no, it's not new", "no"),
    ("no idea", "unsure"),
    ("yes I think so", "yes"),
])
def test_an_answer_that_opens_with_yes_or_no_is_that_answer(text, expected):
    assert parse_yes_no(text) == expected


@pytest.mark.parametrize("text, onset", [
    ("it came on after the fall", "sudden"), ("straight after the operation", None),
    ("over the past week", "days"), ("over a couple of days", "days"),
])
def test_onset_tied_to_an_event_or_a_span(text, onset):
    assert parse_onset(text) == onset


def test_onset_said_outright_beats_the_event_it_followed():
    assert parse_onset("built up gradually after the accident") == "gradual"


@pytest.mark.parametrize("text, expected", [
    ("the weakness and giddiness are new, only from today", "yes"),
    ("it started this morning", "yes"),
    ("no, I've had it for years", "no"),
    ("it's not new", "no"),
    ("not sure", "unsure"),
])
def test_is_it_new(text, expected):
    assert parse_is_new(text) == expected
