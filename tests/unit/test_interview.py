"""Whole conversations with the framework-free interview."""
from numbness_triage.knowledge import Urgency



def test_greeting_says_what_the_bot_is_and_when_to_call_911(chat):
    text = chat("hello", intent="greet")
    assert "not a doctor" in text and "911" in text


def test_the_bot_says_back_what_it_understood(chat):
    text = chat("my left leg is numb and I have no back pain")
    assert "leg numbness" in text and "left" in text
    assert "no lower back pain" in text


def test_a_red_flag_at_the_opening_escalates(chat):
    text = chat("my leg went numb and my speech is slurred")
    assert "you said your speech is slurred" in text.lower()
    assert "911" in text
    assert chat.payload["triage"] == Urgency.emergency_ambulance.value
    assert chat.payload["red_flags"] == ["slurred_speech"]
    assert chat.question is None


def test_a_red_flag_in_the_middle_of_a_question_stops_the_interview(chat):
    chat("my leg is numb")
    chat("52, male", intent="inform")
    text = chat("yes and now I can't control my bladder", intent="affirm")
    assert "bladder" in text
    assert chat.state.stage == "escalated"
    assert chat.payload["triage"] in ("emergency", "emergency_ambulance")
    follow_up = chat("do you have any more questions?", intent="out_of_scope")
    assert "sleep" not in follow_up.lower()


def test_a_denied_red_flag_raises_nothing(chat):
    chat("my foot is numb but my speech is fine and I'm not confused")
    assert chat.state.stage == "interview"
    assert chat.state.red_flags == []


def test_an_ambiguous_flag_gets_one_clarifying_question(chat):
    text = chat("my legs feel weak and numb")
    assert "new" in text.lower()
    chat("no, it has been like this for years", intent="deny")
    assert chat.state.stage == "interview"
    assert chat.state.red_flags == []


def test_new_weakness_escalates_after_the_clarifying_question(chat):
    chat("my legs feel weak and numb")
    text = chat("yes it started this morning", intent="affirm")
    assert chat.state.stage == "escalated"
    assert "weakness" in text


def test_a_correction_replaces_the_side(chat):
    chat("my left leg is numb")
    chat("actually it's my right leg", intent="inform")
    assert chat.state.side == "right"


DIABETIC_ANSWERS = {"age_sex": ("63 male", "inform"), "onset": ("gradually", "inform"),
                    "duration": ("months", "inform")}


def test_full_interview_ends_in_an_assessment_with_the_likely_causes(chat):
    chat("my feet are numb and burn, I have diabetes")
    chat.answer_until_done(DIABETIC_ANSWERS)
    assert chat.state.stage == "assessed"
    assert 1 <= len(chat.payload["causes"]) <= 3
    assert all(cause["score"] >= 0.03 for cause in chat.payload["causes"])
    assert chat.payload["causes"][0]["id"] == "diabetic_neuropathy"
    assert chat.payload["causes"][0]["why"]["for"]
    assert "not a diagnosis" in "\n".join(r.text for r in chat.replies)


def test_a_red_flag_after_the_assessment_still_escalates(chat):
    test_full_interview_ends_in_an_assessment_with_the_likely_causes(chat)
    chat("oh and now I passed out for a moment")
    assert chat.state.stage == "escalated"


def test_unclear_answer_repeats_the_question(chat):
    chat("my leg is numb")
    pending = chat.question
    text = chat("banana", intent="nlu_fallback")
    assert "didn't catch" in text
    assert chat.question == pending


def test_restart_starts_over(chat):
    chat("my leg is numb")
    chat("start over", intent="start_over")
    assert chat.state.findings == {}


def test_summary_lists_present_and_absent_findings(chat):
    chat("my left leg is numb, no back pain")
    text = chat("give me a summary for my doctor", intent="request_summary")
    assert "leg numbness" in text and "lower back pain" in text and "Do you have trouble sleeping?" in text


def test_out_of_scope_brings_the_person_back(chat):
    chat("my leg is numb")
    text = chat("what's the weather like?", intent="out_of_scope")
    assert "leg numbness" in text
    assert "How old are you" in text


def test_an_answer_to_a_safety_question_read_as_start_over_is_still_an_answer(chat):
    chat("my legs feel weak and numb")
    chat("the weakness is new, only from today", intent="start_over")
    assert chat.state.stage == "escalated"


def test_an_empty_message_gets_a_clear_reply_and_loses_nothing(chat):
    chat("my left leg is numb")
    pending = chat.question
    text = chat("   ", intent="nlu_fallback")
    assert "didn't receive any text" in text
    assert chat.question == pending and chat.state.findings["leg_numbness"] == "present"


def test_another_language_gets_told_the_bot_reads_english(chat):
    text = chat("me duele la pierna y la tengo entumecida", intent="nlu_fallback")
    assert "English" in text and "911" in text
    text = chat("我的腿麻木了", intent="nlu_fallback")
    assert "English" in text


def test_start_over_keeps_the_red_flags_already_heard(chat):
    chat("my leg is numb and my speech is slurred")
    text = chat("start over", intent="start_over")
    assert "911" in text
    assert chat.state.red_flags == ["slurred_speech"]
    chat("my foot is numb")
    assert chat.state.red_flags == ["slurred_speech"]


def test_a_red_flag_inside_html_is_found(extractor):
    found = extractor.extract("<p>my leg went <b>numb</b> and my speech is <i>slurred</i></p>").assertions
    assert found.get("slurred_speech") == "present"
