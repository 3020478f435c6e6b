"""The extractor's own spaCy pipeline components, registered with spaCy when this module is
imported (as medspaCy registers its own); extraction.py imports it when it builds its pipeline.

- `finding_key_normalizer` gives every token its matching key (normalizer.py) in `token._.finding_key`,
  which the TargetMatcher's patterns read (phrase_scan.matcher_pattern);
- `finding_token_marker` marks each comma that goes on with a list (`token._.list_comma`), which
  a ConText rule reads: any other comma ends a cue's scope (context_rules.yml, TERMINATE).

No `from __future__ import annotations` here: spaCy reads the factories' annotations at run time.
"""
from typing import Optional

from spacy.language import Language
from spacy.tokens import Doc, Token

from numbness_triage.normalizer import Normalizer

FINDING_KEY_NORMALIZER, FINDING_TOKEN_MARKER = "finding_key_normalizer", "finding_token_marker"

if not Token.has_extension("finding_key"):
    Token.set_extension("finding_key", default="")
if not Token.has_extension("list_comma"):
    Token.set_extension("list_comma", default=False)

# Words that open a clause rather than name the next item of a list: a modal, a verb, a person.
CLAUSE_OPENERS = {"ca", "can", "cannot", "could", "wo", "will", "would", "do", "does", "did", "is", "am", "are",
                  "was", "were", "i", "me", "my", "he", "she", "it", "they", "we", "you", "have", "has", "had",
                  "feel", "feels", "keep", "keeps", "lost", "just", "now", "then", "but", "suddenly"}
# Words that go on with a list after a comma: "no fever, or back pain".
LIST_WORDS = {"and", "or", "nor", "no", "any", "&", "n", "plus", "not", "never", "without"}


class FindingKeyNormalizer:
    """Sets `token._.finding_key`; the extractor gives it its Normalizer once the pipe is added."""

    def __init__(self) -> None:
        self.normalizer: Optional[Normalizer] = None

    def __call__(self, doc: Doc) -> Doc:
        assert self.normalizer is not None, "the extractor sets the normalizer when it adds the pipe"
        for token in doc:
            token._.finding_key = self.normalizer.key(token.norm_)
        return doc


@Language.factory(FINDING_KEY_NORMALIZER)
def make_finding_key_normalizer(nlp: Language, name: str) -> FindingKeyNormalizer:
    return FindingKeyNormalizer()


@Language.component(FINDING_TOKEN_MARKER)
def mark_finding_tokens(doc: Doc) -> Doc:
    """A comma followed by a finding or by "or/and/no ..." goes on with a list ("no fever, chills
    or back pain"); any other comma ends a clause, and so does one followed by a finding that
    is a clause of its own ("no fever, can't breathe": the "no" does not reach the breathing)."""
    starts = {entity.start for entity in doc.ents}
    for token in doc[:-1]:
        if token.text == ",":
            following = doc[token.i + 1]
            a_clause = following.lower_ in CLAUSE_OPENERS
            token._.list_comma = (following.i in starts and not a_clause) or following.lower_ in LIST_WORDS
    return doc
