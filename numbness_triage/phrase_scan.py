"""Knowledge-base phrases as sequences of token keys (normalizer.py): how they match a message.

A phrase is the matching keys of its words: between two of them may stand any number of GAP_WORDS
("my LEFT leg is REALLY numb"); "..." (WILDCARD) stands for up to WILDCARD_TOKENS words that are
not a negation or the end of a clause (WILDCARD_STOPS). `matcher_pattern` says that as a pattern of
spaCy's Matcher (the extractor's full reading); `PhraseScanner` finds the same phrases in plain
Python, the cheap reading of a message the extractor has no time left for (SymptomExtractor._scan):
only phrases are tried whose first key is the token's, so a text costs a few dictionary look-ups
per token, where spaCy's Matcher tries every one of some 2,500 patterns at every token. Without
ConText, a phrase is denied by a negation among the three words before it in its clause
(`denied_in_scan`); what only denies ("speech", "pulse") also by "is fine" shortly after it.
"""
from __future__ import annotations

import re
from typing import Any, Dict, Iterable, List, Optional, Sequence, Set, Tuple

WILDCARD, WILDCARD_TOKENS = "...", 10
WILDCARD_STOPS = ("not", "no", "never", "n't", "without", "nothing", "none", "fine", "normal", "ok", "okay",
                  ".", ",", ";", "!", "?", ":")

# Words that may stand between the words of a phrase without changing what it says:
# "I can't move my LEFT leg", "my leg is REALLY numb", "legs have been numb".
GAP_WORDS = ("left", "right", "both", "lower", "upper", "whole", "entire", "big", "little", "small",
             "really", "very", "so", "all", "just", "completely", "totally", "even", "literally", "real",
             "pretty", "quite", "a", "bit", "kind", "sort", "now", "still", "always", "constantly",
             "sometimes", "often", "have", "be", "kinda", "sorta", "super", "too", "also", "properly",
             "at", "lately", "again", "badly", "slightly", "somewhat", "partly", "only", "mostly", "dead",
             "go", "start", "keep", "get", "feel", "same", "one", "front", "outer", "inner", "ice",
             "stone", "way", "more", "much", "anymore")

Phrase = Tuple[Tuple[str, ...], str]  # (keys, label)


def matcher_pattern(keys: Sequence[str], gap_keys: List[str], wildcard_stops: List[str]) -> List[Dict[str, Any]]:
    """A phrase's keys as a pattern of spaCy's Matcher over the tokens' `finding_key`: room for
    `gap_keys` between them; WILDCARD for up to WILDCARD_TOKENS tokens of any key but
    `wildcard_stops` ("walking ... difficult": "walking back to the car was really difficult")."""
    gap = {"_": {"finding_key": {"IN": gap_keys}}, "OP": "*"}
    anything = {"_": {"finding_key": {"NOT_IN": wildcard_stops}}, "OP": "?"}
    pattern: List[Dict[str, Any]] = []
    for i, key in enumerate(keys):
        if key == WILDCARD:
            pattern.extend([anything] * WILDCARD_TOKENS)
            continue
        if i and keys[i - 1] != WILDCARD:
            pattern.append(gap)
        pattern.append({"_": {"finding_key": key}})
    return pattern


class PhraseScanner:
    def __init__(self, phrases: Iterable[Phrase], gap_keys: Iterable[str], wildcard_stops: Iterable[str],
                 wildcard_tokens: int = WILDCARD_TOKENS):
        self._by_first: Dict[str, List[Phrase]] = {}
        for keys, label in phrases:
            if keys and keys[0] != WILDCARD:
                self._by_first.setdefault(keys[0], []).append((tuple(keys), label))
        self._gap: Set[str] = set(gap_keys)
        self._stops: Set[str] = set(wildcard_stops)
        self._wildcard_tokens = wildcard_tokens

    def find(self, keys: Sequence[str], start: int, end: int,
             limit: Optional[int] = None) -> List[Tuple[int, int, str]]:
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
        position: Optional[int] = at + 1
        for index in range(1, len(phrase)):
            key = phrase[index]
            if key == WILDCARD:
                continue
            if position is None:
                return None
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


_NEGATION_BEFORE = re.compile(r"(?:\b(?:no|not|never|without|none|nothing|neither|nor|cannot)|"
                              r"n't)(?:\s+[\w']+){0,3}\s*$")
_CLAUSE_END = re.compile(r"[.,;:!?]")
# "my speech is fine", "the pulse in my foot is fine" (not across "and", "but", "or")
_FINE_AFTER = re.compile(r"(?:\s+(?!and\b|but\b|or\b)[\w']+){0,4}?\s+(?:is|are|was|were|seems?|feels?|looks?)\s+"
                         r"(?:fine|ok|okay|normal|good|clear|alright)\b")


def denied_in_scan(text: str, start: int, end: int, denial_only: bool) -> bool:
    """Is the phrase at text[start:end] (lower case) denied? A negation among the three words
    before it in its clause; for a phrase that only denies, also "is fine" shortly after it."""
    clause = _CLAUSE_END.split(text[max(0, start - 60):start])[-1]
    return bool(_NEGATION_BEFORE.search(clause) or (denial_only and _FINE_AFTER.match(text, end)))
