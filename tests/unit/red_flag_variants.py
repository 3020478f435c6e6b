"""Every immediate red-flag phrase of the knowledge base, typed every way people type: lower case,
Title Case, UPPER CASE, curly and dropped apostrophes, soft hyphens and zero-width characters
inside a word, stretched letters, line breaks and emoji between words.

Used by tests/unit/test_red_flag_spelling.py, and on its own to count what a version of the
extractor makes of them (escalated / safety question only / nothing, per variant):

    PYTHONPATH=<a checkout> python tests/unit/red_flag_variants.py [--out counts.json]

(it imports nothing but `numbness_triage`, so it also measures older checkouts).
"""
from __future__ import annotations

import argparse
import json
import re
import string
import sys
from collections import Counter
from typing import Callable, Dict, Iterator, List, Set, Tuple

CARRIER = "i think {phrase} and my leg is numb"
# Carriers for phrases the plain one would change:
# - about the person someone is with ("slurs her words"): typed by that someone;
CAREGIVER_CARRIER = "i am with my mum, she {phrase} and her leg is numb"
THIRD_PERSON = re.compile(r"\b(he|she|his|her|him|they|them|their)\b")
# - a colour said of nothing ("is blue", "going black"): said of the foot;
LIMB_CARRIER = "i think my foot {phrase} and my leg is numb"
LIMB = re.compile(r"\b(foot|feet|toes?|legs?|skin)\b")
# - ending in a sudden onset ("headache came on suddenly"): with "... and my leg is numb" after it,
#   the phrase would be read as sudden numbness (a red flag too, but not this one): a sentence of its own.
OWN_SENTENCE_CARRIER = "i think {phrase}. my leg is numb"
SUDDEN_ONSET = re.compile(r"\b(suddenly|out of nowhere|out of the blue)$")
WILDCARD_FILLER = "it was"  # what stands for "..." in a phrase ("pulse ... absent")
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]
EMOJI = ["😱", "😭", "🙏🏽", "🤦\u200d♀️", "❤️", "⚠️"]
ESCALATED, QUESTION, NOTHING = "escalated", "question only", "nothing"


def red_flag_phrases(kb) -> List[Tuple[str, str]]:
    """(red flag id, phrase) for every phrase of every red flag that escalates at once."""
    return [(flag, phrase) for flag, finding in kb.red_flags.items()
            if finding.red_flag.escalation == "immediate" for phrase in finding.phrases]


def carrier(flag: str, phrase: str) -> str:
    if THIRD_PERSON.search(phrase):
        return CAREGIVER_CARRIER
    if flag == "limb_colour_change" and not LIMB.search(phrase):
        return LIMB_CARRIER
    if SUDDEN_ONSET.search(phrase):
        return OWN_SENTENCE_CARRIER
    return CARRIER


def _longest_word(phrase: str) -> re.Match:
    return max(re.finditer(r"[a-z]+", phrase), key=lambda m: (len(m.group()), -m.start()))


def _inside_longest_word(phrase: str, mark: str) -> str:
    word = _longest_word(phrase)
    middle = (word.start() + word.end()) // 2
    return phrase[:middle] + mark + phrase[middle:]


def _stretched(phrase: str) -> str:
    """The first vowel of the longest word typed five times ("breathe" -> "breeeeeathe")."""
    word = _longest_word(phrase)
    vowel = re.search(r"[aeiouy]", word.group())
    at = word.start() + (vowel.start() if vowel else len(word.group()) - 1)
    return phrase[:at] + phrase[at] * 5 + phrase[at + 1:]


def _stretched_double(phrase: str) -> str:
    """A double letter of the longest word typed five times ("slurred" -> "slurrrrred"), or else
    its last letter ("breathe" -> "breatheeeee")."""
    word = _longest_word(phrase)
    double = re.search(r"([a-z])\1", word.group())
    at = word.start() + (double.start() if double else len(word.group()) - 1)
    return phrase[:at] + phrase[at] * 5 + phrase[at + (2 if double else 1):]


def _between_words(phrase: str, separators: List[str], index: int) -> str:
    words = phrase.split(" ")
    out = words[0]
    for i, word in enumerate(words[1:]):
        out += separators[(index + i) % len(separators)] + word
    return out


# variant -> (what it does to the phrase, what it does to the whole message)
def _variants() -> Dict[str, Tuple[Callable[[str, int], str], Callable[[str], str]]]:
    def same(phrase: str, i: int) -> str:
        return phrase

    def whole(text: str) -> str:
        return text

    return {
        "lower": (same, whole),
        "Title Case": (same, string.capwords),
        "UPPER CASE": (same, str.upper),
        "curly apostrophe": (lambda p, i: p.replace("'", "’"), whole),
        "curly apostrophe, UPPER CASE": (lambda p, i: p.replace("'", "’"), str.upper),
        "dropped apostrophe": (lambda p, i: p.replace("'", ""), whole),
        "dropped apostrophe, UPPER CASE": (lambda p, i: p.replace("'", ""), str.upper),
        "soft hyphen in a word": (lambda p, i: _inside_longest_word(p, "\u00ad"), whole),
        "zero-width character in a word": (lambda p, i: _inside_longest_word(p, ZERO_WIDTH[i % len(ZERO_WIDTH)]),
                                           whole),
        "stretched letters": (lambda p, i: _stretched(p), whole),
        "stretched double or last letter": (lambda p, i: _stretched_double(p), whole),
        "line breaks between words": (lambda p, i: _between_words(p, ["\n", "\r\n", "\n\n"], i), whole),
        "emoji between words": (lambda p, i: _between_words(p, [f" {e} " for e in EMOJI], i), whole),
    }


VARIANTS = _variants()
def typed(flag: str, phrase: str, variant: str, index: int = 0) -> str:
    """The message with `phrase` typed the way `variant` says."""
    on_phrase, on_message = VARIANTS[variant]
    filled = phrase.replace("...", WILDCARD_FILLER)
    return on_message(carrier(flag, phrase).format(phrase=on_phrase(filled, index)))


def outcome(extractor, flags: Set[str], text: str) -> str:
    """What the extractor makes of a message with a phrase of `flags` (one phrase, "speech is
    slurred", can belong to two red flags)."""
    result = extractor.extract(text)
    if any(result.assertions.get(flag) == "present" for flag in flags):
        return ESCALATED
    if flags & set(result.hinted_red_flags):
        return QUESTION
    return NOTHING


def outcomes(extractor, kb, variant: str) -> Iterator[Tuple[str, str, str, str]]:
    """(red flag, phrase, message, outcome) for every phrase typed the `variant` way."""
    phrases = red_flag_phrases(kb)
    owners: Dict[str, Set[str]] = {}
    for flag, phrase in phrases:
        owners.setdefault(phrase, set()).add(flag)
    for index, (flag, phrase) in enumerate(phrases):
        text = typed(flag, phrase, variant, index)
        yield flag, phrase, text, outcome(extractor, owners[phrase], text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", help="write the counts as JSON here")
    args = parser.parse_args()
    from numbness_triage.extraction import shared_extractor
    from numbness_triage.knowledge import shared_knowledge_base

    kb, extractor = shared_knowledge_base(), shared_extractor()
    counts = {}
    print(f"{len(red_flag_phrases(kb))} immediate red-flag phrases")
    print(f"{'variant':34} {ESCALATED:>10} {QUESTION:>14} {NOTHING:>8}")
    for variant in VARIANTS:
        tally = Counter(result for *_, result in outcomes(extractor, kb, variant))
        counts[variant] = {key: tally.get(key, 0) for key in (ESCALATED, QUESTION, NOTHING)}
        print(f"{variant:34} {tally[ESCALATED]:10} {tally[QUESTION]:14} {tally[NOTHING]:8}", flush=True)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as out:
            json.dump({"phrases": len(red_flag_phrases(kb)), "counts": counts}, out, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
