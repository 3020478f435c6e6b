"""Marked conversations as new simulated-patient cases (the vignette format, version 2) for the
development set: the person's own words become the opening, the answers to the standard questions,
the facts behind the yes/no questions, and what they said unasked; the reviewer's verdict gives the
expected triage. Only conversations with an expected triage are exported ("not readable" without
one is left out). What a person typed is health data: the file says so at the top."""
from __future__ import annotations

import hashlib
import json
import re
import time
from typing import Dict, List, Optional, Tuple

import yaml

from numbness_triage.knowledge import EMERGENCY_LEVELS
from numbness_triage.mentions import ABSENT, HISTORICAL, OTHER_PERSON, SYMPTOM_ENTITY
from review.conversation import Conversation, Message
from review.marks import NO_GOOD_FIT, Mark
from review.vocabulary import Vocabulary

STANDARD = {"age_sex": "age_sex", "side": "side", "onset": "onset", "duration": "duration"}
DENIED_ROLES = {ABSENT, OTHER_PERSON, HISTORICAL}
_CAREGIVER = re.compile(r"\b(my|our)\s+(mum|mom|mother|dad|father|husband|wife|partner|son|daughter|child|kid|"
                        r"grand\w*|brother|sister|friend|aunt|uncle|neighbou?r|patient)\b|\basking for\b", re.I)
_PAYLOAD_WORDS = {"/affirm": "yes", "/deny": "no", "/unsure": "not sure"}
_YES = re.compile(r"^\s*(yes|yeah|yep|yup|y|sure|i do|it is|he is|she is)\b", re.I)
_NO = re.compile(r"^\s*(no|nope|nah|n|not really|never|i don't|it isn't)\b", re.I)

HEADER = """# Simulated-patient cases exported from the review page ({when}), vignette format version 2.
# They hold what real people typed: read each one, remove anything that could identify a person,
# then add the cases to tests/vignettes/ (the development set). Each case's comment says where it came from.
"""


def case_id(sender_id: str) -> str:
    return "review_" + hashlib.sha256(sender_id.encode("utf-8", "replace")).hexdigest()[:10]


def _words(message: Message) -> str:
    """What the person said, with a button's payload turned into the words it stands for."""
    text = message.text.strip()
    if text in _PAYLOAD_WORDS:
        return _PAYLOAD_WORDS[text]
    if text.startswith("/inform"):
        try:
            values = json.loads(text[len("/inform"):] or "{}")
        except ValueError:
            return text
        if values.get("side"):
            return "both legs" if values["side"] == "both" else f"my {values['side']} leg"
        if values.get("onset"):
            return "suddenly" if values["onset"] == "sudden" else "gradually"
    return text


def _yes_no(message: Message, recorded: Optional[str]) -> str:
    if recorded in ("yes", "no"):
        return recorded
    if recorded == "unsure":
        return "not sure"
    words = _words(message)
    if _YES.match(words):
        return "yes"
    if _NO.match(words):
        return "no"
    return "not sure"


def _denies_red_flags(conversation: Conversation) -> bool:
    """A red flag the person denied, had in the past or told of someone else, and the bot let be."""
    return any(e.kind == SYMPTOM_ENTITY and e.red_flag and e.role in DENIED_ROLES
               and e.value not in conversation.red_flags
               for m in conversation.person_messages for e in m.entities)


def _before_assessment(conversation: Conversation) -> List[Message]:
    """The person's messages up to the first assessment or escalation (where a case ends)."""
    messages = []
    for message in conversation.messages:
        if message.who == "bot" and message.assessment:
            break
        if message.who == "person" and message.text.strip() != "/greet":
            messages.append(message)
    return messages


def vignette(conversation: Conversation, mark: Mark, vocabulary: Vocabulary) -> Optional[dict]:
    if not mark.expected_triage:
        return None
    recorded = conversation.interview.get("answers")
    recorded = recorded if isinstance(recorded, dict) else {}
    messages = _before_assessment(conversation)
    opening = next((m for m in messages if m.text.strip() and not m.unread), None)
    answers: Dict[str, str] = {}
    facts: List[dict] = []
    volunteer: List[str] = []
    later: List[dict] = []
    given = 0
    for message in messages:
        if message is opening:
            continue
        kind = vocabulary.question_kind(message.question_id)
        if message.unread:
            later.append({"after_answers": given, "text": message.text})
            continue
        if kind in STANDARD and STANDARD[kind] not in answers:
            answers[STANDARD[kind]] = _words(message)
        elif kind == "red_flag" and "new" not in answers and "new" in (message.answers or "").lower():
            answers["new"] = _words(message)
        elif kind in ("yes_no", "red_flag"):
            fact = {"about": vocabulary.keywords(message.question_id or ""),
                    "answer": _yes_no(message, recorded.get(message.question_id))}
            if not message.text.strip().startswith("/"):
                fact["says"] = message.text
            facts.append(fact)
        else:
            volunteer.append(message.text)
            continue
        given += 1
    expected_cause = mark.expected_cause or (conversation.top_cause if mark.verdict == "correct" else None)
    red_flag = mark.expected_triage in EMERGENCY_LEVELS and (
        (conversation.escalated and mark.verdict in ("correct", "under_triaged")) or mark.verdict == "under_triaged")
    case = {
        "id": case_id(conversation.sender_id),
        "typed_by": "caregiver" if opening and _CAREGIVER.search(opening.text) else "patient",
        "style": f"a real conversation ({conversation.channel}), marked {mark.verdict_label} on the review page",
        "expected_causes": [expected_cause or NO_GOOD_FIT],
        "expected_triage": mark.expected_triage,
        "red_flag": bool(red_flag),
        "denies_red_flags": _denies_red_flags(conversation) and not red_flag,
        "opening": opening.text if opening else "",
        "answers": answers,
        "facts": facts,
    }
    if volunteer:
        case["volunteer"] = volunteer
    if later:
        case["later"] = later
    case["default"] = "no"
    return case


def _comment(conversation: Conversation, mark: Mark) -> str:
    when = time.strftime("%Y-%m-%d", time.gmtime(mark.marked_at))
    bot = f"the bot said {conversation.triage or 'nothing'}"
    note = " ".join(mark.note.split())
    lines = [f"# conversation {case_id(conversation.sender_id)[7:]} ({bot}); marked {mark.verdict_label} "
             f"by {mark.reviewer} on {when}"]
    if note:
        lines.append(f"# note: {note}")
    return "\n".join(f"  {line}" for line in lines)


def export_yaml(marked: List[Tuple[Conversation, Mark]], vocabulary: Vocabulary, now: Optional[float] = None) -> str:
    parts = [HEADER.format(when=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(now or time.time()))), "vignettes:"]
    exported = 0
    for conversation, mark in marked:
        case = vignette(conversation, mark, vocabulary)
        if case is None:
            continue
        body = yaml.safe_dump([case], sort_keys=False, allow_unicode=True, width=110, default_flow_style=False)
        parts.append(_comment(conversation, mark))
        parts.append("\n".join(f"  {line}" if line else line for line in body.rstrip("\n").splitlines()))
        exported += 1
    if not exported:
        parts[-1] = "vignettes: []"
    return "\n".join(parts) + "\n"
