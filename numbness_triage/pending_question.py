"""The answer to the question the interview asked: a yes/no question about a finding, or an
opening question (age and sex, side, onset, duration).

An answer the interview cannot read is asked once more; after a second one it is recorded as not
known (`State.unknown`) and the interview goes on. "Not sure" is an answer.
"""
from __future__ import annotations

from typing import Dict, Optional, Tuple

from numbness_triage import answers, safety_questions
from numbness_triage.knowledge import AGE_SEX, DURATION, ONSET, SIDE, YES_NO, KnowledgeBase, Question
from numbness_triage.mentions import ABSENT, PRESENT
from numbness_triage.safety_questions import ANSWERED, GAVE_UP, MAX_TIMES_ASKED
from numbness_triage.state import State
from numbness_triage.timing import SUDDEN_ONSET
from numbness_triage.understanding import Turn, note_sudden_onset, without_other_findings

# Intents that are about something else than the pending question. "out_of_scope" and
# "nlu_fallback" are not among them: "straight after the kick" may read as off-topic to the
# classifier and still answer "did it come on suddenly?".
NOT_AN_ANSWER = ("ask_faq", "bot_challenge", "talk_to_person", "request_summary", "greet", "thanks", "goodbye")
# What the person could not say, by the kind of question that asked it
UNKNOWN_KEYS: Dict[str, Tuple[str, ...]] = {AGE_SEX: ("age", "sex"), SIDE: ("side",), ONSET: ("onset",),
                                             DURATION: ("duration",)}


def answer_pending(kb: KnowledgeBase, state: State, turn: Turn) -> Optional[str]:
    """ANSWERED, GAVE_UP (asked twice, still unreadable: recorded as unknown), SAFETY_DEFAULTED
    (a safety question asked twice, still unclear: taken as yes) or None."""
    if state.clarifying:
        return safety_questions.answer(kb, state, turn)
    if not state.pending or turn.intent in NOT_AN_ANSWER:
        return None
    question = kb.questions[state.pending]
    if _ANSWER_READERS[question.kind](state, question, turn):
        state.pending, state.unclear_answers = None, 0
        return ANSWERED
    if state.times_asked.get(question.id, 0) >= MAX_TIMES_ASKED:
        _record_unknown(state, question)
        state.pending = None
        return GAVE_UP
    return None


def _record_unknown(state: State, question: Question) -> None:
    for key in UNKNOWN_KEYS.get(question.kind, ()):
        if getattr(state, key) is None and key not in state.unknown:
            state.unknown.append(key)
    state.answers.setdefault(question.id, answers.UNSURE)


def _answer_yes_no(state: State, question: Question, turn: Turn) -> bool:
    said = state.findings.get(question.finding or "")
    if said in (PRESENT, ABSENT):  # the free text of the answer said it
        state.answers[question.id] = answers.YES if said == PRESENT else answers.NO
        return True
    reply = answers.parse_yes_no(without_other_findings(turn, question.finding), turn.intent)
    if reply is None:
        return False
    state.answers[question.id] = reply
    if reply != answers.UNSURE and question.finding:
        state.findings[question.finding] = PRESENT if reply == answers.YES else ABSENT
    return True


def _answer_age_sex(state: State, question: Question, turn: Turn) -> bool:
    if state.age is None:
        state.age = answers.parse_age(turn.text)
    if state.sex is None:
        state.sex = answers.parse_sex(turn.text)
    if state.age is not None and state.sex is not None:
        state.answers[question.id] = f"{state.age}, {state.sex}"
        return True
    if turn.intent in ("unsure", "deny") or answers.parse_yes_no(turn.text) in (answers.UNSURE, answers.NO):
        _record_unknown(state, question)
        state.answers[question.id] = f"{state.age or 'not given'}, {state.sex or 'not given'}"
        return True
    return False


def _answer_side(state: State, question: Question, turn: Turn) -> bool:
    return _store_opening(state, question, "side", turn.extraction.side or answers.parse_side(turn.text), turn)


def _answer_onset(state: State, question: Question, turn: Turn) -> bool:
    onset = state.onset or turn.extraction.onset or answers.parse_onset(turn.text)
    if onset is None and answers.names_a_moment(turn.text):  # "after the surgery": when, not how
        state.answers[question.id] = turn.text.strip()[:80]
        state.unknown.append("onset")
        return True
    answered = _store_opening(state, question, "onset", onset, turn)
    if onset == SUDDEN_ONSET:
        note_sudden_onset(state, {})
    return answered


def _answer_duration(state: State, question: Question, turn: Turn) -> bool:
    return _store_opening(state, question, "duration", state.duration or answers.parse_duration(turn.text), turn)


def _store_opening(state: State, question: Question, key: str, value: Optional[str], turn: Turn) -> bool:
    if value is None:
        if turn.intent == "unsure" or answers.parse_yes_no(turn.text) == answers.UNSURE:
            _record_unknown(state, question)
            return True
        return False
    setattr(state, key, value)
    state.answers[question.id] = value
    return True


_ANSWER_READERS = {YES_NO: _answer_yes_no, AGE_SEX: _answer_age_sex, SIDE: _answer_side, ONSET: _answer_onset,
                   DURATION: _answer_duration}
