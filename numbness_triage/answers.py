"""Read a person's answer to a question: yes / no / not sure, age and sex, side, onset, duration."""
from __future__ import annotations

import re
from typing import Optional, Tuple

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


_LEADING_YES = re.compile(r"^\W*(yes|yeah|yea|yep|yup|ya|yah|aye|y|sure|definitely|absolutely|correct|indeed|of course)\b(?!\s*(not|no)\b)")
_LEADING_NO = re.compile(r"^\W*(no|nope|nah|naw|n|never|not really|not at all)\b(?!\s+(idea|clue)\b)")


def parse_yes_no(text: str, intent: Optional[str] = None) -> Optional[str]:
    """yes / no / unsure, or None when the text does not answer a yes/no question.
    An answer that opens with a plain yes or no is that answer, whatever follows ("yes, the not
    being able to walk started today" is a yes); otherwise doubt beats no beats yes."""
    by_intent = {"affirm": YES, "deny": NO, "unsure": UNSURE}
    lowered = (text or "").lower().strip()
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
    return by_intent.get(intent)


_NEW = re.compile(r"\b(new|brand new|today|this morning|this afternoon|this evening|tonight|yesterday|last night|"
                  r"just (started|began|happened|now)|an hour|hours|minutes|since (this|last|yesterday|today)|"
                  r"never (had|felt) (it|this|that) before|first time)\b")
_OLD = re.compile(r"\b(not new|isn't new|is not new|for (years|months|ages|a long time|weeks)|years|months|long time|"
                  r"always|ages|had it for|had this for|since (i was|childhood)|same as (ever|always))\b")


def parse_is_new(text: str, intent: Optional[str] = None) -> Optional[str]:
    """The answer to "is it new?": yes / no / unsure. "only since this morning" is a yes,
    "I've had it for years" a no; otherwise as any yes/no answer."""
    lowered = (text or "").lower()
    if _OLD.search(lowered):
        return NO
    if _NEW.search(lowered) and not re.search(r"\b(not|n't|never)\b[^.]{0,12}\bnew\b", lowered):
        return YES
    return parse_yes_no(text, intent)


_WORD_NUMBERS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90, "eighteen": 18, "nineteen": 19,
}
_UNITS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}


def parse_age(text: str) -> Optional[int]:
    lowered = (text or "").lower()
    for match in re.finditer(r"(?<![\d.])(\d{1,3})(?![\d.])", lowered):
        after = lowered[match.end(): match.end() + 12]
        if re.match(r"\s*(week|month|day|hour|minute|min|yr ago|years ago|kg|lb|pound|cm|times)", after):
            continue
        value = int(match.group(1))
        if 1 <= value <= 120:
            return value
    match = re.search(r"\b(" + "|".join(_WORD_NUMBERS) + r")(?:[\s-](" + "|".join(_UNITS) + r"))?\b", lowered)
    if match:
        return _WORD_NUMBERS[match.group(1)] + _UNITS.get(match.group(2) or "", 0)
    return None


def parse_sex(text: str) -> Optional[str]:
    lowered = (text or "").lower()
    if re.search(r"\b(female|woman|women|girl|lady|f|fem|she|her|mother|mum|mom|wife)\b", lowered):
        return "female"
    if re.search(r"\b(male|man|men|guy|boy|m|he|him|father|dad|husband|gentleman|bloke)\b", lowered):
        return "male"
    return None


def parse_age_sex(text: str) -> Tuple[Optional[int], Optional[str]]:
    return parse_age(text), parse_sex(text)


_BOTH = re.compile(r"\b(both|bilateral\w*|each|two\s+(legs|feet)|all\s+(my\s+)?(legs|feet|toes))\b")
_LEFT = re.compile(r"\b(left|lft)\b")
_RIGHT = re.compile(r"\bright\b(?!\s+(now|away|after|before|here|there|when|as|up|down|through|into|at|in|on|off|to)\b)|"
                    r"\bright\s+(on|in|at)\s+(the|my)\s+(leg|foot|side|calf|thigh|shin)|\brt\b")
_ONE = re.compile(r"\b(one|single|just the one|only one)\s+(leg|foot|side)\b|\bonly\s+one\b|\bjust\s+one\b|^\s*one\s*$")
_PLURAL = re.compile(r"\b(legs|feet|feets|legz|calves|thighs|shins)\b")
_LIMB = r"(?:(?:lower|upper|big|little)\s+)?(?:legs?|legz|foot|feet|feets|thighs?|calf|calves|shins?|knees?|ankles?|toes?|heels?|soles?)"
# A side said of a leg or foot ("my right leg") outranks one said of anything else ("the left side of my face").
_SIDE_OF_LIMB = re.compile(rf"\b(?P<side>left|lft|right|rt)\s+{_LIMB}\b")
_BOTH_LIMBS = re.compile(rf"\bboth\s+(?:of\s+)?(?:my\s+|the\s+)?{_LIMB}\b|\bboth\s+sides\b|\b(?:legs|feet|thighs|calves|shins)\s+(?:are\s+)?both\b")


def find_side(text: str):
    """(side, (start, end)) said in the text, or (None, None). Plural legs/feet count as both."""
    lowered = (text or "").lower()
    both_limbs = _BOTH_LIMBS.search(lowered)
    if both_limbs:
        return "both", both_limbs.span()
    of_limb = list(_SIDE_OF_LIMB.finditer(lowered))
    if of_limb:
        sides = {"left" if m.group("side") in ("left", "lft") else "right" for m in of_limb}
        return ("both" if len(sides) == 2 else sides.pop()), of_limb[0].span()
    left, right, both = _LEFT.search(lowered), _RIGHT.search(lowered), _BOTH.search(lowered)
    if both or (left and right):
        match = both or min(left, right, key=lambda m: m.start())
        return "both", match.span()
    if left or right:
        match = left or right
        return ("left" if left else "right"), match.span()
    one = _ONE.search(lowered)
    if one:
        return "one", one.span()
    plural = _PLURAL.search(lowered)
    if plural:
        return "both", plural.span()
    return None, None


def parse_side(text: str) -> Optional[str]:
    return find_side(text)[0]


_SUDDEN = re.compile(r"\b(sudden\w*|suddenley|suddently|quick\w*|fast|abrupt\w*|all at once|all of a sudden|"
                     r"(out of|outta) (nowhere|the blue)|overnight|instantly|in an instant|at once|immediately|"
                     r"straight away|right away|in (a few )?seconds|in a split second|split second|in a few minutes|"
                     r"within (seconds|minutes)|without (any )?warning|one minute|woke up with|came on (fast|quick\w*))\b")
_GRADUAL = re.compile(r"\b(gradual\w*|slow\w*|over time|bit by bit|little by little|creep\w*|progressive\w*|crept|"
                      r"over (the |a |several |a few |a couple of |many |the (past|last) (few |couple of )?)?(days?|weeks?|months?|years?)|"
                      r"getting worse( over)?|worse and worse|built up|build up|building up)\b")
_AFTER_AN_EVENT = re.compile(r"\b(straight|right|just|soon)?\s*(after|since) (the|my|a|that) "
                             r"(fall|kick|accident|crash|injury|operation|surgery|op|knock|blow|tackle)\b")


def find_onset(text: str):
    """(sudden | gradual, (start, end)) or (None, None). Said outright wins, the first said first,
    a negated one skipped ("gradually, not suddenly"); "straight after the fall" is sudden."""
    lowered = (text or "").lower()
    said = [(match.start(), value, match.span())
            for value, pattern in (("sudden", _SUDDEN), ("gradual", _GRADUAL))
            for match in pattern.finditer(lowered)
            if not re.search(r"\b(not|n't|never)\s+(so\s+|that\s+|very\s+)?$", lowered[: match.start()])]
    if said:
        _, value, span = min(said)
        return value, span
    event = _AFTER_AN_EVENT.search(lowered)
    return ("sudden", event.span()) if event else (None, None)


def parse_onset(text: str) -> Optional[str]:
    return find_onset(text)[0]


def parse_duration(text: str) -> Optional[str]:
    lowered = (text or "").lower()
    if re.search(r"\b(year|years|yrs|months?|ages|forever|long time|decade|since (last )?(winter|summer|spring|autumn|fall|"
                 r"christmas|easter|january|february|march|april|may|june|july|august|september|october|november|december)|"
                 r"a while|long while|as long as i can remember)\b", lowered):
        return "months"
    if re.search(r"\b(weeks?|fortnight)\b", lowered):
        return "weeks"
    if re.search(r"\b(days?|yesterday|hours?|hrs?|since this morning|since last night|last night|today|this morning|overnight)\b", lowered):
        return "days"
    if re.search(r"\b(minutes?|mins?|seconds?|secs?|moments?|a moment|briefly|few minutes|a minute|comes and goes quickly)\b", lowered):
        return "minutes"
    return None
