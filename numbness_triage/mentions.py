"""What the extractor finds in a message: mentions of findings, each with its assertion."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Set, Tuple

PRESENT, ABSENT, POSSIBLE, OTHER_PERSON = "present", "absent", "possible", "other_person"
HISTORICAL = "historical"  # the person's own, in the past and over: "last year I had blurry vision"
ASSERTIONS = (PRESENT, ABSENT, POSSIBLE, OTHER_PERSON, HISTORICAL)
# The NLU's entities (domain.yml): a mention (value: the finding, role: its assertion if not
# PRESENT), a red flag a cue word hints at; side and onset carry their names.
SYMPTOM_ENTITY, RED_FLAG_HINT_ENTITY = "symptom", "red_flag_hint"


@dataclass(frozen=True)
class Mention:
    finding: str
    assertion: str
    start: int
    end: int
    text: str
    subject: str = ""  # whose, when ConText said someone else's: "my father", "he", "runs in the family"
    # for someone else's mention: what it says of them (present, absent, possible, historical), so that
    # it can become the patient's own when that person is the patient ("she's not diabetic": absent)
    their_assertion: str = ""


@dataclass
class Extraction:
    mentions: List[Mention] = field(default_factory=list)
    side: Optional[str] = None
    onset: Optional[str] = None
    side_span: Optional[Tuple[int, int]] = None
    onset_span: Optional[Tuple[int, int]] = None
    hinted_red_flags: List[str] = field(default_factory=list)  # a cue word, no phrase: ask, don't guess

    def with_assertion(self, assertion: str) -> Set[str]:
        return {m.finding for m in self.mentions if m.assertion == assertion}

    @property
    def assertions(self) -> Dict[str, str]:
        return {m.finding: m.assertion for m in self.mentions}

    @property
    def present(self) -> Set[str]:
        return self.with_assertion(PRESENT)

    @property
    def absent(self) -> Set[str]:
        return self.with_assertion(ABSENT)


def dedupe(mentions: Iterable[Mention]) -> List[Mention]:
    """One mention per finding: the person's own present mention wins over other readings."""
    priority = {PRESENT: 0, ABSENT: 1, POSSIBLE: 2, HISTORICAL: 3, OTHER_PERSON: 4}
    best: Dict[str, Mention] = {}
    for mention in mentions:
        kept = best.get(mention.finding)
        if kept is None or priority[mention.assertion] < priority[kept.assertion]:
            best[mention.finding] = mention
    return sorted(best.values(), key=lambda m: m.start)
