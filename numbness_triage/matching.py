"""Rank the causes from what the person reported, with reasons for and against, and say how well
the best of them fits.

A naive-Bayes score built from the knowledge base: each cause's rarity is its prior; each known
finding multiplies by how likely the cause makes it (top symptoms most, described symptoms less,
"always" almost surely, "never" almost never); age, sex, side, onset, duration, episode length
and course multiply by how well they fit the cause's risk group and presentation. What the person
could not say is left out (marginalised): "not sure" moves no score.

Two guards keep a thin story from looking like a diagnosis:
- hallmarks: a cause with hallmarks (the emergencies, and the self-care causes) may lead only
  when one of them is present;
- fit: the best cause is compared with "something else", a background that explains any finding
  about as often as numbness in general does. When the best cause explains what was reported
  less than FIT_RATIO times better than that, the fit is weak and the assessment says so.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

from numbness_triage.knowledge import HISTORY, Cause, KnowledgeBase, Urgency
from numbness_triage.finding_ids import NUMBNESS_FINDINGS, TINGLING
from numbness_triage.mentions import ABSENT, HISTORICAL, PRESENT
from numbness_triage.timing import DURATIONS

PRIOR_BY_RARITY = {"common": 1.0, "uncommon": 0.5, "rare": 0.25, None: 0.5}
TOP_SYMPTOM_LIKELIHOOD = (0.8, 0.7, 0.62, 0.55, 0.5)
DESCRIBED_LIKELIHOOD = 0.35
ALWAYS_LIKELIHOOD = 0.97
NEVER_LIKELIHOOD = 0.02
RISK_FACTOR_LIKELIHOOD = 0.45
REQUIRED_FACTOR_LIKELIHOOD = 0.97
DIAGNOSIS_LIKELIHOOD = 0.97  # "I have MS" for multiple sclerosis
REQUIRED_FACTOR_UNKNOWN = 0.3  # a cause that needs a history (diabetes) nobody has asked about yet
UNRELATED_SYMPTOM_LIKELIHOOD = 0.06
UNRELATED_HISTORY_LIKELIHOOD = 0.2
HISTORICAL_WEIGHT = 0.5  # a symptom that was there and is over counts half
NO_HALLMARK = 0.05  # a cause with hallmarks and none of them present
FIT, MISFIT = 1.6, 0.35
COURSE_FIT, COURSE_MISFIT = 1.3, 0.6
OUTSIDE_AGE_GROUP = 0.35
SIDE_VALUES_ONE = ("left", "right", "one")
# "something else": how often a person with leg numbness reports a finding whatever the cause
BACKGROUND_NUMBNESS_LIKELIHOOD = 0.5
BACKGROUND_SYMPTOM_LIKELIHOOD = 0.15
FIT_RATIO = 4.0  # the best cause must explain the findings this many times better than "something else"
SHOWN_SHARE = 0.03  # a cause less likely than this is not shown


@dataclass
class Profile:
    """Everything the interview knows about the person (unknowns are None)."""

    findings: Dict[str, str] = field(default_factory=dict)  # finding id -> present | absent | historical
    age: Optional[int] = None
    sex: Optional[str] = None
    side: Optional[str] = None  # left | right | both | one
    onset: Optional[str] = None  # sudden | hours | days | gradual
    duration: Optional[str] = None  # minutes | hours | days | weeks | months | years
    episode: Optional[str] = None  # minutes | hours | constant
    course: Optional[str] = None  # constant | intermittent | worsening | improving

    def has(self, finding_id: str) -> bool:
        return self.findings.get(finding_id) == PRESENT

    def denies(self, finding_id: str) -> bool:
        return self.findings.get(finding_id) == ABSENT


@dataclass
class RankedCause:
    cause: Cause
    score: float
    reasons_for: List[str]
    reasons_against: List[str]
    ruled_out: bool = False  # a required history or an "always" symptom was denied

    def to_payload(self) -> dict:
        return {
            "id": self.cause.id,
            "name": self.cause.name,
            "score": round(self.score, 3),
            "urgency": self.cause.urgency.value,
            "why": {"for": self.reasons_for, "against": self.reasons_against},
        }


@dataclass
class Ranking:
    """The causes, most likely first, and whether the best of them fits what was reported."""

    causes: List[RankedCause]
    fit_ratio: float  # how many times better the best cause explains the findings than "something else"

    @property
    def fits_well(self) -> bool:
        return self.fit_ratio >= FIT_RATIO

    def shown(self, most: int = 3) -> List[RankedCause]:
        """The causes worth showing: likely enough and not ruled out (at least the first)."""
        kept = [r for r in self.causes if r.score >= SHOWN_SHARE and not r.ruled_out][:most]
        return kept or self.causes[:1]


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
    if finding_id in cause.diagnosed_by:
        return DIAGNOSIS_LIKELIHOOD
    if finding_id in cause.other_symptoms:
        return DESCRIBED_LIKELIHOOD
    if finding_id in cause.risk.factors:
        return RISK_FACTOR_LIKELIHOOD
    return background_likelihood(kb, finding_id)


def background_likelihood(kb: KnowledgeBase, finding_id: str) -> float:
    """P(the person reports this finding | a cause that has nothing to do with it)."""
    if kb.findings[finding_id].kind == HISTORY:
        return UNRELATED_HISTORY_LIKELIHOOD
    return UNRELATED_SYMPTOM_LIKELIHOOD


def _something_else_likelihood(kb: KnowledgeBase, finding_id: str) -> float:
    """P(finding | some cause the knowledge base does not know): numbness is what brought the
    person here; any other symptom is about as common as it is among people with numbness."""
    if finding_id in NUMBNESS_FINDINGS or finding_id == TINGLING:
        return BACKGROUND_NUMBNESS_LIKELIHOOD
    if kb.findings[finding_id].kind == HISTORY:
        return UNRELATED_HISTORY_LIKELIHOOD
    return BACKGROUND_SYMPTOM_LIKELIHOOD


def _evidence(likelihood: float, assertion: str) -> float:
    if assertion == PRESENT:
        return math.log(likelihood)
    if assertion == HISTORICAL:
        return HISTORICAL_WEIGHT * math.log(likelihood)
    return math.log(1 - likelihood)


def _known(kb: KnowledgeBase, profile: Profile) -> List[Tuple[str, str]]:
    return [(f, a) for f, a in profile.findings.items() if f in kb.findings and a in (PRESENT, ABSENT, HISTORICAL)]


def _age_sex_factors(cause: Cause, profile: Profile) -> List[Tuple[float, str, bool]]:
    factors = []
    ages = cause.risk.ages
    if ages and profile.age is not None:
        inside = ages.min <= profile.age <= ages.max
        group = f"{ages.min}-{ages.max}" if ages.max < 120 else f"over {ages.min}"
        factors.append((1.0 if inside else OUTSIDE_AGE_GROUP,
                        f"age {profile.age} is {'in' if inside else 'outside'} the usual range ({group})", inside))
    if cause.risk.sex and profile.sex in ("female", "male"):
        share = cause.risk.sex.get(profile.sex)
        if share is None:
            share = 1 - next(iter(cause.risk.sex.values()))
        multiplier = share / 0.5
        more = "more" if multiplier > 1 else "less"
        factors.append((multiplier, f"it is {more} common in "
                                    f"{'women' if profile.sex == 'female' else 'men'}", multiplier > 1))
    return factors


def _onset_fits(typical: str, reported: str) -> bool:
    return reported in (("sudden", "hours") if typical == "sudden" else ("gradual", "days"))


def _duration_fits(typical: str, reported: str) -> bool:
    if typical == "minutes":
        return reported == "minutes"
    # chronic causes: at least about as long as typical (a step shorter is fine), never minutes or hours
    return DURATIONS.index(reported) >= DURATIONS.index(typical) - 1 and reported not in ("minutes", "hours")


def _presentation_factors(cause: Cause, profile: Profile) -> List[Tuple[float, str, bool]]:
    """(multiplier, reason, supports) for side, onset, duration, episode and course."""
    factors = []
    features = cause.features
    if features.side != "any" and profile.side:
        person_one = profile.side in SIDE_VALUES_ONE
        fits = (features.side == "one") == person_one
        factors.append((FIT if fits else MISFIT, f"numbness in {'one leg' if person_one else 'both legs'}", fits))
    if features.onset != "any" and profile.onset:
        fits = _onset_fits(features.onset, profile.onset)
        words = {"sudden": "it came on suddenly", "hours": "it came on over hours", "days": "it came on over days",
                 "gradual": "it came on gradually"}
        factors.append((FIT if fits else MISFIT, words[profile.onset], fits))
    if features.duration != "any" and profile.duration:
        fits = _duration_fits(features.duration, profile.duration)
        misfit = MISFIT * MISFIT if features.duration == "minutes" else MISFIT
        factors.append((FIT if fits else misfit, f"it has lasted {profile.duration}", fits))
    if features.episode == "minutes" and profile.episode:
        fits = profile.episode == "minutes"
        said = "it passes within minutes" if fits else "it does not pass within minutes"
        factors.append((FIT if fits else MISFIT * MISFIT, said, fits))
    if features.course != "any" and profile.course:
        fits = features.course == profile.course
        words = {"constant": "it is there all the time", "intermittent": "it comes and goes",
                 "worsening": "it is getting worse", "improving": "it is getting better"}
        factors.append((COURSE_FIT if fits else COURSE_MISFIT, words[profile.course], fits))
    return factors


def _has_hallmark(cause: Cause, profile: Profile) -> bool:
    hallmarks = cause.hallmarks
    if not (hallmarks.findings or hallmarks.onsets):
        return True
    return any(profile.has(f) for f in hallmarks.findings) or profile.onset in hallmarks.onsets


def _has_an_opinion(cause: Cause, finding_id: str) -> bool:
    """Whether the cause says anything about the finding (the page names it for this cause)."""
    return finding_id in cause.finding_ids()


def _score(kb: KnowledgeBase, cause: Cause, profile: Profile) -> Tuple[float, float, List[str], List[str], bool]:
    """(log score, log fit against "something else", reasons for, reasons against, ruled out).
    The fit counts only what the cause says something about: a finding the page does not name
    for it is as likely with it as with anything else."""
    log_likelihood, log_fit, reasons_for, reasons_against, ruled_out = 0.0, 0.0, [], [], False
    for finding_id, assertion in _known(kb, profile):
        likelihood = finding_likelihood(kb, cause, finding_id)
        log_likelihood += _evidence(likelihood, assertion)
        if _has_an_opinion(cause, finding_id):
            background = _something_else_likelihood(kb, finding_id)
            log_fit += _evidence(likelihood, assertion) - _evidence(background, assertion)
        label = kb.label(finding_id)
        if assertion == PRESENT:
            if likelihood >= RISK_FACTOR_LIKELIHOOD:
                reasons_for.append(label)
            elif finding_id in cause.never:
                reasons_against.append(f"{label} (does not occur with it)")
        elif assertion == ABSENT:
            if finding_id in cause.always or finding_id in cause.risk.required_factors:
                reasons_against.append(f"{kb.absent_label(finding_id)} (it always comes with it)")
                ruled_out = True
            elif likelihood >= TOP_SYMPTOM_LIKELIHOOD[-1]:
                reasons_against.append(kb.absent_label(finding_id))
    for factor in [*cause.risk.required_factors, *cause.always]:
        if factor not in profile.findings or profile.findings[factor] not in (PRESENT, ABSENT):
            # not asked yet: as likely as among people with numbness
            log_likelihood += math.log(REQUIRED_FACTOR_UNKNOWN)
            log_fit += math.log(REQUIRED_FACTOR_UNKNOWN / UNRELATED_HISTORY_LIKELIHOOD)
    for multiplier, reason, supports in _presentation_factors(cause, profile):
        log_likelihood += math.log(multiplier)
        log_fit += math.log(multiplier)
        (reasons_for if supports else reasons_against).append(reason)
    log_score = math.log(PRIOR_BY_RARITY[cause.rarity]) + log_likelihood
    for multiplier, reason, supports in _age_sex_factors(cause, profile):
        log_score += math.log(multiplier)
        (reasons_for if supports else reasons_against).append(reason)
    if not _has_hallmark(cause, profile):
        log_score += math.log(NO_HALLMARK)
    return log_score, log_fit, reasons_for, reasons_against, ruled_out


def rank(kb: KnowledgeBase, profile: Profile) -> Ranking:
    """Every cause of the knowledge base, most likely first, each with its share of the ranking and
    the reasons for and against it, and how well the best one fits what the person reported."""
    scored = [(cause, *_score(kb, cause, profile)) for cause in kb.causes.values()]
    top_log = max(row[1] for row in scored)
    weights = [math.exp(row[1] - top_log) for row in scored]
    total = sum(weights)
    causes = sorted((RankedCause(cause, weight / total, reasons_for, reasons_against, ruled_out)
                     for (cause, _, _, reasons_for, reasons_against, ruled_out), weight in zip(scored, weights)),
                    key=lambda r: r.score, reverse=True)
    best_fit = next(row[2] for row in scored if row[0].id == causes[0].cause.id)
    return Ranking(causes, math.exp(best_fit))


def rank_causes(kb: KnowledgeBase, profile: Profile) -> List[RankedCause]:
    """Every cause, most likely first, with its share of the ranking and its reasons (`rank`'s
    causes without the fit)."""
    return rank(kb, profile).causes


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


def triage_from_ranking(ranking: Ranking) -> Urgency:
    """The causes' urgency when the best one fits; when none fits well, a doctor's visit
    (safety rules and red flags may raise either: see the interview)."""
    if ranking.fits_well:
        return triage_from_causes(ranking.causes)
    return Urgency.consultation
