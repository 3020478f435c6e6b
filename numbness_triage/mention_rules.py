"""Rules applied to what medspaCy found in a message, in plain Python: where a bare "numb" is, what
a finding also says ("sudden" numbness, pain down the leg), one side of the body, family history,
someone typing for the person they are with."""
from __future__ import annotations

import re
from dataclasses import replace
from typing import List, Optional, Tuple

from numbness_triage.finding_ids import (ARM_NUMBNESS, FAMILY_HISTORY_MS, FIBULAR_NERVE_PAIN, FOOT_NUMBNESS, FOOT_PAIN,
                                         INJURY_LEG_PAIN, LEG_NUMBNESS, LEG_PAIN, LIMB_COLOUR_CHANGE, LIMB_FINDINGS,
                                         LOWER_BACK_PAIN, MS_DIAGNOSIS, NEW_HEADACHE, NUMBNESS_FINDINGS,
                                         ONE_SIDED_BODY_WEAKNESS, PAIN_WALKING_EASES_WITH_REST, PARALYSIS, SCIATICA,
                                         SPREADING_WEAKNESS, SUDDEN_NUMBNESS, SUDDEN_SEVERE_HEADACHE, THIGH_PAIN,
                                         UPPER_BACK_OR_NECK_PAIN, UPPER_LEG_NUMBNESS, WEAKNESS)
from numbness_triage.mentions import ABSENT, HISTORICAL, OTHER_PERSON, PRESENT, Extraction, Mention, dedupe
from numbness_triage.patient import RELATIONS, find_framing
from numbness_triage.timing import SUDDEN_ONSET


def mentions_a_limb(result: Extraction) -> bool:
    """Side is only read where the message is about the legs or feet, not "my left eye"."""
    return any(m.finding in LIMB_FINDINGS and m.assertion != OTHER_PERSON for m in result.mentions)


def derive_sudden_numbness(result: Extraction) -> None:
    """"My leg suddenly went numb": sudden onset of present numbness is the red flag itself."""
    if result.onset != SUDDEN_ONSET or SUDDEN_NUMBNESS in {m.finding for m in result.mentions}:
        return
    numb = [m for m in result.mentions if m.finding in NUMBNESS_FINDINGS and m.assertion == PRESENT]
    if numb and result.onset_span:
        start, end = result.onset_span
        nearest = min(numb, key=lambda m: min(abs(m.start - end), abs(start - m.end)))
        low, high = min(end, nearest.end), max(start, nearest.start)
        # "I suddenly got a splitting headache and my leg is numb": the word is about the headache
        if any((low <= m.start and m.end <= high) or (m.start < end and start < m.end) for m in result.mentions
               if m.finding not in NUMBNESS_FINDINGS and m.text):
            result.onset, result.onset_span = None, None
            return
        result.mentions.append(Mention(SUDDEN_NUMBNESS, PRESENT, start, end, "sudden"))


_FOOT_WORDS = r"foot|feet|feets|toes?|soles?|heels?|ankles?|instep"
_THIGH_WORDS = r"thighs?|upper\s+legs?|hips?|groin"
_LEG_WORDS = r"legs?|legg|calf|calves|shins?|knees?|lower\s+legs?"
_ARM_WORDS = r"arms?|hands?|fingers?|wrists?|forearms?"
_BODY_PART = re.compile(rf"\b(?:(?P<foot>{_FOOT_WORDS})|(?P<thigh>{_THIGH_WORDS})|(?P<arm>{_ARM_WORDS})|"
                        rf"(?P<leg>{_LEG_WORDS}))\b")
_PLACE_FINDING = {"foot": FOOT_NUMBNESS, "thigh": UPPER_LEG_NUMBNESS, "leg": LEG_NUMBNESS, "arm": ARM_NUMBNESS}
_SENTENCE_END = re.compile(r"[.!?;\n]")


def _body_parts(text: str) -> List[Tuple[int, str]]:
    return [(m.start(), m.lastgroup or "") for m in _BODY_PART.finditer(text.lower())]  # lastgroup: one always


def _body_part_end(lowered: str, at: int) -> int:
    """Where the body part named at `at` ends."""
    named = _BODY_PART.match(lowered, at)
    return named.end() if named else at


_LIST_GAP = re.compile(r"^[\s,&]*((and|or|n|plus|also|my|the|left|right|both|lower|upper|whole|entire|across|"
                       r"top|bottom|side|outside|inside|front|back|of|on|in|into|down|to)\b[\s,&]*){0,7}$")


_CLAUSE_VERB = re.compile(r"\s+(is|are|was|were|has|have|had|went|goes|go|looks?|feels?|turn\w*|keeps?|gets?|got|"
                          r"r|seems?|hurts?|aches?)\b")


def _listed_with(parts: List[Tuple[int, str]], where: int, text: str) -> List[Tuple[int, str]]:
    """Body parts named in one list with the one at `where`: "my left arm and left leg", "arm, leg"."""
    lowered = text.lower()
    ordered = sorted(parts)
    index = next(i for i, (start, _) in enumerate(ordered) if start == where)
    listed = []
    for step in (-1, 1):
        i = index
        while 0 <= i + step < len(ordered):
            a, b = sorted([ordered[i], ordered[i + step]])
            gap_start = _body_part_end(lowered, a[0])
            if not _LIST_GAP.match(lowered[gap_start:b[0]]):
                break
            if step > 0 and _CLAUSE_VERB.match(lowered, _body_part_end(lowered, b[0])):
                break  # "numbness in both legs and my foot is turning blue": a new clause
            i += step
            listed.append(ordered[i])
    return listed


def place_generic_numbness(mentions: List[Mention], text: str) -> List[Mention]:
    """A bare "numb" goes to the body part it is said of: the nearest one named in its sentence
    ("my fingers go numb" is the hand, "my foot has been numb" the foot); none named is the leg."""
    parts = _body_parts(text)
    placed = []
    for mention in mentions:
        inside = _BODY_PART.search(mention.text.lower()) if mention.finding in NUMBNESS_FINDINGS else None
        if inside:  # "my left arm and left leg are both numb": every limb of the list
            where = mention.start + inside.start()
            for _, other_place in _listed_with(parts, where, text) if (where, inside.lastgroup) in parts else ():
                if _PLACE_FINDING[other_place] != mention.finding:
                    placed.append(replace(mention, finding=_PLACE_FINDING[other_place]))
        elif mention.finding == LEG_NUMBNESS:
            sentence_start = max([m.end() for m in _SENTENCE_END.finditer(text, 0, mention.start)] or [0])
            found = _SENTENCE_END.search(text, mention.end)
            sentence_end = found.start() if found else len(text)
            near = [(abs(start - mention.start) + (0 if start < mention.start else 5), place, start)
                    for start, place in parts if sentence_start <= start < sentence_end]
            if near:
                _, place, where = min(near)
                for _, other_place in _listed_with(parts, where, text):
                    if other_place != place:
                        placed.append(replace(mention, finding=_PLACE_FINDING[other_place]))
                mention = replace(mention, finding=_PLACE_FINDING[place])
        placed.append(mention)
    return dedupe(placed)


def add_numbness_behind_sudden(mentions: List[Mention]) -> List[Mention]:
    """"My leg suddenly went numb" is both numbness and its sudden onset."""
    sudden = next((m for m in mentions if m.finding == SUDDEN_NUMBNESS), None)
    if sudden is None or any(m.finding in NUMBNESS_FINDINGS for m in mentions):
        return mentions
    return [*mentions, replace(sudden, finding=LEG_NUMBNESS)]


_STARTED_THEN_NOW = re.compile(
    rf"\b(?:started|began|starting|beginning)\s+(?:in|at|with|from)\s+(?:my|his|her|their|the)?\s*(?:{_FOOT_WORDS})\b"
    rf"[^.!?]{{0,80}}?\b(?:now|and now|then)\b[^.!?]{{0,40}}?\b(?:up\s+)?(?:to|past|into|over|above)\s+(?:my|his|her|"
    rf"their|the)?\s*(?:{_LEG_WORDS}|{_THIGH_WORDS}|waist|hips?|belly|stomach|chest|hands?|arms?)\b")


def spread_told_by_places(mentions: List[Mention], text: str) -> List[Mention]:
    """"It started in my toes on Tuesday and now it's up past my knees": numbness that moves up
    the body is spreading (the red flag asks whether quickly), however it is said."""
    if any(m.finding == SPREADING_WEAKNESS for m in mentions):
        return []
    match = _STARTED_THEN_NOW.search(text)
    if not match:
        return []
    return [Mention(SPREADING_WEAKNESS, PRESENT, match.start(), match.end(), text[match.start():match.end()])]


def add_spread_numbness(mentions: List[Mention], text: str) -> List[Mention]:
    """"It began in my feet and has spread up to my thighs": talk of spreading (not of weakness)
    is about the numbness, which is then in every part of the leg named."""
    spreading = next((m for m in mentions if m.finding == SPREADING_WEAKNESS), None)
    if spreading is None or spreading.assertion == OTHER_PERSON or any(m.finding == WEAKNESS for m in mentions):
        return mentions
    have = {m.finding for m in mentions}
    added = []
    for start, place in _body_parts(text):
        finding = _PLACE_FINDING[place]
        if finding in NUMBNESS_FINDINGS and finding not in have:
            have.add(finding)
            added.append(Mention(finding, PRESENT, start, start, text[start:start]))
    return dedupe([*mentions, *added])


# Specific findings that also say the general one (the gold set's convention).
_IMPLIES = {SUDDEN_SEVERE_HEADACHE: NEW_HEADACHE}
# A disease named as someone else's is itself the finding "in the family".
FAMILY_DISEASE = {FAMILY_HISTORY_MS: re.compile(r"^(ms|m\.s\.?|multiple sclerosis|multiple sclerosys)$", re.I)}
_OWN_DIAGNOSIS = {FAMILY_HISTORY_MS: MS_DIAGNOSIS}  # the same disease named as the person's own


_LEG_PAIN_FROM = (SCIATICA, PAIN_WALKING_EASES_WITH_REST, INJURY_LEG_PAIN, FIBULAR_NERVE_PAIN)
_LEG_WORD = re.compile(rf"\b({_LEG_WORDS})\b")


# Pain said in a person's own words of a place: "my lower back has been agony", "sore feet",
# "my neck is killing me". Finding -> the places whose pain it is (the most specific first).
PAIN_OF_PLACE = {
    UPPER_BACK_OR_NECK_PAIN: r"neck|upper back|top of my back|between my shoulder ?blades",
    LOWER_BACK_PAIN: r"lower back|low back|back|spine|lumbar",
    THIGH_PAIN: r"thighs?",
    FOOT_PAIN: r"foot|feet|heels?|soles?|toes?|ankles?",
    LEG_PAIN: r"legs?|calf|calves|shins?|knees?",
}
_PAIN_WORD = (r"pain\w*|hurt\w*|ache\w*|aching|achy|sore\w*|agony|agonising|agonizing|killing (?:me|him|her|them)|"
              r"murder|throbb\w*|stabbing|excruciating|tender|bad|playing up|giving me (?:grief|gyp|hell)|in bits|"
              r"wrecked")
_POSSESSIVE = r"(?:(?P<whose>my|the|his|her|their)\s+)?(?:(?:left|right|lower|upper|whole|both)\s+)?"
_PLACE_PAIN = [(finding, re.compile(
    rf"\b{_POSSESSIVE}(?P<place>{places})\b(?:\s+\w+){{0,4}}?\s+(?:is\s+|are\s+|has been\s+|have been\s+|feels?\s+|"
    rf"is\s+really\s+|really\s+|so\s+)?(?P<pain>{_PAIN_WORD})\b|\b(?P<pain2>{_PAIN_WORD})\s+(?:in|on|of|down|across)\s+"
    rf"{_POSSESSIVE.replace('whose', 'whose2')}(?P<place2>{places})\b|\b(?P<pain3>sore|achy|aching|painful|bad|"
    rf"stiff)\s+(?P<place3>{places})\b")) for finding, places in PAIN_OF_PLACE.items()]
_DENIAL = re.compile(r"(\b(no|not|never|without|nothing|none)\b|n't\b)[^.!?;,]{0,20}$")


def pain_by_place(mentions: List[Mention], text: str) -> List[Mention]:
    """Pain of a place said in the person's words, where no phrase of that pain matched: present,
    denied ("no pain in my back"), or someone else's ("his back is killing him")."""
    have = {m.finding for m in mentions}
    taken: List[Tuple[int, int]] = [(m.start, m.end) for m in mentions]
    found = []
    for finding, pattern in _PLACE_PAIN:
        if finding in have:
            continue
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(s < end and start < e for s, e in taken):
                continue  # part of something already read ("back pain that shoots down the leg")
            whose = match.group("whose") or match.group("whose2")
            denied = bool(_DENIAL.search(text[max(0, start - 30):start]))
            assertion = ABSENT if denied else (OTHER_PERSON if whose in ("his", "her", "their") else PRESENT)
            found.append(Mention(finding, assertion, start, end, text[start:end],
                                 subject=whose if assertion == OTHER_PERSON else "",
                                 their_assertion=PRESENT if assertion == OTHER_PERSON else ""))
            taken.append((start, end))
            break
    return found


_SELF_ANSWERED_NO = re.compile(r"(?:\s+[a-z']+){0,2}\s*\?\s*(?:no|nope|nah|none|never|not really)\b(?!\s*[a-z])")


def self_answered_questions(mentions: List[Mention], text: str) -> List[Mention]:
    """"pins and needles in my feet, weakness? no.": a question the person answers themselves
    with a bare no denies what it asks about (a "no" that goes on, "? no back pain", is ConText's)."""
    return [replace(m, assertion=ABSENT) if m.assertion == PRESENT and _SELF_ANSWERED_NO.match(text, m.end) else m
            for m in mentions]


_LIMB = rf"(?:{_LEG_WORDS}|{_FOOT_WORDS})"
_COLOUR = r"pale|white|blue|bluish|purple|purplish|grey|gray|mottled|black|blotchy|dusky"
_COLOUR_OF_A_LIMB = re.compile(rf"\b{_LIMB}\b[^.!?;,]{{0,40}}?\b(?P<colour>{_COLOUR})\b|"
                               rf"\b(?P<colour2>{_COLOUR})\s+{_LIMB}\b")


def colour_of_a_limb(mentions: List[Mention], text: str) -> List[Mention]:
    """A leg or foot said to be pale, white, blue or mottled, however the sentence runs ("my left
    leg suddenly went numb and pale"); pallor of a person ("I look pale") is not this red flag."""
    if any(m.finding == LIMB_COLOUR_CHANGE for m in mentions):
        return []
    for match in _COLOUR_OF_A_LIMB.finditer(text):
        colour_at = match.start("colour") if match.group("colour") else match.start()
        if not _DENIAL.search(text[max(0, match.start() - 30):colour_at]):
            return [Mention(LIMB_COLOUR_CHANGE, PRESENT, match.start(), match.end(), text[match.start():match.end()])]
    return []


def leg_pain_behind(mentions: List[Mention], text: str) -> List[Mention]:
    """Pain down the leg (sciatica, walking pain, a pulled calf, fibular pain) is also leg pain;
    the bare word "sciatica" is not."""
    for mention in mentions:
        if (mention.finding in _LEG_PAIN_FROM and mention.assertion == PRESENT
                and not re.fullmatch(r"sciatic\w*( pain| nerve)?", mention.text.lower())
                and _LEG_WORD.search(text[mention.start: mention.end + 40].lower())):
            return [Mention(LEG_PAIN, PRESENT, mention.start, mention.end, mention.text)]
    return []


ONE_SIDE_LIMBS = re.compile(r"\b(?P<side>left|right)\s+(arm|hand)\s+(and|&|n)\s+((my|the)\s+)?((?P=side)\s+)?(leg|"
                            r"foot)\b|"
                             r"\b(?P<side2>left|right)\s+(leg|foot)\s+(and|&|n)\s+((my|the)\s+)?((?P=side2)\s+)?(arm|"
                             r"hand)\b|\b(arm|hand)\s+and\s+(leg|foot)\s+on\s+the\s+(same|one)\s+side\b")


def one_sided_limbs(mentions: List[Mention], text: str) -> List[Mention]:
    """"My left arm and left leg are numb / feel weak": one whole side of the body, read as what
    is said of those limbs (the nearest numbness or weakness in the sentence)."""
    match = ONE_SIDE_LIMBS.search(text.lower())
    if match is None:
        return []
    said = [m for m in mentions if m.finding in (*NUMBNESS_FINDINGS, ARM_NUMBNESS, WEAKNESS, PARALYSIS)
            and not _SENTENCE_END.search(text, min(m.start, match.end()), max(m.start, match.end()))]
    if not said:
        return []
    nearest = min(said, key=lambda m: abs(m.start - match.end()))
    return [replace(nearest, finding=ONE_SIDED_BODY_WEAKNESS, start=match.start(), end=match.end(),
                    text=match.group(0))]


def apply_implications(mentions: List[Mention], text: str = "") -> List[Mention]:
    out: List[Optional[Mention]] = list(mentions)
    have = {m.finding for m in mentions}
    for mention in mentions:
        general = _IMPLIES.get(mention.finding)
        if general and general not in have and mention.assertion == PRESENT:
            out.append(Mention(general, PRESENT, mention.start, mention.end, mention.text))
            have.add(general)
    for finding, bare in FAMILY_DISEASE.items():
        for i, said in enumerate(out):
            if said is None or said.finding != finding:
                continue
            mention = said
            if mention.assertion == OTHER_PERSON:  # "my aunt has MS", "no MS in the family": about the family
                out[i] = replace(mention, assertion=ABSENT if mention.their_assertion == ABSENT else PRESENT)
            elif bare.match(mention.text.strip()):  # "I have MS" is the person's own diagnosis
                diagnosis = _OWN_DIAGNOSIS.get(finding)
                keep = diagnosis and mention.assertion in (PRESENT, HISTORICAL, ABSENT)
                out[i] = replace(mention, finding=diagnosis, assertion=PRESENT if mention.assertion == HISTORICAL
                                 else mention.assertion) if diagnosis and keep else None
    return dedupe(m for m in out if m is not None)


# A clause that tells someone else's medical history ("my father had slurred speech when he had his
# stroke", "it runs in the family") stays theirs; anything else said of the person cared for is
# theirs now, the past tense of a recent event included ("she blacked out this afternoon").
_THIRD_PARTY_HISTORY = re.compile(
    r"\b((had|has had|'s had|got) (a |an |his |her |their )?(stroke|tia|mini stroke|heart attack|operation|surgery|"
    r"bypass|cancer)|when (he|she|they) (had|was|were) (young|little|a kid|a child|younger|ill|sick|in hospital)|"
    r"when (he|she|they) had (his|her|their|a|the)|died|passed away|diagnosed|runs in|run in|in the family|history of|"
    r"used to|years ago|last year|in the past|as a (child|kid|teenager)|got better|recovered)\b")
_CLAUSE_END = re.compile(r"[.!?;\n]|,\s*(?:and|but|so)\b|\b(?:and now|but now)\b")
# The typist speaking of themselves: "I", "me", "my leg" (not "my dad").
SPEAKS_OF_ONESELF = re.compile(r"\b(i|i'm|im|i've|i'd|me|myself|mine)\b|\bmy\s+(?:left\s+|right\s+|lower\s+|upper\s+)?"
                               r"(?:legs?|feet|foot|toes?|thighs?|calf|calves|knees?|shins?|ankles?|back|arms?|hands?|"
                               r"face|eyes?|speech|head|neck|bladder|bowels?|body)\b")


def names_a_person(subject: str) -> bool:
    """ "my husband's", "he": someone a caregiver may type for (not "the family")."""
    words = {w[:-2] if w.endswith("'s") else w for w in re.findall(r"[a-z'-]+", subject.lower())}
    return bool(words & set(RELATIONS) or words & {"he", "she", "his", "her"}) and "family" not in words


_THE_PATIENT_WORDS = {"he", "she", "they", "his", "her", "their", "him", "them", "he's", "she's"}
_FAMILY_HISTORY_WORDS = ("family", "runs in", "in the family")


def caregiver_report(mentions: List[Mention], text: str) -> List[Mention]:
    """Someone typing for the person they care for: "asking for my husband (71): his feet go numb",
    "my mum's leg went numb and she's confused". When the message says who the patient is
    (patient.find_framing), or every mention is someone else's and none is in the past, what is
    said of that person (by relation, or as he / she / they) is the patient's own: present, or
    historical where it was in the past. A third party's own history stays someone else's ("my
    father had a stroke", "his mother had MS"); the seed page: get help "if you, or someone you
    are with" has these symptoms."""
    others = [m for m in mentions if m.assertion == OTHER_PERSON]
    if not others:
        return mentions
    framing = find_framing(text)
    if framing is None and len(others) < len(mentions) and (
            SPEAKS_OF_ONESELF.search(text) or not any(names_a_person(m.subject) for m in others)):
        return mentions  # "my father had a stroke and my leg is numb": two people
    relation = framing.relation if framing else None
    return [the_patients(m, text) if m.assertion == OTHER_PERSON and about_the_patient(m, relation)
            and (framing or not their_history(text, m)) else m for m in mentions]


def their_history(text: str, mention: Mention) -> bool:
    """Whether the clause of a mention tells someone's medical history ("when he had his stroke")."""
    lowered = text.lower()
    starts = [0] + [m.end() for m in _CLAUSE_END.finditer(lowered) if m.end() <= mention.start]
    ends = [m.start() for m in _CLAUSE_END.finditer(lowered) if m.start() >= mention.end] + [len(lowered)]
    return bool(_THIRD_PARTY_HISTORY.search(lowered[max(starts): min(ends)]))


def about_the_patient(mention: Mention, relation: Optional[str]) -> bool:
    """Whether a mention ConText gave to someone else is about the patient a caregiver types for."""
    subject = mention.subject.strip()
    if any(word in subject for word in _FAMILY_HISTORY_WORDS):
        return False
    words = set(re.findall(r"[a-z'-]+", subject))
    if not words or words & _THE_PATIENT_WORDS and not (words - _THE_PATIENT_WORDS - {"my", "our"}):
        return True  # "he", "her", or nothing said: the person the message is about
    named = {w[:-2] if w.endswith("'s") else w for w in words} & set(RELATIONS)
    if named and words & {"his", "her", "their"}:
        return False  # "his mother had MS": the patient's relative
    return relation is None or relation in named or not named


def the_patients(mention: Mention, text: str = "") -> Mention:
    """The mention as the patient's own: what it said of them, or historical where its clause tells
    their history ("he had slurred speech when he had his stroke")."""
    assertion = mention.their_assertion or PRESENT
    if assertion == PRESENT and text and their_history(text, mention):
        assertion = HISTORICAL
    return replace(mention, assertion=assertion)
