"""The REST channel of credentials.yml (channels/rest_safe.py) with a scripted agent, no model:
every malformed request gets a 4xx JSON error saying what is wrong and what a valid request looks
like (never a 500, never a silent 200, never handled); a message whose handling fails gets the
failure reply, and the log has no text of it at INFO or above. The same against the trained bot:
test_rest_server.py (`make channel-tests`)."""
import hashlib
import json
import logging

import pytest
import yaml
from rasa.core.channels.rest import RestInput

from channels.rest_safe import SafeRestInput
from tests.channels.harness import ROOT
from tests.channels.rest_app import FAILURE_TEXT

MARKER = "zqrestmarker"  # stands for what a person wrote: must never reach the log


@pytest.fixture(scope="module")
def rest(scripted_rest):
    return scripted_rest


@pytest.fixture
def log(caplog):
    caplog.set_level(logging.DEBUG, logger="channels.rest_safe")
    return caplog


def shown_at(records, level=logging.INFO):
    """The log as a handler at `level` writes it, tracebacks included."""
    formatter = logging.Formatter("%(levelname)s %(name)s %(message)s")
    return "\n".join(formatter.format(r) for r in records if r.levelno >= level)


def test_credentials_ship_this_channel_as_rest():
    credentials = yaml.safe_load((ROOT / "credentials.yml").read_text())
    assert "rest" not in credentials and "channels.rest_safe.SafeRestInput" in credentials
    assert SafeRestInput.name() == "rest" and issubclass(SafeRestInput, RestInput)


def test_health_and_an_ordinary_message_are_unchanged(rest):
    assert rest.http.get(rest.url + "/webhooks/rest/", timeout=10).json() == {"status": "ok"}
    reply = rest.post({"sender": rest.id("ordinary"), "message": "my left foot is numb", "metadata": {"k": 1},
                       "input_channel": "widget"})
    assert reply.status_code == 200
    assert reply.json() == [{"recipient_id": rest.id("ordinary"), "text": "got 20 characters"},
                            {"recipient_id": rest.id("ordinary"), "text": "second reply"}]
    assert rest.agent.received[-1] == {"sender": rest.id("ordinary"), "text": "my left foot is numb",
                                       "input_channel": "widget", "metadata": {"k": 1}}


@pytest.mark.parametrize("message", ["", "   ", "ünïcödé ✓ 麻木"])
def test_an_empty_or_unusual_message_is_still_a_message(rest, message):
    reply = rest.post({"sender": rest.id("edge"), "message": message}, content_type="application/json; charset=utf-8")
    # UserMessage strips it
    assert reply.status_code == 200 and reply.json()[0]["text"] == f"got {len(message.strip())} characters"


# (case, raw body, Content-Type, status, words the error must contain)
BAD = [
    ("json-array", json.dumps([f"my leg is numb {MARKER}"]), "application/json", 400, "an array, not a JSON object"),
    ("json-null", "null", "application/json", 400, "null, not a JSON object"),
    ("json-string", json.dumps(f"my leg {MARKER}"), "application/json", 400, "a string, not a JSON object"),
    ("json-number", "42", "application/json", 400, "a number, not a JSON object"),
    ("empty-object", "{}", "application/json", 400, '"sender" is missing'),
    ("message-missing", json.dumps({"sender": "s1"}), "application/json", 400, '"message" is missing'),
    ("message-null", json.dumps({"sender": "s1", "message": None}), "application/json", 400,
     '"message" must be a string, got null'),
    ("message-number", json.dumps({"sender": "s1", "message": 12}), "application/json", 400,
     '"message" must be a string, got a number'),
    ("message-boolean", json.dumps({"sender": "s1", "message": True}), "application/json", 400,
     '"message" must be a string, got a boolean'),
    ("message-list", json.dumps({"sender": "s1", "message": [f"slurred speech {MARKER}"]}), "application/json", 400,
     '"message" must be a string, got an array'),
    ("message-object", json.dumps({"sender": "s1", "message": {"text": MARKER}}), "application/json", 400,
     '"message" must be a string, got an object'),
    ("message-surrogate", '{"sender": "s1", "message": "numb \\ud800 leg"}', "application/json", 400,
     '"message" contains an unpaired UTF-16 surrogate'),
    ("sender-missing", json.dumps({"message": f"my leg is numb {MARKER}"}), "application/json", 400,
     '"sender" is missing'),
    ("sender-null", json.dumps({"sender": None, "message": MARKER}), "application/json", 400, '"sender" is missing'),
    ("sender-number", json.dumps({"sender": 42, "message": MARKER}), "application/json", 400,
     '"sender" must be a string, got a number'),
    ("sender-blank", json.dumps({"sender": "  ", "message": MARKER}), "application/json", 400, '"sender" is blank'),
    ("sender-too-long", json.dumps({"sender": "x" * 256, "message": MARKER}), "application/json", 400,
     '"sender" is 256 characters long; at most 255'),
    ("metadata-string", json.dumps({"sender": "s1", "message": MARKER, "metadata": "x"}), "application/json", 400,
     '"metadata" must be an object, got a string'),
    ("input-channel-number", json.dumps({"sender": "s1", "message": MARKER, "input_channel": 5}), "application/json",
     400, '"input_channel" must be a string, got a number'),
    ("invalid-json", '{"sender": "s1", "message": "my leg is numb ' + MARKER, "application/json", 400,
     "the body is not valid JSON (Unterminated string"),
    ("not-json", f"my leg is numb {MARKER}", "application/json", 400, "the body is not valid JSON"),
    ("deeply-nested", "[" * 100_000 + "]" * 100_000, "application/json", 400, "the body is not valid JSON"),
    ("invalid-utf8", b'{"sender": "s1", "message": "my leg \xff\xfe\xc3\x28 is numb"}', "application/json", 400,
     "not valid UTF-8"),
    ("raw-control-bytes", b'{"sender": "s1", "message": "numb\x00\x01\x1b leg"}', "application/json", 400,
     "Invalid control character"),
    ("empty-body", b"", "application/json", 400, "the body is empty"),
    ("whitespace-body", b" \n\t ", "application/json", 400, "the body is empty"),
    ("text-plain", json.dumps({"sender": "s1", "message": MARKER}), "text/plain", 415,
     "Content-Type text/plain: send the body as JSON with Content-Type: application/json"),
    ("form", f"sender=s1&message={MARKER}", "application/x-www-form-urlencoded", 415,
     "Content-Type application/x-www-form-urlencoded"),
    ("no-content-type", json.dumps({"sender": "s1", "message": MARKER}), None, 415, "no Content-Type"),
]


@pytest.mark.parametrize("case, body, content_type, status, words", BAD, ids=[b[0] for b in BAD])
def test_a_malformed_request_gets_a_readable_error(rest, log, case, body, content_type, status, words):
    handled = len(rest.agent.received)
    raw = body if isinstance(body, bytes) else body.encode("utf-8")
    reply = rest.post(raw=raw, content_type=content_type)
    assert reply.status_code == status, reply.text
    assert reply.headers["Content-Type"].startswith("application/json")
    error = reply.json()
    assert words in error["error"], error
    assert error["expected"] == {"sender": "...", "message": "..."}
    assert '"sender"' in error["help"] and '"message"' in error["help"] and "application/json" in error["help"]
    assert len(rest.agent.received) == handled, "a malformed request must not reach the bot"
    assert MARKER not in reply.text, "the error must not repeat what was sent"
    assert MARKER not in shown_at(log.records, logging.DEBUG)
    assert any(r.levelno == logging.INFO and words in r.getMessage() for r in log.records)


def test_a_failure_gets_the_failure_reply_and_no_text_in_the_log(rest, log, capsys):
    sender = rest.id("person-with-a-failure")
    reply = rest.post({"sender": sender, "message": f"boom-after-reply my leg is numb {MARKER}"})
    assert reply.status_code == 200
    assert reply.json() == [{"recipient_id": sender, "text": "first reply"},
                            {"recipient_id": sender, "text": FAILURE_TEXT}]
    errors = [r for r in log.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1, shown_at(log.records)
    line = errors[0].getMessage()
    assert hashlib.sha256(sender.encode()).hexdigest()[:12] in line and "RuntimeError" in line
    assert f"{len('boom-after-reply my leg is numb ' + MARKER)} characters" in line
    assert "rest_app.py" in line, "where it was raised (the scripted agent)"
    assert MARKER not in shown_at(log.records) and sender not in shown_at(log.records)
    captured = capsys.readouterr()
    assert MARKER not in captured.out + captured.err, "Rasa's own rest.message.received.failure must not run"
    # The detail (the exception's message, which quotes the text) is there at DEBUG only.
    assert MARKER in shown_at([r for r in log.records if r.levelno == logging.DEBUG], logging.DEBUG)


def test_a_failure_before_any_reply_is_not_silence(rest, log):
    reply = rest.post({"sender": rest.id("s-boom"), "message": f"boom {MARKER}"})
    assert reply.status_code == 200 and reply.json() == [{"recipient_id": rest.id("s-boom"), "text": FAILURE_TEXT}]
    assert MARKER not in shown_at(log.records)


def test_a_timed_out_message_gets_the_failure_reply(rest, log):
    reply = rest.post({"sender": rest.id("s-cancel"), "message": f"cancel {MARKER}"})
    assert reply.status_code == 200 and reply.json() == [{"recipient_id": rest.id("s-cancel"), "text": FAILURE_TEXT}]
    assert "timed out" in shown_at(log.records, logging.ERROR)
    assert MARKER not in shown_at(log.records)


def stream_lines(reply):
    return [json.loads(line) for line in reply.text.splitlines() if line.strip()]


def test_stream_is_kept(rest):
    reply = rest.post({"sender": rest.id("s-stream"), "message": "numb"}, params={"stream": "true"})
    assert reply.status_code == 200 and reply.headers["Content-Type"].startswith("text/event-stream")
    assert [m["text"] for m in stream_lines(reply)] == ["got 4 characters", "second reply"]


def test_a_failure_ends_the_stream_with_the_failure_reply(rest, log):
    # Rasa's own stream never ends when handling fails (its queue never gets "DONE").
    reply = rest.post({"sender": rest.id("s-stream-boom"), "message": f"boom-after-reply {MARKER}"},
                      params={"stream": "true"}, timeout=20)
    assert reply.status_code == 200
    assert [m["text"] for m in stream_lines(reply)] == ["first reply", FAILURE_TEXT]
    assert MARKER not in shown_at(log.records)


def test_stream_refuses_a_malformed_request_too(rest):
    reply = rest.post({"sender": "s1", "message": 12}, params={"stream": "true"})
    assert reply.status_code == 400 and "must be a string" in reply.json()["error"]
