"""The words that can be part of a red flag's phrase, typos of them included: the rest of a long
message is read only around them (SymptomExtractor's reading of a message past MAX_MESSAGE_CHARS).

A phrase can only match where its anchor stands: one word key per phrase of a red flag, its least
common (COMMON_KEYS: the most common words in messages about leg numbness; then spaCy's stop
words); a denial, or what explains a flag away, is read in the window of the flag it is about.
"""
from __future__ import annotations

from typing import Dict, Iterable, List, Sequence, Set

from numbness_triage.normalizer import TEXTING_WORDS, Normalizer, close_words

# Words too common to mark a window on their own, the most common (in messages about leg numbness)
# first: a phrase is looked for around its least common word.
COMMON_KEYS = ["numb", "leg", "my", "i", "the", "a", "and", "not", "be", "have", "leave", "foot", "feel", "it", "to",
               "of", "in", "go", "get", "on", "for", "with", "no", "do", "that", "this", "at", "can", "me", "so",
               "just", "now", "all", "very", "really", "left", "right", "both", "when", "from", "some", "any",
               "more", "like", "one", "into", "up", "down", "out", "off", "side"]
MAX_CACHED_WORDS = 100_000


class RedFlagAnchors:
    def __init__(self, normalizer: Normalizer, phrase_keys: Iterable[Sequence[str]]):
        """`phrase_keys`: the keys of each phrase of a red flag (phrase_scan.WILDCARD for "...")."""
        from spacy.lang.en.stop_words import STOP_WORDS

        self._normalizer = normalizer
        rank = {key: i for i, key in enumerate(COMMON_KEYS)}
        stop = len(COMMON_KEYS)
        rank.update({word: stop for word in STOP_WORDS if word not in rank})
        self.keys: Set[str] = set()
        for keys in phrase_keys:
            usable = [k for k in keys if k.isalpha()]
            if usable:  # the least common word: not a stop word ("about", "what") if it can be, longest first
                self.keys.add(max(usable, key=lambda k: (rank.get(k, stop + 1), len(k))))
        self._words: Dict[str, Dict[int, List[str]]] = {}  # typo check: first letter -> length -> words
        for word in normalizer.vocabulary:
            if normalizer.key(word) in self.keys:
                self._words.setdefault(word[0], {}).setdefault(len(word), []).append(word)
        self._cache: Dict[str, bool] = {}

    def __contains__(self, word: object) -> bool:
        """Whether a word of a message (lower case) is an anchor, or a typo of one."""
        if not isinstance(word, str):
            return False
        known = self._cache.get(word)
        if known is None:
            known = self._normalizer.base_key(word) in self.keys
            base = TEXTING_WORDS.get(word, word)
            if not known and self._normalizer.may_be_a_typo(base):
                known = any(True for _ in close_words(base, self._words.get(base[0], {})))
            if len(self._cache) < MAX_CACHED_WORDS:
                self._cache[word] = known
        return known
