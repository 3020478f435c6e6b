"""Find findings (symptoms, patterns, history), side and onset in free text.

A message is first put in normal form (text_normalization: case, apostrophes, invisible
characters, stretched letters, emoji and line breaks), then read by a medspaCy pipeline built
once from the knowledge base: spaCy's blank English tokenizer, a component that gives every
token its matching key (normalizer.py, pipeline_components.py), a TargetMatcher with one rule per
knowledge-base phrase (phrase_scan.matcher_pattern), and ConText for negation, uncertainty and
mentions of other people (context_rules.py). PyRuSH splits sentences on the normal form with its
capitals (sentences.py). Plain rules then place a bare "numb", tell a caregiver's report and the
like (mention_rules.py); cue words hint at red flags no phrase matched (cue_hints.py).

The pipeline reads bounded windows of tokens (text_windows.token_windows): its cost grows with
the length of a message, not with its square; once a message's time budget is spent, the rest is
only scanned for red-flag phrases (phrase_scan.py). A message's first MAX_MESSAGE_CHARS are read
whole; the rest, up to MAX_RED_FLAG_SCAN_CHARS, around the words that can be part of a red flag
(red_flag_anchors.py). What is found is said back as the person typed it.
"""
from __future__ import annotations

import logging
import re
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Set, Tuple, cast

from numbness_triage import sentences
from numbness_triage.answers import AFTER_AN_EVENT, SIDE_OF_LIMB, find_onset, find_side
from numbness_triage.context_rules import DENIAL_ONLY, load_context_rules, mention_of
from numbness_triage.cue_hints import CueHints
from numbness_triage.knowledge import DEFAULT_KNOWLEDGE_DIR, KnowledgeBase, shared_knowledge_base
from numbness_triage.limits import MAX_MESSAGE_CHARS, MAX_RED_FLAG_SCAN_CHARS
from numbness_triage.mention_rules import (ONE_SIDE_LIMBS, add_numbness_behind_sudden, add_spread_numbness,
                                           apply_implications, caregiver_report, colour_of_a_limb,
                                           derive_sudden_numbness, leg_pain_behind, mentions_a_limb, one_sided_limbs,
                                           pain_by_place, place_generic_numbness, self_answered_questions,
                                           spread_told_by_places)
from numbness_triage.mentions import (ABSENT, ASSERTIONS, HISTORICAL, OTHER_PERSON, POSSIBLE, PRESENT, Extraction,
                                      Mention, dedupe)
from numbness_triage.normalizer import Normalizer
from numbness_triage.other_languages import TranslatedRedFlags
from numbness_triage.phrase_scan import (GAP_WORDS, WILDCARD, WILDCARD_STOPS, PhraseScanner, denied_in_scan,
                                         matcher_pattern)
from numbness_triage.red_flag_anchors import RedFlagAnchors
from numbness_triage.text_normalization import NormalizedText, normalize
from numbness_triage.text_windows import Budget, token_windows, windows_around
from numbness_triage.timing import SUDDEN

# What the extractor's callers read here with it: what it returns and how much of a message it reads.
__all__ = ["ABSENT", "ASSERTIONS", "HISTORICAL", "MAX_MESSAGE_CHARS", "MAX_RED_FLAG_SCAN_CHARS", "OTHER_PERSON",
           "POSSIBLE", "PRESENT", "Extraction", "Mention", "SymptomExtractor", "shared_extractor"]

REST_OVERLAP = 400  # the rest starts this far before MAX_MESSAGE_CHARS: a phrase across it is whole
MAX_CACHED_WINDOWS = 256
_WORD = re.compile(r"[^\W\d_]+")

logger = logging.getLogger(__name__)


class SymptomExtractor:
    """Built once from a knowledge base (about a second); `extract(text)` is then cheap and never
    raises on any text."""

    def __init__(self, kb: KnowledgeBase, knowledge_dir: Path = DEFAULT_KNOWLEDGE_DIR):
        # spaCy and medspaCy are imported here, not with this module: only the NLU builds an extractor
        sentences.silence_pyrush()
        import medspacy  # noqa: F401 - registers the medspaCy factories
        import spacy
        from medspacy.ner import TargetRule

        from numbness_triage import pipeline_components

        self.kb = kb
        nlp = spacy.blank("en")
        self._tokenizer = nlp.tokenizer
        words = {token.norm_ for finding in kb.findings.values()
                 for phrase in [*finding.phrases, *finding.denial_phrases] for token in nlp.tokenizer(phrase)}
        self.normalizer = Normalizer(words)
        self._gap_keys = sorted({self.normalizer.key(word) for word in GAP_WORDS})
        self._wildcard_stops = sorted({self.normalizer.key(word) for word in WILDCARD_STOPS})
        finding_keys = cast(pipeline_components.FindingKeyNormalizer,
                            nlp.add_pipe(pipeline_components.FINDING_KEY_NORMALIZER))
        finding_keys.normalizer = self.normalizer
        matcher: Any = nlp.add_pipe("medspacy_target_matcher")
        matcher.add([
            TargetRule(phrase, label, pattern=matcher_pattern(self._phrase_keys(phrase), self._gap_keys,
                                                              self._wildcard_stops))
            for label, phrases in self._labelled_phrases(kb.findings) for phrase in phrases])
        nlp.add_pipe(pipeline_components.FINDING_TOKEN_MARKER)
        context: Any = nlp.add_pipe("medspacy_context", config={"rules": None, "phrase_matcher_attr": "NORM",
                                                                "prune_on_target_overlap": False})
        context.add(load_context_rules(Path(knowledge_dir) / "context_rules.yml"))
        self.nlp = nlp
        self.cues = CueHints(kb)
        self.translated = TranslatedRedFlags(kb)
        # What the reading of a long message's rest keeps: red flags and what explains them away.
        self._red_flag_related = set(kb.red_flags) | {other for flag in kb.red_flags
                                                      for other in kb.red_flag(flag).explanation_ids()}
        self._anchors = RedFlagAnchors(self.normalizer, [self._phrase_keys(phrase) for finding in kb.red_flags.values()
                                                         for phrase in finding.phrases])
        related = {finding_id: kb.findings[finding_id] for finding_id in self._red_flag_related}
        self._scanner = PhraseScanner([(tuple(self._phrase_keys(phrase)), label)
                                       for label, phrases in self._labelled_phrases(related) for phrase in phrases],
                                      self._gap_keys, self._wildcard_stops)
        self._window_cache: Dict[str, Tuple[Tuple[Mention, ...], Tuple[str, ...]]] = {}

    @staticmethod
    def _labelled_phrases(findings: Dict[str, Any]) -> List[Tuple[str, List[str]]]:
        """(label, phrases) of each finding: its id for its phrases, with DENIAL_ONLY for its denial phrases."""
        return [pair for finding_id, finding in findings.items()
                for pair in ((finding_id, finding.phrases), (f"{finding_id}{DENIAL_ONLY}", finding.denial_phrases))]

    def _phrase_keys(self, phrase: str) -> List[str]:
        return [WILDCARD if token.text == WILDCARD else self.normalizer.key(token.norm_)
                for token in self._tokenizer(phrase)]

    def extract(self, text: str, budget: Optional[Budget] = None) -> Extraction:
        """What a message says: the findings it mentions, each present, absent, possible,
        historical or someone else's, with the side and the onset said, and the red flags it
        hints at. Everything in the first MAX_MESSAGE_CHARS characters; red flags (in English and
        in the languages of red_flags_translated.yml) up to MAX_RED_FLAG_SCAN_CHARS. Offsets and
        texts are those of `text` as typed. Once a `budget`'s time is spent, what is left is only
        scanned for red-flag phrases."""
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
            logger.warning("extraction ran out of its %.1f s: %d of %d windows only scanned for red flags",
                           budget.seconds, budget.windows_scanned, budget.windows_scanned + budget.windows_read)
        return _as_typed(result, normal)

    def _red_flags_after_the_start(self, normal: NormalizedText, start_end: int,
                                   budget: Budget) -> Tuple[List[Mention], List[str]]:
        """Red flags after the start, with the same extraction (phrases, negation, cue words) in
        windows around the words that can be part of one; the rest of the text is skipped. A
        window's reading is cached: a pasted text often repeats itself."""
        begin = max(0, start_end - REST_OVERLAP)
        folded = normal.folded
        triggers = [m.start() for m in _WORD.finditer(folded, begin) if m.group() in self._anchors]
        for pattern in [cue for _, cue in self.cues.patterns] + [SUDDEN, AFTER_AN_EVENT, ONE_SIDE_LIMBS]:
            triggers += [m.start() for m in pattern.finditer(folded, begin)]
        mentions: List[Mention] = []
        hints: List[str] = []
        for start, end in windows_around(folded, sorted(set(triggers)), begin):
            found, hinted = self._read_window(folded[start:end], normal.cased[start:end], budget)
            mentions += [_shifted(m, start) for m in found]
            hints += hinted
        return mentions, hints

    def _read_window(self, folded: str, cased: str, budget: Budget) -> Tuple[Tuple[Mention, ...], Tuple[str, ...]]:
        cached = self._window_cache.get(cased)
        if cached is None:
            scanned_before = budget.windows_scanned
            reading = self._read(folded, cased, budget)
            cached = (tuple(m for m in reading.mentions if m.finding in self._red_flag_related),
                      tuple(reading.hinted_red_flags))
            if budget.windows_scanned == scanned_before:  # a full reading only
                if len(self._window_cache) >= MAX_CACHED_WINDOWS:
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
        about_a_limb = mentions_a_limb(result) or SIDE_OF_LIMB.search(folded)  # "actually it's my right leg"
        result.side, result.side_span = find_side(folded) if about_a_limb else (None, None)
        result.onset, result.onset_span = find_onset(folded)
        derive_sudden_numbness(result)
        result.hinted_red_flags = self.cues.hinted(folded, (m.finding for m in result.mentions))
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

    def _read_tokens(self, doc: Any) -> List[Tuple[int, Mention]]:
        """The pipeline on a window with its sentences: (first token, mention) of each phrase found."""
        for _, pipe in self.nlp.pipeline:
            doc = pipe(doc)
        modifiers = list(getattr(doc._.context_graph, "modifiers", None) or [])
        return [(entity.start, mention_of(entity, modifiers)) for entity in doc.ents]

    def _scan(self, doc: Any, keys: List[str], start: int, end: int, flat: str) -> List[Mention]:
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


@lru_cache(maxsize=2)
def shared_extractor(knowledge_dir: str = str(DEFAULT_KNOWLEDGE_DIR)) -> SymptomExtractor:
    """One pipeline per process (building it takes about a second)."""
    logger.info("building the symptom extractor from %s", knowledge_dir)
    return SymptomExtractor(shared_knowledge_base(knowledge_dir), Path(knowledge_dir))
