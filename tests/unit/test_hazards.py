"""One test per hazard of docs/clinical-safety.md that the framework-free interview controls,
named after the hazard id. Each plays a conversation as a person would type it."""
import pytest

from numbness_triage.knowledge import Urgency

LEVELS = [level.value for level in Urgency]


def at_least(level: str, floor: Urgency) -> bool:
    return LEVELS.index(level) >= LEVELS.index(floor.value)


def answer_everything(chat, text="not sure", intent="unsure", most=25):
    """Answer every question the same way until the interview ends."""
    for _ in range(most):
        if chat.state.stage not in ("start", "interview"):
            return
        chat(text, intent=intent)
    raise AssertionError(f"no assessment after {most} answers: {chat.replies[-1].text}")


# --- missed red flags ---------------------------------------------------------------------------
def test_hz07_an_old_operation_does_not_explain_away_sudden_numbness(chat):
    chat("I had a knee replacement eight years ago and today my left foot suddenly went numb")
    assert chat.state.stage == "escalated"
    assert "sudden_numbness" in chat.state.red_flags


def test_hz07_a_position_explains_numbness_only_if_it_went_within_minutes(chat):
    chat("my leg suddenly went numb after sitting cross legged")
    assert chat.state.stage == "interview" and chat.state.clarify_kind == "eased"
    chat("no, it's been numb for six hours now", intent="deny")
    assert chat.state.stage == "escalated"


def test_hz07_numbness_that_went_within_minutes_of_moving_is_explained(chat):
    chat("my leg suddenly went numb after sitting cross legged")
    chat("yes, it went away after a minute when I stood up", intent="affirm")
    assert chat.state.stage == "interview" and not chat.state.red_flags


def test_hz08_a_free_text_answer_to_a_safety_question_is_read(chat):
    chat("my legs feel weak and numb")
    chat("it's been getting worse since Friday", intent="inform")
    assert chat.state.stage == "escalated"
    assert chat.payload["triage"] in ("emergency", "emergency_ambulance")


def test_hz09_an_unreadable_answer_to_a_safety_question_is_asked_once_more_then_counts_as_yes(chat):
    chat("my legs feel weak and numb")
    first = chat("hmm", intent="nlu_fallback")
    assert "new" in first.lower() and chat.state.stage != "escalated"
    chat("hmm", intent="nlu_fallback")
    assert chat.state.stage == "escalated"


@pytest.mark.parametrize("opening", [
    "I have sciatica, my right leg is numb and the weakness in it has been building over the last few weeks",
    "sciatica down my right leg, it's numb and getting weaker week by week",
])
def test_hz10_weakness_that_keeps_getting_worse_escalates_even_if_not_new(chat, opening):
    chat(opening)
    if chat.state.stage != "escalated":
        chat("no, it's not new", intent="deny")
    assert chat.state.stage == "escalated"
    assert at_least(chat.payload["triage"], Urgency.emergency)
    assert "worsening_weakness" in chat.state.rules


@pytest.mark.parametrize("opening, rule", [
    ("I have a fever and night sweats, bad lower back pain that shoots down my leg and my leg is numb",
     "spinal_infection_signs"),
    ("I'm diabetic, there's a sore on my foot that won't heal, I have a fever and my feet are numb",
     "diabetic_foot_infection"),
])
def test_hz11_a_dangerous_combination_ends_the_interview_at_the_emergency_level(chat, opening, rule):
    chat(opening)
    assert chat.state.stage == "escalated", chat.replies[-1].text
    assert rule in chat.state.rules
    assert at_least(chat.payload["triage"], Urgency.emergency)


def test_hz11_weakness_in_both_legs_after_an_infection_is_an_emergency(chat):
    chat("I had a stomach bug two weeks ago and now both my legs are numb and weak")
    assert at_least(chat.payload["triage"], Urgency.emergency)
    assert "weakness_after_an_infection" in chat.state.rules
    follow_up = chat("yes, it started yesterday", intent="affirm")
    assert "don't wait" in follow_up.lower()


# --- the wrong person, the wrong time ---------------------------------------------------------------
@pytest.mark.parametrize("opening", [
    "I'm writing for my father, he's 79 and can't use computers. For years his feet have felt like cotton wool",
    "asking for my husband (71). he has to stop every few hundred metres when we go walking because his calves "
    "ache and his feet go numb",
    "I'm typing this for my husband, he is 70. his legs have been numb for about a year",
])
def test_hz12_a_caregivers_opening_describes_the_patient(chat, opening):
    text = chat(opening)
    assert chat.state.about_someone_else() and chat.state.pronoun == "he"
    assert any(a == "present" for a in chat.state.findings.values())
    assert "How old are you" not in text
    assert chat.state.age is not None
    question = chat.replies[-1].text
    assert " you " not in f" {question.lower()} " or "he" in question.lower()


def test_hz12_the_questions_speak_of_the_patient(chat):
    chat("asking for my mum, her feet have been numb for months")
    answer_everything(chat, "no", "deny")
    assert chat.state.stage == "assessed"
    assert chat.state.sex == "female"


def test_hz13_a_third_partys_own_history_is_not_the_patients(chat):
    chat("my father had a stroke and my leg is numb")
    assert not chat.state.about_someone_else()
    assert chat.state.stage == "interview"
    chat("asking for my dad, his mother had MS and his feet are numb")
    assert chat.state.findings.get("family_history_ms") == "present"
    assert "ms_diagnosis" not in chat.state.findings


@pytest.mark.parametrize("opening", [
    "last year I had blurry vision in one eye for a few weeks. now my legs are numb",
    "I had slurred speech during my stroke in 2019, now my foot is numb",
])
def test_hz14_the_past_is_not_read_as_the_present(chat, opening):
    chat(opening)
    assert chat.state.stage != "escalated"
    assert "in the past" in chat.replies[0].text or any("past" in r.text for r in chat.replies)


def test_hz15_a_past_red_flag_is_asked_about_and_escalates_if_it_is_back(chat):
    chat("last year I had blurry vision in one eye for a few weeks. now my legs are numb")
    assert chat.state.clarify_kind == "now"
    chat("yes it came back this morning", intent="affirm")
    assert chat.state.stage == "escalated" and "vision_changes" in chat.state.red_flags


def test_hz15_a_past_red_flag_that_is_over_is_kept_as_history(chat):
    chat("last year I had blurry vision in one eye for a few weeks. now my legs are numb")
    chat("no, that went away", intent="deny")
    assert chat.state.stage == "interview"
    assert chat.state.findings["vision_changes"] == "historical"


def test_hz16_hours_are_not_days_and_an_episode_is_not_the_time_since_it_started(chat):
    chat("my left leg went numb after sitting at my desk, it's still numb after 6 hours")
    assert chat.state.duration == "hours" and chat.state.episode == "hours"
    chat("a 15 minute episode yesterday, my right foot went numb")
    assert chat.state.episode == "minutes" and chat.state.duration == "days"


def test_hz17_an_event_is_not_an_onset(chat):
    chat("my right leg is numb and my foot drags since my knee replacement")
    answers = {"age_sex": ("68 female", "inform"), "side": ("right", "inform"),
               "onset": ("after the surgery", "inform"), "duration": ("three weeks", "inform")}
    chat.answer_until_done(answers)
    assert chat.state.onset != "sudden" and "sudden_numbness" not in chat.state.findings
    assert chat.payload["causes"][0]["id"] == "fibular_nerve_injury"


# --- misread negation and assertion -----------------------------------------------------------------
def test_hz19_a_negation_does_not_leak_into_the_next_clause(chat):
    chat("I wet myself without noticing and both legs are numb")
    assert chat.state.findings.get("leg_numbness") == "present"
    assert chat.state.stage == "escalated"


def test_hz20_a_question_the_person_answers_themselves_is_a_denial(chat):
    chat("pins and needles in my feet, weakness? no.")
    assert chat.state.findings["weakness"] == "absent"
    assert chat.state.findings["tingling"] == "present"


def test_hz21_a_negative_test_is_not_the_disease(chat):
    chat("my feet burn and are numb. I was tested for diabetes and it was negative")
    assert chat.state.findings["diabetes"] == "absent"
    answer_everything(chat, "no", "deny")
    assert "diabetic_neuropathy" not in [c["id"] for c in chat.payload["causes"]]


def test_hz22_the_persons_own_diagnosis_is_kept(chat):
    chat("I've got MS and my legs have gone numb again")
    assert chat.state.findings.get("ms_diagnosis") == "present"
    assert "family_history_ms" not in chat.state.findings


# --- scoring ---------------------------------------------------------------------------------------
def test_hz23_not_sure_to_everything_does_not_call_an_ambulance(chat):
    chat("my leg is numb")
    chat("50, male", intent="inform")
    answer_everything(chat)
    assert chat.payload["triage"] in ("consultation", "consultation_24")
    assert chat.payload["causes"][0]["id"] != "stroke_tia"


def test_hz24_a_rare_emergency_needs_positive_evidence_to_lead(chat):
    chat("my outer thigh has a numb patch, about a month now")
    chat("40, male", intent="inform")
    answer_everything(chat)
    assert chat.payload["causes"][0]["id"] != "vertebral_osteomyelitis"
    assert not at_least(chat.payload["triage"], Urgency.emergency)


def test_hz24_not_sure_about_a_fever_does_not_make_a_spine_infection_lead(chat):
    chat("there's a numb patch on the outside of my thigh, no back pain")
    chat("35, female", intent="inform")
    answer_everything(chat)
    assert chat.payload["causes"][0]["id"] != "vertebral_osteomyelitis"


def test_hz25_numbness_after_sitting_that_lasts_hours_is_not_self_care(chat):
    chat("I sat cross legged for a long time and my leg went numb, I thought it would wear off but it's been 6 hours")
    answer_everything(chat, "no", "deny")
    assert chat.payload["triage"] != "self_care"
    assert chat.payload["causes"][0]["id"] != "temporary_compression"


def test_hz26_a_denied_required_history_rules_its_cause_out(chat):
    chat("my feet burn and tingle and are numb, I don't have diabetes")
    answer_everything(chat, "no", "deny")
    assert "diabetic_neuropathy" not in [c["id"] for c in chat.payload["causes"]]


def test_hz27_a_presentation_no_cause_explains_is_said_to_fit_none(chat):
    chat("my outer thigh has a numb patch, about a month now")
    chat("40, male", intent="inform")
    answer_everything(chat, "no", "deny")
    assert chat.payload["fit"] == "weak"
    assert "None of the causes I know fits" in chat.replies[0].text


def test_hz28_a_black_foot_sore_is_a_colour_change_not_a_faint(chat):
    chat("I'm diabetic and the sore on my foot has gone black")
    assert "loss_of_consciousness" not in chat.state.findings
    assert chat.state.findings.get("limb_colour_change") == "present"


def test_hz28_a_red_swollen_foot_is_not_swelling_over_the_spine(chat):
    chat("my foot is red and swollen and numb")
    assert "spine_swelling_redness" not in chat.state.findings


# --- the conversation -------------------------------------------------------------------------------
def test_hz32_a_stored_state_that_cannot_be_read_keeps_its_red_flags():
    from numbness_triage.state import State

    state = State.from_dict({"schema_version": 2, "stage": "escalated", "red_flags": ["slurred_speech"],
                             "age": "old", "triage": "emergency_ambulance"})
    assert state.red_flags == ["slurred_speech"] and state.stage == "escalated"
    assert state.findings["slurred_speech"] == "present"


def test_hz32_a_version_1_state_is_read():
    from numbness_triage.state import State

    state = State.from_dict({"stage": "interview", "age": -1, "sex": "unknown",
                             "findings": {"foot_numbness": "present"}})
    assert state.age is None and state.sex is None and {"age", "sex"} <= set(state.unknown)


@pytest.mark.parametrize("question_answer", [
    ("side", "potato"), ("onset", "qwerty"), ("duration", "whatever"), ("age_sex", "banana"),
])
def test_hz38_no_question_is_asked_more_than_twice(chat, question_answer):
    kind, nonsense = question_answer
    chat("my left foot is numb" if kind != "side" else "my foot is numb")
    for _ in range(12):
        if chat.state.stage != "interview":
            break
        question = chat.interview.kb.questions[chat.question]
        if question.kind == kind:
            chat(nonsense, intent="nlu_fallback")
            chat(nonsense, intent="nlu_fallback")
            assert chat.question != question.id
            assert "not known" in "\n".join(r.text for r in chat.replies)
            return
        chat("no", intent="deny") if question.kind == "yes_no" else chat("not sure", intent="unsure")
    pytest.fail(f"the {kind} question was never asked")


def test_hz37_every_assessment_says_it_is_not_a_diagnosis(chat):
    chat("my feet are numb and burn, I have diabetes")
    answer_everything(chat, "no", "deny")
    assert "not a diagnosis" in chat.replies[0].text


def test_hz36_the_assessment_says_what_to_do_now_once(chat):
    chat("my feet are numb and burn, I have diabetes")
    answer_everything(chat, "no", "deny")
    text = chat.replies[0].text
    assert text.count("What to do now:") == 1
    assert "usually:" in text  # a cause's own urgency is told apart from the advice to follow


@pytest.mark.parametrize("text", ["no fever, can't breathe", "no fever\ncan't breathe",
                                  "i have no fever\ni can't breathe"])
def test_hz19_a_denial_does_not_reach_a_red_flag_in_the_next_clause_or_line(chat, text):
    chat(text)
    assert "difficulty_breathing" in chat.state.red_flags


def test_hz01_an_answer_in_capitals_with_a_curly_apostrophe_is_read(chat):
    chat("my legs feel weak and numb")
    chat("NO, I’VE HAD IT FOR YEARS", intent="nlu_fallback")
    assert chat.state.stage == "interview" and "weakness" in chat.state.cleared_flags


# --- found by this round's held-out patients (classes, with new words) ----------------------------
def test_hz41_an_answer_the_classifier_takes_for_a_question_is_still_an_answer(chat):
    chat("my wife's feet have been numb for months")
    question = chat.question
    chat("not sure, she keeps mentioning it on and off", intent="ask_faq")
    assert chat.question != question or chat.state.unknown, "the answer was taken for a question to the FAQ"


def test_hz42_start_over_needs_words_that_ask_for_it(chat):
    chat("my right thigh is numb and burns")
    chat("over a week", intent="start_over")
    assert chat.state.findings.get("upper_leg_numbness") == "present"
    chat("please start over", intent="start_over")
    assert "upper_leg_numbness" not in chat.state.findings


def test_hz43_a_self_answered_question_does_not_swallow_the_next_denial(chat):
    chat("tingly toes? no. no headache either, my left foot is numb")
    assert chat.state.findings.get("tingling") == "absent" and chat.state.findings.get("new_headache") == "absent"
    chat("a bit itchy? no back pain though")
    assert chat.state.findings.get("lower_back_pain") == "absent"


def test_hz44_the_leaders_red_flag_is_asked_before_it_stands(chat):
    chat("sciatica in my left leg for three weeks, the outside of my foot is numb")
    asked = []
    for _ in range(20):
        if chat.state.stage != "interview":
            break
        asked.append(chat.question)
        chat("no", intent="deny") if chat.question else chat("not sure", intent="unsure")
    assert "leg_weakness" in asked
