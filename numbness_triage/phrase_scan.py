"""Knowledge-base phrases in a sequence of token keys, in plain Python: the cheap reading of a
message the extractor has no time left for (SymptomExtractor._scan).

A phrase is the matching keys of its words (extraction.SymptomExtractor._pattern does the same
for spaCy's Matcher): between two of them may stand any number of GAP_WORDS ("my LEFT leg is
REALLY numb"); "..." stands for up to WILDCARD_TOKENS words that are not a negation or the end of
a clause. Only phrases are tried whose first key is the token's, so a text costs a few dictionary
look-ups per token, where spaCy's Matcher tries every one of some 2,500 patterns at every token.
Without ConText, a phrase is denied by a negation among the three words before it in its clause
(`denied_in_scan`); what only denies ("speech", "pulse") also by "is fine" shortly after it.
"""
from __future__ import annotations

import re
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

WILDCARD = "..."

Phrase = Tuple[Tuple[str, ...], str]  # (keys, label)


class PhraseScanner:
    def __init__(self, phrases: Iterable[Phrase], gap_keys: Iterable[str], wildcard_stops: Iterable[str],
                 wildcard_tokens: int):
        self._by_first: Dict[str, List[Phrase]] = {}
        for keys, label in phrases:
            if keys and keys[0] != WILDCARD:
                self._by_first.setdefault(keys[0], []).append((tuple(keys), label))
        self._gap: Set[str] = set(gap_keys)
        self._stops: Set[str] = set(wildcard_stops)
        self._wildcard_tokens = wildcard_tokens

    def find(self, keys: Sequence[str], start: int, end: int, limit: Optional[int] = None) -> List[Tuple[int, int, str]]:
        """(first token, token after the last, label) of every phrase starting in keys[start:end]
        (and ending before `limit`, len(keys) by default)."""
        limit = len(keys) if limit is None else limit
        found = []
        for at in range(start, end):
            for phrase, label in self._by_first.get(keys[at], ()):
                stop = self._match(keys, at, phrase, limit)
                if stop is not None:
                    found.append((at, stop, label))
        return found

    def _match(self, keys: Sequence[str], at: int, phrase: Tuple[str, ...], limit: int) -> Optional[int]:
        position = at + 1
        for index in range(1, len(phrase)):
            key = phrase[index]
            if key == WILDCARD:
                continue
            if phrase[index - 1] == WILDCARD:
                position = self._after_wildcard(keys, position, key, limit)
            else:
                while position < limit and keys[position] != key and keys[position] in self._gap:
                    position += 1
            if position is None or position >= limit or keys[position] != key:
                return None
            position += 1
        return position

    def _after_wildcard(self, keys: Sequence[str], position: int, key: str, limit: int) -> Optional[int]:
        for candidate in range(position, min(limit, position + self._wildcard_tokens + 1)):
            if keys[candidate] == key:
                return candidate
            if keys[candidate] in self._stops:
                return None
        return None


_NEGATION_BEFORE = re.compile(r"(?:\b(?:no|not|never|without|none|nothing|neither|nor|cannot)|n't)(?:\s+[\w']+){0,3}\s*$")
_CLAUSE_END = re.compile(r"[.,;:!?]")
# "my speech is fine", "the pulse in my foot is fine" (not across "and", "but", "or")
_FINE_AFTER = re.compile(r"(?:\s+(?!and\b|but\b|or\b)[\w']+){0,4}?\s+(?:is|are|was|were|seems?|feels?|looks?)\s+"
                         r"(?:fine|ok|okay|normal|good|clear|alright)\b")


def denied_in_scan(text: str, start: int, end: int, denial_only: bool) -> bool:
    """Is the phrase at text[start:end] (lower case) denied? A negation among the three words
    before it in its clause; for a phrase that only denies, also "is fine" shortly after it."""
    clause = _CLAUSE_END.split(text[max(0, start - 60):start])[-1]
    return bool(_NEGATION_BEFORE.search(clause) or (denial_only and _FINE_AFTER.match(text, end)))
