"""Scoring comes from the knowledge base: the same profile logic ranks every cause."""
from numbness_triage.knowledge import Urgency
from numbness_triage.matching import Profile, rank_causes, triage_from_causes


def top(kb, **profile):
    return [r.cause.id for r in rank_causes(kb, Profile(**profile))]


def test_scores_are_a_distribution(kb):
    ranked = rank_causes(kb, Profile({"leg_numbness": "present"}))
    assert abs(sum(r.score for r in ranked) - 1) < 1e-6
    assert ranked == sorted(ranked, key=lambda r: -r.score)


def test_diabetic_burning_feet_rank_diabetic_neuropathy_first(kb):
    findings = {"foot_numbness": "present", "burning_sensation": "present", "diabetes": "present"}
    assert top(kb, findings=findings, side="both", onset="gradual")[0] == "diabetic_neuropathy"


def test_without_diabetes_diabetic_neuropathy_drops(kb):
    findings = {"foot_numbness": "present", "burning_sensation": "present", "diabetes": "absent"}
    assert top(kb, findings=findings, side="both")[0] != "diabetic_neuropathy"


def test_back_pain_shooting_down_one_leg_in_a_40_year_old_man_is_a_disk(kb):
    findings = {"lower_back_pain": "present", "sciatica": "present", "leg_numbness": "present"}
    assert top(kb, findings=findings, age=40, sex="male", side="left")[0] == "herniated_disk"


def test_age_outside_the_risk_group_lowers_a_cause(kb):
    findings = {"foot_numbness": "present", "tingling": "present", "joint_stiffness": "present"}
    old = {r.cause.id: r.score for r in rank_causes(kb, Profile(findings, age=70))}
    young = {r.cause.id: r.score for r in rank_causes(kb, Profile(findings, age=25))}
    assert old["idiopathic_peripheral_neuropathy"] > young["idiopathic_peripheral_neuropathy"]


def test_a_never_symptom_counts_against_the_cause_and_says_so(kb):
    findings = {"leg_numbness": "present", "cold_feet": "present", "injury_leg_pain": "present"}
    pad = next(r for r in rank_causes(kb, Profile(findings)) if r.cause.id == "peripheral_arterial_disease")
    assert any("does not occur" in reason for reason in pad.reasons_against)


def test_the_reasons_name_the_persons_own_findings(kb):
    findings = {"urge_to_move_legs": "present", "worse_at_night": "present", "trouble_sleeping": "present"}
    first = rank_causes(kb, Profile(findings))[0]
    assert first.cause.id == "restless_legs_syndrome"
    assert "an urge to move the legs" in first.reasons_for


def test_numbness_after_sitting_cross_legged_is_benign_compression(kb):
    findings = {"leg_numbness": "present", "positional_numbness": "present", "resolves_quickly": "present"}
    ranked = rank_causes(kb, Profile(findings, duration="minutes"))
    assert ranked[0].cause.id == "temporary_compression"
    assert triage_from_causes(ranked) == Urgency.self_care


def test_triage_covers_a_likely_more_urgent_second_cause(kb):
    findings = {"lower_back_pain": "present", "fever": "present", "leg_numbness": "present"}
    ranked = rank_causes(kb, Profile(findings))
    assert triage_from_causes(ranked).at_least(Urgency.emergency)
