"""What a message says about the patient, taken into the interview's state: who the patient is,
the findings (with their assertions), the red flags hinted at, side, timing, age and sex.

`absorb` is called on every message the interview reads, whatever question is pending: a fact
nobody asked for counts as much as an answer.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional

from numbness_triage.finding_ids import NUMBNESS_FINDINGS, SENSORY_FINDINGS, SUDDEN_NUMBNESS
from numbness_triage.knowledge import DURATION, ONSET, KnowledgeBase
from numbness_triage.mention_rules import SPEAKS_OF_ONESELF, about_the_patient, names_a_person, the_patients
from numbness_triage.mentions import ABSENT, HISTORICAL, OTHER_PERSON, POSSIBLE, PRESENT, Extraction, Mention
from numbness_triage.patient import (RELATIONS, SOMEONE_ELSE, Framing, explicit_age, explicit_sex, find_framing,
                                     pronoun_in, third_person_age)
from numbness_triage.state import TIMING_KEYS, State
from numbness_triage.text_normalization import plain
from numbness_triage.timing import SUDDEN_ONSET, Timing, read_timing
from numbness_triage.triage import EASED, NOT_EASED

Noted = Dict[str, object]  # what a message changed: finding id, "side", "age", "onset"... -> the new value

_CLAUSE_BREAK = re.compile(r"[.!?;\n]|\b(?:and now|but now|but|now)\b")
_NEGATION_BEFORE = re.compile(r"\b(no|not|never|without|any)\s*$")


@dataclass
class Turn:
    """One message: its intent, its text and what the extractor found in it."""

    intent: Optional[str]
    text: str
    extraction: Extraction = field(default_factory=Extraction)  # with side / onset from button payloads
    length: Optional[int] = None  # the message's length where `text` is only its start

    @property
    def full_length(self) -> int:
        return max(self.length or 0, len(self.text))


def absorb(kb: KnowledgeBase, state: State, turn: Turn) -> Noted:
    """Take in everything the message says about the patient; return what is new or changed."""
    noted: Noted = {}
    _absorb_patient(state, turn, noted)
    absorb_findings(kb, state, _patients_mentions(state, turn.extraction.mentions, turn.text), noted)
    absorb_hints(state, turn.extraction.hinted_red_flags)
    about_numbness = any(m.finding in NUMBNESS_FINDINGS for m in turn.extraction.mentions)
    if turn.extraction.side and state.side != turn.extraction.side:
        state.side = noted["side"] = turn.extraction.side
    pending = kb.questions[state.pending].kind if state.pending in kb.questions else None
    _absorb_timing(state, turn, pending, about_numbness, noted)
    _absorb_age_sex(state, turn.text, noted)
    if state.onset == SUDDEN_ONSET:
        note_sudden_onset(state, noted)
    return noted


def absorb_findings(kb: KnowledgeBase, state: State, mentions: List[Mention], noted: Noted) -> None:
    for mention in mentions:
        finding = kb.findings.get(mention.finding)
        if finding is None or mention.assertion not in (PRESENT, ABSENT, POSSIBLE, HISTORICAL):
            continue
        assertion = PRESENT if mention.assertion == HISTORICAL and finding.chronic else mention.assertion
        current = state.findings.get(mention.finding)
        if current == PRESENT and assertion in (POSSIBLE, HISTORICAL):
            continue
        if mention.finding in state.red_flags and assertion != PRESENT:
            continue  # a red flag once heard is never cleared by a later message
        if current != assertion:
            state.findings[mention.finding] = noted[mention.finding] = assertion


def absorb_hints(state: State, hints: List[str]) -> None:
    for flag in hints:
        if flag not in state.findings and flag not in state.cleared_flags and flag not in state.hinted_flags:
            state.hinted_flags.append(flag)


def note_sudden_onset(state: State, noted: Noted) -> None:
    """Numbness that came on suddenly is the red flag sudden numbness."""
    numb = any(state.findings.get(f) == PRESENT for f in NUMBNESS_FINDINGS)
    if numb and state.findings.get(SUDDEN_NUMBNESS) != PRESENT:
        state.findings[SUDDEN_NUMBNESS] = noted[SUDDEN_NUMBNESS] = PRESENT


def without_other_findings(turn: Turn, asked: Optional[str]) -> str:
    """The message without what it says about other findings than `asked`, and their "no": "no
    weakness as such" does not answer "is the numbness new since the injury?"."""
    text = turn.text
    for mention in sorted(turn.extraction.mentions, key=lambda m: m.start, reverse=True):
        if mention.finding == asked or not (0 <= mention.start < mention.end <= len(text)):
            continue
        start = mention.start
        before = _NEGATION_BEFORE.search(text[:start].lower())
        if before:
            start = before.start()
        text = text[:start] + " " + text[mention.end:]
    return text


# ----------------------------------------------------------------------------- who the patient is
def _absorb_patient(state: State, turn: Turn, noted: Noted) -> None:
    """"asking for my husband (71)": he is the patient for the whole conversation. So is the
    person whose symptoms the extractor already gave to the patient ("now his feet are numb")."""
    text = turn.text
    framing = find_framing(text) or _framing_from_mentions(turn.extraction.mentions, text)
    if framing is None and _opening_about_someone_else(state, turn):
        framing = _framing_from_mentions(turn.extraction.mentions, text, theirs_too=True)
    # who the patient is, said at the start or outright ("asking for my dad") at any time; a relative
    # named later ("my dad's legs are numb too") does not change who is being assessed
    opening = not any(a in (PRESENT, HISTORICAL) for a in state.findings.values())
    new_person = framing and (opening or framing.explicit) and (
        not state.about_someone_else() or (framing.relation and state.relation != framing.relation))
    if framing and new_person:
        state.patient, state.relation = SOMEONE_ELSE, framing.relation or None
        state.pronoun = framing.pronoun if framing.pronoun != "they" else (pronoun_in(text) or "they")
        state.sex = state.sex or framing.sex
        noted["patient"] = framing.relation or True
    elif state.about_someone_else() and state.pronoun in (None, "they"):
        state.pronoun = pronoun_in(text) or state.pronoun


def _opening_about_someone_else(state: State, turn: Turn) -> bool:
    """The first description, told of a relative and not of the typist: "My husband's sciatica has
    flared up again. Right leg numb right down to the toes"."""
    if any(a in (PRESENT, HISTORICAL) for a in state.findings.values()) or state.about_someone_else():
        return False
    told_of_them = any(m.assertion == OTHER_PERSON and names_a_person(m.subject) for m in turn.extraction.mentions)
    return told_of_them and not SPEAKS_OF_ONESELF.search(plain(turn.text))


def _framing_from_mentions(mentions: List[Mention], text: str, theirs_too: bool = False) -> Optional[Framing]:
    """Someone else's words the extractor read as the patient's: who that is ("his" -> he)."""
    for mention in mentions:
        if mention.subject and (theirs_too or mention.assertion != OTHER_PERSON):
            words = set(re.findall(r"[a-z'-]+", mention.subject))
            relation = next((w[:-2] if w.endswith("'s") else w for w in words
                             if (w[:-2] if w.endswith("'s") else w) in RELATIONS), None)
            pronoun = pronoun_in(mention.subject) or pronoun_in(text)
            if relation:
                sex, own_pronoun = RELATIONS[relation]
                return Framing(relation, sex, own_pronoun if own_pronoun != "they" else pronoun or "they")
            if pronoun:
                return Framing("", "male" if pronoun == "he" else "female", pronoun)
    return None


def _patients_mentions(state: State, mentions: List[Mention], text: str) -> List[Mention]:
    """For someone typing for another person, what is said of "he" or "she" is the patient's."""
    if not state.about_someone_else():
        return mentions
    return [the_patients(m, text) if m.assertion == OTHER_PERSON and about_the_patient(m, state.relation) else m
            for m in mentions]


# ----------------------------------------------------------------------------- time, age and sex
def _absorb_timing(state: State, turn: Turn, pending: Optional[str], about_numbness: bool, noted: Noted) -> None:
    """Time said of the numbness ("numb for three weeks"), or in answer to a question about it
    (`pending`: the kind of question waiting for an answer); not the time of something else ("a
    stomach bug two weeks ago")."""
    asked_about_time = pending in (ONSET, DURATION) or state.clarifying is not None
    asked_about_something_else = state.pending is not None and not asked_about_time
    if asked_about_something_else and not any(m.finding in SENSORY_FINDINGS for m in turn.extraction.mentions):
        return  # "type 2 for 12 years" to "do you have diabetes?" is the diabetes' time
    said = read_timing(turn.text if asked_about_time else _clauses_about_the_symptoms(turn))
    # How the numbness came on: in answer to that question, or where the extractor tied the words
    # to the numbness ("my neck pain came out of nowhere, now my feet are numb" is not sudden numbness)
    onset = turn.extraction.onset if about_numbness else None
    if pending == ONSET:
        onset = turn.extraction.onset or said.onset
    said = Timing(onset, said.duration, said.episode, said.course)
    for key in TIMING_KEYS:
        value = getattr(said, key)
        if value and getattr(state, key) != value:
            setattr(state, key, value)
            noted[key] = value
    if said.episode == "minutes" and state.eased is None:
        state.eased = EASED
    elif said.episode in ("hours", "constant"):
        state.eased = NOT_EASED


def _clauses_about_the_symptoms(turn: Turn) -> str:
    """The clauses of the message about the numbness, or about nothing in particular ("for a
    couple of months"): not those about history ("a stomach bug two weeks ago") or another
    symptom ("I'm exhausted all the time")."""
    text = turn.text
    starts = [0] + [m.end() for m in _CLAUSE_BREAK.finditer(text)]
    ends = [m.start() for m in _CLAUSE_BREAK.finditer(text)] + [len(text)]

    def about_something_else(start: int, end: int) -> bool:
        inside = [m for m in turn.extraction.mentions if start <= m.start < end]
        return bool(inside) and not any(m.finding in SENSORY_FINDINGS for m in inside)

    return " ".join(text[s:e] for s, e in zip(starts, ends) if not about_something_else(s, e))


def _absorb_age_sex(state: State, text: str, noted: Noted) -> None:
    """An age or sex said outright, in any message: "I'm a 45 year old man", "he's 79"."""
    if state.about_someone_else():
        age, sex = third_person_age(text), None
    else:
        age, sex = explicit_age(text), explicit_sex(text)
    if age is not None and state.age != age:
        state.age = noted["age"] = age
    if sex and state.sex != sex:
        state.sex = noted["sex"] = sex
