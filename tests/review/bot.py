"""The real bot for the review tests: the action server and the Rasa server (REST channel) on free
ports of 127.0.0.1 with a tracker store of the test's own, and a REST client that plays the
conversations the review page is tested on.

Everything that knows the REST channel's contract is in `send` (other work may change how
conversation ids are issued): the rest of the tests use the id the server answers with.
"""
from __future__ import annotations

import json
import os
import re
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, List, Optional

from tooling import bot

ROOT = Path(__file__).resolve().parents[2]
MODEL = os.environ.get("REVIEW_TEST_MODEL", str(bot.MODEL))


@contextmanager
def running_bot(tracker_store: dict, env: Optional[dict] = None) -> Iterator[str]:
    """Starts the two servers with `tracker_store` (endpoints.yml's `tracker_store` section);
    yields the Rasa server's URL and stops both afterwards."""
    with bot.running_bot("bot", model=MODEL, log_dir=ROOT / "logs" / "review-tests", tracker_store=tracker_store,
                         env=env) as running:
        yield running.url


def send(url: str, sender: str, text: str, channel: Optional[str] = None) -> dict:
    """One message through the REST channel. Returns {"id": the conversation id the server used,
    "replies": the bot's messages}."""
    body = {"sender": sender, "message": text}
    if channel:
        body["input_channel"] = channel
    request = urllib.request.Request(f"{url}/webhooks/rest/webhook", json.dumps(body).encode(),
                                     {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as response:
        replies = json.loads(response.read())
    ids = {reply.get("recipient_id") for reply in replies if reply.get("recipient_id")}
    return {"id": ids.pop() if len(ids) == 1 else sender, "replies": replies}


def texts(replies: List[dict]) -> List[str]:
    return [reply["text"] for reply in replies if reply.get("text")]


def assessment(replies: List[dict]) -> Optional[dict]:
    found = [r["custom"]["assessment"] for r in replies
             if isinstance(r.get("custom"), dict) and "assessment" in r["custom"]]
    return found[-1] if found else None


@dataclass
class Played:
    """A conversation played through the bot: what was sent, what came back."""
    name: str
    id: str
    sent: List[str] = field(default_factory=list)
    bot: List[str] = field(default_factory=list)
    assessment: Optional[dict] = None


def issued_id(url: str) -> str:
    """A conversation id from the REST channel, which issues them (channels/rest_safe.py)."""
    request = urllib.request.Request(f"{url}/webhooks/rest/conversations", b"{}", {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())["sender"]


class Conversation:
    def __init__(self, url: str, name: str, sender: Optional[str] = None, channel: Optional[str] = None):
        self.url, self.channel = url, channel
        self.played = Played(name, sender or issued_id(url))

    def say(self, text: str) -> List[str]:
        answer = send(self.url, self.played.id, text, self.channel)
        self.played.id = answer["id"]
        self.played.sent.append(text)
        said = texts(answer["replies"])
        self.played.bot.extend(said)
        self.played.assessment = assessment(answer["replies"]) or self.played.assessment
        return said

    def answer_until_assessed(self, facts: dict, most: int = 20) -> dict:
        """Answers each question by its words (as a person would) until the bot gives an assessment."""
        for _ in range(most):
            said = self.played.assessment
            if said and (said.get("causes") or said.get("red_flags")):
                return self.played.assessment
            question = (self.played.bot[-1] if self.played.bot else "").lower()
            self.say(answer_for(question, facts))
        raise AssertionError(f"no assessment after {most} answers: {self.played.bot[-3:]}")


def answer_for(question: str, facts: dict) -> str:
    if "how old" in question or "male or female" in question:
        return facts["age_sex"]
    if "one leg or both" in question:
        return facts["side"]
    if re.search(r"suddenly,? or gradually", question):
        return facts["onset"]
    if "how long" in question:
        return facts["duration"]
    for keyword, reply in facts.get("yes_no", {}).items():
        if keyword in question:
            return reply
    return "no"
