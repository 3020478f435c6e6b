"""Find findings (symptoms, patterns, history), side and onset in free text.

A message is first put in normal form (text_normalization: case, apostrophes, invisible
characters, stretched letters, emoji and line breaks), then read by a medspaCy pipeline built
once from the knowledge base: spaCy's blank English tokenizer, a normaliser that gives every
token a matching key (typo-corrected, lemmatised), a TargetMatcher with one rule per
knowledge-base phrase, and ConText for negation, uncertainty and mentions of other people.
PyRuSH splits sentences on the normal form with its capitals (sentences.py). The pipeline reads
bounded windows of tokens (text_windows.token_windows): its cost grows with the length of a
message, not with its square; once a message's time budget is spent, the rest is only scanned
for red-flag phrases (phrase_scan.py). What is found is said back as the person typed it.
"""
from __future__ import annotations

import logging
import re
import sys
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Set, Tuple

import yaml

from numbness_triage.answers import _AFTER_AN_EVENT, _SIDE_OF_LIMB, _SUDDEN, find_onset, find_side
from numbness_triage.knowledge import DEFAULT_KNOWLEDGE_DIR, KnowledgeBase, KnowledgeError, shared_knowledge_base
from numbness_triage.mention_rules import (ONE_SIDE_LIMBS, add_numbness_behind_sudden,
                                           add_spread_numbness, apply_implications, caregiver_report,
                                           derive_sudden_numbness, leg_pain_behind, mentions_a_limb, pain_by_place,
                                           self_answered_questions, spread_told_by_places, colour_of_a_limb,
                                           one_sided_limbs, place_generic_numbness)
from numbness_triage.mentions import (  # noqa: F401 - what the extractor's callers import from here
    ABSENT, ASSERTIONS, HISTORICAL, NUMBNESS_FINDINGS, OTHER_PERSON, POSSIBLE, PRESENT, Extraction, Mention, dedupe)
from numbness_triage import sentences
from numbness_triage.other_languages import TranslatedRedFlags
from numbness_triage.phrase_scan import PhraseScanner, denied_in_scan
from numbness_triage.text_normalization import NormalizedText, normalize
from numbness_triage.text_windows import Budget, token_windows, windows_around

from numbness_triage.limits import MAX_MESSAGE_CHARS, MAX_RED_FLAG_SCAN_CHARS  # noqa: F401 - re-exported
REST_OVERLAP = 400  # the rest starts this far before MAX_MESSAGE_CHARS: a phrase across it is whole
# Words too common to mark a window on their own, the most common (in messages about leg numbness)
# first: a phrase is looked for around its least common word.
COMMON_KEYS = ["numb", "leg", "my", "i", "the", "a", "and", "not", "be", "have", "leave", "foot", "feel", "it", "to", "of", "in",
               "go", "get", "on", "for", "with", "no", "do", "that", "this", "at", "can", "me", "so", "just",
               "now", "all", "very", "really", "left", "right", "both", "when", "from", "some", "any", "more", "like",
               "one", "into", "up", "down", "out", "off", "side"]


def _silence_pyrush() -> None:
    """PyRuSH logs every sentence split at DEBUG through loguru; keep it quiet."""
    try:
        from loguru import logger as loguru_logger

        loguru_logger.remove()
        loguru_logger.add(sys.stderr, level="WARNING")
    except ImportError:  # pragma: no cover - loguru comes with PyRuSH
        pass


def edit_distance_at_most(a: str, b: str, limit: int) -> bool:
    """Damerau-Levenshtein distance <= limit, with early exit (short words, small limits)."""
    if abs(len(a) - len(b)) > limit:
        return False
    previous_previous = None
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


class Normalizer:
    """Maps a word to its matching key: lower-case, typo-corrected against the phrase vocabulary,
    lemmatised with spaCy's English lookup table ("legs" -> "leg", "went" -> "go")."""

    def __init__(self, vocabulary_words: Iterable[str]):
        from spacy.lookups import load_lookups

        # A spaCy lookup Table is keyed by string hashes: look words up through the table itself.
        self._lemmas = load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")
        self._lemma_values = set(self._lemmas.values())
        self.vocabulary = {w for w in vocabulary_words if w.isalpha()}
        self._by_length: Dict[int, List[str]] = {}
        for word in self.vocabulary:
            self._by_length.setdefault(len(word), []).append(word)
        self._cache: Dict[str, str] = {}

    def lemma(self, word: str) -> str:
        return self._lemmas.get(word, word) if word in self._lemmas else word

    def known_word(self, word: str) -> bool:
        """An English word of spaCy's lemma table: never corrected as a typo."""
        return word in self._lemmas or word in self._lemma_values

    def is_word(self, word: str) -> bool:
        """A word of the phrases, of spaCy's lemma table or of texting ("breaaathe" is none)."""
        return word in self.vocabulary or word in TEXTING_WORDS or self.known_word(word)

    def correct(self, word: str) -> str:
        if word in self.vocabulary or not word.isalpha() or len(word) < 4:
            return word
        if self.known_word(word) and not word.endswith(("nes", "ss")):
            return word
        limit = 1 if len(word) < 8 else 2
        candidates = [
            candidate
            for length in range(len(word) - limit, len(word) + limit + 1)
            for candidate in self._by_length.get(length, ())
            if candidate[0] == word[0] and edit_distance_at_most(word, candidate, limit)
        ]
        if not candidates:
            return word
        return min(candidates, key=lambda c: (abs(len(c) - len(word)), c))

    def key(self, norm: str) -> str:
        cached = self._cache.get(norm)
        if cached is None:
            norm = TEXTING_WORDS.get(norm, norm)
            corrected = self.correct(norm)
            cached = LEMMA_EXCEPTIONS.get(corrected) or self.lemma(corrected)
            cached = POSSESSIVE_KEYS.get(cached, cached)
            if len(self._cache) < 50_000:
                self._cache[norm] = cached
        return cached


def _phrase_words(kb: KnowledgeBase, tokenizer) -> Set[str]:
    words: Set[str] = set()
    for finding in kb.findings.values():
        for phrase in [*finding.phrases, *finding.denial_phrases]:
            words.update(token.norm_ for token in tokenizer(phrase))
    return words


DEFAULT_SCOPE = 8


def _load_context_rules(path: Path):
    from medspacy.context import ConTextRule

    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    rules = []
    for category, by_direction in document["rules"].items():
        for direction, literals in by_direction.items():
            for literal in literals:
                literal_entry = literal
                max_scope, allowed, pattern = None, None, None
                if isinstance(literal, dict):  # {literal: fine, max_scope: 2, findings: [no_pulse_in_leg]}
                    literal, max_scope, only = literal.get("literal"), literal.get("max_scope"), literal.get("findings")
                    pattern = literal_entry.get("pattern")  # a spaCy token pattern: "maybe <a number>"
                    if only:  # a cue that is about these findings only: "I can feel the pulse"
                        allowed = {label for finding in only for label in (finding, f"{finding}{DENIAL_ONLY}")}
                if not isinstance(literal, str):  # YAML reads a bare no/yes/on/off as a boolean
                    raise KnowledgeError(f"{path}: rule {literal!r} under {category}/{direction} must be quoted text")
                # Scope: the sentence, and at most DEFAULT_SCOPE tokens of it. A terminator's own scope
                # must be narrow: medspaCy only lets it cut a scope that does not lie wholly inside its own.
                if direction in ("TERMINATE", "PSEUDO"):
                    max_scope = 1
                rules.append(ConTextRule(literal, category, direction=direction, max_scope=max_scope or DEFAULT_SCOPE,
                                         allowed_types=allowed, pattern=pattern))
    return rules


class SymptomExtractor:
    """Built once; `extract(text)` is then cheap and never raises on any text."""

    def __init__(self, kb: KnowledgeBase, knowledge_dir: Path = DEFAULT_KNOWLEDGE_DIR):
        _register_normalizer_factory()  # here, not at import: the action server never needs spaCy
        _silence_pyrush()
        import medspacy  # noqa: F401 - registers the medspaCy factories
        import spacy
        from medspacy.ner import TargetRule
        from spacy.tokens import Token

        self.kb = kb
        if not Token.has_extension("finding_key"):
            Token.set_extension("finding_key", default="")
        if not Token.has_extension("list_comma"):  # for ConText rules: a comma that goes on with a list
            Token.set_extension("list_comma", default=False)
        nlp = spacy.blank("en")
        self.normalizer = Normalizer(_phrase_words(kb, nlp.tokenizer))
        self._gap_keys = sorted({self.normalizer.key(word) for word in GAP_WORDS})
        self._wildcard_stops = sorted({self.normalizer.key(word) for word in WILDCARD_STOPS})
        nlp.add_pipe("finding_key_normalizer")
        self._normalizer_pipe = nlp.get_pipe("finding_key_normalizer")
        self._normalizer_pipe.normalizer = self.normalizer
        matcher = self._matcher = nlp.add_pipe("medspacy_target_matcher")
        rules = []
        for finding in kb.findings.values():
            for phrase in finding.phrases:
                rules.append(TargetRule(phrase, finding.id, pattern=self._pattern(nlp, phrase)))
            for phrase in finding.denial_phrases:
                rules.append(TargetRule(phrase, f"{finding.id}{DENIAL_ONLY}", pattern=self._pattern(nlp, phrase)))
        matcher.add(rules)
        nlp.add_pipe("finding_token_marker")
        context = nlp.add_pipe("medspacy_context", config={"rules": None, "phrase_matcher_attr": "NORM",
                                                      "prune_on_target_overlap": False})
        context.add(_load_context_rules(Path(knowledge_dir) / "context_rules.yml"))
        self.nlp = nlp
        self._cue_patterns = [(flag, _cue_pattern(finding.red_flag.cues))
                              for flag, finding in kb.red_flags.items() if finding.red_flag.cues]
        self.translated = TranslatedRedFlags(kb)
        # What the scan of a long message's rest keeps: red flags and what explains them away.
        self._red_flag_related = set(kb.red_flags) | {other for finding in kb.red_flags.values()
                                                      for other in finding.red_flag.explanation_ids()}
        self._anchor_keys = self._red_flag_anchor_keys(nlp)
        self._anchor_words: Dict[int, Dict[str, List[str]]] = {}  # typo check: first letter -> words
        for word in self.normalizer.vocabulary:
            if self.normalizer.key(word) in self._anchor_keys:
                self._anchor_words.setdefault(word[0], {}).setdefault(len(word), []).append(word)
        self._anchor_cache: Dict[str, bool] = {}
        self._scanner = PhraseScanner(
            [(self._phrase_keys(nlp, phrase), label) for finding_id in self._red_flag_related
             for label, phrases in ((finding_id, kb.findings[finding_id].phrases),
                                    (f"{finding_id}{DENIAL_ONLY}", kb.findings[finding_id].denial_phrases))
             for phrase in phrases],
            self._gap_keys, self._wildcard_stops, WILDCARD_TOKENS)
        self._window_cache: Dict[str, Tuple[Tuple[Mention, ...], Tuple[str, ...]]] = {}

    def _red_flag_anchor_keys(self, nlp) -> Set[str]:
        """One word key per phrase of a red flag, its least common: a phrase can only match where
        its anchor is (or a typo of it)."""
        anchors = set()
        from spacy.lang.en.stop_words import STOP_WORDS

        # the least common word: not a stop word ("about", "what") if it can be, longest first
        rank = {key: i for i, key in enumerate(COMMON_KEYS)}
        stop = len(COMMON_KEYS)
        rank.update({word: stop for word in STOP_WORDS if word not in rank})
        for finding in self.kb.red_flags.values():  # (a denial, or what explains a flag away, is read
            for phrase in finding.phrases:          # in the window of the flag it is about)
                keys = [self.normalizer.key(token.norm_) for token in nlp.tokenizer(phrase) if token.text != WILDCARD]
                usable = [k for k in keys if k.isalpha()]
                if usable:
                    anchors.add(max(usable, key=lambda k: (rank.get(k, stop + 1), len(k))))
        return anchors

    def _phrase_keys(self, nlp, phrase: str) -> List[str]:
        return [WILDCARD if token.text == WILDCARD else self.normalizer.key(token.norm_) for token in nlp.tokenizer(phrase)]

    def _pattern(self, nlp, phrase: str) -> List[dict]:
        """Token keys with room for GAP_WORDS between them; "..." in a phrase stands for up to
        WILDCARD_TOKENS words of any kind but a negation or the end of a clause
        ("walking ... difficult": "walking back to the car was really difficult")."""
        keys = self._phrase_keys(nlp, phrase)
        gap = {"_": {"finding_key": {"IN": self._gap_keys}}, "OP": "*"}
        anything = {"_": {"finding_key": {"NOT_IN": self._wildcard_stops}}, "OP": "?"}
        pattern: List[dict] = []
        for i, key in enumerate(keys):
            if key == WILDCARD:
                pattern.extend([anything] * WILDCARD_TOKENS)
                continue
            if i and keys[i - 1] != WILDCARD:
                pattern.append(gap)
            pattern.append({"_": {"finding_key": key}})
        return pattern

    def extract(self, text: str, budget: Optional[Budget] = None) -> Extraction:
        """Everything in the first MAX_MESSAGE_CHARS characters; red flags (in English and in the
        languages of red_flags_translated.yml) up to MAX_RED_FLAG_SCAN_CHARS. Offsets and texts
        are those of `text` as typed. Once a `budget`'s time is spent, what is left is only
        scanned for red-flag phrases (SymptomExtractor._scan)."""
        if not isinstance(text, str):
            return Extraction()
        budget = budget or Budget()
        typed = text[:MAX_RED_FLAG_SCAN_CHARS]
        normal = normalize(typed, self.normalizer.is_word)
        start_end = normal.index_of_typed(MAX_MESSAGE_CHARS)
        result = self._read(normal.folded[:start_end], normal.cased[:start_end], budget)
        extra = [Mention(flag, assertion, start, end, said)
                 for flag, assertion, start, end, said, _ in self.translated.find(normal.folded)]
        hints = list(result.hinted_red_flags)
        if len(typed) > MAX_MESSAGE_CHARS:
            rest, rest_hints = self._red_flags_after_the_start(normal, start_end, budget)
            extra += rest
            hints += rest_hints
        if extra:
            result.mentions = dedupe([*result.mentions, *extra])
        mentioned = {m.finding for m in result.mentions}
        result.hinted_red_flags = list(dict.fromkeys(f for f in hints if f not in mentioned))
        if budget.windows_scanned:
            logging.getLogger(__name__).warning(
                "extraction ran out of its %.1f s: %d of %d windows only scanned for red flags",
                budget.seconds, budget.windows_scanned, budget.windows_scanned + budget.windows_read)
        return _as_typed(result, normal)

    def _red_flags_after_the_start(self, normal: NormalizedText, start_end: int,
                                   budget: Budget) -> Tuple[List[Mention], List[str]]:
        """Red flags after the start, with the same extraction (phrases, negation, cue words) in
        windows around the words that can be part of one; the rest of the text is skipped. A
        window's reading is cached: a pasted text often repeats itself."""
        begin = max(0, start_end - REST_OVERLAP)
        folded = normal.folded
        triggers = [m.start() for m in _WORD.finditer(folded, begin) if self._is_anchor(m.group())]
        for pattern in [cue for _, cue in self._cue_patterns] + [_SUDDEN, _AFTER_AN_EVENT, ONE_SIDE_LIMBS]:
            triggers += [m.start() for m in pattern.finditer(folded, begin)]
        mentions, hints = [], []
        for start, end in windows_around(folded, sorted(set(triggers)), begin):
            found, hinted = self._read_window(folded[start:end], normal.cased[start:end], budget)
            mentions += [_shifted(m, start) for m in found]
            hints += hinted
        return mentions, hints

    def _is_anchor(self, word: str) -> bool:
        known = self._anchor_cache.get(word)
        if known is None:
            base = TEXTING_WORDS.get(word, word)
            normalizer = self.normalizer
            known = (LEMMA_EXCEPTIONS.get(base) or normalizer.lemma(base)) in self._anchor_keys
            if (not known and base.isalpha() and len(base) >= 4 and base not in normalizer.vocabulary
                    and (base.endswith(("nes", "ss")) or not normalizer.known_word(base))):
                limit = 1 if len(base) < 8 else 2  # a typo of an anchor word: Normalizer.correct's rule
                by_length = self._anchor_words.get(base[0], {})
                known = any(edit_distance_at_most(base, candidate, limit)
                            for length in range(len(base) - limit, len(base) + limit + 1)
                            for candidate in by_length.get(length, ()))
            if len(self._anchor_cache) < 100_000:
                self._anchor_cache[word] = known
        return known

    def _read_window(self, folded: str, cased: str, budget: Budget) -> Tuple[Tuple[Mention, ...], Tuple[str, ...]]:
        cached = self._window_cache.get(cased)
        if cached is None:
            scanned_before = budget.windows_scanned
            reading = self._read(folded, cased, budget)
            cached = (tuple(m for m in reading.mentions if m.finding in self._red_flag_related),
                      tuple(reading.hinted_red_flags))
            if budget.windows_scanned == scanned_before:  # a full reading only
                if len(self._window_cache) >= 256:
                    self._window_cache.clear()
                self._window_cache[cased] = cached
        return cached

    def _read(self, folded: str, cased: str, budget: Budget) -> Extraction:
        """Everything in a normalised text (`folded`, and `cased` for the sentences)."""
        if not folded.strip():
            return Extraction()
        raw = self._mentions_in_windows(folded.replace("\n", " "), cased, budget)
        mentions = dedupe(raw + leg_pain_behind(raw, folded) + one_sided_limbs(raw, folded) + pain_by_place(raw, folded)
                         + spread_told_by_places(raw, folded) + colour_of_a_limb(raw, folded))
        mentions = add_numbness_behind_sudden(place_generic_numbness(self_answered_questions(mentions, folded), folded))
        mentions = apply_implications(caregiver_report(add_spread_numbness(mentions, folded), folded), folded)
        mentions = dedupe([m for m in mentions if not (m.finding.endswith(DENIAL_ONLY))] + [
            Mention(m.finding[: -len(DENIAL_ONLY)], m.assertion, m.start, m.end, m.text)
            for m in mentions if m.finding.endswith(DENIAL_ONLY) and m.assertion == ABSENT
        ])
        result = Extraction(mentions=mentions)
        about_a_limb = mentions_a_limb(result) or _SIDE_OF_LIMB.search(folded)  # "actually it's my right leg"
        result.side, result.side_span = find_side(folded) if about_a_limb else (None, None)
        result.onset, result.onset_span = find_onset(folded)
        derive_sudden_numbness(result)
        result.hinted_red_flags = self._hinted_red_flags(folded, result)
        return result

    def _mentions_in_windows(self, flat: str, cased: str, budget: Budget) -> List[Mention]:
        """What the pipeline finds, window by window (text_windows.token_windows); once the budget
        is spent, a window is only scanned for red-flag phrases."""
        doc = self.nlp.make_doc(flat)
        keys: List[str] = []
        sentence_starts: Set[int] = set()
        mentions = []
        for window in token_windows(len(doc)):
            piece = doc[window.start:window.end]
            scanned = budget.spent
            budget.count(len(piece), scanned)
            if scanned:
                keys = keys or [self.normalizer.key(token.norm_) for token in doc]
                mentions += self._scan(doc, keys, window.core_start, window.core_end, flat)
                continue
            sentence_starts = sentence_starts or sentences.sentence_starts(doc, cased)
            piece_doc = piece.as_doc()
            for token in piece_doc:
                token.is_sent_start = token.i == 0 or window.start + token.i in sentence_starts
            offset = piece.start_char
            core = range(window.core_start - window.start, window.core_end - window.start)
            mentions += [_shifted(m, offset) for first_token, m in self._read_tokens(piece_doc) if first_token in core]
        return mentions

    def _read_tokens(self, doc) -> List[Tuple[int, Mention]]:
        """The pipeline on a window with its sentences: (first token, mention) of each phrase found."""
        for _, pipe in self.nlp.pipeline:
            doc = pipe(doc)
        modifiers = list(getattr(doc._.context_graph, "modifiers", None) or [])
        return [(entity.start, self._mention(entity, modifiers)) for entity in doc.ents]

    def _scan(self, doc, keys: List[str], start: int, end: int, flat: str) -> List[Mention]:
        """A cheap reading once the time is spent: red-flag phrases (and what explains them away)
        starting in tokens [start, end), found without spaCy's Matcher, sentences or ConText; a
        phrase is denied by a negation among the few words before it in its clause, or by "is fine"
        after it (denial_phrases: "my speech is fine")."""
        found = []
        for first, stop, label in self._scanner.find(keys, start, end):
            span = doc[first:stop]
            denial_only = label.endswith(DENIAL_ONLY)
            denied = denied_in_scan(flat, span.start_char, span.end_char, denial_only)
            if denied or not denial_only:
                found.append(Mention(label, ABSENT if denied else PRESENT, span.start_char, span.end_char, span.text))
        return found

    def _hinted_red_flags(self, text: str, result: Extraction) -> List[str]:
        """Red flags whose cue words appear, undenied, where no phrase of theirs matched."""
        mentioned = {m.finding for m in result.mentions}
        lowered = text.lower()
        lowered = _CUE_IDIOMS.sub(" ", lowered)
        return [flag for flag, cue in self._cue_patterns
                if flag not in mentioned and any(not _denied_before(lowered, m.start()) for m in cue.finditer(lowered))]

    @staticmethod
    def _mention(entity, modifiers) -> Mention:
        categories = _modifying_categories(entity, modifiers)
        subject = categories.pop("FAMILY_CUE", "")
        if "NEGATED_EXISTENCE" in categories:
            said = ABSENT
        elif categories.keys() & {"POSSIBLE_EXISTENCE", "HYPOTHETICAL"}:
            said = POSSIBLE
        elif "HISTORICAL" in categories:
            said = HISTORICAL
        else:
            said = PRESENT
        if "FAMILY" in categories:
            return Mention(entity.label_, OTHER_PERSON, entity.start_char, entity.end_char, entity.text,
                           subject=subject, their_assertion=said)
        return Mention(entity.label_, said, entity.start_char, entity.end_char, entity.text)


_NEGATION_WORDS = {"no", "not", "never", "none", "without", "nothing", "neither", "nor", "n't", "cannot"}




def _modifying_categories(entity, modifiers) -> Dict[str, str]:
    """The ConText categories that modify `entity`, read from the modifiers' scopes (medspaCy's own
    overlap test misses spans that contain one another). A cue wholly inside the phrase is part of
    what it says ("can't walk", "not making sense"); one that shares its first words still counts
    ("I don't feel weak": the cue "don't feel" and the phrase "feel weak")."""
    label = entity.label_.upper()
    categories: Dict[str, str] = {}  # category -> the cue's words
    for modifier in modifiers:
        if modifier.direction.upper() in ("TERMINATE", "PSEUDO"):
            continue
        cue_start, cue_end = modifier.modifier_span
        if entity.start <= cue_start and cue_end <= entity.end and modifier.category.upper() != "FAMILY":
            continue  # (whose it is still counts: "numbness in her leg")
        if cue_start < entity.start < cue_end or cue_start < entity.end < cue_end:  # cue and phrase share words
            shared = entity.doc[max(cue_start, entity.start): min(cue_end, entity.end)]
            if modifier.category.upper() != "NEGATED_EXISTENCE" or any(t.norm_ in _NEGATION_WORDS for t in shared):
                continue  # "there's no" + "no pulse": the phrase owns its "no"
        if not modifier.allows(label):
            continue
        scope_start, scope_end = modifier.scope_span
        if scope_start < entity.end and entity.start < scope_end:
            category = modifier.category.upper()
            categories[category] = entity.doc[cue_start:cue_end].text.lower()
            if category == "FAMILY":  # with the word after it: "his" + "mother"
                categories["FAMILY_CUE"] = entity.doc[cue_start:min(cue_end + 1, len(entity.doc))].text.lower()
    return categories


DENIAL_ONLY = "__denial_only"
# Words that open a clause rather than name the next item of a list: a modal, a verb, a person.
CLAUSE_OPENERS = {"ca", "can", "cannot", "could", "wo", "will", "would", "do", "does", "did", "is", "am", "are",
                  "was", "were", "i", "me", "my", "he", "she", "it", "they", "we", "you", "have", "has", "had",
                  "feel", "feels", "keep", "keeps", "lost", "just", "now", "then", "but", "suddenly"}


_TERMINAL_ESCAPE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-_]")  # "\x1b[31m": colour, not age 31


def readable(text: str) -> str:
    """No terminal escape sequences; control characters as spaces (new lines and tabs kept).
    As long as `text`, so offsets into it are offsets into what was typed."""
    if not isinstance(text, str):
        return ""
    text = _TERMINAL_ESCAPE.sub(lambda escape: " " * len(escape.group()), text)
    return "".join(ch if ch.isprintable() or ch in "\n\t" else " " for ch in text)


def _shifted(mention: Mention, offset: int) -> Mention:
    return replace(mention, start=mention.start + offset, end=mention.end + offset)


def _as_typed(result: Extraction, normal: NormalizedText) -> Extraction:
    """Offsets and texts of the normal form -> those of what the person typed."""
    def typed(mention: Mention) -> Mention:
        start, end = normal.to_typed(mention.start, mention.end)
        return replace(mention, start=start, end=end, text=normal.typed[start:end])

    result.mentions = [typed(m) for m in result.mentions]
    if result.side_span:
        result.side_span = normal.to_typed(*result.side_span)
    if result.onset_span:
        result.onset_span = normal.to_typed(*result.onset_span)
    return result


_WORD = re.compile(r"[^\W\d_]+")


# Everyday phrases in which a cue word means nothing medical.
_CUE_IDIOMS = re.compile(r"\b(keep an eye on|keeping an eye on|an eye on it|face it|facing|in the face of|"
                         r"face to face|out of breath from (running|the stairs))\b")


def _cue_pattern(cues: List[str]):
    """"breath*" matches words that start with it; any other cue only as a whole word or phrase."""
    parts = [re.escape(cue[:-1]) + r"\w*" if cue.endswith("*") else re.escape(cue) + r"\b" for cue in cues]
    return re.compile(r"\b(" + "|".join(parts) + ")")


_DENIAL_BEFORE = re.compile(r"(\b(no|not|never|without|nothing|none|fine|normal)\b|n't\b)[^.!?;]{0,25}$")


def _denied_before(lowered: str, at: int) -> bool:
    """A denial shortly before a cue in the same clause: "no problems with my bladder"."""
    return bool(_DENIAL_BEFORE.search(lowered[max(0, at - 40):at]))


def _register_normalizer_factory() -> None:
    from spacy.language import Language

    if "finding_key_normalizer" in Language.factories:
        return

    class FindingKeyNormalizer:
        normalizer: Optional[Normalizer] = None

        def __call__(self, doc):
            for token in doc:
                token._.finding_key = self.normalizer.key(token.norm_)
            return doc

    Language.factory("finding_key_normalizer")(lambda nlp, name: FindingKeyNormalizer())

    list_words = {"and", "or", "nor", "no", "any", "&", "n", "plus", "not", "never", "without"}

    def mark_finding_tokens(doc):
        """A comma followed by a finding or by "or/and/no ..." goes on with a list ("no fever, chills
        or back pain"); any other comma ends a clause, and so does one followed by a finding that
        is a clause of its own ("no fever, can't breathe": the "no" does not reach the breathing)."""
        starts = {entity.start for entity in doc.ents}
        for token in doc[:-1]:
            if token.text == ",":
                following = doc[token.i + 1]
                a_clause = following.lower_ in CLAUSE_OPENERS
                token._.list_comma = (following.i in starts and not a_clause) or following.lower_ in list_words
        return doc

    Language.component("finding_token_marker")(mark_finding_tokens)



@lru_cache(maxsize=2)
def shared_extractor(knowledge_dir: str = str(DEFAULT_KNOWLEDGE_DIR)) -> SymptomExtractor:
    """One pipeline per process (building it takes about a second)."""
    logging.getLogger(__name__).info("building the symptom extractor from %s", knowledge_dir)
    return SymptomExtractor(shared_knowledge_base(knowledge_dir), Path(knowledge_dir))
