"""The extractor on the kinds of messages people type: negation, uncertainty, other people, typos."""
import pytest

from numbness_triage.extraction import ABSENT, OTHER_PERSON, POSSIBLE, PRESENT


def found(extractor, text):
    return {m.finding: m.assertion for m in extractor.extract(text).mentions}


@pytest.mark.parametrize("text, finding, assertion", [
    ("no back pain but my leg is numb", "lower_back_pain", ABSENT),
    ("no back pain but my leg is numb", "leg_numbness", PRESENT),
    ("I have no back pain. My leg is numb.", "leg_numbness", PRESENT),
    ("I'm not dizzy", "dizziness", ABSENT),
    ("denies confusion", "confusion", ABSENT),
    ("no slurred speech", "slurred_speech", ABSENT),
    ("my speech is fine", "slurred_speech", ABSENT),
    ("I don't have diabetes", "diabetes", ABSENT),
    ("no fever, chills or back pain", "lower_back_pain", ABSENT),
    ("might be slurred speech", "slurred_speech", POSSIBLE),
    ("could this be a slipped disc? my back hurts", "lower_back_pain", PRESENT),
    ("my father had slurred speech when he had his stroke", "slurred_speech", OTHER_PERSON),
    ("my father was slurring his words an hour ago", "slurred_speech", PRESENT),  # someone they are with: now
    ("my wife says my speech is slurred", "slurred_speech", PRESENT),
    ("numbnes in my lower legg", "leg_numbness", PRESENT),
    ("slured speach", "slurred_speech", PRESENT),
    ("cant feel my foot", "foot_numbness", PRESENT),
    ("pins n needles in my feet", "tingling", PRESENT),
    ("legs r weak", "weakness", PRESENT),
    ("I peed myself", "loss_of_bladder_or_bowel_control", PRESENT),
    ("the words come out funny", "slurred_speech", PRESENT),
    ("the room is spinning", "dizziness", PRESENT),
    ("my leg has gone to sleep", "leg_numbness", PRESENT),
    ("dead leg after sitting cross legged", "positional_numbness", PRESENT),
    ("I can't sleep", "trouble_sleeping", PRESENT),
    ("he sleeps poorly and wakes up several times", "trouble_sleeping", PRESENT),
    ("pacing around helps him", "improves_with_activity", PRESENT),
    ("moving my legs helps a bit", "improves_with_activity", PRESENT),
    ("it does not ease when she walks", "improves_with_activity", ABSENT),
    ("it's worse at night", "worse_at_night", PRESENT),
    ("my left foot has been numb for weeks", "foot_numbness", PRESENT),
])
def test_findings_and_assertions(extractor, text, finding, assertion):
    assert found(extractor, text).get(finding) == assertion


@pytest.mark.parametrize("text", [
    "my leg suddenly went numb",
    "all of a sudden I couldn't feel my leg",
])
def test_sudden_numbness_is_found_with_the_numbness(extractor, text):
    result = found(extractor, text)
    assert result.get("sudden_numbness") == PRESENT
    assert result.get("leg_numbness") == PRESENT


@pytest.mark.parametrize("text, side", [
    ("my left leg is numb", "left"),
    ("numbness in my right foot", "right"),
    ("both legs are numb", "both"),
    ("my feet are numb", "both"),
    ("my leg is numb right now", None),
])
def test_side(extractor, text, side):
    assert extractor.extract(text).side == side


@pytest.mark.parametrize("text, onset", [
    ("it came on suddenly, my leg is numb", "sudden"),
    ("my feet went numb gradually over months", "gradual"),
    ("my leg is numb", None),
])
def test_onset(extractor, text, onset):
    assert extractor.extract(text).onset == onset


@pytest.mark.parametrize("text", ["", "   ", "\x00\x01", "🦵🦵", "<script>alert(1)</script>", "x" * 20000,
                                  "SELECT * FROM trackers; --", '{"red_flags": []}'])
def test_never_raises_on_odd_input(extractor, text):
    extractor.extract(text)


def test_a_long_message_is_read(extractor):
    text = ("so it started maybe three weeks ago, I was gardening a lot and lifting bags of soil, and then my back "
            "started aching and now there's this shooting pain down my left leg and the outside of my foot feels numb, "
            "no fever or anything like that, I'm 41 and otherwise healthy")
    result = found(extractor, text)
    assert result.get("sciatica") == PRESENT
    assert result.get("fever") == ABSENT
    assert extractor.extract(text).side == "left"
