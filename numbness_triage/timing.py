"""When it started, how it came on, how long each episode lasts and where it is going.

A person's words about time ("since Friday", "for a couple of hours", "on and off for years",
"it's getting worse") become four separate facts, because the causes differ in each:

- onset:    how it came on       sudden | hours | days | gradual
- duration: how long since it began  minutes | hours | days | weeks | months | years
- episode:  how long one bout lasts  minutes | hours | constant
- course:   where it is going    constant | intermittent | worsening | improving

Plain regular expressions over lower-case text; every reader returns None when the text says
nothing about it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional, Tuple

from numbness_triage.text_normalization import plain

DURATIONS = ("minutes", "hours", "days", "weeks", "months", "years")
SUDDEN_ONSET = "sudden"  # the onset the safety rules reason about by name (sudden numbness is a red flag)
ONSETS = (SUDDEN_ONSET, "hours", "days", "gradual")
EPISODES = ("minutes", "hours", "constant")
COURSES = ("constant", "intermittent", "worsening", "improving")

Span = Tuple[int, int]

_NUMBER = (r"(?:\d+(?:[.,]\d+)?|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
           r"fifteen|twenty|thirty|forty|fifty|a few|few|several|some|a couple(?: of)?|couple(?: of)?|"
           r"a half|half an?|a number of|many|a good few|\d+\s*(?:-|to|or)\s*\d+)")
_UNIT_WORDS = {
    "minutes": r"min(?:ute)?s?|mins?",
    "hours": r"h(?:ou)?rs?|hours?",
    "days": r"days?|nights?",
    "weeks": r"w(?:ee)?ks?|weeks?|fortnights?",
    "months": r"months?|mo(?:nth)?s",
    "years": r"y(?:ea)?rs?|years?|decades?",
}
_UNIT = "|".join(f"(?P<{unit}>{words})" for unit, words in _UNIT_WORDS.items())
_AMOUNT = re.compile(rf"\b{_NUMBER}\s*(?:-\s*)?(?:{_UNIT})\b")

# "lasts a few minutes", "goes away after 10 min", "for a few minutes at a time": one bout, not how long ago
_EPISODE_BEFORE = re.compile(r"((?<!the )(?<!past )(?<!over )\blast(?:s|ed|ing)?|\bgo(?:es)? away(?: after| within|"
                             r" in)?|went away(?: after| within| in)?|wears? off(?: after| within| in)?|"
                             r"wore off(?: after| within| in)?|gone (?:after|within|in)|pass(?:es|ed)? (?:after|within|"
                             r"in)|episodes? of|attacks? of|bouts? of|spells? of|back to normal (?:after|within|in)|"
                             r"(?:comes|came) back (?:after|within|in)|only for|just for)\s*(?:about|around|maybe|"
                             r"roughly|like|only|just|a good)?\s*$")
_EPISODE_AFTER = re.compile(r"^\s*(at a time|each time|every time|or so at a time|yesterday|last night|"
                            r"this (?:morning|afternoon|evening)|earlier|(?:long )?(?:episodes?|attacks?|bouts?|"
                            r"spells?)\b|on (?:mon|tues|wednes|thurs|fri|satur|sun)day|the other day|"
                            r"and (?:then )?(?:it )?(?:goes|went|wears|wore) (?:away|off)|then (?:it )?(?:goes|went|"
                            r"passes|passed)|before it (?:goes|went|wears|wore)|and it'?s? gone|and back to normal)")
_DOING_FOR = re.compile(r"\b(sat|sit|sitting|kneel\w*|knelt|squat\w*|lying|lay|lain|laying|cycl\w*|bik\w*|rid\w*|rode|"
                        r"driv\w*|drove|flight|flew|flying|travel\w*|stood|standing|walk\w*|run|ran|running|work\w*|"
                        r"crossed|cross[- ]legged|in (?:one|the same) position)\b[^.!?]{0,60}\bfor\s+(?:about\s+|"
                        r"around\s+)?$")
_ONSET_AFTER = re.compile(r"^\s*(?:or so\s+)?(?:ago|back|before)\b")  # "3 days ago": when it began

_RELATIVE_STARTS = [  # "since ..." and other anchors, with how long ago they are
    ("minutes", r"(?:just now|a (?:moment|minute|few minutes) ago|minutes ago|moments ago)"),
    ("hours", r"since (?:this|earlier this) (?:morning|afternoon|evening)|since (?:i|he|she|they) (?:woke|got) up|"
              r"since (?:breakfast|lunch|dinner|lunchtime)|(?:this|earlier this) (?:morning|afternoon|evening)|"
              r"since an hour|(?<!half )an hour ago|today|tonight|earlier today"),
    ("days", r"since (?:yesterday|last night|the weekend|monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
             r"mon|tues?|wed|thur?s?|fri|sat|sun)|yesterday|last night|the other day|over the weekend|"
             r"(?:on|last) (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"),
    ("weeks", r"since last week|last week|a week ago|couple of weeks|since the start of the month|"
              r"(?:the )?(?:past|last) (?:week|few weeks|couple of weeks)"),
    ("months", r"since (?:last )?(?:january|february|march|april|may|june|july|august|september|october|november|"
               r"december|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec|christmas|xmas|easter|thanksgiving|the summer|"
               r"summer|the spring|spring|the autumn|autumn|last fall|the winter|winter|new year)|last month|a while|"
               r"(?:the )?(?:past|last) (?:month|few months|couple of months|month or two)|"
               r"some time now|for some time"),
    ("years", r"since last year|last year|for years|years now|ages|forever|as long as i can remember|"
              r"(?:the )?(?:past|last) (?:year|few years|couple of years|year or two|years)|"
              r"since (?:i was|(?:he|she) was|they were) (?:a kid|a child|young|little|pregnant|in my)|"
              r"for a long time|a long time|long time|since (?:my|his|her) (?:twenties|thirties|forties|fifties|"
              r"sixties|20s|30s|40s|50s|60s)|for decades|since childhood"),
]
_RELATIVE = [(unit, re.compile(rf"\b(?:{pattern})\b")) for unit, pattern in _RELATIVE_STARTS]

SUDDEN = re.compile(r"\b(sudden\w*|suddenley|suddently|all of a sudden|all at once|(?:out of|outta) (?:nowhere|"
                    r"the blue)|"
                     r"instantly|in an instant|abrupt\w*|at once|immediately|straight away|right away|"
                     r"in (?:a|one) (?:second|sec|moment|heartbeat|flash|go)|within a (?:second|minute)|"
                     r"like (?:a |flicking a |flipping a |a light )?switch|"
                     r"in (?:a few )?seconds|in a split second|split second|within (?:seconds|minutes)|in (?:a few|"
                     r"a couple of) minutes|without (?:any )?warning|one minute (?:i|it|he|she)|woke up with|"
                     r"came on (?:fast|quick\w*)|(?:came|come|comes) on (?:all )?at once|quick(?:ly)?|fast|overnight|"
                     r"(?:since|when) (?:i|he|she|they) woke(?: up)?(?! from)|on waking)\b")
_OVER_HOURS = re.compile(r"\b(over (?:the |a |several |a few |a couple of |some |the (?:last|past) (?:few |"
                         r"couple of )?)?(?:hours?|morning|afternoon|evening|day)|during the (?:day|morning|"
                         r"afternoon))\b")
_OVER_DAYS = re.compile(r"\b(over (?:the |a |several |a few |a couple of |some |two |three |the (?:last|past) (?:few |"
                        r"couple of )?)?(?:days|nights|weekend|week)|day by day|"
                        r"(?:came|come|comes|coming) (?:on )?(?:in|within) "
                        r"(?:a few |some |two |three |a couple of )days|"
                        r"(?:every|each) day (?:it'?s|it is|"
                        r"a bit)? ?worse)\b")
_GRADUAL = re.compile(r"\b(gradual\w*|slow\w*|over time|bit by bit|little by little|creep\w*|crept|progressive\w*|"
                      r"over (?:the |a |several |a few |a couple of |many |some |the (?:past|last) (?:few |"
                      r"couple of )?)?(?:weeks|months?|years?)|built up|build(?:s|ing)? up|came on slowly|developed)\b")
# "it goes away quickly": how it ends, not how it came on
_ENDS_BEFORE = re.compile(r"\b(go(?:es)?|went|wears?|wore|pass(?:es)?|passed|ease[sd]?|back to normal|gone|"
                          r"disappear\w*|recover\w*)\s+(?:away\s+|off\s+)?(?:pretty\s+|very\s+|really\s+)?$")
_NOT_BEFORE = re.compile(r"(\bnot|n't|\bnever)\s+(so\s+|that\s+|very\s+|really\s+)?$")

_WORSENING = re.compile(r"\b(getting worse|got worse|gotten worse|(?:keeps|kept) getting worse|worse and worse|"
                        r"worsening|gets worse (?:and worse|every|each|by the)|(?:is|are|it'?s|has been|"
                        r"have been) spreading|spread(?:ing|s)? (?:up|to|into)|progress(?:ing|ed|ive)|more and more|"
                        r"creeping up|getting (?:weaker|number|more numb)|weaker and weaker|(?:week|day) by (?:week|"
                        r"day)|(?:has been |keeps |kept )?building (?:up )?over|worse (?:every|each) (?:day|week)|"
                        r"worse by the day|(?:going|gone|moving|moved) up (?:my|his|her|their|the) (?:legs?|body|"
                        r"thighs?))\b")
_IMPROVING = re.compile(r"\b(getting better|got better|improving|improved|easing|eased off|settling|wearing off now|"
                        r"less numb)\b")
_INTERMITTENT = re.compile(r"\b(comes? and goes?|came and went|on and off|off and on|on[- ]off|now and (?:then|again)|"
                           r"from time to time|every (?:now|so often)|every once in a while|once in a while|at times|"
                           r"episodes?|attacks?|bouts?|spells?|flare[s -]?ups?|(?:a few|several|some|many) times|"
                           r"(?:keeps|kept) (?:coming back|happening)|intermittent\w*|occasional\w*)\b")
_CONSTANT = re.compile(r"\b(all the time|constant\w*|24/7|24-7|non[- ]?stop|never goes away|doesn'?t go away|"
                       r"does not go away|won'?t go away|hasn'?t gone away|has not gone away|not gone away|"
                       r"isn'?t going away|not going away|not wearing off|hasn'?t worn off|won'?t wear off|"
                       r"didn'?t wear off|still numb|still there|thought it would (?:wear off|go away|pass)|all day|"
                       r"every day|permanent\w*|persistent\w*|never stops|doesn'?t stop|there all the time|"
                       r"still (?:\w+ ){0,3}(?:numb|there|dead|asleep|tingl\w*))\b")
_STILL_AFTER = re.compile(rf"\b(?:still|even) (?:numb|there|dead|asleep|tingling)?\s*(?:after|"
                          rf"for)\s+{_NUMBER}\s*(?:{_UNIT})\b")


@dataclass(frozen=True)
class Timing:
    onset: Optional[str] = None
    duration: Optional[str] = None
    episode: Optional[str] = None
    course: Optional[str] = None
    onset_span: Optional[Span] = None

    def merged_over(self, older: "Timing") -> "Timing":
        """What this message says, and what an earlier one said where this one is silent."""
        return Timing(self.onset or older.onset, self.duration or older.duration,
                      self.episode or older.episode, self.course or older.course,
                      self.onset_span or older.onset_span)


def _unit_of(match: re.Match) -> str:
    if re.match(r"half an? h", match.group(0)):
        return "minutes"
    return next(unit for unit in DURATIONS if match.group(unit))


def find_onset(text: str) -> Tuple[Optional[str], Optional[Span]]:
    """How it came on, and where that is said. The first undenied word wins ("gradually, not
    suddenly" is gradual); "quickly" after "goes away" is not an onset."""
    lowered = plain(text)
    said = []
    for value, pattern in (("sudden", SUDDEN), ("hours", _OVER_HOURS), ("days", _OVER_DAYS), ("gradual", _GRADUAL)):
        for match in pattern.finditer(lowered):
            before = lowered[: match.start()]
            if _NOT_BEFORE.search(before):
                continue
            if value == SUDDEN_ONSET and _ENDS_BEFORE.search(before):
                continue  # "it goes away quickly" is how it ends
            said.append((match.start(), value, match.span()))
    if not said:
        return None, None
    _, value, span = min(said)
    return value, span


def find_duration(text: str) -> Optional[str]:
    """How long since it began: the longest stretch named that is not one episode's length."""
    lowered = plain(text)
    found = []
    for match in _AMOUNT.finditer(lowered):
        before, after = lowered[max(0, match.start() - 40): match.start()], lowered[match.end(): match.end() + 40]
        if _EPISODE_BEFORE.search(before) or _EPISODE_AFTER.match(after):
            continue
        frequency = re.search(r"\b(every|each|per|once|twice|times|x)\s*$", before) and not _ONSET_AFTER.match(after)
        if frequency or (match.group(0).startswith("a ") and re.search(r"\b(once|twice|times|x)\s*$", before)):
            continue  # "once a week", "every few days": how often, not how long
        if re.match(r"\s*old\b", after):
            continue  # "a 45 year old": an age
        if _DOING_FOR.search(before):
            continue  # "after sitting cross-legged for an hour": how long they sat, not how long it lasts
        found.append(_unit_of(match))
    for unit, pattern in _RELATIVE:
        if pattern.search(lowered):
            found.append(unit)
    if not found:
        return None
    return max(found, key=DURATIONS.index)


def find_episode(text: str) -> Optional[str]:
    """How long one bout lasts: said with "lasts", "goes away after", "at a time"; "still numb
    after six hours" or "won't go away" means it has not ended."""
    lowered = plain(text)
    still = _STILL_AFTER.search(lowered)
    if still:
        unit = _unit_of(still)
        return "minutes" if unit == "minutes" else "hours" if unit == "hours" else "constant"
    for match in _AMOUNT.finditer(lowered):
        before, after = lowered[max(0, match.start() - 40): match.start()], lowered[match.end(): match.end() + 40]
        if _EPISODE_BEFORE.search(before) or _EPISODE_AFTER.match(after):
            unit = _unit_of(match)
            return unit if unit in ("minutes", "hours") else "constant"
    if re.search(r"\b(go(?:es)? away|went away|wears? off|wore off|passes|passed|settles?|back to normal)\s+"
                 r"(?:pretty |very |really )?(?:quickly|fast|straight away|right away|in a (?:minute|moment|sec\w*)|"
                 r"after a (?:minute|moment|bit)|once (?:i|he|she|they) (?:move|moves|moved|stand|stood|walk\w*|"
                 r"shake\w*))\b",
                 lowered):
        return "minutes"
    if _CONSTANT.search(lowered):
        return "constant"
    return None


def find_course(text: str) -> Optional[str]:
    lowered = plain(text)
    for course, pattern in (("worsening", _WORSENING), ("improving", _IMPROVING), ("intermittent", _INTERMITTENT),
                            ("constant", _CONSTANT)):
        for match in pattern.finditer(lowered):
            if not _NOT_BEFORE.search(lowered[: match.start()]):
                return course
    return None


def read_timing(text: str) -> Timing:
    onset, span = find_onset(text)
    return Timing(onset=onset, duration=find_duration(text), episode=find_episode(text),
                  course=find_course(text), onset_span=span)


def is_recent(timing: Timing) -> Optional[bool]:
    """Whether it began in the last day or two (the "is it new?" of the safety questions):
    True, False, or None when the words do not say."""
    if timing.duration in ("minutes", "hours", "days"):
        return True
    if timing.duration in ("weeks", "months", "years"):
        return False
    if timing.onset in ("sudden", "hours", "days"):
        return True
    if timing.onset == "gradual":
        return False
    return None
