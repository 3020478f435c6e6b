"""Red flags -> urgency. Checked on every message, before anything else."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional

from numbness_triage.knowledge import (EASED_WITHIN_MINUTES, IMMEDIATE, Explanation, Finding, KnowledgeBase, RedFlag,
                                      Urgency, highest)
from numbness_triage.finding_ids import SUDDEN_NUMBNESS
from numbness_triage.mentions import PRESENT

# What the interview knows about whether the numbness went within minutes of moving.
EASED, NOT_EASED = "eased", "not_eased"


@dataclass(frozen=True)
class RedFlagCheck:
    escalate: List[str]  # red flags that stop the interview now
    clarify: List[str]  # ambiguous red flags that need one question first
    # flags whose explanation holds only if the numbness eased within minutes, which nobody has said yet
    ask_if_eased: List[str] = field(default_factory=list)


def explanation_holds(explanation: Explanation, findings: Dict[str, str], eased: Optional[str]) -> Optional[bool]:
    """True, False, or None when it depends on an easing nobody has told yet. An explanation
    explains only when it fits in time: said of now, not of long ago (a "historical" surgery
    eight years back explains nothing), and for a position only if the numbness went within
    minutes of moving."""
    if findings.get(explanation.finding) != PRESENT:
        return False
    if explanation.holds_if == EASED_WITHIN_MINUTES:
        return None if eased is None else eased == EASED
    return True


def _explained(red_flag: RedFlag, findings: Dict[str, str], eased: Optional[str]) -> Optional[bool]:
    verdicts = [explanation_holds(e, findings, eased) for e in red_flag.explained_by]
    if any(v is True for v in verdicts):
        return True
    return None if any(v is None for v in verdicts) else False


def sudden_onset_explained(kb: KnowledgeBase, findings: Dict[str, str], eased: Optional[str]) -> bool:
    """Whether what explains sudden numbness (a recent operation, an injury, a position that
    eased) holds for this person."""
    finding = kb.findings.get(SUDDEN_NUMBNESS)
    return bool(finding and finding.red_flag and _explained(finding.red_flag, findings, eased))


def check_red_flags(kb: KnowledgeBase, findings: Dict[str, str], cleared: Iterable[str] = (),
                    eased: Optional[str] = None) -> RedFlagCheck:
    """`cleared`: ambiguous flags the person already said are not new (asked once, never again);
    `eased`: whether the numbness went within minutes of moving (EASED, NOT_EASED or None)."""
    cleared = set(cleared)
    escalate: List[str] = []
    clarify: List[str] = []
    ask_if_eased: List[str] = []
    for flag in kb.red_flags:
        if findings.get(flag) != PRESENT:
            continue
        red_flag = kb.red_flag(flag)
        explained = _explained(red_flag, findings, eased)
        if explained:
            continue
        if explained is None:
            ask_if_eased.append(flag)
        elif red_flag.escalation == IMMEDIATE:
            escalate.append(flag)
        elif flag not in cleared:
            clarify.append(flag)
    return RedFlagCheck(escalate, clarify, ask_if_eased)


def present_red_flags(kb: KnowledgeBase, findings: Dict[str, str]) -> List[str]:
    """Red flags the person has now, leaving out those explained away. What the NLU marks on
    its own: an explanation that depends on the numbness having eased does not count here (the
    NLU cannot ask), so "my leg suddenly went numb after sitting cross-legged" is asked about
    by the interview instead of escalating at once."""
    check = check_red_flags(kb, findings)
    return [*check.escalate, *check.clarify]


def immediate_red_flags(kb: KnowledgeBase, present: Iterable[str]) -> List[str]:
    """Flags among `present` that escalate without a question: what the NLU marks on its own."""
    return [f for f in present if f in kb.red_flags and kb.red_flag(f).escalation == IMMEDIATE]


def red_flag_urgency(kb: KnowledgeBase, flags: Iterable[str]) -> Optional[Urgency]:
    return highest(kb.red_flag(f).urgency for f in flags)


def heard(kb: KnowledgeBase, flags: Iterable[str]) -> List[str]:
    return [kb.red_flag(f).heard for f in flags]


def escalating_findings(kb: KnowledgeBase) -> Dict[str, Finding]:
    return {fid: f for fid, f in kb.red_flags.items() if kb.red_flag(fid).escalation == IMMEDIATE}
