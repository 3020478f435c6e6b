"""The assessment payload as a card, for the chat apps that can show one (Slack and Telegram).

Framework-free: the input is the interview's custom message `{"assessment": {...}}` (see the
README) and the knowledge base, which holds the words shown to people (urgency labels and advice,
red-flag labels, cause descriptions, the disclaimer). The output is plain data: Slack Block Kit
dicts (`slack_message`), a Telegram HTML string (`telegram_html`) or, for the web page, the card's
words as JSON (`web_card`). Nothing here imports Rasa, slack_sdk or aiogram; the channel modules
call these functions.

A message that carries an assessment is shown as the card *instead of* its plain text (Slack keeps
the text as the notification fallback), so the card says everything the text says: the level
and its advice, the warning signs heard, each cause with its likelihood, urgency, description and
reasons, the home-care note, and "this is not a diagnosis".
"""
from __future__ import annotations

import html
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Dict, List, Optional

from numbness_triage.knowledge import EMERGENCY_LEVELS, NOT_A_DIAGNOSIS, KnowledgeBase, Urgency, shared_knowledge_base

MAX_FITS, MAX_AGAINST = 5, 4  # as many reasons as the text of the assessment shows
# When a payload names no level we know, the card must still tell people what to do.
UNKNOWN_LEVEL_ADVICE = "If you think this may be an emergency, call 911 now. Otherwise, talk to your doctor."
# A cause's own urgency can differ from the overall level (which also weighs red flags and the
# other causes): the card says which instruction to follow.
FOLLOW_THE_OVERALL_ADVICE = ("The urgency shown with each cause is what that cause usually needs on its own. "
                             "Follow \u201cWhat to do\u201d above: it takes everything you told me into account.")
CAUSES_FIT_WELL = "What your answers fit best (most likely first)"
CAUSES_FIT_WEAKLY = "None of the causes I know fits what you told me well. The closest, all less likely"
# Slack's limits (https://api.slack.com/reference/block-kit/blocks).
SLACK_HEADER_MAX, SLACK_TEXT_MAX, SLACK_BLOCKS_MAX = 150, 3000, 50
TELEGRAM_TEXT_MAX = 4096


@dataclass(frozen=True)
class CauseCard:
    rank: int
    name: str
    percent: int
    urgency: str  # the urgency label of the cause
    description: str
    urgency_id: str = ""  # the cause's urgency level, "" when the payload names none we know
    fits: List[str] = field(default_factory=list)
    against: List[str] = field(default_factory=list)


@dataclass(frozen=True)
class AssessmentCard:
    """What either chat app shows, in words; built by `assessment_card`."""

    title: str
    warning: bool  # red flags were heard or the level is an emergency: shown as a warning
    level: str  # label of the triage level
    advice: str
    heard: List[str]  # the red flags, in words
    causes: List[CauseCard]
    notes: List[str]
    disclaimer: str
    triage: str = ""  # the triage level's id, "" when the payload names none we know
    emergency: bool = False  # the level is an emergency (or unknown: told to call 911)
    causes_note: str = ""  # which instruction to follow, when a cause's own urgency differs from the level
    causes_title: str = CAUSES_FIT_WELL  # or, when the best cause fits poorly, CAUSES_FIT_WEAKLY
    why: List[str] = field(default_factory=list)  # the safety rules that set the level, in words


def assessment_of(custom: Any) -> Optional[Dict[str, Any]]:
    """The inner assessment of a custom message, or None when the message is something else."""
    if isinstance(custom, dict) and isinstance(custom.get("assessment"), dict):
        return custom["assessment"]
    return None


class SendsAssessmentCards:
    """Output-channel mixin (first base): the assessment's custom JSON is drawn by the channel's
    `send_assessment`; any other custom JSON goes to the Rasa output channel's own method."""

    async def send_assessment(self, recipient_id: str, assessment: Dict[str, Any]) -> None:
        raise NotImplementedError  # each channel draws the card its own way

    async def send_custom_json(self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any) -> None:
        assessment = assessment_of(json_message)
        if assessment is not None:
            await self.send_assessment(recipient_id, assessment)
        else:
            await super().send_custom_json(recipient_id, json_message, **kwargs)  # type: ignore[misc]


def assessment_card(payload: Dict[str, Any], kb: Optional[KnowledgeBase] = None) -> AssessmentCard:
    """`payload`: `{"assessment": {...}}` or the inner dict."""
    kb = kb or shared_knowledge_base()
    assessment = assessment_of(payload) or payload
    triage = str(assessment.get("triage") or "")
    red_flags = [f for f in assessment.get("red_flags") or [] if isinstance(f, str)]
    causes = [c for c in assessment.get("causes") or [] if isinstance(c, dict)]

    level = _level(kb, triage)
    if level is None:
        label, advice = "Talk to a doctor", UNKNOWN_LEVEL_ADVICE
    else:
        label, advice = kb.urgency_levels[level].label, kb.advice_for(level)
    emergency = level is None or triage in EMERGENCY_LEVELS
    warning = bool(red_flags) or emergency

    if red_flags or not causes:
        title = "⚠️ This may be a medical emergency" if emergency else "⚠️ Please get medical advice"
    else:
        title = "⚠️ Your answers need emergency care" if emergency else "Your assessment"

    cards = []
    for rank, cause in enumerate(causes, start=1):
        known = kb.causes.get(str(cause.get("id")))
        said_why = cause.get("why")
        why: Dict[str, Any] = said_why if isinstance(said_why, dict) else {}
        urgency = _level(kb, str(cause.get("urgency") or ""))
        cards.append(CauseCard(
            rank=rank,
            name=str(cause.get("name") or (known.name if known else cause.get("id", "Unknown cause"))),
            percent=_percent(cause.get("score")),
            urgency=kb.urgency_levels[urgency].label if urgency else "",
            description=known.description.strip().splitlines()[0] if known and known.description.strip() else "",
            fits=[str(r) for r in (why.get("for") or [])][:MAX_FITS],
            against=[str(r) for r in (why.get("against") or [])][:MAX_AGAINST],
            urgency_id=urgency.value if urgency else "",
        ))

    fits_well = assessment.get("fit") != "weak"
    rules = [kb.safety_rules[r] for r in assessment.get("rules") or [] if isinstance(r, str) and r in kb.safety_rules]
    notes = []
    leading = kb.causes.get(str(causes[0].get("id"))) if causes else None
    if fits_well and leading is not None and leading.advice and leading.urgency == level:
        notes.append(leading.advice.strip())  # what to do when this cause leads (as the text says)

    return AssessmentCard(
        title=title,
        warning=warning,
        level=label,
        advice=advice,
        heard=[kb.label(f) if f in kb.findings else f.replace("_", " ") for f in red_flags],
        causes=cards,
        notes=notes,
        disclaimer=kb.advice[NOT_A_DIAGNOSIS].text,
        triage=level.value if level else "",
        emergency=emergency,
        causes_note=FOLLOW_THE_OVERALL_ADVICE if any(c.urgency and c.urgency_id != triage for c in cards) else "",
        causes_title=CAUSES_FIT_WELL if fits_well else CAUSES_FIT_WEAKLY,
        why=[rule.says[0].upper() + rule.says[1:] + "." for rule in rules if rule.urgency == level],
    )


def _level(kb: KnowledgeBase, value: str) -> Optional[Urgency]:
    try:
        level = Urgency(value)
    except ValueError:
        return None
    return level if level in kb.urgency_levels else None


def _percent(score: Any) -> int:
    try:
        return max(0, min(100, round(float(score) * 100)))
    except (TypeError, ValueError):
        return 0


# --------------------------------------------------------------------------- the web page
def web_card(payload: Dict[str, Any], kb: Optional[KnowledgeBase] = None) -> Dict[str, Any]:
    """The card's words as JSON for the web page (channels/webchat_socketio.py sends it beside the
    payload; web/app.js draws it): the same card as Slack's and Telegram's."""
    return asdict(assessment_card(payload, kb))


@dataclass(frozen=True)
class Markup:
    """How a chat app marks text up: its escaping, bold, italic, and a field's name ("Fits:")."""

    escape: Callable[[str], str]
    bold: Callable[[str], str]
    italic: Callable[[str], str]
    name: Callable[[str], str]


def _cause_lines(cause: CauseCard, markup: Markup) -> List[str]:
    """A cause of the card: its name, likelihood and usual urgency; its description; the reasons
    for and against it."""
    escape = markup.escape
    lines = [markup.bold(f"{cause.rank}. {escape(cause.name)}") + f" ({cause.percent}%)"
             + (f" · {escape(cause.urgency)}" if cause.urgency else "")]
    if cause.description:
        lines.append(markup.italic(escape(cause.description)))
    if cause.fits:
        lines.append(f"{markup.name('Fits:')} {escape(', '.join(cause.fits))}")
    if cause.against:
        lines.append(f"{markup.name('Against:')} {escape(', '.join(cause.against))}")
    return lines


# --------------------------------------------------------------------------- Slack
def _mrkdwn(text: str) -> str:
    """Slack's escaping for text it formats: only &, < and > are special."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


SLACK_MARKUP = Markup(escape=_mrkdwn, bold=lambda text: f"*{text}*", italic=lambda text: f"_{text}_",
                      name=lambda text: f"*{text}*")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _section(text: str) -> Dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": _clip(text, SLACK_TEXT_MAX)}}


def slack_blocks(card: AssessmentCard) -> List[Dict[str, Any]]:
    blocks: List[Dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": _clip(card.title, SLACK_HEADER_MAX), "emoji": True}}
    ]
    if card.heard:
        blocks.append(_section(f"*Warning signs you mentioned:* {_mrkdwn(', '.join(card.heard))}"))
    marker = ":rotating_light: " if card.warning else ""
    blocks.append(_section(f"{marker}*What to do: {_mrkdwn(card.level)}*\n{_mrkdwn(card.advice)}"))
    for reason in card.why:
        blocks.append(_section(f"*Why:* {_mrkdwn(reason)}"))
    if card.causes:
        blocks.append({"type": "divider"})
        blocks.append(_section(f"*{_mrkdwn(card.causes_title)}:*"))
        for cause in card.causes:
            blocks.append(_section("\n".join(_cause_lines(cause, SLACK_MARKUP))))
        if card.causes_note:
            blocks.append(_section(_mrkdwn(card.causes_note)))
    for note in card.notes:
        blocks.append(_section(_mrkdwn(note)))
    disclaimer = {"type": "mrkdwn", "text": _clip(_mrkdwn(card.disclaimer), SLACK_TEXT_MAX)}
    blocks.append({"type": "context", "elements": [disclaimer]})
    return blocks[:SLACK_BLOCKS_MAX]


def plain_text(card: AssessmentCard) -> str:
    """The card as plain text: Slack's notification fallback when the message has no text."""
    lines = [card.title]
    if card.heard:
        lines.append("Warning signs you mentioned: " + ", ".join(card.heard))
    lines.append(f"What to do: {card.level}. {card.advice}")
    for cause in card.causes:
        lines.append(f"{cause.rank}. {cause.name} ({cause.percent}%)")
    lines.append(card.disclaimer)
    return "\n".join(lines)


def slack_message(payload: Dict[str, Any], kb: Optional[KnowledgeBase] = None,
                  fallback: Optional[str] = None) -> Dict[str, Any]:
    """Arguments for chat.postMessage: the card as blocks, `text` as the notification fallback."""
    card = assessment_card(payload, kb)
    return {"text": _clip(fallback or plain_text(card), 40000), "blocks": slack_blocks(card)}


# --------------------------------------------------------------------------- Telegram
def _h(text: str) -> str:
    return html.escape(text, quote=False)


TELEGRAM_MARKUP = Markup(escape=_h, bold=lambda text: f"<b>{text}</b>", italic=lambda text: f"<i>{text}</i>",
                         name=lambda text: text)


def telegram_html(payload: Dict[str, Any], kb: Optional[KnowledgeBase] = None) -> str:
    """The card as one message in Telegram's HTML parse mode (at most 4096 characters)."""
    card = assessment_card(payload, kb)
    head = [f"<b>{_h(card.title)}</b>"]
    if card.heard:
        head.append(f"<b>Warning signs you mentioned:</b> {_h(', '.join(card.heard))}")
    marker = "🚨 " if card.warning else ""
    head.append(f"{marker}<b>What to do: {_h(card.level)}</b>\n{_h(card.advice)}")
    head += [f"<b>Why:</b> {_h(reason)}" for reason in card.why]
    tail = ([_h(card.causes_note)] if card.causes and card.causes_note else []) + [_h(note) for note in card.notes]
    tail.append(f"<i>{_h(card.disclaimer)}</i>")
    causes = [_cause_lines(cause, TELEGRAM_MARKUP) for cause in card.causes]
    intro = [f"<b>{_h(card.causes_title)}:</b>"] if causes else []
    text = "\n\n".join(head + intro + ["\n".join(lines) for lines in causes] + tail)
    if len(text) > TELEGRAM_TEXT_MAX:  # keep the advice and the disclaimer whole; shorten the causes
        text = "\n\n".join(head + intro + [lines[0] for lines in causes] + tail)
    return text
