from numbness_triage.matching import Profile
from numbness_triage.questions import information_gain, next_question
from numbness_triage.matching import posterior


def test_age_and_sex_come_first(kb):
    assert next_question(kb, Profile({"leg_numbness": "present"}), []).kind == "age_sex"


def test_opening_questions_then_the_doctors_four(kb):
    profile = Profile({"leg_numbness": "present"}, age=50, sex="female", side="left", onset="gradual", duration="weeks")
    question = next_question(kb, profile, [])
    assert question.doctor_asks


def test_a_question_answered_in_free_text_is_not_asked(kb):
    profile = Profile({"leg_numbness": "present", "trouble_sleeping": "present"}, age=50, sex="female",
                      side="left", onset="gradual", duration="weeks")
    asked = []
    while True:
        question = next_question(kb, profile, asked)
        if question is None or not question.doctor_asks:
            break
        asked.append(question.id)
        profile.findings[question.finding] = "absent"
    assert "trouble_sleeping" not in asked
    assert len(asked) == 3


def test_discriminating_question_separates_the_causes_in_contention(kb):
    profile = Profile({"leg_numbness": "present"}, age=55, sex="female", side="both", onset="gradual",
                      duration="months")
    for doctor in ("daytime_sleepiness", "trouble_sleeping", "improves_with_activity", "worse_at_night"):
        profile.findings[doctor] = "absent"
    asked = ["daytime_sleepiness", "trouble_sleeping", "improves_with_activity", "worse_at_night"]
    question = next_question(kb, profile, asked)
    assert question is not None and question.kind == "yes_no"
    beliefs = posterior(kb, profile)
    gains = {q.id: information_gain(kb, q, beliefs) for q in kb.questions.values()
             if q.kind == "yes_no" and q.finding not in profile.findings}
    assert question.id == max(gains, key=gains.get)


def test_the_budget_ends_the_questions(kb):
    profile = Profile({"leg_numbness": "present"}, age=50, sex="female", side="left", onset="gradual", duration="weeks")
    yes_no = [q.id for q in kb.questions.values() if q.kind == "yes_no"][:3]
    assert next_question(kb, profile, yes_no, budget=3) is None
