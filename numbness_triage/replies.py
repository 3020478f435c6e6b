"""What the bot says: its replies, their buttons, and the texts built from the knowledge base.

The interview (interview.py) decides what to say; this module says it. Nothing here changes the
interview's state.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

from numbness_triage.limits import MAX_MESSAGE_CHARS, MAX_RED_FLAG_SCAN_CHARS
from numbness_triage.knowledge import (AGE_SEX, DISCLAIMER, NOT_A_DIAGNOSIS, ONSET, SIDE, WHAT_I_AM, YES_NO,
                                      KnowledgeBase, Question, SafetyRule, Urgency)
from numbness_triage.matching import Ranking
from numbness_triage.finding_ids import NUMBNESS_FINDINGS
from numbness_triage.mentions import ABSENT, HISTORICAL, POSSIBLE, PRESENT
from numbness_triage.state import State


@dataclass
class Reply:
    text: str
    buttons: List[dict] = field(default_factory=list)
    custom: Optional[dict] = None


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
FEEDBACK_BUTTONS = [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]
BUTTONS_BY_KIND = {YES_NO: YES_NO_BUTTONS, SIDE: SIDE_BUTTONS, ONSET: ONSET_BUTTONS}
# The greeting the channels send for a person who opens the chat (Telegram's /start in
# channels/telegram_secure.py; the web widget's initPayload in web/server.py).
CHANNEL_GREETING = "/greet"

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
EMPTY_NOTICE = "I didn't receive any text. Please tell me in words what you are feeling."
NOT_CAUGHT = "Sorry, I didn't catch that."
MOVING_ON = "I'll note that as not known and go on."
SAFETY_UNCLEAR = "I couldn't tell from that, so to be safe I'll treat it as yes."
ALREADY_ASSESSED = ("I've already given you my assessment. You can ask me a question about leg numbness, "
                    "get a summary for your doctor, or start over.")
OUT_OF_SCOPE = "I can only help with leg numbness and the symptoms that come with it."
GOODBYE = "Take care. If things get worse, or you notice any of the serious signs, call 911."

_COMMAND = re.compile(r"^/(?P<intent>[^{@]*)(?P<entities>\{.*\})?$", re.S)
_CJK = re.compile(r"[\u3400-\u9fff]")


def _payload_key(text: str) -> Optional[Tuple[str, str]]:
    """(intent, entities) of a "/intent{...}" text, spacing aside; None when it is not one."""
    match = _COMMAND.match(text.strip())
    if not match:
        return None
    try:
        entities = json.loads(match.group("entities")) if match.group("entities") else {}
    except (ValueError, RecursionError):
        return None
    return match.group("intent").strip(), json.dumps(entities, sort_keys=True)


# A click cannot be told from the same text typed: both are read as the button's answer. Any
# other "/..." text is a command the interview does not take.
BUTTON_PAYLOADS = {_payload_key(button["payload"])
                   for buttons in (YES_NO_BUTTONS, SIDE_BUTTONS, ONSET_BUTTONS, AFTER_BUTTONS, FEEDBACK_BUTTONS)
                   for button in buttons} | {_payload_key(CHANNEL_GREETING)}


def is_command(text: str) -> bool:
    """A "/..." text that is not one of the bot's button payloads: "/foo", "/", "/inform",
    '/affirm{"interview": {}}', '/inform{"bad json'."""
    return text.strip().startswith("/") and _payload_key(text) not in BUTTON_PAYLOADS


# --- speaking of the patient -----------------------------------------------------------------------
_PRONOUN_FORMS = {
    "he": {"they": "he", "them": "him", "their": "his", "is": "is", "does": "does", "has": "has", "was": "was"},
    "she": {"they": "she", "them": "her", "their": "her", "is": "is", "does": "does", "has": "has", "was": "was"},
    "they": {"they": "they", "them": "them", "their": "their", "is": "are", "does": "do", "has": "have", "was": "were"},
}


class _Forms(dict):
    """Pronoun forms; any other {verbs} is a verb in the third person singular ("{walks}")."""

    def __init__(self, forms: Dict[str, str], plural: bool):
        super().__init__(forms)
        self.plural = plural

    def __missing__(self, key: str) -> str:
        return key[:-1] if self.plural and key.endswith("s") else key


def in_third_person(template: str, pronoun: Optional[str]) -> str:
    """"{Does} {they} have trouble sleeping?" for he / she / they."""
    forms = _PRONOUN_FORMS.get(pronoun or "they", _PRONOUN_FORMS["they"])
    words = {**forms, **{key.capitalize(): value.capitalize() for key, value in forms.items()}}
    return template.format_map(_Forms(words, plural=(pronoun or "they") == "they"))


def question_text(question: Question, state: State) -> str:
    if question.kind == AGE_SEX:
        return _age_sex_text(state)
    if state.about_someone_else() and question.text_other:
        return in_third_person(question.text_other, state.pronoun)
    return question.text


def _age_sex_text(state: State) -> str:
    other = state.about_someone_else()
    need_age = state.age is None and "age" not in state.unknown
    need_sex = state.sex is None and "sex" not in state.unknown
    if need_age and not need_sex:
        return in_third_person("How old {is} {they}?", state.pronoun) if other else "How old are you?"
    if need_sex and not need_age:
        return (in_third_person("{Is} {they} male or female?", state.pronoun) if other
                else "Are you male or female?")
    if other:
        return in_third_person("How old {is} {they}, and {is} {they} male or female? (For example: 70, male)",
                               state.pronoun)
    return "How old are you, and are you male or female? (For example: 45, female)"


def possessive(state: State) -> str:
    """ "your" for the person typing, "your father's" for someone they care for."""
    return f"your {state.relation}'s" if state.about_someone_else() and state.relation else (
        "their" if state.about_someone_else() else "your")


# --- fixed texts ----------------------------------------------------------------------------------
def welcome(kb: KnowledgeBase) -> str:
    """Said once, at the start: what the bot is, that it is not a doctor, when to call 911."""
    return f"Hello. {kb.advice[WHAT_I_AM].text}\n{kb.advice[DISCLAIMER].text}"


def opening_prompt() -> str:
    return ("Please tell me in your own words what you are feeling in your legs. "
            "If you are asking for someone else, tell me about them and answer my questions for them.")


def opening_prompt_again() -> str:
    return ("I couldn't find any symptoms in that. You could write, for example: "
            "\"my left foot has been numb and tingling for two weeks\". If this is an emergency, call 911 now.")


def english_only_notice(kb: KnowledgeBase, text: str) -> str:
    """In English, and in Spanish (and Chinese for a message in Chinese) from the knowledge base."""
    languages = ["es", "zh"] if _CJK.search(text) else ["es"]
    translated = [kb.languages[code].english_only_notice for code in languages if code in kb.languages]
    return "\n".join([ENGLISH_ONLY_NOTICE, *translated])


# --- what was understood ---------------------------------------------------------------------------
_TIMING_WORDS = {
    "onset": {"sudden": "it came on suddenly", "hours": "it came on over hours", "days": "it came on over days",
              "gradual": "it came on gradually"},
    "duration": {"minutes": "it started minutes ago", "hours": "it started within the last day",
                 "days": "it started in the last few days", "weeks": "it started weeks ago",
                 "months": "it started months ago", "years": "it started years ago"},
    "episode": {"minutes": "it passes within minutes", "hours": "it lasts hours at a time",
                "constant": "it doesn't go away"},
    "course": {"constant": "it is there all the time", "intermittent": "it comes and goes",
               "worsening": "it is getting worse", "improving": "it is getting better"},
}


def _where(side: Optional[str]) -> str:
    return {"both": "both sides", "left": "left side", "right": "right side", "one": "one side"}.get(side or "", "")


def describe_notes(kb: KnowledgeBase, noted: Dict[str, object], state: State) -> str:
    """ "I noted: numbness in the foot or toes (left side), diabetes; no lower back pain." """
    findings = {f: a for f, a in noted.items() if f in kb.findings}
    have, place = [], _where(noted.get("side"))  # type: ignore[arg-type]
    for finding_id, assertion in findings.items():
        if assertion == PRESENT:
            label = kb.label(finding_id)
            have.append(f"{label} ({place})" if place and finding_id in NUMBNESS_FINDINGS else label)
    if place and not any(f in NUMBNESS_FINDINGS for f in findings):
        have.append(place)
    for key, words in _TIMING_WORDS.items():
        if noted.get(key) in words:
            have.append(words[noted[key]])  # type: ignore[index]
    if "age" in noted:
        have.append(f"age {noted['age']}")
    if "sex" in noted:
        have.append(str(noted["sex"]))
    parts = []
    if noted.get("patient"):
        parts.append(f"I'll ask about your {state.relation}" if state.relation
                     else "I'll ask about the person you're asking for")
    if have:
        parts.append(f"I noted: {', '.join(have)}")
    lacks = [kb.absent_label(f) for f, a in findings.items() if a == ABSENT]
    if lacks:
        parts.append(", ".join(lacks))
    past = [kb.label(f) for f, a in findings.items() if a == HISTORICAL]
    if past:
        parts.append(f"in the past: {', '.join(past)}")
    unsure = [kb.label(f) for f, a in findings.items() if a == POSSIBLE]
    if unsure:
        parts.append(f"not sure about: {', '.join(unsure)}")
    return ("; ".join(parts) + ".") if parts else "Thanks."


# --- the assessment and the escalation --------------------------------------------------------------
def assessment_text(kb: KnowledgeBase, ranking: Ranking, level: Urgency, rules: List[SafetyRule],
                    state: State) -> str:
    shown = ranking.shown()
    if ranking.fits_well:
        lines = ["Here is what the answers fit best (most likely first):"]
    else:
        lines = ["None of the causes I know fits what you told me well. The closest, all less likely:"]
    for number, item in enumerate(shown, start=1):
        cause = item.cause
        lines.append(f"\n{number}. {cause.name} ({round(item.score * 100)}%) - usually: "
                     f"{kb.urgency_levels[cause.urgency].label}")
        lines.append(f"   {cause.description.splitlines()[0]}")
        if item.reasons_for:
            lines.append(f"   Fits: {', '.join(item.reasons_for[:5])}.")
        if item.reasons_against:
            lines.append(f"   Against: {', '.join(item.reasons_against[:4])}.")
    lines.append(f"\nWhat to do now: {kb.urgency_levels[level].label}. {kb.advice_for(level)}")
    raising = [rule for rule in rules if rule.urgency == level]
    if raising:
        lines.append(f"Why: {raising[0].says}.")
    top = shown[0].cause
    if ranking.fits_well and top.advice and top.urgency == level:
        lines.append(top.advice)
    lines.append(kb.advice[NOT_A_DIAGNOSIS].text)
    return "\n".join(lines)


def escalation_text(kb: KnowledgeBase, heard_now: List[str], level: Urgency) -> str:
    said = "; ".join(heard_now)
    return (f"⚠️ {said[0].upper() + said[1:]}. This can be a sign of a serious problem.\n"
            f"{kb.urgency_levels[level].label}: {kb.advice_for(level)}\n"
            f"{kb.advice[NOT_A_DIAGNOSIS].text}")


def payload(level: Urgency, red_flags: List[str], causes: List[dict], fit: Optional[str] = None,
            rules: Optional[List[str]] = None) -> dict:
    """The custom JSON message sent beside an assessment or an escalation (README: the payload)."""
    body: dict = {"triage": level.value, "red_flags": list(red_flags), "causes": causes}
    if fit:
        body["fit"] = fit
    if rules:
        body["rules"] = list(rules)
    return {"assessment": body}
