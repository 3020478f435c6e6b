"""A simulated patient (or the caregiver typing for one) that answers the bot's questions the way
people do, from a case of format version 2 (docs: tests/vignettes/README.md).

It reads only the bot's words, never its internals, and recognises a question by word stems
("how old", "one leg or both", "gradual", "how long", "new" and each fact's `about` stems), so a
reworded question ("How old is he?") is still understood. Like a real person it:
- answers in its own words at least half the time (the case's `answers` and `says`, or a varied
  "yeah he does" / "no, not that I've noticed" / "I don't think so" / "a little bit");
- says "not sure" to some questions no fact covers, in place of the default "no" (never to a
  safety question: "not sure" there escalates by design, and would only measure the coin);
- volunteers what the case lists under `volunteer`, appended to an answer or on its own;
- answers some opening questions with another one's answer (the duration when asked the side),
  and answers properly when asked again;
- sends each `later` message in place of the answer due after `after_answers` answers.
Every choice comes from a random generator seeded by the case id and the question, so a run is
reproducible and the answer to a question does not depend on what was asked before it.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional

YES, NO, NOT_SURE = "yes", "no", "not sure"
BUTTON_ANSWERS = {YES, NO, NOT_SURE}  # what a button would send; anything else is free text
OPENING_KINDS = ("age_sex", "side", "onset", "duration")

MAX_TURNS = 25  # a patient with no assessment after this many turns gives up: the case is stuck
UNSURE_SHARE = 0.15        # of the questions no fact covers, answered "not sure" instead of "no"
OTHER_ANSWER_SHARE = 0.10  # of the opening questions, answered the first time with another one's answer
SAYS_SHARE = 0.6           # of the questions a fact with `says` covers, answered in those words
PLAIN_SHARE = 0.4          # of the other yes / no / not-sure answers, a bare "yes" / "no" / "not sure"
VOLUNTEER_ALONE_SHARE = 0.4  # of the volunteered facts, sent as a message of their own

# Stems of the questions every interview asks, in the order they are tried. A safety question
# such as "did the weakness come on suddenly or is it new?" is a `new` question, not the onset.
KIND_PATTERNS = [
    ("age_sex", r"how old|male or female|\bman or (?:a )?woman|\byour age\b|\bage and sex\b"),
    ("duration", r"how long|since when|when did (?:it|this|the \w+) (?:start|begin)"),
    ("side", r"one leg or both|\bone\b.*\bor both\b|both legs or|which (?:leg|side)|left or right|one side or both"),
    ("onset", r"gradual|\bslowly\b|over time"),
    ("new", r"\bnew\b|\brecent(?:ly)? start|last day or two|last few days"),
]
# A question that only asks "did it come on suddenly?" is answered from a fact about it, or else
# with the onset in the case's words.
SUDDEN = re.compile(r"sudden")
# "Tell me in your own words what you feel", "I couldn't find any symptoms in that. You could write...":
# the patient describes its symptoms again.
DESCRIBE = re.compile(r"describe|in your own words|you could write|tell me (?:more )?about (?:the|your) symptoms|"
                      r"what (?:symptoms|you are feeling|are you feeling|do you feel|you feel)")
ACKNOWLEDGEMENT = "ok"  # the reply to a message that asks nothing
# Questions about a red flag: a "not sure" there escalates by the bot's rule, so the patient never
# picks one by chance (a case can still answer "not sure" through its facts or its default).
SAFETY_STEMS = ("to be safe", "vision", "sight", "eye", "speech", "slur", "words", "breath", "bladder", "bowel",
                "between your legs", "conscious", "pass out", "passed out", "faint", "black out", "confus",
                "disorient", "paraly", "can't move", "cannot move", "pulse", "colour", "color", "pale", "droop",
                "face", "one side of", "severe", "spread", "injur", "sudden", "new")
PRONOUNS = {"he": ("he", "him", "his"), "she": ("she", "her", "her"), "they": ("they", "them", "their")}
VERB_FORMS = {"he": {"says": "says", "has": "has", "hasnt": "hasn't"},
              "she": {"says": "says", "has": "has", "hasnt": "hasn't"},
              "they": {"says": "say", "has": "have", "hasnt": "haven't"}}
# words a caregiver uses for the patient, when no pronoun says who it is
KIN = {"he": ("dad", "father", "husband", "son", "brother", "grandad", "grandpa", "boyfriend", "bf", "mate", "uncle"),
       "she": ("mum", "mom", "mother", "wife", "daughter", "sister", "nan", "gran", "grandma", "girlfriend", "gf",
               "aunt")}


def second_person(question: str) -> str:
    """"Does he smoke?" -> "does you smoke?": fact stems are written for either voice."""
    text = question.lower()
    text = re.sub(r"\b(?:his|her|their)\b", "your", text)
    return re.sub(r"\b(?:he|she|they|him|them)\b", "you", text)


def question_of(texts: List[str]) -> str:
    """The question in the bot's reply: the last sentence with a question mark, else the last text."""
    for text in reversed(texts):
        if "?" in text:
            sentences = re.split(r"(?<=[.!?])\s+|\n+", text.strip())
            asked = [s for s in sentences if s.endswith("?") or "?" in s]
            return asked[-1] if asked else text
    return texts[-1] if texts else ""


def question_kind(question: str) -> str:
    """One of OPENING_KINDS, "new", "describe", "statement" (asks nothing) or "other" (a yes / no question)."""
    text = second_person(question)
    for kind, pattern in KIND_PATTERNS:
        if re.search(pattern, text):
            return kind
    if DESCRIBE.search(text):
        return "describe"
    return "other" if "?" in text else "statement"


def is_safety_question(question: str) -> bool:
    text = second_person(question)
    return any(stem in text for stem in SAFETY_STEMS)


def pronoun_of(case: dict) -> str:
    """The patient's pronoun, for a caregiver's own phrasings: the one the case's words use most."""
    words = " ".join([case.get("opening", "")] + [str(v) for v in (case.get("answers") or {}).values()]).lower()
    counts = {p: sum(len(re.findall(rf"\b{w}\b", words)) for w in (forms[0], forms[2]) + KIN[p])
              for p, forms in PRONOUNS.items() if p in KIN}
    best = max(counts, key=lambda pronoun: counts[pronoun])
    return best if counts[best] else "they"


# ------------------------------------------------------------------ phrasings of yes / no / not sure

AUXILIARY = re.compile(r"^(?:to be safe:\s*)?(do|does|did|is|are|was|were|have|has|can)\s+(you|he|she|they)\b")
# subject -> (yes form, no form) per auxiliary
CONJUGATION = {
    "do": {"I": ("do", "don't"), "he": ("does", "doesn't"), "she": ("does", "doesn't"), "they": ("do", "don't")},
    "did": {s: ("did", "didn't") for s in ("I", "he", "she", "they")},
    "be": {"I": ("am", "'m not"), "he": ("is", "isn't"), "she": ("is", "isn't"), "they": ("are", "aren't")},
    "was": {"I": ("was", "wasn't"), "he": ("was", "wasn't"), "she": ("was", "wasn't"), "they": ("were", "weren't")},
    "have": {"I": ("have", "haven't"), "he": ("has", "hasn't"), "she": ("has", "hasn't"), "they": ("have", "haven't")},
    "can": {s: ("can", "can't") for s in ("I", "he", "she", "they")},
}
AUX_GROUP = {"do": "do", "does": "do", "did": "did", "is": "be", "are": "be", "was": "was", "were": "was",
             "have": "have", "has": "have", "can": "can"}

PHRASINGS = {
    YES: {"patient": ["yeah", "yep", "I think so", "yes, a bit", "a little bit", "definitely", "yes, quite a lot"],
          "caregiver": ["yeah", "yep", "I think so", "yes, a bit", "a little bit", "yes, {p} {says} so",
                        "yes, {p} {has} mentioned that"]},
    NO: {"patient": ["nope", "no, not that I've noticed", "I don't think so", "not really", "nah", "no, never"],
         "caregiver": ["nope", "no, not that I've noticed", "I don't think so", "not really", "no, never",
                       "not that {p} {has} mentioned"]},
    NOT_SURE: {"patient": ["I don't know", "hard to say", "no idea", "maybe, I'm not sure", "I can't say for sure"],
               "caregiver": ["I don't know", "hard to say", "no idea", "not sure, {p} {hasnt} said",
                             "I'd have to ask {o}"]},
}


def echo_phrasings(question: str, answer: str, subject: str) -> List[str]:
    """"Do you smoke?" -> "yeah I do" / "no, I don't"; for a caregiver "yes he does"."""
    match = AUXILIARY.search(question.lower().strip())
    if not match or answer == NOT_SURE:
        return []
    group = AUX_GROUP[match.group(1)]
    yes_form, no_form = CONJUGATION[group][subject]
    if answer == YES:
        return [f"yeah {subject} {yes_form}", f"yes, {subject} {yes_form}"]
    joined = f"{subject}{no_form}" if no_form.startswith("'") else f"{subject} {no_form}"
    return [f"no, {joined}", f"no {joined}, not that I've noticed"]


@dataclass
class Fact:
    about: List[str]
    answer: str
    says: Optional[str] = None

    def covers(self, question: str) -> bool:
        text = second_person(question)
        return any(stem.lower() in text for stem in self.about)


def as_list(value) -> list:
    """A case writer may give one stem or one sentence where a list is expected."""
    return list(value) if isinstance(value, (list, tuple)) else [value]


def normalised_answer(value) -> str:
    """YAML reads a bare yes / no as a boolean: accept both."""
    if value is True:
        return YES
    if value is False:
        return NO
    text = str(value).strip().lower()
    if text not in BUTTON_ANSWERS:
        raise ValueError(f"answer must be yes, no or not sure, not {value!r}")
    return text


@dataclass
class Exchange:
    """One message of the patient after the opening, and whether it answered in free text."""
    question: str
    kind: str
    text: str
    free_text: bool
    answered: bool  # False: a `later` or volunteered message sent in place of an answer, an "ok" to a statement


@dataclass
class Patient:
    """Answers the bot's questions from a case of format version 2, by the question's words."""
    case: dict
    exchanges: List[Exchange] = field(default_factory=list)
    asked: Dict[str, int] = field(default_factory=dict)

    def __post_init__(self):
        case = self.case
        self.id = str(case["id"])
        self.caregiver = case.get("typed_by", "patient") == "caregiver"
        self.answers = {k: str(v) for k, v in (case.get("answers") or {}).items() if v not in (None, "")}
        self.facts = [Fact([str(s).lower() for s in as_list(f["about"])], normalised_answer(f["answer"]), f.get("says"))
                      for f in case.get("facts") or []]
        self.default = normalised_answer(case.get("default", NO))
        self.later = sorted(case.get("later") or [], key=lambda item: item["after_answers"])
        self.pronoun = pronoun_of(case) if self.caregiver else "I"
        self.volunteer_plan = self._plan_volunteering(as_list(case.get("volunteer") or []))
        self.answers_given = 0

    def rng(self, *parts) -> random.Random:
        return random.Random(":".join([self.id, *map(str, parts)]))

    def _plan_volunteering(self, items: List[str]) -> Dict[int, List[tuple]]:
        """answer index -> [(text, alone)]: each volunteered fact is said once, early on."""
        plan: Dict[int, List[tuple]] = {}
        for number, text in enumerate(items):
            rng = self.rng("volunteer", number)
            plan.setdefault(rng.randint(1, 4), []).append((str(text), rng.random() < VOLUNTEER_ALONE_SHARE))
        return plan

    # -------------------------------------------------------------- the conversation

    def answer(self, question_or_texts) -> str:
        """The next message, given the bot's question (or the texts of its reply)."""
        texts = [question_or_texts] if isinstance(question_or_texts, str) else list(question_or_texts)
        question = question_of(texts)
        kind = question_kind(question)
        key = kind if kind in OPENING_KINDS + ("describe", "statement") else second_person(question)
        self.asked[key] = self.asked.get(key, 0) + 1
        times = self.asked[key]
        self.answers_given += 1
        if self.later and self.later[0]["after_answers"] < self.answers_given:
            return self._record(question, kind, str(self.later.pop(0)["text"]), answered=False)
        volunteered = self.volunteer_plan.pop(self.answers_given, [])
        alone = next((item for item in volunteered if item[1]), None)
        if alone:  # said instead of the answer; the rest comes with the next one
            volunteered.remove(alone)
            self.volunteer_plan.setdefault(self.answers_given + 1, [])[:0] = volunteered
            return self._record(question, kind, alone[0], answered=False)
        text = self._reply(question, kind, times)
        for extra, _ in volunteered:
            text = f"{text.rstrip('.')}. {extra}"
        return self._record(question, kind, text, answered=kind != "statement")

    def _record(self, question: str, kind: str, text: str, answered: bool) -> str:
        free = text.strip().lower() not in BUTTON_ANSWERS
        self.exchanges.append(Exchange(question, kind, text, free, answered))
        return text

    def _reply(self, question: str, kind: str, times: int) -> str:
        if kind in OPENING_KINDS:
            return self._opening_answer(kind, times)
        if kind == "new":
            return self.answers.get("new") or self._fact_or_default(question, times)
        if kind == "describe":
            opening = str(self.case.get("opening", ""))
            return opening if times == 1 else f"like I said, {opening}"
        if kind == "statement":
            return ACKNOWLEDGEMENT
        if SUDDEN.search(second_person(question)) and not self._fact_for(question) and "onset" in self.answers:
            return self.answers["onset"]
        return self._fact_or_default(question, times)

    def _opening_answer(self, kind: str, times: int) -> str:
        others = [k for k in OPENING_KINDS if k != kind and k in self.answers]
        if times == 1 and others and self.rng("other-answer", kind).random() < OTHER_ANSWER_SHARE:
            return self.answers[self.rng("other-answer-which", kind).choice(others)]
        if kind in self.answers:
            return self.answers[kind]
        return self._phrase(NOT_SURE, "", self.rng("unknown", kind))

    def _fact_for(self, question: str) -> Optional[Fact]:
        return next((fact for fact in self.facts if fact.covers(question)), None)

    def _fact_or_default(self, question: str, times: int) -> str:
        rng = self.rng("answer", second_person(question), times)
        fact = self._fact_for(question)
        if fact is not None:
            if fact.says and rng.random() < SAYS_SHARE:
                return str(fact.says)
            return self._phrase(fact.answer, question, rng)
        answer = self.default
        unsure = self.rng("unsure", second_person(question)).random() < UNSURE_SHARE
        if answer == NO and unsure and not is_safety_question(question):
            answer = NOT_SURE
        return self._phrase(answer, question, rng)

    def _phrase(self, answer: str, question: str, rng: random.Random) -> str:
        if rng.random() < PLAIN_SHARE:
            return answer
        voice = "caregiver" if self.caregiver else "patient"
        subject = self.pronoun if self.caregiver else "I"
        options = PHRASINGS[answer][voice] + echo_phrasings(second_person(question), answer, subject)
        pronoun = self.pronoun if self.pronoun in PRONOUNS else "they"
        subject, object_, _ = PRONOUNS[pronoun]
        return rng.choice(options).format(p=subject, o=object_, **VERB_FORMS[pronoun])

    # -------------------------------------------------------------- what it said

    def free_text_share(self) -> Optional[float]:
        answered = [e for e in self.exchanges if e.answered]
        return sum(e.free_text for e in answered) / len(answered) if answered else None
