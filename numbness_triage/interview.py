"""The conversation, as a plain state machine.

`Interview.handle_turn(state, turn)` takes one message (its intent, text and what the extractor
found), updates `state` in place and returns the replies. Rasa actions are thin adapters over it:
they load the state from the `interview` slot, send the replies and store the state again.

Every message, in this order: red flags and safety rules (an emergency ends the interview at
once); the safety question or the question waiting for an answer; whatever else was said (a
correction, a fact nobody asked for, a question about leg numbness); then the next question or
the assessment. No question is asked more than twice: after a second unreadable answer the
bot records "unknown" and goes on, and an unreadable answer to a safety question counts as yes.

This module is the policy; what a message says is taken in by understanding.py, the answer to the
question asked is read by pending_question.py, the safety questions are safety_questions.py, the
words the bot says are replies.py, the doctor's summary summary.py, the state state.py.
"""
from __future__ import annotations

from dataclasses import fields, replace
from typing import List, Optional, Sequence, Set

from numbness_triage import answers, replies, safety_questions
from numbness_triage.finding_ids import LEG_NUMBNESS
from numbness_triage.knowledge import (AGE_SEX, DISCLAIMER, NOT_A_DIAGNOSIS, TALK_TO_PERSON, WHAT_I_AM, YES_NO,
                                      KnowledgeBase, Question, SafetyRule, Urgency, most_urgent)
from numbness_triage.language import looks_non_english
from numbness_triage.limits import MAX_MESSAGE_CHARS, MAX_RED_FLAG_SCAN_CHARS
from numbness_triage.matching import Profile, rank, triage_from_ranking
from numbness_triage.mentions import HISTORICAL, PRESENT
from numbness_triage.pending_question import answer_pending
from numbness_triage.questions import DEFAULT_QUESTION_BUDGET, next_question
from numbness_triage.replies import Reply
from numbness_triage.safety_questions import GAVE_UP, SAFETY_DEFAULTED
from numbness_triage.safety_rules import emergency_rules, fired_rules, rules_urgency
from numbness_triage.state import ASSESSED, ESCALATED, INTERVIEW, START, State
from numbness_triage.summary import doctor_summary
from numbness_triage.timing import SUDDEN_ONSET
from numbness_triage.triage import check_red_flags, heard, red_flag_urgency, sudden_onset_explained
from numbness_triage.understanding import Noted, Turn, absorb, absorb_findings, absorb_hints

__all__ = ["Interview", "Turn"]
ESCALATION_CAUSE_SHARE = 0.4  # a cause this clearly ahead sets the escalation level when it needs more


class Interview:
    def __init__(self, kb: KnowledgeBase, question_budget: int = DEFAULT_QUESTION_BUDGET):
        self.kb = kb
        self.question_budget = question_budget

    # ----------------------------------------------------------------- entry points
    def handle_turn(self, state: State, turn: Turn) -> List[Reply]:
        """The bot's replies to one message; `state` is updated in place (what the person said,
        the answers, the red flags heard, which are never dropped). A red flag or a combination
        that needs an emergency ends the interview with the emergency's advice; otherwise the
        replies ask the next question, or give the assessment. Of a very long message the first
        MAX_MESSAGE_CHARS characters are read, and the person is told; a command or a message in
        another language answers nothing: only its red flags count."""
        if turn.full_length > MAX_MESSAGE_CHARS:
            return self._long_message(state, turn)
        if replies.is_command(turn.text):
            return self._unread(state, turn, replies.COMMAND_NOTICE)
        if looks_non_english(turn.text):
            return self._unread(state, turn, replies.english_only_notice(self.kb, turn.text))
        turn = self._trusted(turn)
        if turn.intent == "start_over" and not (state.clarifying and safety_questions.reads_as_safety_answer(turn)):
            return self.start_over(state)
        noted = absorb(self.kb, state, turn)
        outcome = answer_pending(self.kb, state, turn)
        emergency = self._check_emergencies(state, safety_defaulted=outcome == SAFETY_DEFAULTED)
        if emergency:
            return emergency
        if state.clarifying:
            unclear = [] if noted or outcome else [Reply(replies.NOT_CAUGHT)]
            return [*self._welcome_once(state), *unclear, *self._notes(state, noted, outcome),
                    safety_questions.ask(self.kb, state)]
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
        return turn if answers.intent_borne_out(turn.intent, turn.text) else replace(turn, intent="inform")

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

    def summary(self, state: State) -> str:
        return doctor_summary(self.kb, state)

    def _profile(self, state: State) -> Profile:
        """What the scoring uses. A sudden onset that an operation or an injury explains ("it was
        there when she woke up from the operation") is that event's, not evidence of a stroke."""
        profile = state.profile()
        if profile.onset == SUDDEN_ONSET and sudden_onset_explained(self.kb, state.findings, state.eased):
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
        absorb_findings(self.kb, state, flags, {})
        absorb_hints(state, hints)
        escalation = self._check_emergencies(state)
        if escalation:
            return escalation
        if state.clarifying:
            return [Reply(notice), safety_questions.ask(self.kb, state, count=False)]
        if state.stage == ESCALATED:
            return [Reply(notice), *self._after_escalation(state, Turn(None, turn.text))]
        return [Reply(notice), *self._resume(state)]

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
            safety_questions.choose_next(self.kb, state, check.clarify, check.ask_if_eased)
        return None

    def _escalate(self, state: State, new_flags: List[str], also_present: Sequence[str] = ()) -> List[Reply]:
        state.red_flags.extend(f for f in new_flags if f not in state.red_flags)
        state.stage, state.pending, state.clarifying, state.clarify_kind = ESCALATED, None, None, None
        level = most_urgent(self._escalation_level(state), *(self.kb.red_flag(f).urgency for f in also_present))
        state.triage = level.value
        state.assessment = replies.payload(level, state.red_flags, [])
        text = replies.escalation_text(self.kb, heard(self.kb, new_flags), level)
        return [Reply(text, custom=state.assessment)]

    def _escalation_level(self, state: State) -> Urgency:
        """The red flags' urgency, raised when what else was said fits a cause that needs more
        (new weakness with a numb arm and a headache fits a stroke: an ambulance, not a drive)."""
        ranking = rank(self.kb, self._profile(state))
        leading = ranking.causes[0]
        cause_level = leading.cause.urgency if ranking.fits_well and leading.score >= ESCALATION_CAUSE_SHARE else None
        return most_urgent(red_flag_urgency(self.kb, state.red_flags), cause_level)

    def _escalate_by_rules(self, state: State, rules: List[SafetyRule],
                           also_present: Sequence[str] = ()) -> List[Reply]:
        """A combination that needs an emergency: the assessment now, at the rule's level, raised by
        the red flags heard and by the ambiguous ones also present (weakness spreading up the body
        after an infection is an ambulance, unasked)."""
        state.rules.extend(r.id for r in rules if r.id not in state.rules)
        state.pending, state.clarifying, state.clarify_kind = None, None, None
        flags_level = red_flag_urgency(self.kb, state.red_flags) if state.red_flags else None
        level = most_urgent(rules_urgency(rules), flags_level, *(self.kb.red_flag(f).urgency for f in also_present))
        ranking = rank(self.kb, self._profile(state))
        state.stage, state.triage = ESCALATED, level.value
        state.assessment = replies.payload(level, state.red_flags, [r.to_payload() for r in ranking.shown()],
                                           "good" if ranking.fits_well else "weak", state.rules)
        text = (f"⚠️ {rules[0].says[0].upper() + rules[0].says[1:]}.\n"
                f"{self.kb.urgency_levels[level].label}: {self.kb.advice_for(level)}\n"
                f"{self.kb.advice[NOT_A_DIAGNOSIS].text}")
        return [Reply(text, custom=state.assessment)]

    def _after_escalation(self, state: State, turn: Turn) -> List[Reply]:
        handled = self._handle_intent(state, turn)
        level = (Urgency(state.triage) if state.triage
                 else red_flag_urgency(self.kb, state.red_flags) or Urgency.emergency)
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
        simple = {"bot_challenge": self.kb.advice[WHAT_I_AM].text + " " + self.kb.advice[DISCLAIMER].text,
                  "talk_to_person": self.kb.advice[TALK_TO_PERSON].text, "thanks": "You're welcome."}
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
            return [safety_questions.ask(self.kb, state, count=False)]
        if state.pending:
            return [self._ask(state, self.kb.questions[state.pending], count=False, lead="To carry on: ")]
        if state.stage == ASSESSED:
            return [Reply("What would you like to do next?", replies.AFTER_BUTTONS)]
        if state.stage == INTERVIEW:
            return self._next_step(state)  # nothing asked yet: the opening prompt, or the next question
        return []

    # ----------------------------------------------------------------- questions and assessment
    def _notes(self, state: State, noted: Noted, outcome: Optional[str]) -> List[Reply]:
        """Say back what was understood: a fact nobody asked for, or more than the answer itself."""
        shown = {k: v for k, v in noted.items() if outcome is None or k not in self._answered_keys(state)}
        if not shown:
            return []
        return [Reply(replies.describe_notes(self.kb, shown, state))]

    def _answered_keys(self, state: State) -> Set[Optional[str]]:
        last = state.asked[-1] if state.asked else None
        question = self.kb.questions.get(last) if last else None
        if question is None:
            return set()
        if question.kind == YES_NO:
            return {question.finding}
        return {"age", "sex"} if question.kind == AGE_SEX else {question.kind}

    def _welcome_once(self, state: State) -> List[Reply]:
        """What the bot is and is not, said once, before the first question."""
        if state.stage != START:
            return []
        state.stage = INTERVIEW
        return [Reply(replies.welcome(self.kb))]

    def _carry_on(self, state: State, noted: Noted, outcome: Optional[str]) -> List[Reply]:
        if state.stage == START and not state.findings and not noted:
            state.stage = INTERVIEW
            return [Reply(replies.welcome(self.kb) + "\n\n" + replies.opening_prompt())]
        said: List[Reply] = self._welcome_once(state)
        if state.stage == ASSESSED:
            if noted:
                return [Reply("Thanks, I've "
                              "added that. " + replies.describe_notes(self.kb, noted, state)), *self._assess(state)]
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
                prompt = replies.opening_prompt() if state.unclear_answers < 2 else replies.opening_prompt_again()
                return [Reply(prompt)]
            state.findings[LEG_NUMBNESS] = PRESENT  # what this assistant is for: go on with the questions
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
        level = most_urgent(triage_from_ranking(ranking), rules_urgency(rules), flags_level)
        state.rules = [r.id for r in rules]
        state.stage, state.triage = ASSESSED, level.value
        state.assessment = replies.payload(level, state.red_flags, [r.to_payload() for r in ranking.shown()],
                                           "good" if ranking.fits_well else "weak", state.rules)
        text = replies.assessment_text(self.kb, ranking, level, rules, state)
        return [Reply(text, custom=state.assessment), Reply("Was this helpful?", replies.FEEDBACK_BUTTONS)]
