"""The safety rules of data/knowledge/safety_rules.yml: what makes one hold, and that each is sourced."""
import pytest

from numbness_triage.knowledge import GENERAL_KNOWLEDGE, Urgency, cites_a_seed_page
from numbness_triage.matching import Profile
from numbness_triage.safety_rules import emergency_rules, fired_rules


def fired(kb, findings, **profile):
    return [rule.id for rule in fired_rules(kb, Profile(findings=findings, **profile))]


def test_every_rule_cites_a_page_or_says_it_is_general_knowledge(kb):
    for rule in kb.safety_rules.values():
        assert cites_a_seed_page(rule.source) or GENERAL_KNOWLEDGE in rule.source.lower(), rule.id


def test_a_rule_needs_every_item_and_one_of_each_list(kb):
    assert "spinal_infection_signs" in fired(kb, {"fever": "present", "sciatica": "present", "leg_numbness": "present"})
    assert "spinal_infection_signs" not in fired(kb, {"fever": "present", "leg_numbness": "present"})


@pytest.mark.parametrize("assertion", ["absent", "historical", "possible"])
def test_only_what_is_present_now_counts(kb, assertion):
    findings = {"fever": assertion, "lower_back_pain": "present", "leg_numbness": "present"}
    assert "spinal_infection_signs" not in fired(kb, findings)


def test_the_profile_must_fit(kb):
    weak = {"weakness": "present"}
    assert "worsening_weakness" in fired(kb, weak, course="worsening", duration="weeks")
    assert "worsening_weakness" not in fired(kb, weak, course="constant", duration="weeks")
    assert "worsening_weakness" not in fired(kb, weak, course="worsening", duration="years")


def test_one_sided_arm_and_leg_is_an_ambulance_whatever_the_position(kb):
    findings = {"leg_numbness": "present", "arm_numbness": "present", "positional_numbness": "present"}
    rules = emergency_rules(kb, Profile(findings=findings, side="left", duration="hours"))
    assert rules and rules[0].urgency == Urgency.emergency_ambulance


def test_the_most_urgent_rule_comes_first(kb):
    findings = {"diabetes": "present", "foot_sores": "present", "fever": "present", "foot_numbness": "present"}
    rules = fired_rules(kb, Profile(findings=findings))
    assert [r.urgency.rank for r in rules] == sorted((r.urgency.rank for r in rules), reverse=True)
    assert rules[0].id == "diabetic_foot_infection" and "diabetes_with_nerve_symptoms" in [r.id for r in rules]


def test_numbness_after_sitting_that_does_not_pass_is_a_doctors_visit(kb):
    assert "numbness_that_does_not_pass" in fired(kb, {"positional_numbness": "present"}, episode="hours")
    assert "numbness_that_does_not_pass" not in fired(kb, {"positional_numbness": "present"}, episode="minutes")
