"""What each page shows, as plain data for the templates (no HTTP here)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import parse_qsl, urlencode

from review.conversation import LEVELS, Conversation
from review.marks import Mark
from review.overview import Filters
from review.vocabulary import Vocabulary

# The interview state's fields shown in their own places; any other field is listed as found.
SHOWN_FIELDS = {"stage", "findings", "age", "sex", "side", "onset", "duration", "asked", "answers", "pending",
                "clarifying", "cleared_flags", "confirmed_flags", "hinted_flags", "red_flags", "triage",
                "assessment", "feedback"}
LISTS = {"all": "all", "assessed": "reached an assessment", "escalated": "escalated", "stuck": "stuck",
         "unread": "with messages the bot could not read", "feedback": "with feedback", "marked": "marked",
         "unmarked": "not marked yet"}
PAGE_SIZE = 100


@dataclass
class QuestionAnswer:
    question: str
    answer: str
    words: str = ""  # the person's own words, when they differ from the answer as read


def select(conversations: List[Conversation], show: str, marks: Dict[str, Mark],
           stuck_after: int) -> List[Conversation]:
    tests = {
        "assessed": lambda c: c.assessed,
        "escalated": lambda c: c.escalated,
        "stuck": lambda c: c.stuck(stuck_after),
        "unread": lambda c: bool(c.unread),
        "feedback": lambda c: bool(c.feedback),
        "marked": lambda c: c.sender_id in marks,
        "unmarked": lambda c: c.sender_id not in marks,
    }
    test = tests.get(show)
    return [c for c in conversations if test is None or test(c)]


def questions_and_answers(conversation: Conversation, vocabulary: Vocabulary) -> List[QuestionAnswer]:
    """The interview's questions in the order asked, with the answer as the interview read it and
    the person's words; then the safety questions about red flags, from the transcript."""
    state = conversation.interview
    asked = [q for q in state.get("asked") or [] if isinstance(q, str)]
    answers = state.get("answers")
    read: Dict[str, Any] = answers if isinstance(answers, dict) else {}
    said: Dict[str, str] = {}
    for message in conversation.person_messages:
        if message.question_id and message.question_id not in said:
            said[message.question_id] = message.text
    rows = [QuestionAnswer(vocabulary.question(q), str(read.get(q, "not answered")), _differs(said.get(q), read.get(q)))
            for q in asked]
    for question_id, words in said.items():
        if question_id.startswith("red_flag:"):
            question = next((m.answers for m in conversation.person_messages if m.question_id == question_id), "")
            rows.append(QuestionAnswer(question or question_id, "(safety question)", words))
    return rows


def _differs(words: Optional[str], answer: Any) -> str:
    if not words or str(answer).strip().lower() == words.strip().lower():
        return ""
    return words


def interview_fields(conversation: Conversation,
                     vocabulary: Vocabulary) -> Tuple[List[Tuple[str, str]], Dict[str, str]]:
    """(the findings as (label, assertion)) and {other field: its value as text}."""
    state = conversation.interview
    said = state.get("findings")
    findings: Dict[str, Any] = said if isinstance(said, dict) else {}
    rows = [(vocabulary.finding(str(f)), str(a)) for f, a in findings.items()]
    other = {}
    for key in ("stage", "age", "sex", "side", "onset", "duration", "pending", "clarifying"):
        if state.get(key) not in (None, "", [], {}):
            other[key] = _text(state[key])
    for key in ("cleared_flags", "confirmed_flags", "hinted_flags"):
        if state.get(key):
            named = ", ".join(vocabulary.finding(str(f)) for f in state[key] if isinstance(f, str))
            other[key] = named or _text(state[key])
    for key, value in state.items():
        if key not in SHOWN_FIELDS:
            other[str(key)] = _text(value)  # a field this page does not know yet: shown as it is
    return rows, other


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    except (TypeError, ValueError):
        return repr(value)


def why(cause: dict, key: str) -> List[str]:
    reasons = cause.get("why")
    if not isinstance(reasons, dict):
        return []
    return [str(r) for r in reasons.get(key) or [] if isinstance(r, (str, int, float))]


def score(cause: dict) -> str:
    value = cause.get("score")
    return f"{round(value * 100)}%" if isinstance(value, (int, float)) else "-"


def level_choices() -> List[str]:
    return list(LEVELS)


def link(path: str, filters: Optional[Filters] = None, **extra: Any) -> str:
    """`path` with the filters and `extra` as its query string."""
    pairs = parse_qsl(filters.query()) if filters else []
    pairs += [(key, str(value)) for key, value in extra.items() if value not in (None, "")]
    return f"{path}?{urlencode(pairs)}" if pairs else path
