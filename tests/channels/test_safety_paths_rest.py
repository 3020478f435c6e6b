"""The twelve unsafe paths of issue 12, played through the REST channel as a person would type
them, against the trained bot and its real action server (docs/clinical-safety.md names the
hazard each belongs to). Each ends at the safe level.

Needs the trained model: runs only with RUN_CHANNEL_SERVER_TESTS=1 (`make channel-tests`)."""
import os

import pytest


pytestmark = pytest.mark.skipif(os.environ.get("RUN_CHANNEL_SERVER_TESTS") != "1",
                                reason="needs the trained model: RUN_CHANNEL_SERVER_TESTS=1 (make channel-tests)")

LEVELS = ["self_care", "consultation", "consultation_24", "emergency", "emergency_ambulance"]


def play(rest, name, messages, answer="no", most=25):
    """Send the messages, then answer every question with `answer`, until an assessment or an
    escalation; returns (the assessment payload, every text the bot sent)."""
    sender, said, payload = rest.issue(), [], None
    queue = list(messages)
    for _ in range(most):
        message = queue.pop(0) if queue else answer
        reply = rest.post({"sender": sender, "message": message})
        assert reply.status_code == 200, reply.text
        for item in reply.json():
            said.append(item.get("text") or "")
            custom = item.get("custom") or {}
            if isinstance(custom.get("assessment"), dict):
                payload = custom["assessment"]
        if payload and (payload.get("causes") or payload.get("red_flags")) and not queue:
            return payload, said
    pytest.fail(f"{name}: no assessment: {said[-3:]}")


def at_least(level, floor):
    return LEVELS.index(level) >= LEVELS.index(floor)


def test_path_01_spinal_infection_is_not_a_slipped_disk(rest):
    payload, _ = play(rest, "spinal infection", [
        "I've had a fever and night sweats for a few days, an abscess on my arm last week, and now bad lower back "
        "pain shooting down my right leg, which is numb"])
    assert at_least(payload["triage"], "emergency")


def test_path_02_weakness_building_over_weeks_is_not_cleared_by_not_new(rest):
    payload, _ = play(rest, "worsening weakness", [
        "sciatica down my left leg, the leg is numb and it has been getting weaker week by week", "no, it's not new"])
    assert at_least(payload["triage"], "emergency")


def test_path_03_not_sure_to_everything_is_not_an_ambulance(rest):
    payload, _ = play(rest, "nothing known", ["my leg is numb", "50, male"], answer="not sure")
    assert payload["triage"] in ("consultation", "consultation_24")


def test_path_04_the_past_is_not_the_present(rest):
    payload, said = play(rest, "past", ["last spring I had blurry vision in one eye for a couple of weeks. "
                                        "now my left foot is numb", "no, that's long gone"])
    assert not payload.get("red_flags")
    assert any("in the past" in text for text in said)


def test_path_05_numbness_after_sitting_that_lasts_hours_is_not_self_care(rest):
    payload, _ = play(rest, "hours", ["I sat cross legged and my leg went numb, I thought it would wear off "
                                      "but it's been six hours"])
    assert payload["triage"] != "self_care"


def test_path_06_an_old_operation_does_not_explain_sudden_numbness(rest):
    payload, _ = play(rest, "old surgery", ["I had a knee replacement eight years ago and this morning my right "
                                            "leg suddenly went numb"])
    assert "sudden_numbness" in payload["red_flags"] and at_least(payload["triage"], "emergency")


def test_path_07_a_negative_diabetes_test_is_not_diabetes(rest):
    payload, _ = play(rest, "denied diabetes", ["my feet burn and are numb, I was tested for diabetes and it was "
                                                "negative", "68, female", "gradually", "about a year"])
    assert "diabetic_neuropathy" not in [c["id"] for c in payload["causes"]]


def test_path_08_not_sure_about_fever_does_not_make_a_spine_infection_lead(rest):
    payload, _ = play(rest, "unsure fever", ["numb patch on my outer thigh, no back pain", "40, male"],
                      answer="not sure")
    assert payload["causes"][0]["id"] != "vertebral_osteomyelitis"
    assert not at_least(payload["triage"], "emergency")


def test_path_09_a_diabetic_foot_infection_is_an_emergency_for_the_right_reasons(rest):
    payload, said = play(rest, "diabetic foot", ["I'm diabetic, there's a red swollen sore on my foot that won't "
                                                 "heal and I've got a fever, my feet are numb"])
    assert at_least(payload["triage"], "emergency")
    assert "loss_of_consciousness" not in payload["red_flags"]


def test_path_10_my_own_ms_is_a_finding(rest):
    payload, _ = play(rest, "own MS", ["I've got MS and my legs have gone numb and tingly again over a few weeks",
                                       "34, female"])
    assert "multiple_sclerosis" in [c["id"] for c in payload["causes"][:2]]


def test_path_11_hours_and_episodes_are_told_apart(rest):
    sender = rest.issue()
    rest.post({"sender": sender, "message": "my right foot has been going numb for 15 minutes at a time, "
                                            "on and off since yesterday"})
    summary = " ".join(m.get("text") or "" for m in rest.post({"sender": sender, "message": "/request_summary"}).json())
    assert "Each episode: minutes" in summary and "Started: days ago" in summary
    assert "Course: intermittent" in summary


def test_path_12_a_presentation_none_of_the_causes_explains_says_so(rest):
    payload, said = play(rest, "no fit", ["there's a numb patch on the outside of my thigh, about a month now",
                                          "40, male"])
    assert payload.get("fit") == "weak"
    assert any("None of the causes I know fits" in text for text in said)
