"""Read a person's answer to a question: yes / no / not sure, age and sex, side, onset, duration."""
from __future__ import annotations

import re
from typing import Optional, Tuple

from numbness_triage.text_normalization import plain

from numbness_triage import timing
from numbness_triage.timing import Span

YES, NO, UNSURE = "yes", "no", "unsure"

_YES = r"\b(yes|yeah|yea|yep|yup|ya|yah|ye|aye|sure|definitely|absolutely|correct|right|true|indeed|" \
       r"of course|i do|i am|it does|they do|it is|they are|i have|mhm+|uh huh|always|often|" \
       r"a lot|very much|totally|kind of|sort of|kinda|sorta|a bit|a little|sometimes|occasionally|" \
       r"only at night|at night|in the evening|mostly|usually|quite|somewhat)\b|^\s*y\s*$|👍"
_NO = r"\b(no|nope|nah|naw|not really|not at all|never|i don't|i do not|i dont|it doesn't|it does not|" \
      r"it doesnt|they don't|i'm not|im not|i am not|isn't|it isn't|not that i know|nothing like that|" \
      r"negative|none|haven't|have not|didn't|did not|no way|not|rarely)\b|^\s*n\s*$|👎"
_UNSURE = r"\b(not sure|unsure|don't know|dont know|do not know|dunno|no idea|maybe|perhaps|possibly|" \
          r"hard to say|can't tell|cant tell|can't say|not certain|idk|i guess|might|could be)\b|^\s*\?+\s*$"


_INTERJECTION = r"(?:(?:oh|ah|um+|er+m?|well|hmm+|so|ok|okay)\W+)?"
_LEADING_YES = re.compile(r"^\W*" + _INTERJECTION + r"(yes|yeah|yea|yep|yup|ya|yah|aye|y|sure|definitely|absolutely|"
                          r"correct|indeed|of course)\b(?!\s*(not|no)\b)")
_LEADING_NO = re.compile(r"^\W*" + _INTERJECTION + r"(no|nope|nah|naw|n|never|not really|not at all)\b"
                         r"(?!\s+(idea|clue)\b)")


def parse_yes_no(text: str, intent: Optional[str] = None) -> Optional[str]:
    """yes / no / unsure, or None when the text does not answer a yes/no question.
    An answer that opens with a plain yes or no is that answer, whatever follows ("yes, the not
    being able to walk started today" is a yes); otherwise doubt beats no beats yes."""
    by_intent = {"affirm": YES, "deny": NO, "unsure": UNSURE}
    lowered = plain(text).strip()
    if _LEADING_YES.match(lowered):
        return YES
    if _LEADING_NO.match(lowered):
        return NO
    if re.search(_UNSURE, lowered):
        return UNSURE
    if re.search(_NO, lowered):
        return NO
    if re.search(_YES, lowered):
        return YES
    return by_intent.get(intent or "")


_NEW = re.compile(r"\b(new|brand new|just (started|began|happened|now)|never (had|felt) (it|this|that) before|"
                  r"first time)\b")
_OLD = re.compile(r"\b(not new|isn't new|is not new|always|had it for|had this for|same as (ever|always)|"
                  r"(been|had) like (this|that) for)\b")


def parse_is_new(text: str, intent: Optional[str] = None) -> Optional[str]:
    """The answer to "is it new (in the last day or two)?": yes / no / unsure, from the words or
    from what they say of time: "since Friday" or "this morning" is a yes, "for years" a no;
    "it's getting worse" is a yes (what gets worse is new enough to be checked now)."""
    lowered = plain(text)
    said = timing.read_timing(lowered)
    recent = timing.is_recent(said)
    if recent is not None:
        return YES if recent else NO  # "slowly getting worse for years" is not new
    if said.course == "worsening":
        return YES
    if _OLD.search(lowered):
        return NO
    if _NEW.search(lowered) and not re.search(r"(\bnot|n't|\bnever)\b[^.]{0,12}\bnew\b", lowered):
        return YES
    return parse_yes_no(text, intent)


_QUESTION = re.compile(r"\?|^\s*(what|why|how|when|where|which|who|will|would|can|could|should|is|are|does|do|did|"
                       r"may|might|am)\b", re.I)
_START_OVER = re.compile(r"\b(start(ing)? (over|again|afresh|from scratch)|restart|begin again|new (assessment|start)|"
                         r"reset|from the (start|beginning|top)|try again|redo|do it again|clear (it|everything))\b")


def looks_like_a_question(text: str) -> bool:
    """A question mark, or a question's first word: what the FAQ answers are for."""
    return bool(_QUESTION.search(text or ""))


def asks_to_start_over(text: str) -> bool:
    """Words that ask for a new interview ("start over", "restart"): a classifier's guess at
    "over a day" is not enough to wipe what was said."""
    return text.strip() == "/start_over" or bool(_START_OVER.search(plain(text)))


# The classifier's guesses that the words must bear out: a question for the FAQ, a wish to start over.
FAQ_INTENT, START_OVER_INTENT = "ask_faq", "start_over"


def intent_borne_out(intent: Optional[str], text: str) -> bool:
    """Whether the words bear out the classifier's intent: "not sure, on and off for a while" is
    an answer, not a question for the FAQ; "over a day" is no wish to start over. Any other intent
    stands."""
    if intent == FAQ_INTENT:
        return looks_like_a_question(text)
    if intent == START_OVER_INTENT:
        return asks_to_start_over(text)
    return True


_WORD_NUMBERS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90, "eighteen": 18, "nineteen": 19,
}
_UNITS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}


def parse_age(text: str) -> Optional[int]:
    lowered = plain(text)
    for match in re.finditer(r"(?<![\d.])(\d{1,3})(?![\d.])", lowered):
        after = lowered[match.end(): match.end() + 12]
        if re.match(r"\s*(week|month|day|hour|minute|min|yr ago|years ago|kg|lb|pound|cm|times)", after):
            continue
        value = int(match.group(1))
        if 1 <= value <= 120:
            return value
    said = re.search(r"\b(" + "|".join(_WORD_NUMBERS) + r")(?:[\s-](" + "|".join(_UNITS) + r"))?\b", lowered)
    if said:
        return _WORD_NUMBERS[said.group(1)] + _UNITS.get(said.group(2) or "", 0)
    return None


def parse_sex(text: str) -> Optional[str]:
    lowered = plain(text)
    if re.search(r"\b(female|woman|women|girl|lady|f|fem|she|her|mother|mum|mom|wife)\b", lowered):
        return "female"
    if re.search(r"\b(male|man|men|guy|boy|m|he|him|father|dad|husband|gentleman|bloke)\b", lowered):
        return "male"
    return None


def parse_age_sex(text: str) -> Tuple[Optional[int], Optional[str]]:
    return parse_age(text), parse_sex(text)


_BOTH = re.compile(r"\b(both|bilateral\w*|each|two\s+(legs|feet)|all\s+(my\s+)?(legs|feet|toes))\b")
_LEFT = re.compile(r"\b(left|lft)\b")
_RIGHT = re.compile(r"\bright\b(?!\s+(now|away|after|before|here|there|when|as|up|down|through|into|at|in|on|off|"
                    r"to)\b)|\bright\s+(on|in|at)\s+(the|my)\s+(leg|foot|side|calf|thigh|shin)|\brt\b")
_ONE = re.compile(r"\b(one|single|just the one|only one)\s+(leg|foot|side)\b|\bonly\s+one\b|\bjust\s+one\b|^\s*one\s*$")
_PLURAL = re.compile(r"\b(legs|feet|feets|legz|calves|thighs|shins)\b")
_LIMB = (r"(?:(?:lower|upper|big|little)\s+)?(?:legs?|legz|foot|feet|feets|thighs?|calf|calves|shins?|knees?|ankles?|"
         r"toes?|heels?|soles?)")
# A side said of a leg or foot ("my right leg") outranks one said of anything else ("the left side of my face").
SIDE_OF_LIMB = re.compile(rf"\b(?P<side>left|lft|right|rt)\s+{_LIMB}\b")
_BOTH_LIMBS = re.compile(rf"\bboth\s+(?:of\s+)?(?:my\s+|the\s+)?{_LIMB}\b|\bboth\s+sides\b|\b(?:legs|feet|thighs|"
                         rf"calves|shins)\s+(?:are\s+)?both\b")


def find_side(text: str) -> Tuple[Optional[str], Optional[Span]]:
    """(side, (start, end)) said in the text, or (None, None). Plural legs/feet count as both."""
    lowered = plain(text)
    both_limbs = _BOTH_LIMBS.search(lowered)
    if both_limbs:
        return "both", both_limbs.span()
    of_limb = list(SIDE_OF_LIMB.finditer(lowered))
    if of_limb:
        sides = {"left" if m.group("side") in ("left", "lft") else "right" for m in of_limb}
        return ("both" if len(sides) == 2 else sides.pop()), of_limb[0].span()
    left, right, both = _LEFT.search(lowered), _RIGHT.search(lowered), _BOTH.search(lowered)
    if both:
        return "both", both.span()
    if left and right:
        return "both", min(left, right, key=lambda m: m.start()).span()
    if left:
        return "left", left.span()
    if right:
        return "right", right.span()
    one = _ONE.search(lowered)
    if one:
        return "one", one.span()
    plural = _PLURAL.search(lowered)
    if plural:
        return "both", plural.span()
    return None, None


def parse_side(text: str) -> Optional[str]:
    return find_side(text)[0]


# "straight after the fall": sudden. After an operation is not: numbness noticed after surgery is
# the operation's story (a nerve injured or pressed), not a stroke's.
AFTER_AN_EVENT = re.compile(r"\b(straight|right|just|immediately|soon)?\s*(after|since) (the|my|a|that) "
                             r"(fall|kick|accident|crash|injury|knock|blow|tackle)\b")


def find_onset(text: str) -> Tuple[Optional[str], Optional[Span]]:
    """(sudden | hours | days | gradual, (start, end)) or (None, None): said outright (the first
    undenied word), or "straight after the fall" (sudden)."""
    onset, span = timing.find_onset(text)
    if onset:
        return onset, span
    event = AFTER_AN_EVENT.search(plain(text))
    return (timing.SUDDEN_ONSET, event.span()) if event else (None, None)


def parse_onset(text: str) -> Optional[str]:
    return find_onset(text)[0]


_AFTER_SOMETHING = re.compile(r"\b(after|since|following|from) (the|my|a|an|that|his|her|their) \w+")


def names_a_moment(text: str) -> bool:
    """"after the surgery", "since the accident": when it began, said by an event instead of a pace."""
    return bool(_AFTER_SOMETHING.search(plain(text)))


def parse_duration(text: str) -> Optional[str]:
    """How long it has lasted: minutes | hours | days | weeks | months | years (timing.py)."""
    return timing.find_duration(text)
