"""What a person types as a command never reaches the log at the default level (issue 16, finding 7).

Rasa's parser of "/intent{...}" texts logged one it could not read ("/@...", "/{...}") at WARNING
as `message.parsing.failed` with `user_text`, and warns with the whole text when an intent or an
entity is unknown or the JSON broken. The bot runs in-process with Rasa's logging configured as
`rasa run` does it (INFO); every log record, everything printed and every warning is searched for
a marker carried by each kind of command. tests/privacy/test_logs.py checks the other paths
through a real server.
"""
import logging
import uuid
import warnings

import structlog
from rasa.utils.log_utils import configure_structlog

from tests.command_cases import deep_payload

MARKER = f"zqcommand{uuid.uuid4().hex[:10]}"
COMMANDS = [
    f"/@{MARKER}",
    f'/{{"side": "{MARKER}"}}',
    f"/{MARKER}",
    f"/{MARKER}{{}}",
    f'/inform{{"{MARKER}": "left"}}',
    f'/inform{{"side": "{MARKER}"',
    f"/inform@0.5{MARKER}",
    f"/inform@1.2.3{{}} {MARKER}",
    f'/inform{{"side": "left"}} {MARKER}',
    f'/inform{{"side": "left"}}\n{MARKER}',
    f"/restart {MARKER}",
    deep_payload()[:-1] + f', "x": "{MARKER}"}}',
]


async def test_no_command_text_in_the_log_at_the_default_level(agent, caplog, capsys):
    saved = structlog.get_config()
    configure_structlog(logging.INFO)
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.INFO, logger="rasa")
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for number, text in enumerate(COMMANDS):
                assert await agent.handle_text(text, sender_id=f"command-log-{number}"), f"no reply to {text[:60]!r}"
    finally:
        structlog.configure(**saved)
    printed = capsys.readouterr()
    logged = "\n".join([caplog.text, printed.out, printed.err, *(str(w.message) for w in caught)])
    assert MARKER not in logged, "\n".join(line[:300] for line in logged.splitlines() if MARKER in line)
