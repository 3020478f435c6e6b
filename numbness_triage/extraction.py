"""Find findings (symptoms, patterns, history), side and onset in free text.

A medspaCy pipeline built once from the knowledge base: spaCy's blank English tokenizer,
PyRuSH sentences, a normaliser that gives every token a matching key (typo-corrected,
lemmatised), a TargetMatcher with one rule per knowledge-base phrase, and ConText for
negation, uncertainty and mentions of other people.
"""
from __future__ import annotations

import logging
import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Set, Tuple

import yaml

from numbness_triage.answers import _SIDE_OF_LIMB, find_onset, find_side
from numbness_triage.knowledge import DEFAULT_KNOWLEDGE_DIR, KnowledgeBase, KnowledgeError, shared_knowledge_base

PRESENT, ABSENT, POSSIBLE, OTHER_PERSON = "present", "absent", "possible", "other_person"
ASSERTIONS = (PRESENT, ABSENT, POSSIBLE, OTHER_PERSON)
NUMBNESS_FINDINGS = ("leg_numbness", "foot_numbness", "upper_leg_numbness")
MAX_MESSAGE_CHARS = 5000  # longer messages are read up to here; the rest is ignored

@dataclass(frozen=True)
class Mention:
    finding: str
    assertion: str
    start: int
    end: int
    text: str


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
POSSESSIVE_KEYS = {"the": "my", "his": "my", "her": "my", "their": "my", "your": "my", "our": "my"}

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

    def correct(self, word: str) -> str:
        if word in self.vocabulary or not word.isalpha() or len(word) < 4:
            return word
        if (word in self._lemmas or word in self._lemma_values) and not word.endswith(("nes", "ss")):
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
        nlp.add_pipe("medspacy_pyrush")
        nlp.add_pipe("finding_key_normalizer")
        self._normalizer_pipe = nlp.get_pipe("finding_key_normalizer")
        self._normalizer_pipe.normalizer = self.normalizer
        matcher = nlp.add_pipe("medspacy_target_matcher")
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

    def _pattern(self, nlp, phrase: str) -> List[dict]:
        """Token keys with room for GAP_WORDS between them; "..." in a phrase stands for up to
        WILDCARD_TOKENS words of any kind but a negation or the end of a clause
        ("walking ... difficult": "walking back to the car was really difficult")."""
        keys = [WILDCARD if token.text == WILDCARD else self.normalizer.key(token.norm_) for token in nlp.tokenizer(phrase)]
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

    def extract(self, text: str) -> Extraction:
        text = _clean(text)
        if not text.strip():
            return Extraction()
        doc = self.nlp(text)
        modifiers = list(getattr(doc._.context_graph, "modifiers", None) or [])
        raw = [self._mention(entity, modifiers) for entity in doc.ents]
        mentions = _dedupe(raw + _leg_pain_behind(raw, text) + _one_sided_limbs(raw, text))
        mentions = _add_numbness_behind_sudden(_place_generic_numbness(mentions, text))
        mentions = _apply_implications(_add_spread_numbness(mentions, text), text)
        mentions = _caregiver_report(mentions, text)
        mentions = _dedupe([m for m in mentions if not (m.finding.endswith(DENIAL_ONLY))] + [
            Mention(m.finding[: -len(DENIAL_ONLY)], m.assertion, m.start, m.end, m.text)
            for m in mentions if m.finding.endswith(DENIAL_ONLY) and m.assertion == ABSENT
        ])
        result = Extraction(mentions=mentions)
        about_a_limb = _mentions_a_limb(result) or _SIDE_OF_LIMB.search(text.lower())  # "actually it's my right leg"
        result.side, result.side_span = find_side(text) if about_a_limb else (None, None)
        result.onset, result.onset_span = find_onset(text)
        _derive_sudden_numbness(result)
        result.hinted_red_flags = self._hinted_red_flags(text, result)
        return result

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
        if entity.label_ in _FAMILY_DISEASE and "NEGATED_EXISTENCE" in categories:
            assertion = ABSENT  # "no MS in the family"
        elif "FAMILY" in categories:
            assertion = OTHER_PERSON
        elif "NEGATED_EXISTENCE" in categories:
            assertion = ABSENT
        elif categories & {"POSSIBLE_EXISTENCE", "HYPOTHETICAL"}:
            assertion = POSSIBLE
        else:
            assertion = PRESENT
        return Mention(entity.label_, assertion, entity.start_char, entity.end_char, entity.text)


_NEGATION_WORDS = {"no", "not", "never", "none", "without", "nothing", "neither", "nor", "n't", "cannot"}


def _modifying_categories(entity, modifiers) -> Set[str]:
    """The ConText categories that modify `entity`, read from the modifiers' scopes (medspaCy's own
    overlap test misses spans that contain one another). A cue wholly inside the phrase is part of
    what it says ("can't walk", "not making sense"); one that shares its first words still counts
    ("I don't feel weak": the cue "don't feel" and the phrase "feel weak")."""
    label = entity.label_.upper()
    categories = set()
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
            categories.add(modifier.category.upper())
    return categories


DENIAL_ONLY = "__denial_only"


_HTML_TAG = re.compile(r"</?[a-zA-Z][^<>]{0,200}>")


def _clean(text: str) -> str:
    """Readable text whatever arrives: no control characters, bounded length."""
    if not isinstance(text, str):
        return ""
    text = _HTML_TAG.sub(" ", text[:MAX_MESSAGE_CHARS])  # "my speech is <i>slurred</i>"
    return "".join(ch if ch.isprintable() or ch in "\n\t" else " " for ch in text)


def _dedupe(mentions: Iterable[Mention]) -> List[Mention]:
    """One mention per finding: the person's own present mention wins over other readings."""
    priority = {PRESENT: 0, ABSENT: 1, POSSIBLE: 2, OTHER_PERSON: 3}
    best: Dict[str, Mention] = {}
    for mention in mentions:
        kept = best.get(mention.finding)
        if kept is None or priority[mention.assertion] < priority[kept.assertion]:
            best[mention.finding] = mention
    return sorted(best.values(), key=lambda m: m.start)


def _mentions_a_limb(result: Extraction) -> bool:
    """Side is only read where the message is about the legs or feet, not "my left eye"."""
    limb = (*NUMBNESS_FINDINGS, "tingling", "burning_sensation", "weakness", "leg_pain", "foot_pain",
            "cold_feet", "sciatica", "paralysis", "thigh_pain")
    return any(m.finding in limb and m.assertion != OTHER_PERSON for m in result.mentions)


def _derive_sudden_numbness(result: Extraction) -> None:
    """"My leg suddenly went numb": sudden onset of present numbness is the red flag itself."""
    if result.onset != "sudden" or "sudden_numbness" in {m.finding for m in result.mentions}:
        return
    numb = [m for m in result.mentions if m.finding in NUMBNESS_FINDINGS and m.assertion == PRESENT]
    if numb and result.onset_span:
        start, end = result.onset_span
        nearest = min(numb, key=lambda m: min(abs(m.start - end), abs(start - m.end)))
        low, high = min(end, nearest.end), max(start, nearest.start)
        # "I suddenly got a splitting headache and my leg is numb": the word is about the headache
        if any((low <= m.start and m.end <= high) or (m.start < end and start < m.end) for m in result.mentions
               if m.finding not in NUMBNESS_FINDINGS and m.text):
            result.onset, result.onset_span = None, None
            return
        result.mentions.append(Mention("sudden_numbness", PRESENT, start, end, "sudden"))


_FOOT_WORDS = r"foot|feet|feets|toes?|soles?|heels?|ankles?|instep"
_THIGH_WORDS = r"thighs?|upper\s+legs?|hips?|groin"
_LEG_WORDS = r"legs?|legg|calf|calves|shins?|knees?|lower\s+legs?"
_ARM_WORDS = r"arms?|hands?|fingers?|wrists?|forearms?"
_BODY_PART = re.compile(rf"\b(?:(?P<foot>{_FOOT_WORDS})|(?P<thigh>{_THIGH_WORDS})|(?P<arm>{_ARM_WORDS})|(?P<leg>{_LEG_WORDS}))\b")
_PLACE_FINDING = {"foot": "foot_numbness", "thigh": "upper_leg_numbness", "leg": "leg_numbness",
                  "arm": "arm_numbness"}
_SENTENCE_END = re.compile(r"[.!?;\n]")


def _body_parts(text: str) -> List[Tuple[int, str]]:
    return [(m.start(), m.lastgroup) for m in _BODY_PART.finditer(text.lower())]


_LIST_GAP = re.compile(r"^[\s,&]*((and|or|n|plus|also|my|the|left|right|both|lower|upper|whole|entire|across|"
                       r"top|bottom|side|outside|inside|front|back|of|on|in|into|down|to)\b[\s,&]*){0,7}$")


_CLAUSE_VERB = re.compile(r"\s+(is|are|was|were|has|have|had|went|goes|go|looks?|feels?|turn\w*|keeps?|gets?|got|"
                          r"r|seems?|hurts?|aches?)\b")


def _listed_with(parts: List[Tuple[int, str]], where: int, text: str) -> List[Tuple[int, str]]:
    """Body parts named in one list with the one at `where`: "my left arm and left leg", "arm, leg"."""
    lowered = text.lower()
    ordered = sorted(parts)
    index = next(i for i, (start, _) in enumerate(ordered) if start == where)
    listed = []
    for step in (-1, 1):
        i = index
        while 0 <= i + step < len(ordered):
            a, b = sorted([ordered[i], ordered[i + step]])
            gap_start = _BODY_PART.match(lowered, a[0]).end()
            if not _LIST_GAP.match(lowered[gap_start:b[0]]):
                break
            if step > 0 and _CLAUSE_VERB.match(lowered, _BODY_PART.match(lowered, b[0]).end()):
                break  # "numbness in both legs and my foot is turning blue": a new clause
            i += step
            listed.append(ordered[i])
    return listed


def _place_generic_numbness(mentions: List[Mention], text: str) -> List[Mention]:
    """A bare "numb" goes to the body part it is said of: the nearest one named in its sentence
    ("my fingers go numb" is the hand, "my foot has been numb" the foot); none named is the leg."""
    parts = _body_parts(text)
    placed = []
    for mention in mentions:
        inside = _BODY_PART.search(mention.text.lower()) if mention.finding in NUMBNESS_FINDINGS else None
        if inside:  # "my left arm and left leg are both numb": every limb of the list
            where = mention.start + inside.start()
            for _, other_place in _listed_with(parts, where, text) if (where, inside.lastgroup) in parts else ():
                if _PLACE_FINDING[other_place] != mention.finding:
                    placed.append(Mention(_PLACE_FINDING[other_place], mention.assertion, mention.start,
                                          mention.end, mention.text))
        elif mention.finding == "leg_numbness":
            sentence_start = max([m.end() for m in _SENTENCE_END.finditer(text, 0, mention.start)] or [0])
            found = _SENTENCE_END.search(text, mention.end)
            sentence_end = found.start() if found else len(text)
            near = [(abs(start - mention.start) + (0 if start < mention.start else 5), place, start)
                    for start, place in parts if sentence_start <= start < sentence_end]
            if near:
                _, place, where = min(near)
                for other_start, other_place in _listed_with(parts, where, text):
                    if other_place != place:
                        placed.append(Mention(_PLACE_FINDING[other_place], mention.assertion, mention.start,
                                              mention.end, mention.text))
                mention = Mention(_PLACE_FINDING[place], mention.assertion, mention.start, mention.end, mention.text)
        placed.append(mention)
    return _dedupe(placed)


def _add_numbness_behind_sudden(mentions: List[Mention]) -> List[Mention]:
    """"My leg suddenly went numb" is both numbness and its sudden onset."""
    sudden = next((m for m in mentions if m.finding == "sudden_numbness"), None)
    if sudden is None or any(m.finding in NUMBNESS_FINDINGS for m in mentions):
        return mentions
    return [*mentions, Mention("leg_numbness", sudden.assertion, sudden.start, sudden.end, sudden.text)]


def _add_spread_numbness(mentions: List[Mention], text: str) -> List[Mention]:
    """"It began in my feet and has spread up to my thighs": talk of spreading (not of weakness)
    is about the numbness, which is then in every part of the leg named."""
    spreading = next((m for m in mentions if m.finding == "spreading_weakness"), None)
    if spreading is None or spreading.assertion == OTHER_PERSON or any(m.finding == "weakness" for m in mentions):
        return mentions
    have = {m.finding for m in mentions}
    added = []
    for start, place in _body_parts(text):
        finding = _PLACE_FINDING[place]
        if finding in NUMBNESS_FINDINGS and finding not in have:
            have.add(finding)
            added.append(Mention(finding, PRESENT, start, start, text[start:start]))
    return _dedupe([*mentions, *added])


# Specific findings that also say the general one (the gold set's convention).
_IMPLIES = {"sudden_severe_headache": "new_headache"}
# A disease named as someone else's is itself the finding "in the family".
_FAMILY_DISEASE = {"family_history_ms": re.compile(r"^(ms|m\.s\.?|multiple sclerosis|multiple sclerosys)$", re.I)}


_LEG_PAIN_FROM = ("sciatica", "pain_walking_eases_with_rest", "injury_leg_pain", "fibular_nerve_pain")
_LEG_WORD = re.compile(rf"\b({_LEG_WORDS})\b")


def _leg_pain_behind(mentions: List[Mention], text: str) -> List[Mention]:
    """Pain down the leg (sciatica, walking pain, a pulled calf, fibular pain) is also leg pain;
    the bare word "sciatica" is not."""
    for mention in mentions:
        if (mention.finding in _LEG_PAIN_FROM and mention.assertion == PRESENT
                and not re.fullmatch(r"sciatic\w*( pain| nerve)?", mention.text.lower())
                and _LEG_WORD.search(text[mention.start: mention.end + 40].lower())):
            return [Mention("leg_pain", PRESENT, mention.start, mention.end, mention.text)]
    return []


_ONE_SIDE_LIMBS = re.compile(r"\b(?P<side>left|right)\s+(arm|hand)\s+(and|&|n)\s+((my|the)\s+)?((?P=side)\s+)?(leg|foot)\b|"
                             r"\b(?P<side2>left|right)\s+(leg|foot)\s+(and|&|n)\s+((my|the)\s+)?((?P=side2)\s+)?(arm|hand)\b|"
                             r"\b(arm|hand)\s+and\s+(leg|foot)\s+on\s+the\s+(same|one)\s+side\b")


def _one_sided_limbs(mentions: List[Mention], text: str) -> List[Mention]:
    """"My left arm and left leg are numb / feel weak": one whole side of the body, read as what
    is said of those limbs (the nearest numbness or weakness in the sentence)."""
    match = _ONE_SIDE_LIMBS.search(text.lower())
    if match is None:
        return []
    said = [m for m in mentions if m.finding in (*NUMBNESS_FINDINGS, "arm_numbness", "weakness", "paralysis")
            and not _SENTENCE_END.search(text, min(m.start, match.end()), max(m.start, match.end()))]
    if not said:
        return []
    nearest = min(said, key=lambda m: abs(m.start - match.end()))
    return [Mention("one_sided_body_weakness", nearest.assertion, match.start(), match.end(), match.group(0))]


def _apply_implications(mentions: List[Mention], text: str = "") -> List[Mention]:
    out = list(mentions)
    have = {m.finding for m in mentions}
    for mention in mentions:
        general = _IMPLIES.get(mention.finding)
        if general and general not in have and mention.assertion == PRESENT:
            out.append(Mention(general, PRESENT, mention.start, mention.end, mention.text))
            have.add(general)
    for finding, bare in _FAMILY_DISEASE.items():
        for i, mention in enumerate(out):
            if mention is None or mention.finding != finding:
                continue
            if mention.assertion == OTHER_PERSON:  # "my aunt has MS": the finding is about the family
                out[i] = Mention(finding, PRESENT, mention.start, mention.end, mention.text)
            elif bare.match(mention.text.strip()):  # "could this be MS?" / "I have MS" is not this finding
                out[i] = None
    return _dedupe(m for m in out if m is not None)


_HISTORY = re.compile(
    r"\b(had|has had|'s had|used to|ago|history|runs in|run in|died|passed away|diagnosed|years|last year|"
    r"in the past|before|was told|got better|recovered|when (he|she|they) (had|was|were)|has (ms|diabetes))\b", re.I)


# Everyday phrases in which a cue word means nothing medical.
_CUE_IDIOMS = re.compile(r"\b(keep an eye on|keeping an eye on|an eye on it|face it|facing|in the face of|"
                         r"face to face|out of breath from (running|the stairs))\b")


def _cue_pattern(cues: List[str]):
    """"breath*" matches words that start with it; any other cue only as a whole word or phrase."""
    parts = [re.escape(cue[:-1]) + r"\w*" if cue.endswith("*") else re.escape(cue) + r"\b" for cue in cues]
    return re.compile(r"\b(" + "|".join(parts) + ")")


_DENIAL_BEFORE = re.compile(r"\b(no|not|never|without|nothing|none|n't|fine|normal)\b[^.!?;]{0,25}$")


def _denied_before(lowered: str, at: int) -> bool:
    """A denial shortly before a cue in the same clause: "no problems with my bladder"."""
    return bool(_DENIAL_BEFORE.search(lowered[max(0, at - 40):at]))


def _caregiver_report(mentions: List[Mention], text: str) -> List[Mention]:
    """"My mum's leg went numb and she's all confused": someone typing for the person they are with.
    When every mention is about someone else and nothing places it in the past ("my father had
    a stroke"), the message describes the patient, and their symptoms are read as present (the
    seed page: get help "if you, or someone you are with" has these symptoms)."""
    if not mentions or any(m.assertion != OTHER_PERSON for m in mentions) or _HISTORY.search(text):
        return mentions
    return [Mention(m.finding, PRESENT, m.start, m.end, m.text) for m in mentions]


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
        or back pain"); any other comma ends a clause."""
        starts = {entity.start for entity in doc.ents}
        for token in doc[:-1]:
            if token.text == ",":
                following = doc[token.i + 1]
                token._.list_comma = following.i in starts or following.lower_ in list_words
        return doc

    Language.component("finding_token_marker")(mark_finding_tokens)



@lru_cache(maxsize=2)
def shared_extractor(knowledge_dir: str = str(DEFAULT_KNOWLEDGE_DIR)) -> SymptomExtractor:
    """One pipeline per process (building it takes about a second)."""
    logging.getLogger(__name__).info("building the symptom extractor from %s", knowledge_dir)
    return SymptomExtractor(shared_knowledge_base(knowledge_dir), Path(knowledge_dir))
