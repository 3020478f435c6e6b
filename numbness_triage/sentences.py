"""Where sentences start, as PyRuSH (medspaCy's sentence splitter) splits a text.

The extractor reads a message in normal form (lower case), but PyRuSH needs its capitals: "I
have no fever\\nI can't breathe" is two sentences, "i have no fever\\ni can't breathe" one. So the
sentences are split on the normal form with its capitals (NormalizedText.cased, as long as the
text the tokens come from) and given to the tokens of the lower-case text.

PyRuSH keeps state while it splits a text (PyFastNER's FastCNER.process): one splitter a thread.
"""
from __future__ import annotations

import os
import sys
import threading
from bisect import bisect_left
from typing import TYPE_CHECKING, Any, Set

if TYPE_CHECKING:
    from spacy.tokens import Doc

_local = threading.local()


def silence_pyrush() -> None:
    """PyRuSH logs every sentence split at DEBUG through loguru; keep it quiet."""
    try:
        from loguru import logger as loguru_logger

        loguru_logger.remove()
        loguru_logger.add(sys.stderr, level="WARNING")
    except ImportError:  # pragma: no cover - loguru comes with PyRuSH
        pass


def _rush() -> Any:
    rush = getattr(_local, "rush", None)
    if rush is None:
        import PyRuSH
        from PyRuSH.RuSH import RuSH

        package = os.path.dirname(os.path.abspath(PyRuSH.__file__))
        rules = os.path.join(os.path.dirname(package), "conf", "rush_rules.tsv")
        rush = _local.rush = RuSH(rules=rules, max_repeat=50, auto_fix_gaps=True)  # its spaCy component's defaults
    return rush


def sentence_starts(doc: Doc, cased: str) -> Set[int]:
    """The tokens of `doc` that start a sentence of `cased` (doc's text with its capitals): one
    starts each of PyRuSH's sentences, and one follows each (a stretch it leaves out is one)."""
    token_starts = [token.idx for token in doc]
    starts = {0}
    for sentence in _rush().segToSentenceSpans(cased):
        starts.update((bisect_left(token_starts, sentence.begin), bisect_left(token_starts, sentence.end)))
    return starts | _line_starts(doc, cased)


def _line_starts(doc: Doc, cased: str) -> Set[int]:
    """A line of two words or more after another is a sentence of its own, capitals or not ("no
    fever\ncan't breathe"); one word a line is a phrase broken up, not sentences ("I\ncan't\nbreathe")."""
    lines, current = [], [0]
    for token in doc[1:]:
        previous = doc[token.i - 1]
        if "\n" in cased[previous.idx + len(previous): token.idx]:
            lines.append(current)
            current = []
        current.append(token.i)
    lines.append(current)
    return {line[0] for before, line in zip(lines, lines[1:]) if len(before) >= 2 and len(line) >= 2}
