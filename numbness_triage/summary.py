"""The summary a person can show their doctor: what they told the bot, and what it said."""
from __future__ import annotations

from typing import List

from numbness_triage.knowledge import KnowledgeBase, Urgency
from numbness_triage.mentions import ABSENT, HISTORICAL, PRESENT
from numbness_triage.state import State

_TIMING_LABELS = (("Side", "side"), ("Onset", "onset"), ("Started", "duration"), ("Each episode", "episode"),
                  ("Course", "course"))
_DURATION_WORDS = {"minutes": "minutes ago", "hours": "hours ago", "days": "days ago", "weeks": "weeks ago",
                   "months": "months ago", "years": "years ago"}


def doctor_summary(kb: KnowledgeBase, state: State) -> str:
    """Plain lines, from what the person said; never a diagnosis."""
    def labels(assertion: str) -> List[str]:
        return [kb.label(f) for f, a in state.findings.items() if a == assertion and f in kb.findings]

    lines = ["Summary to show a doctor (from what you told me; not a diagnosis):"]
    if state.about_someone_else():
        lines.append(f"- About: {('your ' + state.relation) if state.relation else 'the person you asked for'} "
                     "(told by someone else)")
    if state.age is not None or state.sex is not None:
        lines.append(f"- Age / sex: {state.age if state.age is not None else 'not given'}, {state.sex or 'not given'}")
    for label, key in _TIMING_LABELS:
        value = getattr(state, key)
        if value:
            lines.append(f"- {label}: {_DURATION_WORDS.get(value, value) if key == 'duration' else value}")
    present = labels(PRESENT)
    lines.append(f"- Reported: {', '.join(present) if present else 'nothing yet'}")
    for title, assertion in (("Not present", ABSENT), ("In the past", HISTORICAL)):
        said = labels(assertion)
        if said:
            lines.append(f"- {title}: {', '.join(said)}")
    for question in (q for q in kb.questions.values() if q.doctor_asks):
        answer = state.answers.get(question.id) or {PRESENT: "yes", ABSENT: "no"}.get(
            state.findings.get(question.finding or "", ""), "not asked")
        lines.append(f"- {question.text} {answer}")
    if state.red_flags:
        lines.append(f"- Serious signs: {', '.join(kb.label(f) for f in state.red_flags)}")
    if state.rules:
        lines.append(f"- Combinations that raised the urgency: "
                     f"{'; '.join(kb.safety_rules[r].says for r in state.rules if r in kb.safety_rules)}")
    if state.triage:
        lines.append(f"- Triage: {kb.urgency_levels[Urgency(state.triage)].label}")
    causes = (state.assessment or {}).get("assessment", {}).get("causes") or []
    if causes:
        lines.append(f"- Possible causes discussed: {', '.join(c['name'] for c in causes)}")
    return "\n".join(lines)
