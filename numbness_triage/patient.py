"""Who the patient is, and their age and sex, read from anything a person types.

A caregiver is a main user of a tool like this ("asking for my husband (71)", "my mum's legs have
gone numb", "writing on behalf of my father, he's 79"): the described person is then the patient
for the whole conversation, and the questions say "he", "she" or "they". Age and sex are read
from every message where they are said outright ("I'm a 45 year old man", "45M", "my wife (62)");
the looser readings ("45, f") only answer the question that asked for them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, Optional, Tuple

from numbness_triage.text_normalization import plain

SELF, SOMEONE_ELSE = "self", "someone_else"
PRONOUNS = ("he", "she", "they")

# relation word -> (sex, pronoun); None where the word does not say
RELATIONS: Dict[str, Tuple[Optional[str], str]] = {}
for _words, _sex, _pronoun in (
    ("father dad daddy papa pa husband hubby son brother grandfather grandpa grandad granddad grandson uncle "
     "nephew boyfriend bf stepdad stepfather stepson fiance father-in-law", "male", "he"),
    ("mother mum mom mommy mummy mama ma wife missus daughter sister grandmother grandma gran granny nan nana "
     "nanna granddaughter aunt auntie niece girlfriend gf stepmum stepmom stepmother stepdaughter fiancee "
     "mother-in-law", "female", "she"),
    ("partner parent child kid friend neighbour neighbor patient client spouse relative flatmate roommate "
     "housemate colleague coworker", None, "they"),
):
    for _word in _words.split():
        RELATIONS[_word] = (_sex, _pronoun)
RELATIONS["old man"] = ("male", "he")
RELATIONS["old lady"] = ("female", "she")
RELATIONS["other half"] = (None, "they")

_RELATION = r"(?P<relation>" + "|".join(sorted((re.escape(w) for w in RELATIONS), key=len, reverse=True)) + r")"
_FOR_SOMEONE = [re.compile(pattern + _RELATION + r"\b") for pattern in (
    r"\b(?:asking|writing|typing|messaging|texting|chatting|enquiring|inquiring|here|doing this|filling this in|"
    r"using this|contacting you|reaching out|on here|looking|worried|concerned)(?:\s+this(?:\s+(?:in|out))?)?\s+(?:for|"
    r"about|on behalf of|for and with)\s+(?:my|our)\s+(?:elderly\s+|old\s+|\d+[- ]?(?:year[- ]old|yo)\s+)?",
    r"\bon behalf of\s+(?:my|our)\s+(?:elderly\s+|old\s+)?",
    r"^\W*(?:hi|hello|hey)?\W*for\s+my\s+",
)]
# "my wife (62) has...", "my dad, 79, ...", "my mum is 80 and", "my husband's feet", "my father's legs"
_RELATION_DESCRIBED = re.compile(
    r"\bmy\s+(?:elderly\s+|old\s+|\d+[- ]?(?:year[- ]old|yo)\s+)?" + _RELATION +
    r"(?:'s\s+(?:legs?|feet|foot|toes?|thighs?|calf|calves|knees?|shins?|ankles?)|\s*\(\s*\d{1,3}\s*\)|,\s*\d{1,3}\s*,|"
    r"\s+(?:is|who is|who's|aged)\s+\d{1,3}\b)")
_THIRD_PERSON_AGE = re.compile(r"\b(?P<pronoun>he|she)(?:'s|\s+is|\s+turned|\s+just "
                               r"turned)\s+(?P<age>\d{1,3})\b(?!\s*(?:%|kg|lb|min|hours?|days?|weeks?|months?|times))")
_RELATION_AGE = re.compile(r"\bmy\s+" + _RELATION + r"\s*(?:\(\s*(?P<age1>\d{1,3})\s*\)|,\s*(?P<age2>\d{1,3})\s*,|"
                           r"\s+(?:is|who is|who's|aged|age)\s+(?P<age3>\d{1,3})\b|\s+(?P<age4>\d{1,3})\s*(?:yo|y/o|"
                           r"yrs?|years?)\b)")


@dataclass(frozen=True)
class Framing:
    """Someone typing for another person: who, and how to speak of them."""

    relation: str
    sex: Optional[str]
    pronoun: str
    age: Optional[int] = None
    explicit: bool = False  # "asking for my husband": said outright, not only implied by "my dad's legs"


def find_framing(text: str) -> Optional[Framing]:
    """The relation when the message says the typist is asking for someone else, or describes a
    relative's symptoms or age ("my wife (62) has...", "my dad's legs")."""
    lowered = plain(text)
    explicit = next((m for m in (p.search(lowered) for p in _FOR_SOMEONE) if m), None)
    match = explicit or _RELATION_DESCRIBED.search(lowered)
    if not match:
        return None
    relation = match.group("relation")
    sex, pronoun = RELATIONS[relation]
    return Framing(relation, sex, pronoun, _relative_age(lowered), explicit=explicit is not None)


def _relative_age(lowered: str) -> Optional[int]:
    for pattern in (_RELATION_AGE, _THIRD_PERSON_AGE):
        match = pattern.search(lowered)
        if match:
            value = next(int(v) for k, v in match.groupdict().items() if k.startswith("age") and v)
            if 1 <= value <= 120:
                return value
    return None


def pronoun_in(text: str) -> Optional[str]:
    """The pronoun a caregiver uses for the patient ("she can't feel her toes")."""
    lowered = plain(text)
    he = len(re.findall(r"\b(he|him|his|he's)\b", lowered))
    she = len(re.findall(r"\b(she|her|hers|she's)\b", lowered))
    if he == she:
        return None
    return "he" if he > she else "she"


# --- age and sex said outright, in any message ---------------------------------------------------
_NOT_AN_AGE = (r"(?!\s*(?:%|kg|kgs|lbs?|pounds|stone|cm|mg|min\w*|hours?|hrs?|days?|weeks?|wks?|months?|times|x\b|"
               r"am\b|pm\b|o'?clock|foot|inch\w*|'|tall|st\b|years?\s+(?:ago|now|since|of)|yrs?\s+(?:ago|now)|miles|km|"
               r"steps|metres|meters|feet|ft|minutes))")
_EXPLICIT_AGES = [
    re.compile(r"\b(?:i'?m|i am|im|aged?|age:?|turned|i turned|just turned)\s+(?:a\s+)?(\d{1,3})\b" + _NOT_AN_AGE),
    re.compile(r"\b(\d{1,3})\s*(?:-|\s)?\s*(?:years?|yrs?|yr|y)\s*(?:-|\s)?\s*old\b"),
    re.compile(r"\b(\d{1,3})\s*(?:yo|y/o|y\.o\.?|yrs old)\b"),
    re.compile(r"\b(\d{1,3})\s*(?:m|f|male|female|man|woman|guy|lady|gent)\b(?!\w)"),
    re.compile(r"(?<!['’])\b(?:m|f|male|female)\s*,?\s*(\d{1,3})\b" + _NOT_AN_AGE),
    re.compile(r"\bage\s*(?:is|=|of)?\s*(\d{1,3})\b"),
]
_EXPLICIT_SEX = [
    ("male", re.compile(r"\b(?:i'?m|i am|im)\s+(?:a\s+)?(?:\d{1,3}\s*(?:-|\s)?(?:years?|yrs?|y)?\s*(?:-|\s)?"
                        r"(?:old\s+)?)?(?:man|male|guy|bloke|gentleman|dude|boy)\b|\b\d{1,3}\s*(?:-|\s)?(?:years?|yrs?|y)\s*(?:-|"
                        r"\s)?old\s+(?:man|male|guy|bloke|gentleman|boy)\b|\b\d{1,3}\s*m\b(?!\w)|\b\d{1,3}\s*(?:yo|"
                        r"y/o)\s+(?:man|male|guy)\b|\bmale\b|(?<!['’])\b(?:m|male)\s*,?\s*\d{1,3}\b")),
    ("female", re.compile(r"\b(?:i'?m|i am|im)\s+(?:a\s+)?(?:\d{1,3}\s*(?:-|\s)?(?:years?|yrs?|y)?\s*(?:-|\s)?"
                          r"(?:old\s+)?)?(?:woman|female|lady|girl|gal)\b|\b\d{1,3}\s*(?:-|\s)?(?:years?|yrs?|y)\s*(?:-|\s)?old\s+"
                          r"(?:woman|female|lady|girl)\b|\b\d{1,3}\s*f\b(?!\w)|\b\d{1,3}\s*(?:yo|y/o)\s+(?:woman|"
                          r"female|lady)\b|\bfemale\b|(?<!['’])\b(?:f|female)\s*,?\s*\d{1,3}\b|\bpregnan\w*|"
                          r"\bmy (?:period|periods)\b")),
]


def explicit_age(text: str) -> Optional[int]:
    """An age said outright in the first person or on its own ("I'm 45", "a 45 year old", "45M");
    None otherwise. A relative's age is Framing.age or third_person_age."""
    lowered = plain(text)
    for pattern in _EXPLICIT_AGES:
        for match in pattern.finditer(lowered):
            value = int(match.group(1))
            if 1 <= value <= 120:
                return value
    return None


def third_person_age(text: str) -> Optional[int]:
    """The age a caregiver gives: "he's 79", "my wife (62)", "my dad, 79,"."""
    return _relative_age(plain(text))


def explicit_sex(text: str) -> Optional[str]:
    lowered = plain(text)
    found = {sex for sex, pattern in _EXPLICIT_SEX if pattern.search(lowered)}
    return found.pop() if len(found) == 1 else None
