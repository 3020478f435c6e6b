"""One form for a message however it was typed, with a map back to what the person typed.

"I CAN’T BREAAATHE", "i can't\nbreathe", "I can't 😱 breathe" and "I can\u00adt breathe" (a soft
hyphen pasted from a web page) all say "i can't breathe". The extractor reads the normal form
and says back what the person typed: every character of the normal form knows the stretch of
the typed text it came from (`to_typed`).

The steps, in order: HTML tags and terminal escape sequences become a space; each character
with its combining marks is put in Unicode NFKC form (full-width letters, ligatures) and
case-folded; apostrophe look-alikes become "'"; invisible format characters (soft hyphen,
zero-width characters, direction marks) and variation selectors are dropped; emoji and other
symbols, control characters and odd spaces become a space; a run of white space becomes one
space, or one line break when it holds one; a run of punctuation keeps its first three marks
(",,,,,,,," says no more than ",,," and costs the tokenizer and ConText far more); a letter
typed three or more times becomes the
word it spells ("breaaathe" -> "breathe", "sooo" -> "so", "feeeel" -> "feel"); and a dropped
apostrophe comes back where the word is not also an English word ("cant" -> "can't", but "its",
"ill", "well" stay).

`cased` is the same text with its capitals, for the sentence splitter only (a capital after a
line break starts a sentence); `folded` is what everything else reads.
"""
from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass
from itertools import product
from typing import Callable, List, Match, Optional, Set, Tuple

APOSTROPHES = frozenset("’‘´`ʼ′‛＇")
_TO_APOSTROPHE = {ord(char): "'" for char in APOSTROPHES}
_TERMINAL_ESCAPE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-_]")  # "\x1b[31m": colour, not age 31


def readable(text: str) -> str:
    """No terminal escape sequences; control characters as spaces (new lines and tabs kept).
    As long as `text`, so offsets into it are offsets into what was typed."""
    if not isinstance(text, str):
        return ""
    text = _TERMINAL_ESCAPE.sub(lambda escape: " " * len(escape.group()), text)
    return "".join(ch if ch.isprintable() or ch in "\n\t" else " " for ch in text)


def plain(text: str) -> str:
    """Lower case with one kind of apostrophe, as long as `text` (spans found in it hold in the
    original): what the answer readers match ("I DON’T" reads "i don't")."""
    return (text if isinstance(text, str) else "").lower().translate(_TO_APOSTROPHE)


# Markup that is not words: "<i>slurred</i>", "\x1b[31m" (a colour, not age 31).
_MARKUP = re.compile(r"</?[a-zA-Z][^<>]{0,200}>|" + _TERMINAL_ESCAPE.pattern)
_SPACE_LIKE = {"Zs", "Cc", "So", "Sk", "Co", "Cn", "Cs"}  # a space: emoji, symbols, controls, unknown
_DROPPED = {"Cf", "Mn", "Me"}  # invisible: soft hyphen, zero-width, direction marks, variation selectors
_LINE_BREAKS = {"Zl", "Zp"}
_LETTER_RUN = re.compile(r"([a-z])\1{2,}")  # Latin letters: "哈哈哈" is laughter, not a typo
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)*")
MARKS_IN_A_ROW = 3  # punctuation marks kept in a row ("...", "?!?"), white space between them or not
MAX_STRETCHED_RUNS = 4  # runs in one word tried both ways (2 ** 4 spellings at most)
# Words typed without their apostrophe that are no English word without it ("its", "ill",
# "well", "were", "id", "hell", "shell", "wed", "lets" are, and stay as typed).
RESTORED_APOSTROPHES = {word.replace("'", ""): word for word in (
    "can't", "don't", "doesn't", "didn't", "isn't", "aren't", "wasn't", "weren't", "won't", "wouldn't",
    "couldn't", "shouldn't", "haven't", "hasn't", "hadn't", "ain't", "mustn't", "needn't", "i'm", "i've",
    "you're", "you've", "they're", "they've", "what's", "that's", "there's", "here's", "he's", "she's",
    "who's", "where's", "how's", "it'll", "that'll")}
_CONTRACTIONS = {*RESTORED_APOSTROPHES, *RESTORED_APOSTROPHES.values(), "cannot"}
_DROPPED_APOSTROPHE = re.compile(r"(?<![\w'])(" + "|".join(sorted(RESTORED_APOSTROPHES, key=len, reverse=True))
                                 + r")(?![\w'])")


@dataclass(frozen=True)
class NormalizedText:
    typed: str  # what the person typed
    folded: str  # what the extractor reads: lower-case, one space between words, line breaks kept
    cased: str  # the same characters with their capitals (the sentence splitter reads these)
    starts: Tuple[int, ...]  # for each character of folded: where its typed stretch starts ...
    ends: Tuple[int, ...]  # ... and ends

    def __len__(self) -> int:
        return len(self.folded)

    @property
    def flat(self) -> str:
        """`folded` with line breaks as spaces: a phrase reads the same across a line break."""
        return self.folded.replace("\n", " ")

    def to_typed(self, start: int, end: int) -> Tuple[int, int]:
        """The stretch of the typed text that folded[start:end] came from."""
        if end <= start:
            at = self.starts[start] if start < len(self.starts) else len(self.typed)
            return at, at
        return self.starts[start], self.ends[end - 1]

    def typed_text(self, start: int, end: int) -> str:
        typed_start, typed_end = self.to_typed(start, end)
        return self.typed[typed_start:typed_end]

    def index_of_typed(self, typed_index: int) -> int:
        """The first character of folded that comes from typed_index or later."""
        return bisect_left(self.starts, typed_index)


class _Builder:
    def __init__(self) -> None:
        self.cased: List[str] = []
        self.folded: List[str] = []
        self.starts: List[int] = []
        self.ends: List[int] = []
        self.marks_in_a_row = 0

    def add(self, cased: str, folded: str, start: int, end: int) -> None:
        if self.folded and folded in " \n" and self.folded[-1] in " \n":  # one white space between words
            if folded == "\n" and self.folded[-1] == " ":
                self.cased[-1] = self.folded[-1] = "\n"
            self.ends[-1] = end
            return
        if folded not in " \n":
            self.marks_in_a_row = 0 if folded.isalnum() else self.marks_in_a_row + 1
            if self.marks_in_a_row > MARKS_IN_A_ROW:
                self.ends[-1] = end
                return
        self.cased.append(cased)
        self.folded.append(folded)
        self.starts.append(start)
        self.ends.append(end)


def normalize(typed: str, is_word: Optional[Callable[[str], bool]] = None) -> NormalizedText:
    """The normal form of `typed`; `is_word` tells an English word (for stretched letters and
    dropped apostrophes), by default none is known."""
    typed = typed if isinstance(typed, str) else ""
    is_word = is_word or (lambda word: False)
    built = _Builder()
    at, length = 0, len(typed)
    while at < length:
        markup = _MARKUP.match(typed, at) if typed[at] in "<\x1b" else None
        if markup:
            built.add(" ", " ", at, markup.end())
            at = markup.end()
            continue
        end = at + 1
        while end < length and unicodedata.combining(typed[end]):
            end += 1
        _add_cluster(built, typed, at, end)
        at = end
    text = NormalizedText(typed, "".join(built.folded), "".join(built.cased), tuple(built.starts), tuple(built.ends))
    return _restore_apostrophes(_collapse_stretched_letters(text, is_word))


def _add_cluster(built: _Builder, typed: str, start: int, end: int) -> None:
    """A character with its combining marks, in normal form."""
    first = typed[start]
    if first in APOSTROPHES:
        built.add("'", "'", start, end)
        return
    if first == "\r":
        built.add("\n", "\n", start, end)
        return
    for char in unicodedata.normalize("NFKC", typed[start:end]):
        category = unicodedata.category(char)
        if char in "\n\t\x0b\x0c" or category in _LINE_BREAKS:
            char = "\n" if char != "\t" else " "
        elif category in _DROPPED:
            continue
        elif category in _SPACE_LIKE:
            char = " "
        elif char in APOSTROPHES:
            char = "'"
        folded = char.casefold()
        if len(folded) == 1:
            built.add(char, folded, start, end)
        else:  # "ß" -> "ss", "ẖ" -> "h" and a mark: both forms take the folded letters
            for letter in folded:
                if unicodedata.category(letter) not in _DROPPED:
                    built.add(letter, letter, start, end)


def _collapse_stretched_letters(text: NormalizedText, is_word: Callable[[str], bool]) -> NormalizedText:
    """"breaaaathe" -> "breathe": each run of one letter typed 3+ times becomes one or two letters,
    whichever spells a word (two when both do: "goood" -> "good"; two when neither does)."""
    if not _LETTER_RUN.search(text.folded):
        return text
    keep = list(range(len(text.folded)))  # indices of folded kept, in order
    ends = list(text.ends)
    drop: Set[int] = set()
    for word in _WORD.finditer(text.folded):
        runs = list(_LETTER_RUN.finditer(word.group()))[:MAX_STRETCHED_RUNS]
        if not runs:
            continue
        lengths = _best_run_lengths(word.group(), runs, is_word)
        for run, kept in zip(runs, lengths):
            first, last = word.start() + run.start(), word.start() + run.end() - 1
            drop.update(range(first + kept, last + 1))
            ends[first + kept - 1] = text.ends[last]  # the kept letters stand for the whole run
    keep = [i for i in keep if i not in drop]
    return NormalizedText(text.typed, "".join(text.folded[i] for i in keep), "".join(text.cased[i] for i in keep),
                          tuple(text.starts[i] for i in keep), tuple(ends[i] for i in keep))


def _best_run_lengths(word: str, runs: List[Match[str]], is_word: Callable[[str], bool]) -> Tuple[int, ...]:
    """How many letters to keep of each run: the first choice that spells a word, else two of each."""
    choices = list(product((2, 1), repeat=len(runs)))
    for lengths in choices:
        spelled, done = [], 0
        for run, kept in zip(runs, lengths):
            spelled.append(word[done:run.start()] + run.group(1) * kept)
            done = run.end()
        candidate = "".join(spelled) + word[done:]
        if _spells_a_word(candidate, is_word):
            return lengths  # (2, ...) first: the longer spelling of two words
    return choices[0]


def _spells_a_word(word: str, is_word: Callable[[str], bool]) -> bool:
    """"couldn't", "cannot", "mum's": a word, with what may follow an apostrophe."""
    return word in _CONTRACTIONS or is_word(word) or ("'" in word and is_word(word.split("'")[0]))


def _restore_apostrophes(text: NormalizedText) -> NormalizedText:
    """"cant" -> "can't": the apostrophe comes back where the word without it is no word."""
    matches = list(_DROPPED_APOSTROPHE.finditer(text.folded))
    if not matches:
        return text
    folded, cased, starts, ends = [], [], [], []
    done = 0
    for match in matches:
        restored = RESTORED_APOSTROPHES[match.group()]
        at = match.start() + restored.index("'")
        folded.append(text.folded[done:at] + "'")
        cased.append(text.cased[done:at] + "'")
        starts += [*text.starts[done:at], text.ends[at - 1]]  # the apostrophe stands between two letters
        ends += [*text.ends[done:at], text.ends[at - 1]]
        done = at
    folded.append(text.folded[done:])
    cased.append(text.cased[done:])
    starts += text.starts[done:]
    ends += text.ends[done:]
    return NormalizedText(text.typed, "".join(folded), "".join(cased), tuple(starts), tuple(ends))
