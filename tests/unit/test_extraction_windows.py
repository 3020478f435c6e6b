"""Issue 16, finding 3: the extractor's work grows with a message's length, not its square, and a
message it has no time left for is still checked for red flags. Work is counted (windows, tokens,
ConText's comparisons), never timed. Also: what it finds is said back as the person typed it."""
import random

import pytest

from numbness_triage.extraction import ABSENT, MAX_MESSAGE_CHARS, PRESENT
from numbness_triage.text_windows import CORE_TOKENS, MARGIN_TOKENS, Budget, token_windows
from tests.unit.test_properties import NEGATED, RED_FLAG_SENTENCES

WINDOW = CORE_TOKENS + 2 * MARGIN_TOKENS


def hostile(size, seed):
    """Commas and red-flag words, never twice the same stretch (a window's reading is cached)."""
    rng = random.Random(seed)
    words = ["can't", "breathe", "slurred", "speech", "numb", "leg", "confused", "pulse", "no", "not", "face",
             "drooping", "bladder", "my", "passed", "out", "fine"]
    text = ""
    while len(text) < size:
        text += rng.choice(words) + rng.choice([", ", ",", " , ", ",, "])
    return text[:size]


@pytest.mark.parametrize("length", [0, 1, WINDOW, WINDOW + 1, 1000, 5003])
def test_token_windows_read_each_token_in_one_core_and_no_window_is_larger_than_its_bound(length):
    windows = token_windows(length)
    cores = [i for w in windows for i in range(w.core_start, w.core_end)]
    assert cores == list(range(length))
    for window in windows:
        assert window.start <= window.core_start and window.core_end <= window.end <= length
        assert window.end - window.start <= WINDOW
        assert window.core_start - window.start in (0, MARGIN_TOKENS) or window.start == 0
        assert window.end - window.core_end in (0, MARGIN_TOKENS) or window.end == length


@pytest.fixture
def context_comparisons(monkeypatch):
    """How many modifier pairs medspaCy's ConText compares (its cost is quadratic in them)."""
    from medspacy.context.context_graph import ConTextGraph

    counted = []
    original = ConTextGraph.update_scopes

    def counting(graph):
        counted.append(len(graph.modifiers) * (len(graph.modifiers) - 1) // 2)
        return original(graph)

    monkeypatch.setattr(ConTextGraph, "update_scopes", counting)
    return counted


def test_the_work_grows_with_the_length_of_a_message_not_its_square(extractor, context_comparisons):
    work = {}
    for size in (2_400, 4_800):
        budget = Budget()
        context_comparisons.clear()
        extractor.extract(hostile(size, seed=size), budget)
        tokens = len(extractor.nlp.make_doc(hostile(size, seed=size)))
        assert budget.largest_window <= WINDOW
        assert budget.tokens_read <= tokens * WINDOW / CORE_TOKENS
        assert sum(context_comparisons) <= tokens * WINDOW * WINDOW / 2 / CORE_TOKENS
        work[size] = sum(context_comparisons) / tokens
    assert work[4_800] <= 1.3 * work[2_400]  # per token: about the same (twice as much before)


def test_a_long_message_is_read_in_windows_past_its_start_too(extractor, context_comparisons):
    budget = Budget()
    extractor.extract(hostile(30_000, seed=7), budget)
    assert budget.windows_read > 30_000 / MAX_MESSAGE_CHARS and budget.largest_window <= WINDOW
    assert max(context_comparisons) <= WINDOW * (WINDOW - 1) // 2


def test_a_short_message_is_read_whole_in_one_window(extractor):
    budget = Budget()
    extractor.extract("I can't breathe, my leg is numb and I have no fever", budget)
    assert budget.windows_read == 1 and budget.windows_scanned == 0


class Ticks:
    """A clock that moves one second each time it is read: a budget of n seconds lasts n readings."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        self.now += 1.0
        return self.now


def message_with(ending, filler_size=3_000):
    return hostile(filler_size, seed=len(ending)).replace("can't", "could").replace("no", "so") + ". " + ending


@pytest.mark.parametrize("flag", sorted(RED_FLAG_SENTENCES))
def test_out_of_time_a_red_flag_is_still_found(extractor, flag):
    budget = Budget(2, clock=Ticks())
    extraction = extractor.extract(message_with(RED_FLAG_SENTENCES[flag].upper()), budget)
    assert budget.windows_scanned > 0
    assert extraction.assertions.get(flag) == PRESENT


@pytest.mark.parametrize("flag", sorted(NEGATED))
def test_out_of_time_a_denied_red_flag_raises_no_alarm(extractor, flag):
    extraction = extractor.extract(NEGATED[flag], Budget(0))
    assert extraction.assertions.get(flag) != PRESENT


@pytest.mark.parametrize("text, flag", [("MY SPEECH IS FINE", "slurred_speech"),
                                        ("the pulse in my foot is fine", "no_pulse_in_leg"),
                                        ("i don't have trouble breathing", "difficulty_breathing")])
def test_out_of_time_a_denial_phrase_still_denies(extractor, text, flag):
    extraction = extractor.extract(text, Budget(0))
    assert extraction.assertions.get(flag) == ABSENT and flag not in extraction.hinted_red_flags


def test_out_of_time_a_red_flag_after_the_start_is_found(extractor):
    text = hostile(20_000, seed=3).replace("can't", "could") + ". I CAN’T BREAAATHE"
    budget = Budget(0)
    assert extractor.extract(text, budget).assertions.get("difficulty_breathing") == PRESENT
    assert budget.windows_read == 0 and budget.windows_scanned > 1


def test_a_reading_out_of_time_is_not_kept_for_later(extractor):
    text = "x " * 2_700 + "my speech is fine and i have no slurred speech"
    extractor.extract(text, Budget(0))
    assert extractor.extract(text).assertions.get("slurred_speech") == ABSENT


@pytest.mark.parametrize("typed, said", [
    ("I CAN’T BREAAATHE and my leg is numb", "CAN’T BREAAATHE"),
    ("i can\u00adt bre\u200bathe", "can\u00adt bre\u200bathe"),
    ("my speech is\nslurred", "speech is\nslurred"),
    ("my 😱 speech 😱 is 😱 slurred", "speech 😱 is 😱 slurred"),
    ("ｍｙ ｓｐｅｅｃｈ ｉｓ ｓｌｕｒｒｅｄ", "ｓｐｅｅｃｈ ｉｓ ｓｌｕｒｒｅｄ"),
    ("my speech is <b>SLURRRRED</b>", "speech is <b>SLURRRRED"),
    ("Straße. My speech is slurred", "speech is slurred"),
])
def test_what_is_found_is_said_back_as_it_was_typed(extractor, typed, said):
    for mention in extractor.extract(typed).mentions:
        assert typed[mention.start:mention.end] == mention.text
    assert said in [m.text for m in extractor.extract(typed).mentions]


def test_side_and_onset_point_at_what_was_typed(extractor):
    typed = "ＭＹ\u00ad ＬＥＦＴ LEG WENT NUMB SUDDENLYYYY"
    extraction = extractor.extract(typed)
    assert extraction.side == "left" and typed[slice(*extraction.side_span)].startswith("ＬＥＦＴ")
    assert extraction.onset == "sudden" and typed[slice(*extraction.onset_span)] == "SUDDENLYYYY"
