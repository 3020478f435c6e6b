"""The simulated patient of `make evaluate` (tooling/simulated_patient.py) and how a run is scored."""
import re
from pathlib import Path

import pytest

from scripts import evaluate_vignettes
from scripts.evaluate_vignettes import load_cases, play
from tooling.simulated_patient import BUTTON_ANSWERS, NOT_SURE, PHRASINGS, Patient, question_kind
from tooling.vignette_scores import missed_targets, says_no_good_fit, score

ROOT = Path(__file__).resolve().parents[2]
DEVELOPMENT_SETS = [ROOT / "tests" / "vignettes" / "development.yml",
                    ROOT / "tests" / "vignettes" / "development_2.yml"]
TODAYS_QUESTIONS = [
    "How old are you, and are you male or female? (For example: 45, female)",
    "Is the numbness in one leg or both legs?",
    "Did it come on suddenly, or gradually over time?",
    "How long have you had it? (minutes, days, weeks, months...)",
    "Are you sleepy during the day?", "Do you have trouble sleeping?",
    "Do your symptoms improve with activity (moving around and such)?",
    "Are your symptoms worse during the late afternoon or night?",
    "Do you have pain in your lower back?", "Do you have diabetes (high blood sugar)?", "Do your feet or legs burn?",
    "Does walking bring on pain or numbness in your legs that eases when you rest?", "Are your feet often cold?",
    "Do you smoke?", "Have you had a fever or chills?", "Do you feel very tired most of the time?",
]


def development_cases():
    return [case for path in DEVELOPMENT_SETS for case in load_cases(path)]


def caregiver_case(**changes):
    case = {"id": "dad_01", "typed_by": "caregiver", "opening": "my dad is 80 and his feet are numb",
            "expected_causes": ["diabetic_neuropathy"], "expected_triage": "consultation_24",
            "answers": {"age_sex": "he's 80", "side": "both his feet", "onset": "slowly", "duration": "two years"},
            "facts": [{"about": ["smok", "cigarette"], "answer": "yes"}, {"about": ["diabet"], "answer": "no"}],
            "default": "no"}
    return {**case, **changes}


# ------------------------------------------------------------------ how it answers


def test_the_development_sets_answer_in_free_text_more_than_half_the_time_yes_no_questions_included():
    answers = []
    for case in development_cases():
        patient = Patient(case)
        answers += [(question_kind(q), patient.answer(q)) for q in TODAYS_QUESTIONS]
    yes_no = [text for kind, text in answers if kind == "other"]
    assert sum(text.lower() not in BUTTON_ANSWERS for _, text in answers) / len(answers) >= 0.5
    assert sum(text.lower() not in BUTTON_ANSWERS for text in yes_no) / len(yes_no) >= 0.5


def test_a_third_of_the_development_cases_are_typed_by_a_caregiver():
    cases = development_cases()
    assert sum(case.get("typed_by") == "caregiver" for case in cases) / len(cases) >= 1 / 3


def test_a_caregiver_answers_in_the_third_person():
    texts = []
    for number in range(40):  # forty cases, each its own random choices
        patient = Patient(caregiver_case(id=f"dad_{number}"))
        texts += [patient.answer(q)
                  for q in ("Do you smoke?", "Does he have diabetes?", "Are you sleepy during the day?")]
    assert not [t for t in texts if re.search(r"\bI (?:do|am|have)\b|\bI don't\b(?! think)|\bI'm not\b", t)]
    assert any(re.search(r"\bhe (?:does|doesn't|is|isn't|has|says)\b", t) for t in texts)


def test_a_caregiver_of_someone_unnamed_says_they():
    case = caregiver_case(opening="asking for a friend: numb feet", answers={"age_sex": "70"}, facts=[])
    texts = [Patient({**case, "id": f"t_{n}"}).answer(f"Have you noticed thing {n}?") for n in range(60)]
    assert any(re.search(r"\bthey\b", t) for t in texts)
    assert not any(re.search(r"\bthey (?:says|has|hasn't)\b|\bhe\b|\bshe\b", t) for t in texts)


def test_the_patient_speaks_for_themself():
    case = caregiver_case(typed_by="patient", answers={"age_sex": "I'm 80, male"})
    texts = [Patient({**case, "id": f"me_{n}"}).answer("Do you smoke?") for n in range(40)]
    assert any(re.search(r"\bI do\b", t) for t in texts)
    assert not any(re.search(r"\bhe\b", t) for t in texts)


def test_a_run_is_reproducible_and_an_answer_does_not_depend_on_what_was_asked_before():
    case = development_cases()[10]
    first, second = Patient(case), Patient(case)
    assert [first.answer(q) for q in TODAYS_QUESTIONS] == [second.answer(q) for q in TODAYS_QUESTIONS]
    late, early = Patient({**case, "later": [], "volunteer": []}), Patient({**case, "later": [], "volunteer": []})
    late.answer("Do you have pain in your lower back?")
    assert late.answer("Do you smoke?") == early.answer("Do you smoke?")


def test_some_uncovered_questions_get_not_sure_but_never_a_safety_question():
    uncovered = [f"Have you noticed symptom number {n}?" for n in range(200)]
    safety = [f"To be safe: has your vision changed, case {n}?" for n in range(200)]
    not_sure = set(PHRASINGS[NOT_SURE]["patient"]) | {NOT_SURE}
    patient = Patient(caregiver_case(typed_by="patient", facts=[]))
    unsure = sum(patient.answer(q) in not_sure for q in uncovered)
    assert 10 <= unsure <= 60  # about 15% of 200
    assert not any(patient.answer(q) in not_sure for q in safety)


def test_a_volunteered_fact_is_said_once_within_the_first_answers():
    for number in range(20):
        patient = Patient(caregiver_case(id=f"v_{number}", volunteer=["his feet are always cold"]))
        said = [patient.answer(q) for q in TODAYS_QUESTIONS[:6]]
        assert sum("always cold" in text for text in said) == 1


def test_an_opening_question_is_sometimes_answered_with_another_ones_answer_then_properly():
    wrong = 0
    for case in development_cases():
        patient = Patient({**case, "later": [], "volunteer": []})
        for question, kind in zip(TODAYS_QUESTIONS[:4], ("age_sex", "side", "onset", "duration")):
            first, again = patient.answer(question), patient.answer(question)
            wrong += first != case["answers"][kind]
            assert again == case["answers"][kind]
    assert 0.04 <= wrong / (4 * len(development_cases())) <= 0.2


def test_a_later_message_replaces_the_answer_due_after_that_many_answers():
    patient = Patient(caregiver_case(later=[{"after_answers": 1, "text": "and now he can't lift his leg"}]))
    assert patient.answer("How old is he?") == "he's 80"
    assert patient.answer("Is it in one leg or both?") == "and now he can't lift his leg"


def test_one_stem_or_one_volunteered_sentence_may_be_written_without_a_list():
    patient = Patient(caregiver_case(facts=[{"about": "smok", "answer": True, "says": "he smokes a pipe"}],
                                     volunteer="his feet are always cold"))
    said = [patient.answer("Does he smoke?") for _ in range(5)]
    assert sum("always cold" in text for text in said) == 1
    assert any("pipe" in text for text in said)


def test_asked_to_describe_the_symptoms_it_says_them_again_and_to_a_statement_it_says_ok():
    patient = Patient(caregiver_case())
    assert patient.answer("Please tell me in your own words what you are feeling in your legs.") == \
        "my dad is 80 and his feet are numb"
    assert patient.answer(["I couldn't find any symptoms in that. You could write, for example: my foot is numb"]) \
        .startswith("like I said")
    assert patient.answer(["Care for numbness can begin at home."]) == "ok"


# ------------------------------------------------------------------ reading the bot's question


@pytest.mark.parametrize("question, kind", [
    ("How old are you, and are you male or female? (For example: 45, female)", "age_sex"),
    ("How old is he, and is he male or female?", "age_sex"),
    ("How old is she?", "age_sex"),
    ("Is the numbness in one leg or both legs?", "side"),
    ("Is it in one of his legs, or both?", "side"),
    ("Which leg is it?", "side"),
    ("Did it come on suddenly, or gradually over time?", "onset"),
    ("Did it start suddenly or come on slowly?", "onset"),
    ("How long have you had it? (minutes, days, weeks, months...)", "duration"),
    ("How long has she had this?", "duration"),
    ("Is the weakness new - did it come on suddenly or in the last day or two?", "new"),
    ("Is his weakness new, or has he had it for a while?", "new"),
    ("Did the dizziness come on suddenly, or is it new in the last day or two?", "new"),
    ("Does she smoke?", "other"),
    ("To be safe: did the numbness come on suddenly, within seconds or minutes?", "other"),
])
def test_the_question_is_recognised_in_todays_and_tomorrows_wording(question, kind):
    assert question_kind(question) == kind


@pytest.mark.parametrize("question", ["Do you smoke?", "Does he smoke?", "Does she smoke cigarettes?",
                                      "Has your father ever smoked?", "Do they use tobacco?"])
def test_a_fact_answers_the_question_whoever_it_is_asked_about(question):
    case = caregiver_case(facts=[{"about": ["smok", "tobacco"], "answer": "no", "says": "he never smoked"}],
                          default="not sure")
    answers = [Patient({**case, "id": f"s_{n}"}).answer(question) for n in range(20)]
    assert not any("sure" in a or "know" in a for a in answers)
    assert "he never smoked" in answers


def test_the_question_is_the_last_one_in_the_bots_reply():
    patient = Patient(caregiver_case())
    assert patient.answer(["I noted: numbness in both feet; it came on slowly.", "How old is he?"]) == "he's 80"


# ------------------------------------------------------------------ a conversation and its score


def fake_bot(monkeypatch, reply_at_turn):
    turns = []

    def send(url, sender, text):
        turns.append(text)
        return reply_at_turn(len(turns))
    monkeypatch.setattr(evaluate_vignettes, "send", send)
    monkeypatch.setattr(evaluate_vignettes, "new_conversation", lambda url: "c1-test")
    return turns


def test_a_conversation_without_an_assessment_after_25_turns_is_stuck_and_fails_the_case(monkeypatch):
    fake_bot(monkeypatch, lambda turn: [{"text": "Could you say that again?"}])
    case = {**caregiver_case(), "red_flag": True, "expected_triage": "emergency"}
    outcome = play("http://bot", case)
    assert outcome["stuck"] and outcome["turns"] == 25
    scores = score([case], [outcome])
    assert scores["stuck"] == 1 and scores["stuck_cases"] == ["dad_01"]
    assert scores["red_flag_recall"] == 0 and scores["exact_triage"] == 0 and scores["safe_triage"] == 0
    assert any(m.startswith("stuck") for m in missed_targets(scores))


def test_a_conversation_ends_at_the_assessment(monkeypatch):
    assessment = {"custom": {"assessment": {"triage": "consultation_24", "red_flags": [],
                                            "causes": [{"id": "diabetic_neuropathy"}]}}}
    fake_bot(monkeypatch,
             lambda turn: [{"text": "How old is he?"}] if turn < 3 else [{"text": "Here it is."}, assessment])
    case = caregiver_case()
    outcome = play("http://bot", case)
    assert not outcome["stuck"] and outcome["turns"] == 3
    scores = score([case], [outcome])
    assert scores["exact_triage"] == 1 and scores["top1"] == 1 and scores["caregiver_share"] == 1


def test_no_good_fit_is_right_when_the_assessment_says_no_cause_fits_well(monkeypatch):
    weak = {"custom": {"assessment": {"triage": "consultation", "red_flags": [], "fit": "weak",
                                      "causes": [{"id": "fibromyalgia"}]}}}
    fake_bot(monkeypatch, lambda turn: [{"text": "None of the causes I know fits well."}, weak])
    case = caregiver_case(expected_causes=["no_good_fit"], expected_triage="consultation")
    scores = score([case], [play("http://bot", case)])
    assert scores["top1"] == 1 and scores["top3"] == 1


@pytest.mark.parametrize("payload, weak", [({"fit": "weak"}, True), ({"fit": "Weak"}, True), ({"fit": "good"}, False),
                                           ({}, False), (None, False), ({"no_good_fit": True}, True)])
def test_a_weak_fit_is_read_defensively(payload, weak):
    assert says_no_good_fit(payload) is weak


def test_over_triage_counts_two_levels_or_more_above(monkeypatch):
    emergency = {"custom": {"assessment": {"triage": "emergency", "red_flags": ["x"], "causes": []}}}
    fake_bot(monkeypatch, lambda turn: [{"text": "Call 911."}, emergency])
    case = caregiver_case(expected_triage="self_care")
    scores = score([case], [play("http://bot", case)])
    assert scores["over_triage"] == 1 and scores["safe_triage"] == 1 and scores["exact_triage"] == 0


# ------------------------------------------------------------------ the case files


def test_the_development_sets_are_format_version_2():
    cases = development_cases()
    assert len(cases) == 79
    assert all(isinstance(case["facts"], list) and case["answers"] for case in cases)


def test_a_case_of_the_old_format_is_refused_with_its_id(tmp_path):
    path = tmp_path / "old.yml"
    path.write_text('vignettes:\n  - {id: old_01, opening: "numb", expected_causes: [x], expected_triage: self_care,'
                    ' facts: {age: 40, "yes": [smoke]}}\n')
    with pytest.raises(ValueError, match="old_01.*format version 2"):
        load_cases(path)
    path.write_text('vignettes:\n  - {id: bad_01, opening: "numb", expected_causes: [x], expected_triage: self_care,'
                    ' facts: [{about: [smok], answer: maybe}]}\n')
    with pytest.raises(ValueError, match="bad_01.*yes, no or not sure"):
        load_cases(path)
