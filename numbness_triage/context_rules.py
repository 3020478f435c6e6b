"""ConText (medspaCy): its rules, loaded from data/knowledge/context_rules.yml, and what they say
of a phrase found: absent, possible, historical, someone else's (mentions.py's assertions).

A rule is a cue ("no", "my father's", "last year") with a category and a direction; it modifies
the phrases within its scope: the sentence, and at most DEFAULT_SCOPE tokens of it.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

import yaml

from numbness_triage.knowledge import KnowledgeError
from numbness_triage.mentions import ABSENT, HISTORICAL, OTHER_PERSON, POSSIBLE, PRESENT, Mention

DEFAULT_SCOPE = 8
# The label of a knowledge-base phrase that counts only when denied (Finding.denial_phrases: "my
# speech is fine") is the finding's id with this suffix.
DENIAL_ONLY = "__denial_only"

# ConText's categories (context_rules.yml) and directions
NEGATED_EXISTENCE, POSSIBLE_EXISTENCE, HYPOTHETICAL = "NEGATED_EXISTENCE", "POSSIBLE_EXISTENCE", "HYPOTHETICAL"
HISTORICAL_CATEGORY, FAMILY = "HISTORICAL", "FAMILY"
TERMINATE, PSEUDO = "TERMINATE", "PSEUDO"
FAMILY_CUE = "FAMILY_CUE"  # not a category: the words of a FAMILY cue with the word after it ("his mother")
NEGATION_WORDS = {"no", "not", "never", "none", "without", "nothing", "neither", "nor", "n't", "cannot"}


def load_context_rules(path: Path) -> List[Any]:
    """The ConTextRules of a context_rules.yml; a bad rule fails with the file and the rule."""
    from medspacy.context import ConTextRule

    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    rules = []
    for category, by_direction in document["rules"].items():
        for direction, literals in by_direction.items():
            for literal in literals:
                max_scope, allowed, pattern = None, None, None
                if isinstance(literal, dict):  # {literal: fine, max_scope: 2, findings: [no_pulse_in_leg]}
                    entry = literal
                    literal, max_scope, only = entry.get("literal"), entry.get("max_scope"), entry.get("findings")
                    pattern = entry.get("pattern")  # a spaCy token pattern: "maybe <a number>"
                    if only:  # a cue that is about these findings only: "I can feel the pulse"
                        allowed = {label for finding in only for label in (finding, f"{finding}{DENIAL_ONLY}")}
                if not isinstance(literal, str):  # YAML reads a bare no/yes/on/off as a boolean
                    raise KnowledgeError(f"{path}: rule {literal!r} under {category}/{direction} must be quoted text")
                # A terminator's own scope must be narrow: medspaCy only lets it cut a scope that does
                # not lie wholly inside its own.
                if direction in (TERMINATE, PSEUDO):
                    max_scope = 1
                rules.append(ConTextRule(literal, category, direction=direction, max_scope=max_scope or DEFAULT_SCOPE,
                                         allowed_types=allowed, pattern=pattern))
    return rules


def mention_of(entity: Any, modifiers: List[Any]) -> Mention:
    """The mention of a phrase found (a spaCy entity), with what ConText's `modifiers` say of it."""
    categories = _modifying_categories(entity, modifiers)
    subject = categories.pop(FAMILY_CUE, "")
    if NEGATED_EXISTENCE in categories:
        said = ABSENT
    elif categories.keys() & {POSSIBLE_EXISTENCE, HYPOTHETICAL}:
        said = POSSIBLE
    elif HISTORICAL_CATEGORY in categories:
        said = HISTORICAL
    else:
        said = PRESENT
    if FAMILY in categories:
        return Mention(entity.label_, OTHER_PERSON, entity.start_char, entity.end_char, entity.text,
                       subject=subject, their_assertion=said)
    return Mention(entity.label_, said, entity.start_char, entity.end_char, entity.text)


def _modifying_categories(entity: Any, modifiers: List[Any]) -> Dict[str, str]:
    """The ConText categories that modify `entity`, read from the modifiers' scopes (medspaCy's own
    overlap test misses spans that contain one another). A cue wholly inside the phrase is part of
    what it says ("can't walk", "not making sense"); one that shares its first words still counts
    ("I don't feel weak": the cue "don't feel" and the phrase "feel weak")."""
    label = entity.label_.upper()
    categories: Dict[str, str] = {}  # category -> the cue's words
    for modifier in modifiers:
        if modifier.direction.upper() in (TERMINATE, PSEUDO):
            continue
        category = modifier.category.upper()
        cue_start, cue_end = modifier.modifier_span
        if entity.start <= cue_start and cue_end <= entity.end and category != FAMILY:
            continue  # (whose it is still counts: "numbness in her leg")
        if cue_start < entity.start < cue_end or cue_start < entity.end < cue_end:  # cue and phrase share words
            shared = entity.doc[max(cue_start, entity.start): min(cue_end, entity.end)]
            if category != NEGATED_EXISTENCE or any(t.norm_ in NEGATION_WORDS for t in shared):
                continue  # "there's no" + "no pulse": the phrase owns its "no"
        if not modifier.allows(label):
            continue
        scope_start, scope_end = modifier.scope_span
        if scope_start < entity.end and entity.start < scope_end:
            categories[category] = entity.doc[cue_start:cue_end].text.lower()
            if category == FAMILY:  # with the word after it: "his" + "mother"
                categories[FAMILY_CUE] = entity.doc[cue_start:min(cue_end + 1, len(entity.doc))].text.lower()
    return categories
