"""Time in a person's words: when it started, how it came on, how long one episode lasts, its course."""
import pytest

from numbness_triage.timing import is_recent, read_timing


@pytest.mark.parametrize("text, duration", [
    ("since Friday", "days"), ("it's been getting worse since friday", "days"), ("for a couple of hours", "hours"),
    ("on and off for years", "years"), ("3 wks", "weeks"), ("about a month now", "months"),
    ("my left foot has been numb for three weeks", "weeks"), ("since last Christmas", "months"),
    ("woke up with it this morning", "hours"), ("suddenly, about half an hour ago", "minutes"),
    ("twice a week for 5 minutes at a time, for about 2 years", "years"), ("not sure", None),
    ("I'm a 45 year old man", None), ("it happens once a week", None),
])
def test_how_long_since_it_began(text, duration):
    assert read_timing(text).duration == duration


@pytest.mark.parametrize("text, onset", [
    ("all of a sudden", "sudden"), ("it came on over the afternoon", "hours"), ("over a few days", "days"),
    ("it crept up on him over the last year", "gradual"), ("gradually, not suddenly", "gradual"),
    ("it goes away quickly", None), ("after the surgery", None),
    ("it came on like flicking a switch", "sudden"), ("came on within a couple of days, not in one moment", "days"),
    ("in one go, the whole leg", "sudden"),
])
def test_how_it_came_on(text, onset):
    assert read_timing(text).onset == onset


@pytest.mark.parametrize("text, episode", [
    ("goes away after a few minutes once I stand up", "minutes"), ("15 minutes yesterday", "minutes"),
    ("sat on it, it's still numb after 6 hours", "hours"), ("I thought it would wear off", "constant"),
    ("it won't go away", "constant"), ("since Friday", None),
])
def test_how_long_one_episode_lasts(text, episode):
    assert read_timing(text).episode == episode


@pytest.mark.parametrize("text, course", [
    ("it's getting worse", "worsening"), ("getting weaker week by week", "worsening"),
    ("it comes and goes", "intermittent"), ("on and off for years", "intermittent"),
    ("it's there all the time", "constant"), ("it's getting better", "improving"),
    ("it's not getting worse", None), ("it gets worse at night", None),
])
def test_where_it_is_going(text, course):
    assert read_timing(text).course == course


@pytest.mark.parametrize("text, recent", [
    ("since yesterday", True), ("this morning", True), ("since Friday", True), ("for years", False),
    ("about a month now", False), ("all of a sudden", True), ("gradually", False), ("I don't know", None),
])
def test_whether_it_is_new(text, recent):
    assert is_recent(read_timing(text)) is recent
