"""Combinations that set the urgency whatever the ranking (data/knowledge/safety_rules.yml).

A red flag is one finding; a safety rule is a combination ("diabetes, a foot sore and a fever")
or a finding with a course ("weakness that keeps getting worse"). Only what is present now
counts: a finding in the past, denied, or unsure fires nothing.
"""
from __future__ import annotations

from typing import List, Optional

from numbness_triage.knowledge import KnowledgeBase, SafetyRule, Urgency, highest
from numbness_triage.matching import Profile


def _holds(rule: SafetyRule, profile: Profile) -> bool:
    for item in rule.all:
        alternatives = [item] if isinstance(item, str) else item
        if not any(profile.has(f) for f in alternatives):
            return False
    for key, allowed in rule.profile.items():
        if getattr(profile, key) not in allowed:
            return False
    for key, excluded in rule.profile_not.items():
        if getattr(profile, key) in excluded:
            return False
    return True


def fired_rules(kb: KnowledgeBase, profile: Profile) -> List[SafetyRule]:
    """The rules that hold for this person, most urgent first."""
    fired = [rule for rule in kb.safety_rules.values() if _holds(rule, profile)]
    return sorted(fired, key=lambda rule: rule.urgency.rank, reverse=True)


def emergency_rules(kb: KnowledgeBase, profile: Profile) -> List[SafetyRule]:
    """The fired rules that end the interview at once."""
    return [rule for rule in fired_rules(kb, profile) if rule.urgency.at_least(Urgency.emergency)]


def rules_urgency(rules: List[SafetyRule]) -> Optional[Urgency]:
    return highest(rule.urgency for rule in rules)
