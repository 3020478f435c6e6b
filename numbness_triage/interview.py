"""The conversation, as a plain state machine: (state, what the person said) -> (state, replies).

Rasa actions are thin adapters over `handle_turn`: they load the state from slots, pass the
message's intent, text and extraction, send the replies and store the new state.
"""
from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from typing import Dict, List, Optional, Tuple

from numbness_triage import answers
from numbness_triage.extraction import (ABSENT, MAX_MESSAGE_CHARS, MAX_RED_FLAG_SCAN_CHARS, NUMBNESS_FINDINGS,
                                        POSSIBLE, PRESENT, Extraction)
from numbness_triage.knowledge import KnowledgeBase, Question, Urgency, highest
from numbness_triage.language import looks_non_english
from numbness_triage.matching import Profile, rank_causes, triage_from_causes
from numbness_triage.questions import DEFAULT_QUESTION_BUDGET, next_question
from numbness_triage.triage import check_red_flags, heard, red_flag_urgency

START, INTERVIEW, ASSESSED, ESCALATED = "start", "interview", "assessed", "escalated"
UNKNOWN = "unknown"  # the person was asked and could not say
ESCALATION_CAUSE_SHARE = 0.4  # a cause this clearly ahead sets the escalation level when it needs more
YES_NO_BUTTONS = [
    {"title": "Yes", "payload": "/affirm"},
    {"title": "No", "payload": "/deny"},
    {"title": "Not sure", "payload": "/unsure"},
]
SIDE_BUTTONS = [
    {"title": "Left leg", "payload": "/inform{\"side\": \"left\"}"},
    {"title": "Right leg", "payload": "/inform{\"side\": \"right\"}"},
    {"title": "Both legs", "payload": "/inform{\"side\": \"both\"}"},
]
ONSET_BUTTONS = [
    {"title": "Suddenly", "payload": "/inform{\"onset\": \"sudden\"}"},
    {"title": "Gradually", "payload": "/inform{\"onset\": \"gradual\"}"},
    {"title": "Not sure", "payload": "/unsure"},
]
AFTER_BUTTONS = [
    {"title": "Summary for my doctor", "payload": "/request_summary"},
    {"title": "Start over", "payload": "/start_over"},
    {"title": "Talk to a person", "payload": "/talk_to_person"},
]
# Intents that are about something else than the pending question. "out_of_scope" and
# "nlu_fallback" are not among them: "straight after the kick" may read as off-topic to the
# classifier and still answer "did it come on suddenly?".
NOT_AN_ANSWER = ("ask_faq", "bot_challenge", "talk_to_person", "request_summary", "greet", "thanks", "goodbye")
FEEDBACK_BUTTONS = [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]
LONG_MESSAGE_NOTICE = (f"That message is very long: for the interview I read only its first {MAX_MESSAGE_CHARS:,} "
                       "characters (I did check all of it for signs of an emergency). "
                       "Please send the rest in shorter messages.")
TOO_LONG_TO_CHECK_NOTICE = (f"That message is very long: for the interview I read only its first {MAX_MESSAGE_CHARS:,} "
                            f"characters, and I checked only its first {MAX_RED_FLAG_SCAN_CHARS:,} for signs of an "
                            "emergency. If anything in the rest is urgent, call 911 now. Otherwise please send it "
                            "in shorter messages.")
COMMAND_NOTICE = ("I didn't understand that: it looks like a command, not an answer. "
                  "Please tell me in words (or use the buttons).")
ENGLISH_ONLY_NOTICE = ("Sorry, I understand English only. Please write in English. "
                       "If this is an emergency, call 911 (or your local emergency number) now.")
_COMMAND = re.compile(r"^/(?P<intent>[^{@]*)(?P<entities>\{.*\})?$", re.S)
_CJK = re.compile(r"[\u3400-\u9fff]")


def _payload_key(text: str) -> Optional[Tuple[str, str]]:
    """(intent, entities) of a "/intent{...}" text, spacing aside; None when it is not one."""
    match = _COMMAND.match(text.strip())
    if not match:
        return None
    try:
        entities = json.loads(match.group("entities")) if match.group("entities") else {}
    except (ValueError, RecursionError):  # '/inform{"side": [[[...' 3,000 deep is no button's
        return None
    return match.group("intent").strip(), json.dumps(entities, sort_keys=True)


# What the bot's own buttons send, and the greeting the channels send for a person who opens the
# chat (Telegram's /start in channels/telegram_secure.py; the web widget's initPayload in web/server.py).
# A click cannot be told from the same text typed: both are read as the button's answer. Any
# other "/..." text is a command the interview does not take.
CHANNEL_GREETING = "/greet"
BUTTON_PAYLOADS = {_payload_key(button["payload"])
                   for buttons in (YES_NO_BUTTONS, SIDE_BUTTONS, ONSET_BUTTONS, AFTER_BUTTONS, FEEDBACK_BUTTONS)
                   for button in buttons} | {_payload_key(CHANNEL_GREETING)}


def is_command(text: str) -> bool:
    """A "/..." text that is not one of the bot's button payloads: "/foo", "/", "/inform",
    '/affirm{"interview": {}}', '/inform{"bad json'."""
    return text.strip().startswith("/") and _payload_key(text) not in BUTTON_PAYLOADS


@dataclass
class State:
    stage: str = START
    findings: Dict[str, str] = field(default_factory=dict)
    age: Optional[int] = None
    sex: Optional[str] = None
    side: Optional[str] = None
    onset: Optional[str] = None
    duration: Optional[str] = None
    asked: List[str] = field(default_factory=list)
    answers: Dict[str, str] = field(default_factory=dict)  # question id -> yes | no | unsure | text
    pending: Optional[str] = None  # question id waiting for an answer
    clarifying: Optional[str] = None  # ambiguous red flag waiting for "is it new?"
    cleared_flags: List[str] = field(default_factory=list)  # ambiguous flags the person says are not new
    confirmed_flags: List[str] = field(default_factory=list)  # ambiguous flags the person says are new
    hinted_flags: List[str] = field(default_factory=list)  # cue words heard, to be checked with a question
    red_flags: List[str] = field(default_factory=list)
    triage: Optional[str] = None
    assessment: Optional[dict] = None
    feedback: Optional[str] = None
    unclear_answers: int = 0

    def profile(self) -> Profile:
        """What scoring may use: answers the person gave ("not sure" is left out)."""
        known = {k: v for k, v in self.findings.items() if v in (PRESENT, ABSENT)}

        def given(value):
            return None if value in (UNKNOWN, -1) else value

        return Profile(known, given(self.age), given(self.sex), given(self.side), given(self.onset), given(self.duration))

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Optional[dict]) -> "State":
        if not isinstance(data, dict):
            return cls()
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        try:
            return cls(**known)
        except TypeError:
            return cls()


@dataclass
class Reply:
    text: str
    buttons: List[dict] = field(default_factory=list)
    custom: Optional[dict] = None


@dataclass
class Turn:
    intent: Optional[str]
    text: str
    extraction: Extraction = field(default_factory=Extraction)  # with side / onset from button payloads


class Interview:
    def __init__(self, kb: KnowledgeBase, question_budget: int = DEFAULT_QUESTION_BUDGET):
        self.kb = kb
        self.question_budget = question_budget

    # ----------------------------------------------------------------- entry point
    def handle_turn(self, state: State, turn: Turn) -> (State, List[Reply]):
        """Red flags first, every turn; then the pending question, then whatever else was said.
        A very long message is read up to MAX_MESSAGE_CHARS (the NLU looked for red flags in the
        whole) and the person is told so; a command or a message in another language answers
        nothing: only its red flags count."""
        if len(turn.text) > MAX_MESSAGE_CHARS:
            checked_all = len(turn.text) <= MAX_RED_FLAG_SCAN_CHARS
            turn = Turn(turn.intent, turn.text[:MAX_MESSAGE_CHARS], turn.extraction)
            flags_before = len(state.red_flags)
            state, replies = self.handle_turn(state, turn)
            if len(state.red_flags) > flags_before:
                return state, replies  # an emergency: nothing else to say
            return state, [Reply(LONG_MESSAGE_NOTICE if checked_all else TOO_LONG_TO_CHECK_NOTICE), *replies]
        if is_command(turn.text):
            return self._unread(state, turn, COMMAND_NOTICE)
        if looks_non_english(turn.text):
            return self._unread(state, turn, self._english_only_notice(turn.text))
        if turn.intent == "start_over" and not (state.clarifying and self._answers_clarification(turn)):
            return self.start_over(state)
        noted = self._absorb(state, turn)
        answered = self._answer_pending(state, turn)
        escalation = self._check_red_flags(state)
        if escalation:
            return state, escalation
        if state.clarifying:
            return state, [self._clarify_question(state.clarifying)]
        if state.stage == ESCALATED:
            return state, self._after_escalation(state, turn)
        if not (noted or answered):
            unreadable = self._unreadable(turn)
            if unreadable:
                return state, [Reply(unreadable), *self._resume(state)]
            handled = self._handle_intent(state, turn)
            if handled is not None:
                return state, handled
        return state, self._carry_on(state, noted, answered)

    def _unread(self, state: State, turn: Turn, notice: str) -> (State, List[Reply]):
        """A message the interview cannot take as an answer: its red flags (found by the NLU in
        any language) count, nothing else; the person is told and the question asked again."""
        flags = [m for m in turn.extraction.mentions if m.finding in self.kb.red_flags]
        hints = [f for f in turn.extraction.hinted_red_flags if f in self.kb.red_flags]
        self._absorb(state, Turn(None, turn.text, Extraction(mentions=flags, hinted_red_flags=hints)))
        escalation = self._check_red_flags(state)
        if escalation:
            return state, escalation
        if state.clarifying:
            return state, [Reply(notice), self._clarify_question(state.clarifying)]
        if state.stage == ESCALATED:
            return state, [Reply(notice), *self._after_escalation(state, Turn(None, turn.text))]
        return state, [Reply(notice), *self._resume(state)]

    def _english_only_notice(self, text: str) -> str:
        """In English, and in Spanish (and Chinese for a message in Chinese) from the knowledge base."""
        languages = ["es", "zh"] if _CJK.search(text) else ["es"]
        translated = [self.kb.languages[code].english_only_notice for code in languages if code in self.kb.languages]
        return "\n".join([ENGLISH_ONLY_NOTICE, *translated])

    def start_over(self, state: State) -> (State, List[Reply]):
        """A new interview; the red flags already heard stay (nobody is talked out of an emergency)."""
        fresh = State(stage=INTERVIEW, red_flags=list(state.red_flags),
                      findings={flag: PRESENT for flag in state.red_flags})
        if state.red_flags:  # the emergency's level and payload stay until a new assessment
            fresh.triage, fresh.assessment = state.triage, state.assessment
        text = "Let's start over. " + self._opening_prompt()
        if state.red_flags:
            text = (f"Let's start over. Remember: {'; '.join(heard(self.kb, state.red_flags))} - "
                    f"if that is still so, call 911 now. " + self._opening_prompt())
        return fresh, [Reply(text)]

    def _carry_on(self, state: State, noted: Dict[str, str], answered: bool) -> List[Reply]:
        replies: List[Reply] = []
        if state.stage == START:
            state.stage = INTERVIEW
            if not state.findings:
                return [Reply(self._welcome() + "\n\n" + self._opening_prompt())]
            replies.append(Reply(self.kb.advice["what_i_am"].text + " If this is an emergency, call 911 now."))
        if state.stage == ASSESSED:
            if noted:
                return [Reply("Thanks, I've added that. " + self._describe_notes(noted)), *self._assess(state)]
            return [Reply("I've already given you my assessment. You can ask me a question about leg "
                          "numbness, get a summary for your doctor, or start over.", AFTER_BUTTONS)]
        if noted and not answered:
            replies.append(Reply(self._describe_notes(noted)))
        elif not answered and state.pending:
            state.unclear_answers += 1
            return [*replies, Reply("Sorry, I didn't catch that."),
                    self._ask(state, self.kb.questions[state.pending], repeat=True)]
        return [*replies, *self._next_step(state)]

    # ----------------------------------------------------------------- understanding
    def _absorb(self, state: State, turn: Turn) -> Dict[str, str]:
        """Take in what the message says about the person; return what is new or changed."""
        noted = {}
        for mention in turn.extraction.mentions:
            if mention.assertion not in (PRESENT, ABSENT, POSSIBLE):
                continue
            if state.findings.get(mention.finding) == PRESENT and mention.assertion == POSSIBLE:
                continue
            if mention.finding in state.red_flags and mention.assertion != PRESENT:
                continue  # a red flag once heard is never cleared by a later message
            if state.findings.get(mention.finding) != mention.assertion:
                state.findings[mention.finding] = mention.assertion
                noted[mention.finding] = mention.assertion
        for flag in turn.extraction.hinted_red_flags:
            if flag not in state.findings and flag not in state.cleared_flags and flag not in state.hinted_flags:
                state.hinted_flags.append(flag)
        about_numbness = any(m.finding in NUMBNESS_FINDINGS for m in turn.extraction.mentions)
        onset = turn.extraction.onset if about_numbness or state.pending == "onset" else None
        for key, value in (("side", turn.extraction.side), ("onset", onset)):  # "weak suddenly" is not the numbness
            if value and getattr(state, key) != value:
                setattr(state, key, value)
                noted[key] = value
        if state.onset == "sudden":
            self._sudden_onset(state, noted)
        return noted

    def _sudden_onset(self, state: State, noted: Dict[str, str]) -> None:
        numb = any(state.findings.get(f) == PRESENT for f in NUMBNESS_FINDINGS)
        if numb and state.findings.get("sudden_numbness") != PRESENT:
            state.findings["sudden_numbness"] = PRESENT
            noted["sudden_numbness"] = PRESENT

    def _answer_pending(self, state: State, turn: Turn) -> bool:
        if state.clarifying:
            return self._answer_clarification(state, turn)
        if not state.pending:
            return False
        question = self.kb.questions[state.pending]
        if turn.intent in NOT_AN_ANSWER:
            return False
        answered = getattr(self, f"_answer_{question.kind}")(state, question, turn)
        if answered:
            state.pending = None
            state.unclear_answers = 0
        return answered

    def _answer_yes_no(self, state: State, question: Question, turn: Turn) -> bool:
        if question.finding in state.findings and state.findings[question.finding] in (PRESENT, ABSENT):
            state.answers[question.id] = "yes" if state.findings[question.finding] == PRESENT else "no"
            return True  # the free text of the answer said it
        reply = answers.parse_yes_no(turn.text, turn.intent)
        if reply is None:
            if state.unclear_answers >= 1:  # asked twice: move on rather than loop
                state.answers[question.id] = "unsure"
                return True
            return False
        state.answers[question.id] = reply
        if reply != answers.UNSURE:
            state.findings[question.finding] = PRESENT if reply == answers.YES else ABSENT
        return True

    def _answer_age_sex(self, state: State, question: Question, turn: Turn) -> bool:
        age, sex = answers.parse_age_sex(turn.text)
        state.age = age if age is not None else state.age
        state.sex = sex or state.sex
        if state.age is not None and state.sex is not None:
            state.answers[question.id] = f"{state.age}, {state.sex}"
            return True
        if turn.intent in ("unsure", "deny") or state.unclear_answers >= 1:
            state.answers[question.id] = f"{state.age or 'not given'}, {state.sex or 'not given'}"
            state.age = state.age if state.age is not None else -1
            state.sex = state.sex or UNKNOWN
            return True
        return False

    def _answer_side(self, state: State, question: Question, turn: Turn) -> bool:
        side = turn.extraction.side or answers.parse_side(turn.text)
        return self._store_feature(state, question, "side", side, turn)

    def _answer_onset(self, state: State, question: Question, turn: Turn) -> bool:
        onset = turn.extraction.onset or answers.parse_onset(turn.text)
        answered = self._store_feature(state, question, "onset", onset, turn)
        if onset == "sudden":
            self._sudden_onset(state, {})
        return answered

    def _answer_duration(self, state: State, question: Question, turn: Turn) -> bool:
        return self._store_feature(state, question, "duration", answers.parse_duration(turn.text), turn)

    def _store_feature(self, state: State, question: Question, key: str, value: Optional[str], turn: Turn) -> bool:
        if value is None:
            if getattr(state, key) is not None:
                return True
            if turn.intent == "unsure" or state.unclear_answers >= 1:
                state.answers[question.id] = "unsure"
                setattr(state, key, UNKNOWN)
                return True
            return False
        setattr(state, key, value)
        state.answers[question.id] = value
        return True

    # ----------------------------------------------------------------- red flags
    def _check_red_flags(self, state: State) -> Optional[List[Reply]]:
        check = check_red_flags(self.kb, state.findings, state.cleared_flags)
        new = [f for f in [*check.escalate, *state.confirmed_flags] if f not in state.red_flags]
        if new:  # an emergency now: the ambiguous flags also present raise its level, unasked
            return self._escalate(state, new, also_present=check.clarify)
        if state.clarifying:
            return None
        unchecked = [f for f in state.hinted_flags if f not in state.findings and f not in state.cleared_flags]
        if check.clarify or unchecked:
            state.clarifying = (check.clarify or unchecked)[0]
        return None

    @staticmethod
    def _answers_clarification(turn: Turn) -> bool:
        """A safety question is never dropped: an answer to it is read as one, whatever its intent."""
        return answers.parse_is_new(turn.text) is not None

    def _answer_clarification(self, state: State, turn: Turn) -> bool:
        reply = answers.parse_is_new(turn.text, turn.intent)
        flag = state.clarifying
        if reply is None:
            return False
        state.clarifying = None
        if reply == answers.NO:  # long-standing, or not there at all: asked once, never again
            state.cleared_flags.append(flag)
        else:  # yes or not sure: an emergency, to be safe
            state.findings[flag] = PRESENT
            state.confirmed_flags.append(flag)
        return True

    def _clarify_question(self, flag: str) -> Reply:
        """"Is it new?" for an ambiguous flag the person has; "to be safe: do you have...?" for
        a flag only hinted at by a cue word."""
        red_flag = self.kb.findings[flag].red_flag
        return Reply(red_flag.clarify_question or red_flag.check_question, YES_NO_BUTTONS)

    def _escalate(self, state: State, new_flags: List[str], also_present: List[str] = ()) -> List[Reply]:
        state.red_flags.extend(f for f in new_flags if f not in state.red_flags)
        state.stage, state.pending, state.clarifying = ESCALATED, None, None
        level = highest([self._escalation_level(state), *(self.kb.findings[f].red_flag.urgency for f in also_present)])
        state.triage = level.value
        state.assessment = self._payload(level, state.red_flags, [])
        said = "; ".join(heard(self.kb, new_flags))
        text = (f"⚠️ {said[0].upper() + said[1:]}. This can be a sign of a serious problem.\n"
                f"{self.kb.urgency_levels[level].label}: {self.kb.advice_for(level)}\n"
                f"{self.kb.advice['not_a_diagnosis'].text}")
        return [Reply(text, custom=state.assessment)]

    def _escalation_level(self, state: State) -> Urgency:
        """The red flags' urgency, raised when what else was said fits a cause that needs more
        (new weakness with a numb arm and a headache fits a stroke: an ambulance, not a drive)."""
        levels = [red_flag_urgency(self.kb, state.red_flags)]
        best = rank_causes(self.kb, state.profile())[0]
        if best.score >= ESCALATION_CAUSE_SHARE:
            levels.append(best.cause.urgency)
        return highest(levels)

    def escalate_now(self, state: State, flags: List[str]) -> List[Reply]:
        """For the rule that fires when the NLU marks a red flag: the same escalation."""
        for flag in flags:
            state.findings[flag] = PRESENT
        new = [f for f in flags if f not in state.red_flags] or flags
        return self._escalate(state, new)

    def _after_escalation(self, state: State, turn: Turn) -> List[Reply]:
        handled = self._handle_intent(state, turn)
        level = Urgency(state.triage)
        reminder = Reply(f"Please don't wait: {self.kb.advice_for(level)}", custom=state.assessment)
        return [*(handled or []), reminder]

    # ----------------------------------------------------------------- intents
    @staticmethod
    def _unreadable(turn: Turn) -> Optional[str]:
        """An empty message: say so, and lose nothing (commands, other languages: see handle_turn)."""
        if not turn.text.strip():
            return "I didn't receive any text. Please tell me in words what you are feeling."
        return None

    def _handle_intent(self, state: State, turn: Turn) -> Optional[List[Reply]]:
        """Replies to what is not an answer or a description: greetings, questions, requests."""
        intent = turn.intent
        if intent == "greet":
            if state.stage == START:
                state.stage = INTERVIEW
                return [Reply(self._welcome() + "\n\n" + self._opening_prompt())]
            return [Reply("Hello again."), *self._resume(state)]
        if intent == "ask_faq":  # the rule has already sent the answer
            return self._resume(state)
        if intent == "bot_challenge":
            return [Reply(self.kb.advice["what_i_am"].text), *self._resume(state)]
        if intent == "talk_to_person":
            return [Reply(self.kb.advice["talk_to_person"].text), *self._resume(state)]
        if intent == "request_summary":
            return [Reply(self.summary(state)), *self._resume(state)]
        if intent == "thanks":
            return [Reply("You're welcome."), *self._resume(state)]
        if intent == "goodbye":
            return [Reply("Take care. If things get worse, or you notice any of the serious signs, call 911.")]
        if intent == "out_of_scope" or (intent == "nlu_fallback" and not state.pending):
            return [Reply("I can only help with leg numbness and the symptoms that come with it."), *self._resume(state)]
        if state.stage == ASSESSED and intent in ("affirm", "deny") and state.feedback is None:
            state.feedback = "helpful" if intent == "affirm" else "not_helpful"
            return [Reply("Thank you for your feedback. What would you like to do next?", AFTER_BUTTONS)]
        return None

    def _resume(self, state: State) -> List[Reply]:
        if state.stage == START:
            state.stage = INTERVIEW
            return [Reply(self._opening_prompt())]
        if state.pending:
            return [self._ask(state, self.kb.questions[state.pending], repeat=True, lead="To carry on: ")]
        if state.stage == ASSESSED:
            return [Reply("What would you like to do next?", AFTER_BUTTONS)]
        return []

    # ----------------------------------------------------------------- questions and assessment
    def _next_step(self, state: State) -> List[Reply]:
        if not state.findings and state.side is None:
            state.unclear_answers += 1
            return [Reply(self._opening_prompt() if state.unclear_answers < 2 else self._opening_prompt_again())]
        question = next_question(self.kb, state.profile(), state.asked, self.question_budget)
        if question is None:
            return self._assess(state)
        return [self._ask(state, question)]

    def _ask(self, state: State, question: Question, repeat: bool = False, lead: str = "") -> Reply:
        state.pending = question.id
        if not repeat and question.id not in state.asked:
            state.asked.append(question.id)
        buttons = {"yes_no": YES_NO_BUTTONS, "side": SIDE_BUTTONS, "onset": ONSET_BUTTONS}.get(question.kind, [])
        return Reply(lead + question.text, buttons)

    def _assess(self, state: State) -> List[Reply]:
        state.pending = None
        ranked = rank_causes(self.kb, state.profile())
        level = highest([triage_from_causes(ranked), *([red_flag_urgency(self.kb, state.red_flags)] if state.red_flags else [])])
        top = ranked[:3]
        state.stage, state.triage = ASSESSED, level.value
        state.assessment = self._payload(level, state.red_flags, [r.to_payload() for r in top])
        lines = ["Here is what your answers fit best (most likely first):"]
        for number, item in enumerate(top, start=1):
            cause = item.cause
            lines.append(f"\n{number}. {cause.name} ({round(item.score * 100)}%) - "
                         f"{self.kb.urgency_levels[cause.urgency].label}")
            lines.append(f"   {cause.description.splitlines()[0]}")
            if item.reasons_for:
                lines.append(f"   Fits: {', '.join(item.reasons_for[:5])}.")
            if item.reasons_against:
                lines.append(f"   Against: {', '.join(item.reasons_against[:4])}.")
        lines.append(f"\nWhat to do: {self.kb.urgency_levels[level].label}. {self.kb.advice_for(level)}")
        if top[0].cause.id == "temporary_compression" and level == Urgency.self_care:
            lines.append(self.kb.advice["temporary_compression_care"].text)
        lines.append(self.kb.advice["not_a_diagnosis"].text)
        return [Reply("\n".join(lines), custom=state.assessment),
                Reply("Was this helpful?", FEEDBACK_BUTTONS)]

    @staticmethod
    def _payload(level: Urgency, red_flags: List[str], causes: List[dict]) -> dict:
        return {"assessment": {"triage": level.value, "red_flags": list(red_flags), "causes": causes}}

    # ----------------------------------------------------------------- texts
    def _welcome(self) -> str:
        return (f"Hello. {self.kb.advice['what_i_am'].text}\n{self.kb.advice['disclaimer'].text}")

    @staticmethod
    def _opening_prompt() -> str:
        return ("Please tell me in your own words what you are feeling in your legs. "
                "If you are asking for someone else, describe their symptoms and answer my questions for them.")

    @staticmethod
    def _opening_prompt_again() -> str:
        return ("I couldn't find any symptoms in that. You could write, for example: "
                "\"my left foot has been numb and tingling for two weeks\". If this is an emergency, call 911 now.")

    def _describe_notes(self, noted: Dict[str, str]) -> str:
        have = [self.kb.label(f) for f, a in noted.items() if f in self.kb.findings and a == PRESENT]
        lacks = [self.kb.label(f) for f, a in noted.items() if f in self.kb.findings and a == ABSENT]
        unsure = [self.kb.label(f) for f, a in noted.items() if f in self.kb.findings and a == POSSIBLE]
        parts = []
        if have:
            side = noted.get("side")
            where = f" ({'both legs' if side == 'both' else f'{side} side'})" if side in ("left", "right", "both") else ""
            parts.append(f"I noted: {', '.join(have)}{where}")
        if lacks:
            parts.append(f"you don't have {', '.join(lacks)}")
        if unsure:
            parts.append(f"you're not sure about {', '.join(unsure)}")
        if not parts and "side" in noted:
            parts.append(f"I noted: {'both legs' if noted['side'] == 'both' else noted['side'] + ' side'}")
        if not parts and "onset" in noted:
            parts.append(f"I noted: it came on {'suddenly' if noted['onset'] == 'sudden' else 'gradually'}")
        return ("; ".join(parts) + ".") if parts else "Thanks."

    def summary(self, state: State) -> str:
        kb = self.kb
        present = [kb.label(f) for f, a in state.findings.items() if a == PRESENT and f in kb.findings]
        absent = [kb.label(f) for f, a in state.findings.items() if a == ABSENT and f in kb.findings]
        lines = ["Summary to show a doctor (from what you told me; not a diagnosis):"]
        if state.age not in (None, -1) or state.sex not in (None, "unknown"):
            lines.append(f"- Age / sex: {state.age if state.age not in (None, -1) else 'not given'}, {state.sex or 'not given'}")
        for label, value in (("Side", state.side), ("Onset", state.onset), ("Duration", state.duration)):
            if value and value != "unknown":
                lines.append(f"- {label}: {value}")
        lines.append(f"- Reported: {', '.join(present) if present else 'nothing yet'}")
        if absent:
            lines.append(f"- Not present: {', '.join(absent)}")
        doctor = [q for q in kb.questions.values() if q.doctor_asks]
        for question in doctor:
            answer = state.answers.get(question.id) or {PRESENT: "yes", ABSENT: "no"}.get(state.findings.get(question.finding), "not asked")
            lines.append(f"- {question.text} {answer}")
        if state.red_flags:
            lines.append(f"- Serious signs: {', '.join(kb.label(f) for f in state.red_flags)}")
        if state.triage:
            lines.append(f"- Triage: {kb.urgency_levels[Urgency(state.triage)].label}")
        if state.assessment and state.assessment["assessment"]["causes"]:
            names = ", ".join(c["name"] for c in state.assessment["assessment"]["causes"])
            lines.append(f"- Possible causes discussed: {names}")
        return "\n".join(lines)
