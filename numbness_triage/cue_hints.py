"""Cue words: red flags a message hints at without a phrase of theirs ("my right eye went dark").

The extractor does not guess on a cue word (findings.yml: red_flag.cues); the interview asks the
red flag's check_question. A cue does not count when a denial stands shortly before it in its
clause ("no problems with my bladder") or inside an everyday idiom (cue_idioms.yml: "keep an eye
on it").
"""
from __future__ import annotations

import re
from typing import Iterable, List, Pattern, Tuple

from numbness_triage.knowledge import KnowledgeBase, cue_pattern

_DENIAL_BEFORE = re.compile(r"(\b(no|not|never|without|nothing|none|fine|normal)\b|n't\b)[^.!?;]{0,25}$")


def denied_before(lowered: str, at: int) -> bool:
    """A denial shortly before a cue in the same clause: "no problems with my bladder"."""
    return bool(_DENIAL_BEFORE.search(lowered[max(0, at - 40):at]))


def idiom_pattern(idioms: List[str]) -> Pattern[str]:
    if not idioms:
        return re.compile(r"(?!)")
    return re.compile(r"\b(" + "|".join(re.escape(idiom) for idiom in idioms) + r")\b")


class CueHints:
    def __init__(self, kb: KnowledgeBase):
        self.patterns: List[Tuple[str, Pattern[str]]] = [
            (flag, cue_pattern(kb.red_flag(flag).cues)) for flag in kb.red_flags if kb.red_flag(flag).cues]
        self._idioms = idiom_pattern(kb.cue_idioms)

    def hinted(self, text: str, mentioned: Iterable[str] = ()) -> List[str]:
        """Red flags whose cue words appear, undenied, in `text`, leaving out those `mentioned`
        (a phrase of theirs matched)."""
        mentioned = set(mentioned)
        lowered = self._idioms.sub(" ", text.lower())
        return [flag for flag, cue in self.patterns
                if flag not in mentioned and any(not denied_before(lowered, m.start()) for m in cue.finditer(lowered))]
