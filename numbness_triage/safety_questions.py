"""The safety questions: asked before anything else when a red flag may be there but is not
certain, and read whatever the message's intent.

The kinds: is an ambiguous flag new (NEW); is a past red flag happening now (NOW); did a cue word
mean the red flag (CHECK); did the numbness pass within minutes, so that a position explains it
(EASED_QUESTION). An answer that cannot be read twice in a row counts as yes: an emergency, to be
safe. A "no" clears the flag: it is never asked again.
"""
from __future__ import annotations

from typing import List, Optional

from numbness_triage import answers
from numbness_triage.finding_ids import RESOLVES_QUICKLY
from numbness_triage.knowledge import CLARIFY, KnowledgeBase, Urgency
from numbness_triage.mentions import HISTORICAL, PRESENT
from numbness_triage.replies import YES_NO_BUTTONS, Reply
from numbness_triage.state import ESCALATED, State
from numbness_triage.timing import read_timing
from numbness_triage.triage import EASED, NOT_EASED
from numbness_triage.understanding import Turn, without_other_findings

NEW, NOW, CHECK, EASED_QUESTION = "new", "now", "check", "eased"  # State.clarify_kind
# What became of the question waiting for an answer (the safety question's, or interview.py's)
ANSWERED, GAVE_UP, SAFETY_DEFAULTED = "answered", "gave_up", "safety_defaulted"
MAX_TIMES_ASKED = 2  # a question asked twice is not asked again
_ONSET_ANSWERS = {"sudden": answers.YES, "hours": answers.YES, "days": answers.NO, "gradual": answers.NO}


def reads_as_safety_answer(turn: Turn) -> bool:
    """A safety question is never dropped: an answer to it is read as one, whatever its intent."""
    return answers.parse_is_new(turn.text) is not None


def answer(kb: KnowledgeBase, state: State, turn: Turn) -> Optional[str]:
    """Read the answer to the safety question asked: ANSWERED, SAFETY_DEFAULTED (asked twice, still
    unclear: taken as yes) or None (unclear; it is asked again)."""
    flag, kind = state.clarifying, state.clarify_kind
    assert flag is not None, "a safety question is waiting"
    reply, outcome = _read(kb, state, kind, turn), ANSWERED
    if reply is None:
        if state.times_asked.get(_key(state), 0) < MAX_TIMES_ASKED:
            return None
        reply, outcome = answers.UNSURE, SAFETY_DEFAULTED  # asked twice, still unclear: to be safe, as a yes
    state.clarifying, state.clarify_kind = None, None
    if kind == EASED_QUESTION:
        state.eased = EASED if reply == answers.YES else NOT_EASED
        if reply == answers.YES:
            state.findings[RESOLVES_QUICKLY] = PRESENT
    elif reply == answers.NO:  # not new, not now, not at all: asked once, never again
        state.cleared_flags.append(flag)
    elif kind == NOW and kb.red_flag(flag).escalation == CLARIFY:
        state.findings[flag] = PRESENT  # happening now: next, is it new? (weakness for years is no emergency)
    else:  # yes or not sure: an emergency, to be safe
        state.findings[flag] = PRESENT
        state.confirmed_flags.append(flag)
    return outcome


def ask(kb: KnowledgeBase, state: State, count: bool = True) -> Reply:
    """The safety question waiting for an answer; `count`: it counts as asked once more."""
    assert state.clarifying is not None, "a safety question is waiting"
    if count:
        key = _key(state)
        state.times_asked[key] = state.times_asked.get(key, 0) + 1
    red_flag = kb.red_flag(state.clarifying)
    text = {NEW: red_flag.clarify_question, CHECK: red_flag.check_question,
            EASED_QUESTION: red_flag.explanation_question,
            NOW: f"You mentioned {kb.label(state.clarifying)} in the past. Is that happening now, "
                 f"or has it come back?"}[state.clarify_kind or ""]
    return Reply(text or red_flag.check_question or "", YES_NO_BUTTONS)


def choose_next(kb: KnowledgeBase, state: State, ambiguous: List[str], ask_if_eased: List[str]) -> None:
    """The next safety question due, if any, as `state.clarifying` and `state.clarify_kind`."""
    past = [f for f, a in state.findings.items() if a == HISTORICAL and f in kb.red_flags
            and f not in state.cleared_flags]
    hinted = [f for f in state.hinted_flags if f not in state.findings and f not in state.cleared_flags]
    for kind, flags in ((NEW, ambiguous), (EASED_QUESTION, ask_if_eased), (NOW, past), (CHECK, hinted)):
        flags = [f for f in flags if _could_raise_the_level(kb, state, f)]
        if flags:
            state.clarifying, state.clarify_kind = flags[0], kind
            return


def _read(kb: KnowledgeBase, state: State, kind: Optional[str], turn: Turn) -> Optional[str]:
    text = without_other_findings(turn, state.clarifying)  # "no weakness as such" answers nothing about the bladder
    intent = turn.intent if text == turn.text else None
    if kind == EASED_QUESTION:
        episode = read_timing(text).episode
        if episode:
            return answers.YES if episode == "minutes" else answers.NO
        return answers.parse_yes_no(text, intent)
    if kind in (NEW, NOW):
        return answers.parse_is_new(text, intent)
    reply = answers.parse_yes_no(text, intent)
    if reply is None and kb.red_flag(state.clarifying or "").check_is_about_onset:  # "gradually"
        onset = read_timing(turn.text).onset
        reply = _ONSET_ANSWERS.get(onset or "")
    return reply


def _key(state: State) -> str:
    return f"safety:{state.clarifying}:{state.clarify_kind}"


def _could_raise_the_level(kb: KnowledgeBase, state: State, flag: str) -> bool:
    """After an escalation, a safety question is worth asking only if its answer could make the
    advice more urgent."""
    if state.stage != ESCALATED or not state.triage:
        return True
    return not Urgency(state.triage).at_least(kb.red_flag(flag).urgency)


