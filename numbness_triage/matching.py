"""Rank the causes from what the person reported, with reasons for and against.

A naive-Bayes score built from the knowledge base: each cause's rarity is its prior; each known
finding multiplies by how likely the cause makes it (top symptoms most, described symptoms less,
"always" almost surely, "never" almost never); age, sex, side, onset and duration multiply by how
well they fit the cause's risk group and presentation. Scores are normalised to sum to 1.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

from numbness_triage.knowledge import Cause, KnowledgeBase, Urgency

PRIOR_BY_RARITY = {"common": 1.0, "uncommon": 0.5, "rare": 0.25, None: 0.5}
TOP_SYMPTOM_LIKELIHOOD = (0.8, 0.7, 0.62, 0.55, 0.5)
DESCRIBED_LIKELIHOOD = 0.35
ALWAYS_LIKELIHOOD = 0.97
NEVER_LIKELIHOOD = 0.02
RISK_FACTOR_LIKELIHOOD = 0.45
REQUIRED_FACTOR_LIKELIHOOD = 0.97
REQUIRED_FACTOR_UNKNOWN = 0.3  # a cause that needs a history (diabetes) nobody has asked about yet
UNRELATED_SYMPTOM_LIKELIHOOD = 0.06
UNRELATED_HISTORY_LIKELIHOOD = 0.2
FIT, MISFIT = 1.6, 0.35
OUTSIDE_AGE_GROUP = 0.35
SIDE_VALUES_ONE = ("left", "right", "one")


@dataclass
class Profile:
    """Everything the interview knows about the person."""

    findings: Dict[str, str] = field(default_factory=dict)  # finding id -> present | absent
    age: Optional[int] = None
    sex: Optional[str] = None
    side: Optional[str] = None  # left | right | both | one
    onset: Optional[str] = None  # sudden | gradual
    duration: Optional[str] = None  # minutes | days | weeks | months

    def has(self, finding_id: str) -> bool:
        return self.findings.get(finding_id) == "present"

    def denies(self, finding_id: str) -> bool:
        return self.findings.get(finding_id) == "absent"


@dataclass
class RankedCause:
    cause: Cause
    score: float
    reasons_for: List[str]
    reasons_against: List[str]

    def to_payload(self) -> dict:
        return {
            "id": self.cause.id,
            "name": self.cause.name,
            "score": round(self.score, 3),
            "urgency": self.cause.urgency.value,
            "why": {"for": self.reasons_for, "against": self.reasons_against},
        }


def finding_likelihood(kb: KnowledgeBase, cause: Cause, finding_id: str) -> float:
    """P(the person reports this finding | this cause)."""
    if finding_id in cause.always:
        return ALWAYS_LIKELIHOOD
    if finding_id in cause.never:
        return NEVER_LIKELIHOOD
    if finding_id in cause.top_symptoms:
        return TOP_SYMPTOM_LIKELIHOOD[min(cause.top_symptoms.index(finding_id), len(TOP_SYMPTOM_LIKELIHOOD) - 1)]
    if finding_id in cause.risk.required_factors:
        return REQUIRED_FACTOR_LIKELIHOOD
    if finding_id in cause.other_symptoms:
        return DESCRIBED_LIKELIHOOD
    if finding_id in cause.risk.factors:
        return RISK_FACTOR_LIKELIHOOD
    if kb.findings[finding_id].kind == "history":
        return UNRELATED_HISTORY_LIKELIHOOD
    return UNRELATED_SYMPTOM_LIKELIHOOD


def _profile_factors(cause: Cause, profile: Profile) -> List[Tuple[float, str, bool]]:
    """(multiplier, reason, supports) for age, sex, side, onset and duration."""
    factors = []
    ages = cause.risk.ages
    if ages and profile.age is not None:
        inside = ages.min <= profile.age <= ages.max
        group = f"{ages.min}-{ages.max}" if ages.max < 120 else f"over {ages.min}"
        factors.append((1.0 if inside else OUTSIDE_AGE_GROUP,
                        f"your age ({profile.age}) is {'in' if inside else 'outside'} the usual range ({group})", inside))
    if cause.risk.sex and profile.sex in ("female", "male"):
        share = cause.risk.sex.get(profile.sex)
        if share is None:
            other = next(iter(cause.risk.sex.values()))
            share = 1 - other
        multiplier = share / 0.5
        more = "more" if multiplier > 1 else "less"
        factors.append((multiplier, f"it is {more} common in {'women' if profile.sex == 'female' else 'men'}", multiplier > 1))
    features = cause.features
    if features.side != "any" and profile.side:
        person_one = profile.side in SIDE_VALUES_ONE
        fits = (features.side == "one") == person_one
        where = "one leg" if person_one else "both legs"
        factors.append((FIT if fits else MISFIT, f"numbness in {where}", fits))
    if features.onset != "any" and profile.onset:
        fits = features.onset == profile.onset
        factors.append((FIT if fits else MISFIT, f"{profile.onset} onset", fits))
    if features.duration != "any" and profile.duration:
        fits = _duration_fits(features.duration, profile.duration)
        factors.append((FIT if fits else MISFIT * MISFIT if features.duration == "minutes" else MISFIT,
                        f"lasting {profile.duration}", fits))
    return factors


_DURATION_ORDER = ("minutes", "days", "weeks", "months")


def _duration_fits(typical: str, reported: str) -> bool:
    if typical == "minutes":
        return reported == "minutes"
    # chronic causes: the reported duration is at least about as long as typical, or a step shorter
    return _DURATION_ORDER.index(reported) >= _DURATION_ORDER.index(typical) - 1 and reported != "minutes"


def _score(kb: KnowledgeBase, cause: Cause, profile: Profile):
    log_score = math.log(PRIOR_BY_RARITY[cause.rarity])
    reasons_for, reasons_against = [], []
    for finding_id, assertion in profile.findings.items():
        if finding_id not in kb.findings or assertion not in ("present", "absent"):
            continue
        likelihood = finding_likelihood(kb, cause, finding_id)
        label = kb.label(finding_id)
        if assertion == "present":
            log_score += math.log(likelihood)
            if likelihood >= RISK_FACTOR_LIKELIHOOD:
                reasons_for.append(label)
            elif finding_id in cause.never:
                reasons_against.append(f"{label} (does not occur with it)")
        else:
            log_score += math.log(1 - likelihood)
            if finding_id in cause.always or finding_id in cause.risk.required_factors:
                reasons_against.append(f"no {label} (it always comes with it)")
            elif likelihood >= TOP_SYMPTOM_LIKELIHOOD[-1]:
                reasons_against.append(f"no {label}")
    for factor in cause.risk.required_factors:
        if factor not in profile.findings:  # not asked yet: as likely as it is among people with numbness
            log_score += math.log(REQUIRED_FACTOR_UNKNOWN)
    for multiplier, reason, supports in _profile_factors(cause, profile):
        log_score += math.log(multiplier)
        (reasons_for if supports else reasons_against).append(reason)
    return log_score, reasons_for, reasons_against


def rank_causes(kb: KnowledgeBase, profile: Profile) -> List[RankedCause]:
    scored = [(cause, *_score(kb, cause, profile)) for cause in kb.causes.values()]
    top_log = max(log_score for _, log_score, _, _ in scored)
    weights = [math.exp(log_score - top_log) for _, log_score, _, _ in scored]
    total = sum(weights)
    ranked = [
        RankedCause(cause, weight / total, reasons_for, reasons_against)
        for (cause, _, reasons_for, reasons_against), weight in zip(scored, weights)
    ]
    return sorted(ranked, key=lambda r: r.score, reverse=True)


def posterior(kb: KnowledgeBase, profile: Profile) -> Dict[str, float]:
    return {r.cause.id: r.score for r in rank_causes(kb, profile)}


CAUTIOUS_SHARE = 0.25  # a cause this likely raises the triage to its own urgency


def triage_from_causes(ranked: List[RankedCause]) -> Urgency:
    """The top cause's urgency, raised to that of any other cause in the top three that is still
    likely (>= 25%): when two causes compete, the advice covers the more urgent one."""
    level = ranked[0].cause.urgency
    for candidate in ranked[1:3]:
        if candidate.score >= CAUTIOUS_SHARE and candidate.cause.urgency.rank > level.rank:
            level = candidate.cause.urgency
    return level
