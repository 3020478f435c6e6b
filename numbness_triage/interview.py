"""The conversation, as a plain state machine.

`Interview.handle_turn(state, turn)` takes one message (its intent, text and what the extractor
found), updates `state` in place and returns the replies. Rasa actions are thin adapters over it:
they load the state from the `interview` slot, send the replies and store the state again.

Every message, in this order: red flags and safety rules (an emergency ends the interview at
once); the safety question or the question waiting for an answer; whatever else was said (a
correction, a fact nobody asked for, a question about leg numbness); then the next question or
the assessment. No question is asked more than twice: after a second unreadable answer the
bot records "unknown" and goes on, and an unreadable answer to a safety question counts as yes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, replace
from typing import Dict, List, Optional

from numbness_triage import answers, replies
from numbness_triage.knowledge import KnowledgeBase, Question, SafetyRule, Urgency, highest
from numbness_triage.language import looks_non_english
from numbness_triage.limits import MAX_MESSAGE_CHARS, MAX_RED_FLAG_SCAN_CHARS
from numbness_triage.matching import Profile, rank, triage_from_ranking
from numbness_triage.mention_rules import SPEAKS_OF_ONESELF, about_the_patient, names_a_person, the_patients
from numbness_triage.finding_ids import NUMBNESS_FINDINGS
from numbness_triage.mentions import ABSENT, HISTORICAL, OTHER_PERSON, POSSIBLE, PRESENT, Extraction, Mention
from numbness_triage.patient import (RELATIONS, SOMEONE_ELSE, Framing, explicit_age, explicit_sex, find_framing,
                                     pronoun_in, third_person_age)
from numbness_triage.questions import DEFAULT_QUESTION_BUDGET, next_question
from numbness_triage.replies import Reply
from numbness_triage.safety_rules import emergency_rules, fired_rules, rules_urgency
from numbness_triage.state import ASSESSED, ESCALATED, INTERVIEW, START, TIMING_KEYS, State
from numbness_triage.summary import doctor_summary
from numbness_triage.timing import Timing, read_timing
from numbness_triage.text_normalization import plain
from numbness_triage.triage import (EASED, NOT_EASED, check_red_flags, heard, red_flag_urgency,
                                    sudden_onset_explained)

# what "it" is when a person says how long "it" has lasted
SENSORY_FINDINGS = (*NUMBNESS_FINDINGS, "tingling", "burning_sensation", "sudden_numbness", "positional_numbness",
                    "resolves_quickly", "pain_walking_eases_with_rest")
ESCALATION_CAUSE_SHARE = 0.4  # a cause this clearly ahead sets the escalation level when it needs more
MAX_TIMES_ASKED = 2
# Intents that are about something else than the pending question. "out_of_scope" and
# "nlu_fallback" are not among them: "straight after the kick" may read as off-topic to the
# classifier and still answer "did it come on suddenly?".
NOT_AN_ANSWER = ("ask_faq", "bot_challenge", "talk_to_person", "request_summary", "greet", "thanks", "goodbye")
# The kinds of safety question: is an ambiguous flag new; is a past red flag happening now; did a
# cue word mean the red flag; did the numbness pass within minutes (does the position explain it).
NEW, NOW, CHECK, EASED_QUESTION = "new", "now", "check", "eased"
ANSWERED, GAVE_UP, SAFETY_DEFAULTED = "answered", "gave_up", "safety_defaulted"
_CLAUSE_BREAK = re.compile(r"[.!?;\n]|\b(?:and now|but now|but|now)\b")


_NEGATION_BEFORE = re.compile(r"\b(no|not|never|without|any)\s*$")


def _without_other_findings(turn: "Turn", asked: Optional[str]) -> str:
    """The message without what it says about other findings, and their "no": "no weakness as
    such" does not answer "is the numbness new since the injury?"."""
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


@dataclass
class Turn:
    intent: Optional[str]
    text: str
    extraction: Extraction = field(default_factory=Extraction)  # with side / onset from button payloads
    length: Optional[int] = None  # the message's length where `text` is only its start

    @property
    def full_length(self) -> int:
        return max(self.length or 0, len(self.text))


class Interview:
    def __init__(self, kb: KnowledgeBase, question_budget: int = DEFAULT_QUESTION_BUDGET):
        self.kb = kb
        self.question_budget = question_budget

    # ----------------------------------------------------------------- entry points
    def handle_turn(self, state: State, turn: Turn) -> List[Reply]:
        """Update `state` with one message; return what to say. A very long message is read up to
        MAX_MESSAGE_CHARS (the NLU looked for red flags in the whole) and the person is told so;
        a command or a message in another language answers nothing: only its red flags count."""
        if turn.full_length > MAX_MESSAGE_CHARS:
            return self._long_message(state, turn)
        if replies.is_command(turn.text):
            return self._unread(state, turn, replies.COMMAND_NOTICE)
        if looks_non_english(turn.text):
            return self._unread(state, turn, replies.english_only_notice(self.kb, turn.text))
        turn = self._trusted(turn)
        if turn.intent == "start_over" and not (state.clarifying and self._reads_as_safety_answer(turn)):
            return self.start_over(state)
        noted = self._absorb(state, turn)
        outcome = self._answer_pending(state, turn)
        emergency = self._check_emergencies(state, safety_defaulted=outcome == SAFETY_DEFAULTED)
        if emergency:
            return emergency
        if state.clarifying:
            unclear = [] if noted or outcome else [Reply(replies.NOT_CAUGHT)]
            return [*self._welcome_once(state), *unclear, *self._notes(state, noted, outcome),
                    self._ask_safety_question(state)]
        if state.stage == ESCALATED:
            return self._after_escalation(state, turn)
        if not (noted or outcome):
            if not turn.text.strip():
                return [Reply(replies.EMPTY_NOTICE), *self._resume(state)]
            handled = self._handle_intent(state, turn)
            if handled is not None:
                return handled
        return self._carry_on(state, noted, outcome)

    @staticmethod
    def _trusted(turn: Turn) -> Turn:
        """The classifier's guess where the words bear it out: a question for the FAQ, a wish to
        start over said in words; otherwise the message is read as an answer."""
        doubtful = ((turn.intent == "ask_faq" and not answers.looks_like_a_question(turn.text))
                    or (turn.intent == "start_over" and not answers.asks_to_start_over(turn.text)))
        return replace(turn, intent="inform") if doubtful else turn

    def start_over(self, state: State) -> List[Reply]:
        """A new interview in `state`; the red flags already heard stay (nobody is talked out of
        an emergency)."""
        flags, triage, assessment = list(state.red_flags), state.triage, state.assessment
        fresh = State(stage=INTERVIEW, red_flags=flags, findings={flag: PRESENT for flag in flags})
        if flags:  # the emergency's level and payload stay until a new assessment
            fresh.triage, fresh.assessment = triage, assessment
        for name in (f.name for f in fields(State)):
            setattr(state, name, getattr(fresh, name))
        if flags:
            return [Reply(f"Let's start over. Remember: {'; '.join(heard(self.kb, flags))} - "
                          f"if that is still so, call 911 now. " + replies.opening_prompt())]
        return [Reply("Let's start over. " + replies.opening_prompt())]

    def escalate_now(self, state: State, flags: List[str]) -> List[Reply]:
        """For the rule that fires when the NLU marks a red flag: the same escalation."""
        for flag in flags:
            state.findings[flag] = PRESENT
        new = [f for f in flags if f not in state.red_flags] or flags
        return self._escalate(state, new)

    def summary(self, state: State) -> str:
        return doctor_summary(self.kb, state)

    def _profile(self, state: State) -> Profile:
        """What the scoring uses. A sudden onset that an operation or an injury explains ("it was
        there when she woke up from the operation") is that event's, not evidence of a stroke."""
        profile = state.profile()
        if profile.onset == "sudden" and sudden_onset_explained(self.kb, state.findings, state.eased):
            profile.onset = None
        return profile

    # ----------------------------------------------------------------- messages that are not read
    def _long_message(self, state: State, turn: Turn) -> List[Reply]:
        checked_all = turn.full_length <= MAX_RED_FLAG_SCAN_CHARS
        flags_before = len(state.red_flags)
        said = self.handle_turn(state, Turn(turn.intent, turn.text[:MAX_MESSAGE_CHARS], turn.extraction))
        if len(state.red_flags) > flags_before:
            return said  # an emergency: nothing else to say
        notice = replies.LONG_MESSAGE_NOTICE if checked_all else replies.TOO_LONG_TO_CHECK_NOTICE
        return [Reply(notice), *said]

    def _unread(self, state: State, turn: Turn, notice: str) -> List[Reply]:
        """A message the interview cannot take as an answer: its red flags (found by the NLU in
        any language) count, nothing else; the person is told and the question asked again."""
        flags = [m for m in turn.extraction.mentions if m.finding in self.kb.red_flags]
        hints = [f for f in turn.extraction.hinted_red_flags if f in self.kb.red_flags]
        self._absorb_findings(state, flags, {})
        self._absorb_hints(state, hints)
        escalation = self._check_emergencies(state)
        if escalation:
            return escalation
        if state.clarifying:
            return [Reply(notice), self._ask_safety_question(state, count=False)]
        if state.stage == ESCALATED:
            return [Reply(notice), *self._after_escalation(state, Turn(None, turn.text))]
        return [Reply(notice), *self._resume(state)]

    # ----------------------------------------------------------------- understanding
    def _absorb(self, state: State, turn: Turn) -> Dict[str, object]:
        """Take in everything the message says about the patient; return what is new or changed."""
        noted: Dict[str, object] = {}
        self._absorb_patient(state, turn, noted)
        self._absorb_findings(state, self._patients_mentions(state, turn.extraction.mentions, turn.text), noted)
        self._absorb_hints(state, turn.extraction.hinted_red_flags)
        about_numbness = any(m.finding in NUMBNESS_FINDINGS for m in turn.extraction.mentions)
        if turn.extraction.side and getattr(state, "side") != turn.extraction.side:
            state.side = noted["side"] = turn.extraction.side
        self._absorb_timing(state, turn, about_numbness, noted)
        self._absorb_age_sex(state, turn.text, noted)
        if state.onset == "sudden":
            self._sudden_onset(state, noted)
        return noted

    def _absorb_patient(self, state: State, turn: Turn, noted: Dict[str, object]) -> None:
        """"asking for my husband (71)": he is the patient for the whole conversation. So is the
        person whose symptoms the extractor already gave to the patient ("now his feet are numb")."""
        text = turn.text
        framing = find_framing(text) or self._framing_from_mentions(turn.extraction.mentions, text)
        if framing is None and self._opening_about_someone_else(state, turn):
            framing = self._framing_from_mentions(turn.extraction.mentions, text, theirs_too=True)
        # who the patient is, said at the start or outright ("asking for my dad") at any time; a relative
        # named later ("my dad's legs are numb too") does not change who is being assessed
        opening = not any(a in (PRESENT, HISTORICAL) for a in state.findings.values())
        new_person = framing and (opening or framing.explicit) and (
            not state.about_someone_else() or (framing.relation and state.relation != framing.relation))
        if new_person:
            state.patient, state.relation = SOMEONE_ELSE, framing.relation or None
            state.pronoun = framing.pronoun if framing.pronoun != "they" else (pronoun_in(text) or "they")
            state.sex = state.sex or framing.sex
            noted["patient"] = framing.relation or True
        elif state.about_someone_else() and state.pronoun in (None, "they"):
            state.pronoun = pronoun_in(text) or state.pronoun

    @staticmethod
    def _opening_about_someone_else(state: State, turn: Turn) -> bool:
        """The first description, told of a relative and not of the typist: "My husband's sciatica has
        flared up again. Right leg numb right down to the toes"."""
        if any(a in (PRESENT, HISTORICAL) for a in state.findings.values()) or state.about_someone_else():
            return False
        told_of_them = any(m.assertion == OTHER_PERSON and names_a_person(m.subject) for m in turn.extraction.mentions)
        return told_of_them and not SPEAKS_OF_ONESELF.search(plain(turn.text))

    @staticmethod
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

    def _patients_mentions(self, state: State, mentions: List[Mention], text: str) -> List[Mention]:
        """For someone typing for another person, what is said of "he" or "she" is the patient's."""
        if not state.about_someone_else():
            return mentions
        return [the_patients(m, text) if m.assertion == OTHER_PERSON and about_the_patient(m, state.relation) else m
                for m in mentions]

    def _absorb_findings(self, state: State, mentions: List[Mention], noted: Dict[str, object]) -> None:
        for mention in mentions:
            finding = self.kb.findings.get(mention.finding)
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

    @staticmethod
    def _absorb_hints(state: State, hints: List[str]) -> None:
        for flag in hints:
            if flag not in state.findings and flag not in state.cleared_flags and flag not in state.hinted_flags:
                state.hinted_flags.append(flag)

    def _absorb_timing(self, state: State, turn: Turn, about_numbness: bool, noted: Dict[str, object]) -> None:
        """Time said of the numbness ("numb for three weeks"), or in answer to a question about it;
        not the time of something else ("a stomach bug two weeks ago")."""
        asked_about_time = state.pending in ("onset", "duration") or state.clarifying is not None
        asked_about_something_else = state.pending is not None and not asked_about_time
        if asked_about_something_else and not any(m.finding in SENSORY_FINDINGS for m in turn.extraction.mentions):
            return  # "type 2 for 12 years" to "do you have diabetes?" is the diabetes' time
        said = read_timing(turn.text if asked_about_time else self._clauses_about_the_symptoms(turn))
        # How the numbness came on: in answer to that question, or where the extractor tied the words
        # to the numbness ("my neck pain came out of nowhere, now my feet are numb" is not sudden numbness)
        onset = turn.extraction.onset if about_numbness else None
        if state.pending == "onset":
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

    def _clauses_about_the_symptoms(self, turn: Turn) -> str:
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

    def _absorb_age_sex(self, state: State, text: str, noted: Dict[str, object]) -> None:
        """An age or sex said outright, in any message: "I'm a 45 year old man", "he's 79"."""
        if state.about_someone_else():
            age, sex = third_person_age(text), None
        else:
            age, sex = explicit_age(text), explicit_sex(text)
        if age is not None and state.age != age:
            state.age = noted["age"] = age
        if sex and state.sex != sex:
            state.sex = noted["sex"] = sex

    def _sudden_onset(self, state: State, noted: Dict[str, object]) -> None:
        numb = any(state.findings.get(f) == PRESENT for f in NUMBNESS_FINDINGS)
        if numb and state.findings.get("sudden_numbness") != PRESENT:
            state.findings["sudden_numbness"] = noted["sudden_numbness"] = PRESENT

    # ----------------------------------------------------------------- answers
    def _answer_pending(self, state: State, turn: Turn) -> Optional[str]:
        """ANSWERED, GAVE_UP (asked twice, still unreadable: recorded as unknown), SAFETY_DEFAULTED
        (a safety question asked twice, still unclear: taken as yes) or None."""
        if state.clarifying:
            return self._answer_safety_question(state, turn)
        if not state.pending or turn.intent in NOT_AN_ANSWER:
            return None
        question = self.kb.questions[state.pending]
        if getattr(self, f"_answer_{question.kind}")(state, question, turn):
            state.pending, state.unclear_answers = None, 0
            return ANSWERED
        if state.times_asked.get(question.id, 0) >= MAX_TIMES_ASKED:
            self._record_unknown(state, question)
            state.pending = None
            return GAVE_UP
        return None

    @staticmethod
    def _record_unknown(state: State, question: Question) -> None:
        keys = {"age_sex": ("age", "sex"), "side": ("side",), "onset": ("onset",), "duration": ("duration",)}
        for key in keys.get(question.kind, ()):
            if getattr(state, key) is None and key not in state.unknown:
                state.unknown.append(key)
        state.answers.setdefault(question.id, "unsure")

    def _answer_yes_no(self, state: State, question: Question, turn: Turn) -> bool:
        said = state.findings.get(question.finding or "")
        if said in (PRESENT, ABSENT):  # the free text of the answer said it
            state.answers[question.id] = answers.YES if said == PRESENT else answers.NO
            return True
        reply = answers.parse_yes_no(_without_other_findings(turn, question.finding), turn.intent)
        if reply is None:
            return False
        state.answers[question.id] = reply
        if reply != answers.UNSURE:
            state.findings[question.finding] = PRESENT if reply == answers.YES else ABSENT
        return True

    def _answer_age_sex(self, state: State, question: Question, turn: Turn) -> bool:
        if state.age is None:
            state.age = answers.parse_age(turn.text)
        if state.sex is None:
            state.sex = answers.parse_sex(turn.text)
        if state.age is not None and state.sex is not None:
            state.answers[question.id] = f"{state.age}, {state.sex}"
            return True
        if turn.intent in ("unsure", "deny") or answers.parse_yes_no(turn.text) in (answers.UNSURE, answers.NO):
            self._record_unknown(state, question)
            state.answers[question.id] = f"{state.age or 'not given'}, {state.sex or 'not given'}"
            return True
        return False

    def _answer_side(self, state: State, question: Question, turn: Turn) -> bool:
        return self._store_opening(state, question, "side", turn.extraction.side or answers.parse_side(turn.text), turn)

    def _answer_onset(self, state: State, question: Question, turn: Turn) -> bool:
        onset = state.onset or turn.extraction.onset or answers.parse_onset(turn.text)
        if onset is None and answers.names_a_moment(turn.text):  # "after the surgery": when, not how
            state.answers[question.id] = turn.text.strip()[:80]
            state.unknown.append("onset")
            return True
        answered = self._store_opening(state, question, "onset", onset, turn)
        if onset == "sudden":
            self._sudden_onset(state, {})
        return answered

    def _answer_duration(self, state: State, question: Question, turn: Turn) -> bool:
        return self._store_opening(state, question, "duration", state.duration or answers.parse_duration(turn.text), turn)

    def _store_opening(self, state: State, question: Question, key: str, value: Optional[str], turn: Turn) -> bool:
        if value is None:
            if turn.intent == "unsure" or answers.parse_yes_no(turn.text) == answers.UNSURE:
                self._record_unknown(state, question)
                return True
            return False
        setattr(state, key, value)
        state.answers[question.id] = value
        return True

    # ----------------------------------------------------------------- safety questions
    def _reads_as_safety_answer(self, turn: Turn) -> bool:
        """A safety question is never dropped: an answer to it is read as one, whatever its intent."""
        return answers.parse_is_new(turn.text) is not None

    def _answer_safety_question(self, state: State, turn: Turn) -> Optional[str]:
        flag, kind = state.clarifying, state.clarify_kind
        reply, outcome = self._read_safety_answer(state, kind, turn), ANSWERED
        if reply is None:
            if state.times_asked.get(self._safety_key(state), 0) < MAX_TIMES_ASKED:
                return None
            reply, outcome = answers.UNSURE, SAFETY_DEFAULTED  # asked twice, still unclear: to be safe, as a yes
        state.clarifying, state.clarify_kind = None, None
        if kind == EASED_QUESTION:
            state.eased = EASED if reply == answers.YES else NOT_EASED
            if reply == answers.YES:
                state.findings["resolves_quickly"] = PRESENT
        elif reply == answers.NO:  # not new, not now, not at all: asked once, never again
            state.cleared_flags.append(flag)
        elif kind == NOW and self.kb.findings[flag].red_flag.escalation == "clarify":
            state.findings[flag] = PRESENT  # happening now: next, is it new? (weakness for years is no emergency)
        else:  # yes or not sure: an emergency, to be safe
            state.findings[flag] = PRESENT
            state.confirmed_flags.append(flag)
        return outcome

    def _read_safety_answer(self, state: State, kind: Optional[str], turn: Turn) -> Optional[str]:
        text = _without_other_findings(turn, state.clarifying)  # "no weakness as such" answers nothing about the bladder
        intent = turn.intent if text == turn.text else None
        if kind == EASED_QUESTION:
            episode = read_timing(text).episode
            if episode:
                return answers.YES if episode == "minutes" else answers.NO
            return answers.parse_yes_no(text, intent)
        if kind in (NEW, NOW):
            return answers.parse_is_new(text, intent)
        reply = answers.parse_yes_no(text, intent)
        if reply is None and self.kb.findings[state.clarifying].red_flag.check_is_about_onset:  # "gradually"
            onset = read_timing(turn.text).onset
            reply = {"sudden": answers.YES, "hours": answers.YES, "days": answers.NO, "gradual": answers.NO}.get(onset or "")
        return reply

    @staticmethod
    def _safety_key(state: State) -> str:
        return f"safety:{state.clarifying}:{state.clarify_kind}"

    def _ask_safety_question(self, state: State, count: bool = True) -> Reply:
        if count:
            key = self._safety_key(state)
            state.times_asked[key] = state.times_asked.get(key, 0) + 1
        red_flag = self.kb.findings[state.clarifying].red_flag
        text = {NEW: red_flag.clarify_question, CHECK: red_flag.check_question,
                EASED_QUESTION: red_flag.explanation_question,
                NOW: f"You mentioned {self.kb.label(state.clarifying)} in the past. Is that happening now, "
                     f"or has it come back?"}[state.clarify_kind]
        return Reply(text or red_flag.check_question or "", replies.YES_NO_BUTTONS)

    # ----------------------------------------------------------------- emergencies
    def _check_emergencies(self, state: State, safety_defaulted: bool = False) -> Optional[List[Reply]]:
        """Escalate on a new red flag or an emergency safety rule; otherwise pick the next safety
        question, if any is due."""
        check = check_red_flags(self.kb, state.findings, state.cleared_flags, state.eased)
        new = [f for f in [*check.escalate, *state.confirmed_flags] if f not in state.red_flags]
        if new:  # an emergency now: the ambiguous flags also present raise its level, unasked
            lead = [Reply(replies.SAFETY_UNCLEAR)] if safety_defaulted else []
            return [*lead, *self._escalate(state, new, also_present=check.clarify)]
        rules = [r for r in emergency_rules(self.kb, self._profile(state)) if r.id not in state.rules]
        if rules and not (state.stage == ESCALATED and Urgency(state.triage or "self_care").at_least(rules[0].urgency)):
            return self._escalate_by_rules(state, rules, also_present=check.clarify)
        if not state.clarifying:
            self._next_safety_question(state, check.clarify, check.ask_if_eased)
        return None

    def _next_safety_question(self, state: State, ambiguous: List[str], ask_if_eased: List[str]) -> None:
        past = [f for f, a in state.findings.items() if a == HISTORICAL and f in self.kb.red_flags
                and f not in state.cleared_flags]
        hinted = [f for f in state.hinted_flags if f not in state.findings and f not in state.cleared_flags]
        for kind, flags in ((NEW, ambiguous), (EASED_QUESTION, ask_if_eased), (NOW, past), (CHECK, hinted)):
            flags = [f for f in flags if self._could_raise_the_level(state, f)]
            if flags:
                state.clarifying, state.clarify_kind = flags[0], kind
                return

    def _could_raise_the_level(self, state: State, flag: str) -> bool:
        """After an escalation, a safety question is worth asking only if its answer could make
        the advice more urgent."""
        if state.stage != ESCALATED or not state.triage:
            return True
        return not Urgency(state.triage).at_least(self.kb.findings[flag].red_flag.urgency)

    def _escalate(self, state: State, new_flags: List[str], also_present: List[str] = ()) -> List[Reply]:
        state.red_flags.extend(f for f in new_flags if f not in state.red_flags)
        state.stage, state.pending, state.clarifying, state.clarify_kind = ESCALATED, None, None, None
        level = highest([self._escalation_level(state), *(self.kb.findings[f].red_flag.urgency for f in also_present)])
        state.triage = level.value
        state.assessment = replies.payload(level, state.red_flags, [])
        text = replies.escalation_text(self.kb, heard(self.kb, new_flags), level)
        return [Reply(text, custom=state.assessment)]

    def _escalation_level(self, state: State) -> Urgency:
        """The red flags' urgency, raised when what else was said fits a cause that needs more
        (new weakness with a numb arm and a headache fits a stroke: an ambulance, not a drive)."""
        levels = [red_flag_urgency(self.kb, state.red_flags)]
        ranking = rank(self.kb, self._profile(state))
        if ranking.fits_well and ranking.causes[0].score >= ESCALATION_CAUSE_SHARE:
            levels.append(ranking.causes[0].cause.urgency)
        return highest(levels)

    def _escalate_by_rules(self, state: State, rules: List[SafetyRule], also_present: List[str] = ()) -> List[Reply]:
        """A combination that needs an emergency: the assessment now, at the rule's level, raised by
        the red flags heard and by the ambiguous ones also present (weakness spreading up the body
        after an infection is an ambulance, unasked)."""
        state.rules.extend(r.id for r in rules if r.id not in state.rules)
        state.pending, state.clarifying, state.clarify_kind = None, None, None
        level = highest([rules_urgency(rules), *([red_flag_urgency(self.kb, state.red_flags)] if state.red_flags else []),
                         *(self.kb.findings[f].red_flag.urgency for f in also_present)])
        ranking = rank(self.kb, self._profile(state))
        state.stage, state.triage = ESCALATED, level.value
        state.assessment = replies.payload(level, state.red_flags, [r.to_payload() for r in ranking.shown()],
                                           "good" if ranking.fits_well else "weak", state.rules)
        text = (f"⚠️ {rules[0].says[0].upper() + rules[0].says[1:]}.\n"
                f"{self.kb.urgency_levels[level].label}: {self.kb.advice_for(level)}\n"
                f"{self.kb.advice['not_a_diagnosis'].text}")
        return [Reply(text, custom=state.assessment)]

    def _after_escalation(self, state: State, turn: Turn) -> List[Reply]:
        handled = self._handle_intent(state, turn)
        level = Urgency(state.triage) if state.triage else (red_flag_urgency(self.kb, state.red_flags) or Urgency.emergency)
        reminder = Reply(f"Please don't wait: {self.kb.advice_for(level)}", custom=state.assessment)
        return [*(handled or []), reminder]

    # ----------------------------------------------------------------- intents
    def _handle_intent(self, state: State, turn: Turn) -> Optional[List[Reply]]:
        """Replies to what is not an answer or a description: greetings, questions, requests."""
        intent = turn.intent
        if intent == "greet":
            if state.stage == START:
                state.stage = INTERVIEW
                return [Reply(replies.welcome(self.kb) + "\n\n" + replies.opening_prompt())]
            return [Reply("Hello again."), *self._resume(state)]
        simple = {"bot_challenge": self.kb.advice["what_i_am"].text + " " + self.kb.advice["disclaimer"].text,
                  "talk_to_person": self.kb.advice["talk_to_person"].text, "thanks": "You're welcome."}
        if intent == "ask_faq":  # the rule has already sent the answer
            return self._resume(state)
        if intent in simple:
            return [Reply(simple[intent]), *self._resume(state)]
        if intent == "request_summary":
            return [Reply(self.summary(state)), *self._resume(state)]
        if intent == "goodbye":
            return [Reply(replies.GOODBYE)]
        if intent == "out_of_scope" or (intent == "nlu_fallback" and not state.pending):
            return [Reply(replies.OUT_OF_SCOPE), *self._resume(state)]
        if state.stage == ASSESSED and intent in ("affirm", "deny") and state.feedback is None:
            state.feedback = "helpful" if intent == "affirm" else "not_helpful"
            return [Reply("Thank you for your feedback. What would you like to do next?", replies.AFTER_BUTTONS)]
        return None

    def _resume(self, state: State) -> List[Reply]:
        if state.stage == START:
            state.stage = INTERVIEW
            return [Reply(replies.opening_prompt())]
        if state.clarifying:
            return [self._ask_safety_question(state, count=False)]
        if state.pending:
            return [self._ask(state, self.kb.questions[state.pending], count=False, lead="To carry on: ")]
        if state.stage == ASSESSED:
            return [Reply("What would you like to do next?", replies.AFTER_BUTTONS)]
        if state.stage == INTERVIEW:
            return self._next_step(state)  # nothing asked yet: the opening prompt, or the next question
        return []

    # ----------------------------------------------------------------- questions and assessment
    def _notes(self, state: State, noted: Dict[str, object], outcome: Optional[str]) -> List[Reply]:
        """Say back what was understood: a fact nobody asked for, or more than the answer itself."""
        shown = {k: v for k, v in noted.items() if outcome is None or k not in self._answered_keys(state)}
        if not shown:
            return []
        return [Reply(replies.describe_notes(self.kb, shown, state))]

    def _answered_keys(self, state: State) -> set:
        last = state.asked[-1] if state.asked else None
        question = self.kb.questions.get(last) if last else None
        if question is None:
            return set()
        return {question.finding} if question.kind == "yes_no" else {"age", "sex"} if question.kind == "age_sex" else {question.kind}

    def _welcome_once(self, state: State) -> List[Reply]:
        """What the bot is and is not, said once, before the first question."""
        if state.stage != START:
            return []
        state.stage = INTERVIEW
        return [Reply(replies.welcome(self.kb))]

    def _carry_on(self, state: State, noted: Dict[str, object], outcome: Optional[str]) -> List[Reply]:
        if state.stage == START and not state.findings and not noted:
            state.stage = INTERVIEW
            return [Reply(replies.welcome(self.kb) + "\n\n" + replies.opening_prompt())]
        said: List[Reply] = self._welcome_once(state)
        if state.stage == ASSESSED:
            if noted:
                return [Reply("Thanks, I've added that. " + replies.describe_notes(self.kb, noted, state)), *self._assess(state)]
            return [Reply(replies.ALREADY_ASSESSED, replies.AFTER_BUTTONS)]
        said += self._notes(state, noted, outcome)
        if outcome == GAVE_UP:
            said.append(Reply(replies.MOVING_ON))
        elif outcome is None and state.pending:
            if not noted:
                said.append(Reply(replies.NOT_CAUGHT))
            return [*said, self._ask(state, self.kb.questions[state.pending])]
        return [*said, *self._next_step(state)]

    def _next_step(self, state: State) -> List[Reply]:
        if not self._knows_a_symptom(state):
            state.unclear_answers += 1
            if state.unclear_answers < 3:
                return [Reply(replies.opening_prompt() if state.unclear_answers < 2 else replies.opening_prompt_again())]
            state.findings["leg_numbness"] = PRESENT  # what this assistant is for: go on with the questions
        question = next_question(self.kb, self._profile(state), state.asked, self.question_budget, state.unknown)
        if question is None:
            return self._assess(state)
        return [self._ask(state, question)]

    @staticmethod
    def _knows_a_symptom(state: State) -> bool:
        return any(a in (PRESENT, HISTORICAL) for a in state.findings.values()) or state.side is not None

    def _ask(self, state: State, question: Question, count: bool = True, lead: str = "") -> Reply:
        state.pending = question.id
        if question.id not in state.asked:
            state.asked.append(question.id)
        if count:
            state.times_asked[question.id] = state.times_asked.get(question.id, 0) + 1
        buttons = replies.BUTTONS_BY_KIND.get(question.kind, [])
        return Reply(lead + replies.question_text(question, state), buttons)

    def _assess(self, state: State) -> List[Reply]:
        state.pending = None
        profile = self._profile(state)
        ranking = rank(self.kb, profile)
        rules = fired_rules(self.kb, profile)
        flags_level = red_flag_urgency(self.kb, state.red_flags) if state.red_flags else None
        level = highest(l for l in (triage_from_ranking(ranking), rules_urgency(rules), flags_level) if l)
        state.rules = [r.id for r in rules]
        state.stage, state.triage = ASSESSED, level.value
        state.assessment = replies.payload(level, state.red_flags, [r.to_payload() for r in ranking.shown()],
                                           "good" if ranking.fits_well else "weak", state.rules)
        text = replies.assessment_text(self.kb, ranking, level, rules, state)
        return [Reply(text, custom=state.assessment), Reply("Was this helpful?", replies.FEEDBACK_BUTTONS)]
