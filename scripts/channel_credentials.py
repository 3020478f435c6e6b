"""Write the Rasa credentials file for the Slack and/or Telegram channel.

    python scripts/channel_credentials.py slack telegram --out var/credentials-channels.yml

It checks that the environment variables the chosen channels need are set (and stops, naming the
missing ones, when they are not), then writes a credentials file that *refers* to them as
${VARIABLE}: Rasa reads the values from the environment when it starts, so no secret is ever
written to disk. credentials.yml (rasa shell, REST, socket.io) is left alone: a missing Slack or
Telegram variable cannot break them. docs/channels.md says where each value comes from.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Dict, List, Mapping, NamedTuple, Optional, Sequence

ROOT = Path(__file__).resolve().parent.parent


class Channel(NamedTuple):
    connector: str  # the credentials key: the input channel's module path
    required: Dict[str, str]  # credentials key -> environment variable
    optional: Dict[str, str]  # written only when the variable is set


CHANNELS: Dict[str, Channel] = {
    "slack": Channel(
        "channels.slack_secure.SecureSlackInput",
        {"slack_token": "SLACK_BOT_TOKEN", "slack_signing_secret": "SLACK_SIGNING_SECRET"},
        {"slack_channel": "SLACK_CHANNEL", "slack_api_url": "SLACK_API_URL"},
    ),
    "telegram": Channel(
        "channels.telegram_secure.SecureTelegramInput",
        {"access_token": "TELEGRAM_BOT_TOKEN", "verify": "TELEGRAM_BOT_NAME",
         "webhook_url": "TELEGRAM_WEBHOOK_URL", "secret_token": "TELEGRAM_SECRET_TOKEN"},
        {"api_url": "TELEGRAM_API_URL"},
    ),
}
# Rasa expands ${VARIABLE} only in a plain (unquoted) YAML scalar, after parsing: the value itself
# never goes through YAML, so any characters are fine.


class MissingVariables(Exception):
    def __init__(self, missing: List[str]):
        self.missing = missing
        super().__init__(", ".join(missing))


def missing_variables(names: Sequence[str], environ: Mapping[str, str]) -> List[str]:
    return [var for name in names for var in CHANNELS[name].required.values() if not environ.get(var, "").strip()]


def credentials_text(names: Sequence[str], environ: Optional[Mapping[str, str]] = None) -> str:
    """The credentials YAML for the channels `names`; raises MissingVariables."""
    environ = os.environ if environ is None else environ
    unknown = [n for n in names if n not in CHANNELS]
    if unknown or not names:
        raise ValueError(f"channels: choose from {', '.join(CHANNELS)} (got {', '.join(names) or 'none'})")
    missing = missing_variables(names, environ)
    if missing:
        raise MissingVariables(missing)
    lines = ["# Written by scripts/channel_credentials.py; Rasa reads each ${VARIABLE} from the environment",
             "# when it starts. Not committed (var/). See docs/channels.md."]
    for name in names:
        channel = CHANNELS[name]
        lines.append(f"{channel.connector}:")
        for key, var in channel.required.items():
            lines.append(f"  {key}: ${{{var}}}")
        for key, var in channel.optional.items():
            if environ.get(var, "").strip():
                lines.append(f"  {key}: ${{{var}}}")
    return "\n".join(lines) + "\n"


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("channels", nargs="+", choices=sorted(CHANNELS))
    parser.add_argument("--out", required=True, help="where to write the credentials file")
    args = parser.parse_args(argv)
    try:
        text = credentials_text(args.channels)
    except MissingVariables as error:
        print(f"Set these environment variables first: {', '.join(error.missing)}\n"
              f"(where to find each one: docs/channels.md)", file=sys.stderr)
        return 2
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(f"{out}: {', '.join(args.channels)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
