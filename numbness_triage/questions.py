"""Which question to ask next.

Order: the opening questions (age and sex, side, onset, duration), the four questions the page
says a doctor may ask, then the yes/no question with the highest expected information gain over
the causes still in contention, until one cause is clearly ahead or the budget is spent.
A question whose answer is already known (from the free text or an earlier answer) is skipped.
"""
from __future__ import annotations

import math
from typing import Collection, Dict, Iterable, List, Optional

from numbness_triage.knowledge import AGE_SEX, DURATION, ONSET, SIDE, YES_NO, KnowledgeBase, Question
from numbness_triage.matching import Profile, finding_likelihood, posterior

OPENING_KINDS = (AGE_SEX, SIDE, ONSET, DURATION)
DEFAULT_QUESTION_BUDGET = 8  # discriminating questions after the opening ones
CLEAR_LEAD = 0.75  # the top cause's share at which the ranking counts as clear
MIN_GAIN = 0.02  # bits; a question that tells less than this is not worth the person's time


def is_answered(question: Question, profile: Profile, unknown: Collection[str] = ()) -> bool:
    """Said already, or asked and not known (`unknown`: "age", "sex", "side", "onset", "duration")."""
    if question.kind == AGE_SEX:
        return all(getattr(profile, key) is not None or key in unknown for key in ("age", "sex"))
    if question.kind in (SIDE, ONSET, DURATION):
        return getattr(profile, question.kind) is not None or question.kind in unknown
    return question.finding in profile.findings


def _entropy(distribution: Iterable[float]) -> float:
    return -sum(p * math.log2(p) for p in distribution if p > 0)


def information_gain(kb: KnowledgeBase, question: Question, beliefs: Dict[str, float]) -> float:
    """Expected drop in entropy over the causes if the person answers yes or no."""
    likelihood = {cid: finding_likelihood(kb, kb.causes[cid], question.finding or "") for cid in beliefs}
    p_yes = sum(beliefs[c] * likelihood[c] for c in beliefs)
    if p_yes <= 0 or p_yes >= 1:
        return 0.0
    after_yes = [beliefs[c] * likelihood[c] / p_yes for c in beliefs]
    after_no = [beliefs[c] * (1 - likelihood[c]) / (1 - p_yes) for c in beliefs]
    expected = p_yes * _entropy(after_yes) + (1 - p_yes) * _entropy(after_no)
    return _entropy(beliefs.values()) - expected


def ranking_is_clear(beliefs: Dict[str, float]) -> bool:
    return max(beliefs.values()) >= CLEAR_LEAD


def _what_the_leader_needs(kb: KnowledgeBase, beliefs: Dict[str, float], profile: Profile,
                           unanswered: List[Question]) -> Optional[Question]:
    """Before the leading cause may stand, whatever the budget left: what it needs (diabetes for
    diabetic neuropathy, an "always" symptom) and the red flags it often comes with (a slipped
    disk's leg weakness)."""
    leader = kb.causes[max(beliefs, key=lambda cause_id: beliefs[cause_id])]
    must_know = [*leader.risk.required_factors, *leader.always, *(f for f in leader.top_symptoms if f in kb.red_flags)]
    for finding in must_know:
        needed = next((q for q in unanswered if q.kind == YES_NO and q.finding == finding), None)
        if needed is not None and finding not in profile.findings:
            return needed
    return None


def next_question(kb: KnowledgeBase, profile: Profile, asked: Iterable[str],
                  budget: int = DEFAULT_QUESTION_BUDGET, unknown: Collection[str] = ()) -> Optional[Question]:
    """The question to ask now, or None when it is time for the assessment. Never one already
    asked or already answered by what the person said."""
    asked = set(asked)
    unanswered = [q for q in kb.questions.values() if q.id not in asked and not is_answered(q, profile, unknown)]
    for kind in OPENING_KINDS:
        for question in unanswered:
            if question.kind == kind:
                return question
    discriminating_asked = sum(1 for qid in asked if kb.questions[qid].kind == YES_NO)
    if discriminating_asked >= budget:
        return _what_the_leader_needs(kb, posterior(kb, profile), profile, unanswered)
    for question in unanswered:
        if question.doctor_asks:
            return question
    beliefs = posterior(kb, profile)
    needed = _what_the_leader_needs(kb, beliefs, profile, unanswered)
    if needed is not None:
        return needed
    if ranking_is_clear(beliefs):
        return None
    candidates = [q for q in unanswered if q.kind == YES_NO]
    if not candidates:
        return None
    gain, best = max(((information_gain(kb, q, beliefs), q) for q in candidates), key=lambda pair: pair[0])
    return best if gain >= MIN_GAIN else None
