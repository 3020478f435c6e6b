"""How much of a text to read, in which pieces, and for how long.

- `windows_around`: stretches of a long text worth reading, around given positions, merged, cut
  at white space (the rest of a long message is read around the words that can be part of a red flag).
- `token_windows`: the pieces the medspaCy pipeline reads. ConText compares every cue of a
  document with every other (medspaCy's ConTextGraph.update_scopes), so one document of n
  commas costs n^2; read in windows of at most CORE_TOKENS + 2 * MARGIN_TOKENS tokens, a message
  costs a fixed amount per token. A window's margins are context only: what starts in them is
  taken from the neighbouring window, where it is in the core. A cue reaches at most 8 tokens
  (DEFAULT_SCOPE in context_rules.py) and a phrase is far shorter than a margin, so a message read
  in windows reads as it would whole; a message that fits in one window is read whole.
- `Budget`: the time the extractor may spend on one message, and the work it did.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Callable, List, Optional, Tuple

# numbness_triage/extraction.py reads the rest of a long message for red flags in windows around
# the words that could be part of one (SymptomExtractor._red_flags_after_the_start).
WINDOW_CONTEXT = 250  # characters read on either side of such a word (a phrase and its negation)
WINDOW_MAX = 2500  # longer stretches are read in windows of this size, overlapping by WINDOW_CONTEXT
_SPACE = re.compile(r"\s")

CORE_TOKENS = 150  # the tokens a window is read for ...
MARGIN_TOKENS = 40  # ... and the context it reads on either side


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


@dataclass(frozen=True)
class TokenWindow:
    core_start: int  # what starts in [core_start, core_end) is taken from this window
    core_end: int
    start: int  # the tokens read: the core and its margins
    end: int


def token_windows(length: int, core: int = CORE_TOKENS, margin: int = MARGIN_TOKENS) -> List[TokenWindow]:
    """Windows over tokens [0, length): one when the text fits in a window, else cores of `core`
    tokens, each with `margin` tokens of context on either side."""
    if length <= core + 2 * margin:
        return [TokenWindow(0, length, 0, length)]
    return [TokenWindow(start, min(length, start + core), max(0, start - margin), min(length, start + core + margin))
            for start in range(0, length, core)]


@dataclass
class Budget:
    """Seconds the extractor may spend on one message (None: no limit), and the work done: windows
    read with the whole pipeline, windows only scanned for red-flag phrases once time was up, and
    tokens (the largest window's too)."""
    seconds: Optional[float] = None
    clock: Callable[[], float] = time.monotonic
    windows_read: int = 0
    windows_scanned: int = 0
    tokens_read: int = 0
    tokens_scanned: int = 0
    largest_window: int = 0
    deadline: Optional[float] = field(default=None, init=False)

    def __post_init__(self) -> None:
        if self.seconds is not None:
            self.deadline = self.clock() + self.seconds

    @property
    def spent(self) -> bool:
        return self.deadline is not None and self.clock() >= self.deadline

    def count(self, tokens: int, scanned: bool) -> None:
        if scanned:
            self.windows_scanned += 1
            self.tokens_scanned += tokens
        else:
            self.windows_read += 1
            self.tokens_read += tokens
        self.largest_window = max(self.largest_window, tokens)
