"""Red flags written in Spanish, French, Portuguese or Chinese (data/knowledge/red_flags_translated.yml).

The bot reads English only, but an emergency must be recognised in whatever language it is
written. Phrases are matched on folded text (lower-case, accents removed, the same length as
the message so offsets hold), as whole words where the language has spaces; a phrase is denied
when one of its language's negations stands among the few words just before it in the same
clause. Simple on purpose: the file's header lists the limits.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Dict, List, Tuple

from numbness_triage.knowledge import KnowledgeBase
from numbness_triage.mentions import ABSENT, PRESENT

NEGATION_WORDS_BEFORE = 3  # languages with spaces: a negation among the 3 words before the phrase
NEGATION_CHARS_BEFORE = 4  # Chinese: among the 4 characters before it
WITHOUT_SPACES = {"zh"}
_CLAUSE_END = re.compile(r"[.,;:!?¡¿\n\r\t。，、；：！？()\"]")
_LEAD = re.compile(r"[^\W_]+")  # a word, or the part of one before an apostrophe
_APOSTROPHES = {"’": "'", "‘": "'", "`": "'", "´": "'"}


def fold(text: str) -> str:
    """Lower-case, accents removed, curly apostrophes straight; exactly as long as `text`."""
    out = []
    for ch in text:
        ch = _APOSTROPHES.get(ch, ch)
        base = unicodedata.normalize("NFD", ch)[0] if ord(ch) > 127 else ch
        lowered = base.lower()
        out.append(lowered if len(lowered) == 1 else base)
    return "".join(out)


def _phrase_pattern(phrase: str, spaced: bool) -> str:
    if not spaced:
        return re.escape(fold(phrase))
    words = []
    for word in fold(phrase).split():
        words.append(re.escape(word[:-1]) + r"\w*" if word.endswith("*") else re.escape(word))
    return r"(?<![\w'])" + r"\s+".join(words) + r"(?![\w'])"


class TranslatedRedFlags:
    """Finds the translated red flags of a knowledge base in any text. Fast on long texts: a
    phrase is only tried where its first word (Chinese: first character) stands."""

    def __init__(self, kb: KnowledgeBase):
        self._languages = []
        for language in kb.languages.values():
            spaced = language.id not in WITHOUT_SPACES
            by_start: Dict[str, List[Tuple[re.Pattern, str, int]]] = {}  # first word or character -> phrases
            by_prefix: Dict[str, List[Tuple[re.Pattern, str, int]]] = {}  # a first word ending in *
            for entry in kb.translated_red_flags.values():
                for phrase in entry.phrases.get(language.id, []):
                    folded = fold(phrase)
                    candidate = (re.compile(_phrase_pattern(phrase, spaced)), entry.id, len(folded))
                    if not spaced:
                        by_start.setdefault(folded[0], []).append(candidate)
                        continue
                    first = folded.split()[0]
                    word = _LEAD.match(first)
                    lead = word.group() if word else first[:1]
                    if first.endswith("*") and lead == first[:-1]:
                        by_prefix.setdefault(lead, []).append(candidate)
                    else:
                        by_start.setdefault(lead, []).append(candidate)
            for table in (by_start, by_prefix):  # longest first: "no puedo hablar bien" over "no puedo hablar"
                for candidates in table.values():
                    candidates.sort(key=lambda c: -c[2])
            if not by_start and not by_prefix:
                continue
            starts = _LEAD if spaced else re.compile("[" + re.escape("".join(by_start)) + "]")
            longest_first = sorted(language.negations, key=len, reverse=True)
            negation = re.compile("|".join(_phrase_pattern(n, spaced) for n in longest_first))
            breaks = re.compile("|".join(_phrase_pattern(b, spaced) for b in language.clause_breaks) or r"(?!)")
            self._languages.append((language.id, starts, by_start, by_prefix, negation, breaks))

    def find(self, text: str) -> List[Tuple[str, str, int, int, str, str]]:
        """(red flag id, present | absent, start, end, matched text, language) for every phrase found."""
        if not text:
            return []
        folded = fold(text)
        found = []
        for language, starts, by_start, by_prefix, negation, breaks in self._languages:
            done = 0
            for start in starts.finditer(folded):
                if start.start() < done:
                    continue
                word = start.group()
                candidates = by_start.get(word, [])
                if by_prefix:
                    candidates = candidates + [c for prefix, cs in by_prefix.items() if word.startswith(prefix)
                                               for c in cs]
                for pattern, flag, _ in candidates:
                    match = pattern.match(folded, start.start())
                    if match:
                        denied = self._denied(folded, match.start(), language, negation, breaks)
                        found.append((flag, ABSENT if denied else PRESENT, match.start(), match.end(),
                                      text[match.start():match.end()], language))
                        done = match.end()
                        break
        return found

    @staticmethod
    def _denied(folded: str, start: int, language: str, negation: re.Pattern, breaks: re.Pattern) -> bool:
        before = folded[max(0, start - 80):start]
        clause_end = max([m.end() for m in _CLAUSE_END.finditer(before)] or [0])
        before = before[clause_end:]
        last_break = max([m.end() for m in breaks.finditer(before)] or [0])
        before = before[last_break:]  # "no tengo fiebre y | dificultad para respirar"
        if language in WITHOUT_SPACES:
            return bool(negation.search(before[-NEGATION_CHARS_BEFORE:]))
        words = before.split()
        return bool(negation.search(" ".join(words[-NEGATION_WORDS_BEFORE:])))
