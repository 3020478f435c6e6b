"""The matching key of a word: lower-case, texting spelled out, typo-corrected against the
phrases' words, lemmatised with spaCy's English lookup table ("legs" -> "leg", "went" -> "go"),
possessives and persons folded ("the leg" = "my leg", "when he walks" = "when i walk").

A knowledge-base phrase matches a message where their words have the same keys (extraction.py,
phrase_scan.py).
"""
from __future__ import annotations

from typing import Dict, Iterable, Iterator, List, Optional, Sequence

# How people text: "pins n needles", "legs r weak", "ur", "cuz".
TEXTING_WORDS = {"n": "and", "&": "and", "r": "are", "u": "you", "ur": "your", "im": "i'm",
                 "cuz": "because", "coz": "because", "bc": "because", "abt": "about", "w/": "with",
                 "feets": "feet", "legz": "legs", "pee'd": "peed", "lft": "left", "rt": "right", "bak": "back",
                 "1": "one", "nite": "night", "em": "them", "lookin": "looking", "turnin": "turning",
                 "goin": "going", "gettin": "getting", "feelin": "feeling", "kinda": "kind", "sorta": "sort",
                 "thru": "through"}

# Where spaCy's context-free lookup lemma changes the meaning ("evening" -> "even").
LEMMA_EXCEPTIONS = {"evening": "evening", "evenings": "evening", "ms": "ms", "bowels": "bowel"}

# Possessives are one key ("can't move the leg" = "can't move my leg"); who they belong to is
# ConText's job (it reads the words themselves).
# So are persons: a caregiver's "when he walks" matches "when i walk" ("he can't breathe" is a red flag).
POSSESSIVE_KEYS = {"the": "my", "his": "my", "her": "my", "their": "my", "your": "my", "our": "my",
                   "himself": "myself", "herself": "myself", "themselves": "myself", "yourself": "myself",
                   "he": "i", "she": "i", "they": "i", "you": "i"}

MAX_CACHED_KEYS = 50_000


def edit_distance_at_most(a: str, b: str, limit: int) -> bool:
    """Damerau-Levenshtein distance <= limit, with early exit (short words, small limits)."""
    if abs(len(a) - len(b)) > limit:
        return False
    previous_previous: Optional[List[int]] = None
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, start=1):
            cost = 0 if char_a == char_b else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if (previous_previous is not None and i > 1 and j > 1
                    and char_a == b[j - 2] and a[i - 2] == char_b):
                current[j] = min(current[j], previous_previous[j - 2] + 1)
        if min(current) > limit:
            return False
        previous_previous, previous = previous, current
    return previous[-1] <= limit


def typo_limit(word: str) -> int:
    """How many edits a typo of `word` may have."""
    return 1 if len(word) < 8 else 2


def by_length(words: Iterable[str]) -> Dict[int, List[str]]:
    grouped: Dict[int, List[str]] = {}
    for word in words:
        grouped.setdefault(len(word), []).append(word)
    return grouped


def close_words(word: str, words_by_length: Dict[int, List[str]]) -> Iterator[str]:
    """The words `word` may be a typo of: the same first letter, within `typo_limit` edits."""
    limit = typo_limit(word)
    return (candidate
            for length in range(len(word) - limit, len(word) + limit + 1)
            for candidate in words_by_length.get(length, ())
            if candidate[0] == word[0] and edit_distance_at_most(word, candidate, limit))


class Normalizer:
    """Maps a word to its matching key (see the module's docstring)."""

    def __init__(self, vocabulary_words: Iterable[str]):
        from spacy.lookups import load_lookups

        # A spaCy lookup Table is keyed by string hashes: look words up through the table itself.
        self._lemmas = load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")
        self._lemma_values = set(self._lemmas.values())
        self.vocabulary = {w for w in vocabulary_words if w.isalpha()}
        self._by_length = by_length(self.vocabulary)
        self._cache: Dict[str, str] = {}

    def lemma(self, word: str) -> str:
        return str(self._lemmas.get(word, word)) if word in self._lemmas else word

    def known_word(self, word: str) -> bool:
        """An English word of spaCy's lemma table: never corrected as a typo."""
        return word in self._lemmas or word in self._lemma_values

    def is_word(self, word: str) -> bool:
        """A word of the phrases, of spaCy's lemma table or of texting ("breaaathe" is none)."""
        return word in self.vocabulary or word in TEXTING_WORDS or self.known_word(word)

    def may_be_a_typo(self, word: str) -> bool:
        """A word that is read as a typo of a phrase's word when it is close to one: not a word
        of the phrases, long enough, and no English word ("...nes" and "...ss" words may be:
        "numbnes", "weakness")."""
        return (word not in self.vocabulary and word.isalpha() and len(word) >= 4
                and (word.endswith(("nes", "ss")) or not self.known_word(word)))

    def correct(self, word: str) -> str:
        if not self.may_be_a_typo(word):
            return word
        candidates = list(close_words(word, self._by_length))
        if not candidates:
            return word
        return min(candidates, key=lambda c: (abs(len(c) - len(word)), c))

    def base_key(self, word: str) -> str:
        """The key without typo correction and folding of possessives: texting spelled out, lemmatised."""
        base = TEXTING_WORDS.get(word, word)
        return LEMMA_EXCEPTIONS.get(base) or self.lemma(base)

    def key(self, norm: str) -> str:
        cached = self._cache.get(norm)
        if cached is None:
            corrected = self.correct(TEXTING_WORDS.get(norm, norm))
            cached = LEMMA_EXCEPTIONS.get(corrected) or self.lemma(corrected)
            cached = POSSESSIVE_KEYS.get(cached, cached)
            if len(self._cache) < MAX_CACHED_KEYS:
                self._cache[norm] = cached
        return cached

    def keys(self, norms: Sequence[str]) -> List[str]:
        return [self.key(norm) for norm in norms]
