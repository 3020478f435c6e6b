"""Stretches of a long text worth reading: around given positions, merged, cut at white space."""
from __future__ import annotations

import re
from typing import List, Tuple

# numbness_triage/extraction.py reads the rest of a long message for red flags in windows around
# the words that could be part of one (SymptomExtractor._red_flags_after_the_start).
WINDOW_CONTEXT = 250  # characters read on either side of such a word (a phrase and its negation)
WINDOW_MAX = 2500  # longer stretches are read in windows of this size, overlapping by WINDOW_CONTEXT
_SPACE = re.compile(r"\s")


def windows_around(text: str, triggers: List[int], begin: int) -> List[Tuple[int, int]]:
    """Stretches of `text` from `begin` around the trigger positions, WINDOW_CONTEXT characters on
    either side, merged where they meet, cut at white space, at most WINDOW_MAX long (overlapping
    by WINDOW_CONTEXT where a stretch is longer)."""
    spans: List[List[int]] = []
    for at in triggers:
        start, end = max(begin, at - WINDOW_CONTEXT), min(len(text), at + WINDOW_CONTEXT)
        if spans and start <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], end)
        else:
            spans.append([start, end])
    windows = []
    for start, end in spans:
        while True:
            stop = min(end, start + WINDOW_MAX)
            windows.append((snap_to_space(text, start, -1, begin), snap_to_space(text, stop, 1, begin)))
            if stop >= end:
                break
            start = stop - WINDOW_CONTEXT
    return windows


def snap_to_space(text: str, at: int, step: int, begin: int) -> int:
    """Move a window's edge outwards to white space (at most 40 characters) so no word is cut."""
    for _ in range(40):
        if at <= begin or at >= len(text) or _SPACE.match(text[at - 1] if step < 0 else text[at]):
            break
        at += step
    return max(begin, min(len(text), at))
