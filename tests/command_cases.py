"""Every command a person can send, for the tests that require an answer to each (issue 16).

Generated, not listed by hand: each intent of domain.yml and each of Rasa's default intents as
"/intent", with a domain entity, with an unknown entity, with broken JSON and with extra words;
the commands the channels know (Rasa's /restart, /back and /session_start, rasa shell's /stop,
Telegram's /start, the web widget's /greet); the texts Rasa's own parser fails on ("/", "/@x",
"/{...}"); and payloads too deep or too long to parse. A new intent is covered without touching this.
"""
from __future__ import annotations

from pathlib import Path
from typing import List

import yaml

ROOT = Path(__file__).resolve().parents[1]
RED_FLAG = "I can't breathe and my leg is numb"
DESCRIPTION = "my left foot has been numb for a week"
CHANNEL_COMMANDS = ["/restart", "/back", "/stop", "/session_start", "/greet", "/start"]
RASA_DEFAULT_INTENTS = ["restart", "back", "session_start", "out_of_scope", "nlu_fallback"]
DEEP = 3000
LONG = 20_000


def emergency_text() -> str:
    """The emergency response of domain.yml, which the red-flag rule sends without the action server."""
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    return domain["responses"]["utter_red_flag"][0]["text"]


def intents() -> List[str]:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    names = [next(iter(i)) if isinstance(i, dict) else i for i in domain["intents"]]
    return names + [name for name in RASA_DEFAULT_INTENTS if name not in names]


def deep_payload(intent: str = "inform", depth: int = DEEP) -> str:
    return f'/{intent}{{"side": {"[" * depth}{"]" * depth}}}'


def commands() -> List[str]:
    texts = list(CHANNEL_COMMANDS)
    for intent in intents():
        texts += [f"/{intent}",
                  f'/{intent}{{"side": "left"}}',
                  f'/{intent}{{"unknown_entity": "x"}}',
                  f'/{intent}{{"side": "left"',
                  f"/{intent} please",
                  f"/{intent}@0.9"]
    texts += ["/", "/@x", '/{"side": "left"}', "/inform{}", "//restart", " /restart ",
              deep_payload(), deep_payload(depth=900), '/inform{"side": "' + "x" * LONG + '"}']
    return list(dict.fromkeys(texts))  # each once, in order


def short(text: str, most: int = 60) -> str:
    return text if len(text) <= most else f"{text[:most]}... ({len(text):,} characters)"
