"""Red flags -> urgency. Checked on every message, before anything else."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional

from numbness_triage.knowledge import Finding, KnowledgeBase, Urgency, highest


@dataclass(frozen=True)
class RedFlagCheck:
    escalate: List[str]  # red flags that stop the interview now
    clarify: List[str]  # ambiguous red flags that need one question first


def present_red_flags(kb: KnowledgeBase, findings: Dict[str, str]) -> List[str]:
    """Red flags the person has, leaving out those explained by a benign finding
    ("my leg suddenly went numb after sitting cross-legged")."""
    flags = []
    for finding_id, finding in kb.red_flags.items():
        if findings.get(finding_id) != "present":
            continue
        if any(findings.get(other) == "present" for other in finding.red_flag.explained_by):
            continue
        flags.append(finding_id)
    return flags


def check_red_flags(kb: KnowledgeBase, findings: Dict[str, str], cleared: Iterable[str] = ()) -> RedFlagCheck:
    """`cleared`: ambiguous flags the person already said are not new (asked once, never again)."""
    cleared = set(cleared)
    escalate, clarify = [], []
    for flag in present_red_flags(kb, findings):
        red_flag = kb.findings[flag].red_flag
        if red_flag.escalation == "immediate":
            escalate.append(flag)
        elif flag not in cleared:
            clarify.append(flag)
    return RedFlagCheck(escalate, clarify)


def immediate_red_flags(kb: KnowledgeBase, present: Iterable[str]) -> List[str]:
    """Flags among `present` that escalate without a question: what the NLU marks on its own."""
    return [f for f in present if f in kb.red_flags and kb.findings[f].red_flag.escalation == "immediate"]


def red_flag_urgency(kb: KnowledgeBase, flags: Iterable[str]) -> Optional[Urgency]:
    return highest(kb.findings[f].red_flag.urgency for f in flags)


def heard(kb: KnowledgeBase, flags: Iterable[str]) -> List[str]:
    return [kb.findings[f].red_flag.heard for f in flags]


def escalating_findings(kb: KnowledgeBase) -> Dict[str, Finding]:
    return {fid: f for fid, f in kb.red_flags.items() if f.red_flag.escalation == "immediate"}
