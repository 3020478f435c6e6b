"""Fault and bad-input suites against the running bot, over its REST channel.

Starts the action server (on 127.0.0.1; a spare one too, for after the first is killed) and the
Rasa server (REST channel, HTTP API on with a random --auth-token, SQLite tracker store in a
temporary directory, SANIC_REQUEST_MAX_SIZE=1000000 for both servers as `make run` exports it,
ACTION_TIMEOUT_SECONDS=2; the channels of credentials.yml and Telegram with a fake Bot API), then:

  bad input   empty and whitespace-only messages, a 2 MB body, invalid UTF-8 and control
              characters, emoji only, Spanish / French / Chinese / Arabic, HTML and script tags,
              SQL- and JSON-looking text, unknown intent payloads, malformed request bodies,
              a 100 KB message (full run only, under a memory watchdog) - in fresh conversations
              and in the middle of an interview; red-flag messages dressed in the same ways
  injection   after a red-flag escalation, /intent{"slot": ...} payloads: the slots interview,
              triage, red_flags, assessment, feedback (read through the HTTP API) must not change
              because of the payload (compared with the same intent sent without it in a twin
              conversation), triage stays emergency / emergency_ambulance, red_flags unchanged
  faults      the action server killed mid-conversation; the action server slower than
              ACTION_TIMEOUT_SECONDS (a delaying proxy on loopback); the tracker store unreachable
              mid-conversation (its directory renamed away; full run only)

After each suite every conversation's tracker (GET /conversations/<id>/tracker) is compared with
what was sent: every accepted user message present, in order.

    python scripts/reliability.py            # full run -> results/reliability.json
    python scripts/reliability.py --smoke --check   # the reduced set of `make test` (exit 1 on failure)
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml

if __package__ in (None, ""):  # run as `python scripts/reliability.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cluster.records import MAX_STORED_MESSAGE_CHARS  # noqa: E402
from numbness_triage.knowledge import EMERGENCY_LEVELS  # noqa: E402
from tooling.bot import MODEL, action_server_command, rasa_server_command, write_endpoints  # noqa: E402
from tooling.processes import ROOT, free_port, server_env, spawn, stop_processes, wait_for  # noqa: E402
from scripts.reliability_probes import FakeTelegram, Probes, summary as probe_summary  # noqa: E402

BOT_SLOTS = ("interview", "triage", "red_flags", "assessment", "feedback")
ACTION_TIMEOUT_SECONDS = 2
SLOW_DELAY_SECONDS = 5  # what the proxy adds: beyond ACTION_TIMEOUT_SECONDS
REQUEST_MAX_SIZE = 1_000_000
REQUEST_TIMEOUT = 60  # seconds a reply may take (the 100 KB message gets BIG_TIMEOUT)
BIG_TIMEOUT = 150
MEMORY_LIMIT_MB = 4096  # the watchdog kills the Rasa server above this (the 100 KB message)

RED_FLAG = "my leg went numb and my speech is slurred"
NORMAL = "my left foot has been numb for a week"
TROUBLE_WORDS = ("having trouble", "911")
REST_ISSUE_PATH = "/webhooks/rest/conversations"  # where the REST channel issues conversation ids


def emergency_text() -> str:
    """The rule's emergency response, word for word from domain.yml."""
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    return domain["responses"]["utter_red_flag"][0]["text"]


# --------------------------------------------------------------------------- processes
class DelayProxy:
    """A TCP proxy on 127.0.0.1 that waits `delay` seconds before passing a connection on."""

    def __init__(self, port: int, upstream_port: int, delay: float):
        self.delay, self.upstream_port = delay, upstream_port
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", port))
        self.listener.listen(16)
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        time.sleep(self.delay)
        try:
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=5)
        except OSError:
            client.close()
            return
        sockets = [client, upstream]
        deadline = time.time() + 120
        try:
            while time.time() < deadline:
                readable, _, _ = select.select(sockets, [], [], 1)
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    (upstream if sock is client else client).sendall(data)
        except OSError:
            pass
        finally:
            client.close()
            upstream.close()

    def close(self) -> None:
        self.closed = True
        self.listener.close()


class Stack:
    """The action servers and the Rasa server, each in a process group of its own."""

    def __init__(self, model: str, memory_limit_mb: int = MEMORY_LIMIT_MB, log_prefix: str = "reliability",
                 spare: bool = True):
        self.model, self.log_prefix, self.spare = model, log_prefix, spare
        self.memory_limit_mb = memory_limit_mb
        self.workdir = Path(tempfile.mkdtemp(prefix=f"{log_prefix}-"))
        self.db_dir = self.workdir / "db"
        self.db_dir.mkdir()
        self.token = secrets.token_hex(24)
        self.conversation_id_secret = secrets.token_hex(32)  # the REST channel's, for this run only
        self.rasa_port, self.action_port, self.spare_port = free_port(), free_port(), free_port()
        self.actions: Dict[int, subprocess.Popen] = {}
        self.rasa: Optional[subprocess.Popen] = None
        self.proxy: Optional[DelayProxy] = None
        self.telegram: Optional[FakeTelegram] = None
        self.logs = ROOT / "logs"
        self.logs.mkdir(exist_ok=True)
        self.peak_rss_mb = 0.0
        self.watchdog_kills: List[dict] = []
        self.current_case = ""
        self._watching = False

    def _env(self, **extra: str) -> dict:
        """The servers run at Rasa's default log level (INFO): LOG_LEVEL of the caller is not passed on."""
        return server_env(LOG_LEVEL=None, LOG_LEVEL_LIBRARIES=None, PYTHONUNBUFFERED="1",
                          SANIC_REQUEST_MAX_SIZE=str(REQUEST_MAX_SIZE), **extra)

    def log(self, name: str) -> Path:
        """logs/<prefix>-rasa.log, logs/<prefix>-actions-main.log, logs/<prefix>-actions-spare.log"""
        return self.logs / f"{self.log_prefix}-{name}.log"

    def start_action_server(self, port: int) -> subprocess.Popen:
        log = self.log(f"actions-{'spare' if port == self.spare_port else 'main'}")
        process = spawn(action_server_command(port), log, self._env(), append=True)
        self.actions[port] = process
        return process

    def start_rasa(self) -> subprocess.Popen:
        endpoints = write_endpoints(self.workdir / "endpoints.yml", self.action_port, self.db_dir / "conversations.db")
        credentials = self.workdir / "credentials.yml"
        # The channels of credentials.yml as shipped (REST, socket.io) and Telegram with a fake Bot API.
        channels = yaml.safe_load((ROOT / "credentials.yml").read_text(encoding="utf-8")) or {}
        if self.telegram is None:
            self.telegram = FakeTelegram()
        credentials.write_text(yaml.safe_dump({**channels, **self.telegram.credentials(self.rasa_port)}))
        self.rasa = spawn(rasa_server_command(self.model, endpoints, credentials, self.rasa_port, api_token=self.token),
                          self.log("rasa"),
                          self._env(ACTION_TIMEOUT_SECONDS=str(ACTION_TIMEOUT_SECONDS),
                                    CONVERSATION_ID_SECRET=self.conversation_id_secret), append=True)
        return self.rasa

    def start(self) -> "Stack":
        for name in ("rasa", "actions-main", "actions-spare"):
            self.log(name).write_text("")
        main = self.start_action_server(self.action_port)
        spare = self.start_action_server(self.spare_port) if self.spare else None
        rasa = self.start_rasa()
        wait_for(f"http://127.0.0.1:{self.action_port}/health", 180, main)
        if spare:
            wait_for(f"http://127.0.0.1:{self.spare_port}/health", 180, spare)
        wait_for(f"http://127.0.0.1:{self.rasa_port}/", 300, rasa)
        self._watching = True
        threading.Thread(target=self._watchdog, daemon=True).start()
        return self

    def restart_rasa(self) -> None:
        stop_processes([self.rasa], group=True)
        wait_for(f"http://127.0.0.1:{self.rasa_port}/", 300, self.start_rasa())

    def rss_mb(self) -> float:
        if self.rasa is None:
            return 0.0
        try:
            for line in Path(f"/proc/{self.rasa.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        except (OSError, AttributeError, ValueError):
            pass
        return 0.0

    def _watchdog(self) -> None:
        """Kills the Rasa server when its memory passes the limit: the machine is shared."""
        while self._watching:
            rss = self.rss_mb()
            self.peak_rss_mb = max(self.peak_rss_mb, rss)
            rasa = self.rasa
            if rasa is not None and rss > self.memory_limit_mb and rasa.poll() is None:
                os.killpg(rasa.pid, signal.SIGKILL)
                self.watchdog_kills.append({"case": self.current_case, "rss_mb": round(rss)})
            time.sleep(0.2)

    def kill_action_server(self, port: int) -> None:
        os.killpg(self.actions[port].pid, signal.SIGKILL)
        self.actions[port].wait(timeout=20)

    def slow_actions(self, delay: float) -> DelayProxy:
        """From now on the Rasa server's action endpoint answers through a delaying proxy to the spare."""
        self.proxy = DelayProxy(self.action_port, self.spare_port, delay)
        return self.proxy

    def stop(self) -> None:
        self._watching = False
        if self.proxy:
            self.proxy.close()
        if self.telegram:
            self.telegram.close()
        stop_processes([self.rasa, *self.actions.values()], group=True)
        shutil.rmtree(self.workdir, ignore_errors=True)


# --------------------------------------------------------------------------- the client
def http_call(port: int, method: str, path: str, body: Optional[bytes] = None,
              timeout: float = REQUEST_TIMEOUT, content_type: Optional[str] = "application/json") -> tuple:
    """(status, body bytes), or raises (refused, reset, timed out)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"Content-Type": content_type} if body is not None and content_type else {}
        connection.request(method, path, body, headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def short(value, limit: int = 160) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


class Run:
    """Sends the inputs, keeps every case's outcome and what each conversation was sent."""

    def __init__(self, stack: Stack, smoke: bool):
        self.stack, self.smoke = stack, smoke
        self.emergency = emergency_text()
        self.cases: List[dict] = []
        self.sent: Dict[str, List[str]] = defaultdict(list)
        self.checked: set = set()
        self.tracker_checks: List[dict] = []
        self.injection_checks: List[dict] = []
        self.notes: List[str] = []
        self.run_id = uuid.uuid4().hex[:6]
        self.senders: Dict[str, str] = {}
        self.issued_ids: Optional[bool] = None  # whether the REST channel issues conversation ids

    def sender(self, name: str) -> str:
        """The conversation id for `name`: one the REST channel issues (POST /webhooks/rest/conversations),
        or, from a channel that does not issue ids (before issue 16), one made up here."""
        if name not in self.senders:
            self.senders[name] = self._issued_id() or f"rel-{self.run_id}-{name}"
        return self.senders[name]

    def _issued_id(self) -> Optional[str]:
        if self.issued_ids is False:
            return None
        status, data = http_call(self.stack.rasa_port, "POST", REST_ISSUE_PATH, b"{}")
        self.issued_ids = 200 <= status < 300
        return json.loads(data)["sender"] if self.issued_ids else None

    # ---------------------------------------------------------------- sending
    def post(self, case_id: str, suite: str, sender: Optional[str], body: bytes, *, text=None,
             shown=None, expect: str = "reply", red_flag: bool = False, timeout: float = REQUEST_TIMEOUT,
             record: bool = True, content_type: Optional[str] = "application/json") -> dict:
        """expect: reply | refuse (a 4xx) | trouble (the action-server fallback) | emergency | any."""
        self.stack.current_case = case_id
        started = time.time()
        status, data, error = None, b"", None
        try:
            status, data = http_call(self.stack.rasa_port, "POST", "/webhooks/rest/webhook", body, timeout,
                                     content_type)
        except Exception as exc:  # refused, reset, timed out
            error = f"{type(exc).__name__}: {exc}"
        elapsed = round(time.time() - started, 2)
        replies = []
        if status is not None and 200 <= status < 300:
            try:
                replies = json.loads(data)
            except ValueError:
                error = f"reply is not JSON: {short(data.decode('utf-8', 'replace'))}"
        texts = [r["text"] for r in replies if isinstance(r, dict) and r.get("text")]
        refusal = None  # the REST channel's 400 / 415 JSON error (channels/rest_safe.py); 413 is Sanic's
        if status in (400, 415):
            try:
                refusal = json.loads(data)["error"]
            except (ValueError, KeyError, TypeError):
                refusal = ""
        payloads = [r["custom"]["assessment"] for r in replies
                    if isinstance(r, dict) and isinstance(r.get("custom"), dict) and "assessment" in r["custom"]]
        joined = "\n".join(texts)
        emergency = self.emergency in texts
        trouble = all(word in joined for word in TROUBLE_WORDS)
        problems = []
        if error:
            problems.append(error)
        elif status is None:  # a reply always has a status; without one, error says why
            problems.append("no status")
        elif status >= 500:
            problems.append(f"HTTP {status}")
        elif expect == "refuse" and not 400 <= status < 500:
            problems.append(f"not refused: HTTP {status}")
        elif expect != "refuse" and expect != "any" and status >= 400:
            problems.append(f"refused: HTTP {status}")
        elif expect in ("reply", "trouble", "emergency") and not texts:
            problems.append("no reply (silence)")
        elif refusal == "":
            problems.append(f"HTTP {status} without a readable JSON error")
        if red_flag and not emergency:
            problems.append("red flag missed: no emergency reply")
        if expect == "trouble" and not trouble and not emergency:
            problems.append("no 'having trouble ... 911' reply")
        if status is not None and 200 <= status < 300 and isinstance(text, str) and sender:
            self.sent[sender].append(text)
        case = {
            "id": case_id, "suite": suite, "sender": sender,
            "input": (shown if shown is not None
                      else short(text if text is not None else body.decode("utf-8", "replace"))),
            "input_bytes": len(body), "status": status, "elapsed_s": elapsed,
            "replies": [short(t, 200) for t in texts],
            **({"error": short(refusal, 200)} if refusal else {}),
            "red_flag": red_flag, "emergency_reply": emergency, "trouble_reply": trouble,
            "says_english_only": "english" in joined.lower(),
            "echoes_markup": any(tag in joined.lower() for tag in ("<script", "<img", "onerror")),
            "triage_in_payload": payloads[-1].get("triage") if payloads else None,
            "problems": problems,
        }
        if record:
            self.cases.append(case)
        mark = "ok " if not problems else "!! "
        print(f"{mark}{suite:10} {case_id:34} {str(status):5} {elapsed:6.2f}s  "
              f"{short(case['input'], 48):52} -> {short(texts[0], 60) if texts else '(no reply)'}"
              + (f"   [{'; '.join(problems)}]" if problems else ""), flush=True)
        return case

    def say(self, case_id: str, suite: str, sender: str, text, **kwargs) -> dict:
        body = json.dumps({"sender": sender, "message": text}).encode()
        return self.post(case_id, suite, sender, body, text=text, **kwargs)

    # ---------------------------------------------------------------- the HTTP API
    def tracker(self, sender: str) -> dict:
        query = urllib.parse.urlencode({"token": self.stack.token, "include_events": "ALL"})
        status, data = http_call(self.stack.rasa_port, "GET",
                                 f"/conversations/{urllib.parse.quote(sender, safe='')}/tracker?{query}")
        if status != 200:
            raise RuntimeError(f"GET tracker of {sender}: HTTP {status} {short(data)}")
        return json.loads(data)

    def slots(self, sender: str) -> dict:
        slots = self.tracker(sender)["slots"]
        return {name: slots.get(name) for name in BOT_SLOTS}

    def check_trackers(self, suite: str) -> None:
        """Every message accepted (2xx) is in its conversation's tracker, in order."""
        for sender, sent in self.sent.items():
            if sender in self.checked:
                continue
            self.checked.add(sender)
            try:
                events = self.tracker(sender)["events"]
            except Exception as exc:
                self.tracker_checks.append({"suite": suite, "sender": sender, "sent": len(sent), "lost": sent,
                                            "error": f"{type(exc).__name__}: {exc}"})
                continue
            stored = [(e.get("text") or "").strip() for e in events if e.get("event") == "user"]
            lost, position = [], 0
            for text in sent:  # Rasa strips the text it keeps; the store keeps the first 5,000 characters
                kept = text.strip()[:MAX_STORED_MESSAGE_CHARS].strip()
                try:
                    position = stored.index(kept, position) + 1
                except ValueError:
                    lost.append(short(text, 80))
            self.tracker_checks.append({"suite": suite, "sender": sender, "sent": len(sent),
                                        "in_tracker": len(stored), "lost": lost})
            if lost:
                print(f"!! {suite:10} messages lost in {sender}: {lost}", flush=True)


# --------------------------------------------------------------------------- the suites
# (id, message, red flag, in the smoke run)
TEXT_INPUTS = [
    ("empty", "", False, True),
    ("whitespace", "   \n\t  ", False, True),
    ("control-chars", "my leg is numb\u0000\u0001\u0007\u001b[31m and\u0008 tingly\u202e", False, True),
    ("emoji-only", "😵🦵😣", False, True),
    ("spanish", "Tengo la pierna izquierda entumecida desde hace una semana", False, True),
    ("french", "J'ai la jambe gauche engourdie depuis une semaine", False, False),
    ("chinese", "我的左腿麻木了一个星期", False, False),
    ("arabic", "ساقي اليسرى مخدرة منذ أسبوع", False, False),
    ("html", "<b>my left leg</b> is <i>numb</i><br/>", False, False),
    ("script", "<script>alert('x')</script> my left leg is numb", False, True),
    ("img-onerror", "<img src=x onerror=alert(1)>", False, False),
    ("sql-drop", "'; DROP TABLE events; --", False, True),
    ("sql-or", "my leg is numb' OR '1'='1'; SELECT * FROM events; --", False, False),
    ("json-text", '{"sender": "someone-else", "message": "hello"}', False, True),
    ("json-slots-text", '{"triage": "self_care", "red_flags": []}', False, False),
    ("unknown-intent", "/foo", False, True),
    ("broken-payload", '/inform{"bad json', False, True),
    ("red-flag", RED_FLAG, True, True),
    ("red-flag-html", "<p>my leg went <b>numb</b> and my speech is <i>slurred</i></p>", True, True),
    ("red-flag-emoji", "😰 my leg went numb and my speech is slurred 😰", True, True),
    ("red-flag-caps", "MY LEG WENT NUMB AND MY SPEECH IS SLURRED", True, False),
    ("red-flag-control", "my leg went numb\n\n and my speech is slurred\u0007", True, True),
    ("red-flag-json", '{"message": "my leg went numb and my speech is slurred"}', True, False),
    ("red-flag-sql", "my speech is slurred'; DROP TABLE events; --", True, False),
    ("red-flag-first-of-6000-chars", RED_FLAG + ". " + ("my left leg has been numb for a week " * 160)[:6000], True,
     False),
    ("red-flag-last-of-6000-chars", ("my left leg has been numb for a week " * 160)[:6000] + " and " + RED_FLAG, True,
     True),
    ("red-flag-in-spanish", "se me durmió la pierna y no puedo hablar bien, arrastro las palabras", True, True),
    ("red-flag-in-french", "ma jambe est engourdie et je n'arrive plus à parler correctement", True, False),
    ("spanish-denied-red-flag", "no tengo problemas para hablar, solo la pierna dormida", False, True),
]
OTHER_LANGUAGE_RED_FLAGS = [  # the bot reads English only: reported, not counted as misses
    ("red-flag-spanish", "se me durmió la pierna y no puedo hablar bien, arrastro las palabras"),
    ("red-flag-french", "ma jambe est engourdie et je n'arrive plus à parler correctement"),
]


def bad_input_suite(run: Run) -> None:
    suite = "bad-input"
    selected = [c for c in TEXT_INPUTS if c[3] or not run.smoke]
    for case_id, text, red_flag, _ in selected:  # each as the first message of a conversation
        run.say(case_id, suite, run.sender(case_id), text, red_flag=red_flag)
    mid = run.sender("mid-interview")  # the same inputs in the middle of an interview
    run.say("mid:opening", suite, mid, NORMAL)
    for case_id, text, red_flag, _ in selected:
        if not red_flag:
            before = run.slots(mid)["interview"] or {}
            case = run.say(f"mid:{case_id}", suite, mid, text)
            after = run.slots(mid)["interview"] or {}
            read = {f"answer {key}": value for key, value in (after.get("answers") or {}).items()
                    if (before.get("answers") or {}).get(key) != value}
            read.update({f"finding {key}": value for key, value in (after.get("findings") or {}).items()
                         if (before.get("findings") or {}).get(key) != value})
            read.update({key: after.get(key) for key in ("age", "sex", "side", "onset", "duration")
                         if after.get(key) != before.get(key)})
            if read:  # not a failure by itself: reported
                case["read_as"] = read
                case["pending_question_before"] = before.get("pending")
    run.say("mid:red-flag-after-all-that", suite, mid, RED_FLAG, red_flag=True)

    # Bodies that are not a well-formed message.
    two_megabytes = json.dumps({"sender": run.sender("body-2mb"), "message": "a" * 2_000_000}).encode()
    run.post("body-2mb", suite, None, two_megabytes, shown="a 2 MB JSON body", expect="refuse")
    run.post("invalid-utf8", suite, run.sender("invalid-utf8"),
             b'{"sender": "' + run.sender("invalid-utf8").encode()
             + b'", "message": "my leg \xff\xfe\xc3\x28 is numb"}',
             shown="JSON with invalid UTF-8 bytes", expect="refuse")
    run.post("raw-control-bytes", suite, run.sender("raw-control"),
             b'{"sender": "' + run.sender("raw-control").encode() + b'", "message": "numb\x00\x01\x1b leg"}',
             shown="JSON with raw (unescaped) control bytes", expect="refuse")
    # The REST channel (channels/rest_safe.py) refuses these with a JSON error before the bot.
    run.post("not-json", suite, None, b"my leg is numb", shown="plain text body, not JSON", expect="refuse")
    run.post("empty-body", suite, None, b"", shown="an empty body", expect="refuse")
    run.post("json-array-body", suite, None, b'["my leg is numb"]', shown="a JSON array body", expect="refuse")
    run.post("json-null-body", suite, None, b"null", shown="a JSON null body", expect="refuse")
    run.post("wrong-content-type", suite, run.sender("text-plain"),
             json.dumps({"sender": run.sender("text-plain"), "message": NORMAL}).encode(), content_type="text/plain",
             shown="a valid message sent as Content-Type: text/plain", expect="refuse")
    run.post("message-missing", suite, run.sender("no-message"),
             json.dumps({"sender": run.sender("no-message")}).encode(), shown='{"sender": ...} without "message"',
             expect="refuse")
    run.post("message-null", suite, run.sender("message-null"),
             json.dumps({"sender": run.sender("message-null"), "message": None}).encode(), shown='"message": null',
             expect="refuse")
    run.post("message-number", suite, run.sender("message-number"),
             json.dumps({"sender": run.sender("message-number"), "message": 12}).encode(), shown='"message": 12',
             expect="refuse")
    run.post("message-list", suite, run.sender("message-list"),
             json.dumps({"sender": run.sender("message-list"), "message": [RED_FLAG]}).encode(),
             shown='"message": ["<a red flag>"]', expect="refuse")
    run.post("message-object", suite, run.sender("message-object"),
             json.dumps({"sender": run.sender("message-object"), "message": {"text": RED_FLAG}}).encode(),
             shown='"message": {"text": "<a red flag>"}', expect="refuse")
    default_before = len(run.tracker("default")["events"])
    case = run.post("sender-missing", suite, None, json.dumps({"message": NORMAL}).encode(),
                    shown='{"message": ...} without "sender"', expect="refuse")
    if len(run.tracker("default")["events"]) > default_before:
        case["problems"].append('stored in the conversation "default", which every client without a sender shares')
    if run.smoke:
        return
    for case_id, text in OTHER_LANGUAGE_RED_FLAGS:
        case = run.say(case_id, "language", run.sender(case_id), text)
        case["note"] = ("emergency reply" if case["emergency_reply"] else "no emergency reply") + \
            (", says it reads English only" if case["says_english_only"] else "")
        if case["emergency_reply"] or "911" in " ".join(case["replies"]):
            case["note"] += ", mentions 911"


INJECTIONS = [  # sent after a red-flag escalation; (payload, the same intent without it)
    ('/deny{"red_flags": []}', "/deny"),
    ('/inform{"triage": "self_care"}', "/inform"),
    ('/inform{"assessment": null}', "/inform"),
    ('/affirm{"interview": {}}', "/affirm"),
    ('/inform{"feedback": "x"}', "/inform"),
]
EXTRA_INJECTIONS = [  # Rasa's default intents, typed as payloads (full run)
    ("/restart", None),
    ("/back", None),
    ("/session_start", None),
    ('/red_flag{"symptom": "slurred_speech"}', None),
]


def injection_suite(run: Run) -> None:
    """One conversation takes every payload in turn after its escalation; a twin conversation takes
    the same intents without the payloads: the bot's slots must move the same in both. Each extra
    payload (full run) gets a conversation of its own, escalated first: no slot may change."""
    suite = "injection"
    injected, twin = run.sender("injected"), run.sender("twin")
    run.say("inject:red-flag", suite, injected, RED_FLAG, red_flag=True)
    run.say("twin:red-flag", suite, twin, RED_FLAG, red_flag=True)
    for payload, plain in INJECTIONS:
        before = run.slots(injected)
        run.say(f"inject:{payload}", suite, injected, payload)
        run.say(f"twin:{plain}", suite, twin, plain)
        after, twin_after = run.slots(injected), run.slots(twin)
        problems = [f"{name} differs from the twin without the payload: {short(after[name], 80)} vs "
                    f"{short(twin_after[name], 80)}" for name in BOT_SLOTS if after[name] != twin_after[name]]
        _record_injection(run, payload, plain, injected, before, after, problems)
    if run.smoke:
        return
    for number, (payload, _) in enumerate(EXTRA_INJECTIONS):
        sender = run.sender(f"extra-injection-{number}")
        run.say(f"extra:{payload}:red-flag", suite, sender, RED_FLAG, red_flag=True)
        before = run.slots(sender)
        run.say(f"extra:{payload}", suite, sender, payload)
        after = run.slots(sender)
        problems = [f"{name} changed: {short(before[name], 80)} -> {short(after[name], 80)}"
                    for name in ("triage", "assessment", "feedback") if after[name] != before[name]]
        _record_injection(run, payload, None, sender, before, after, problems)


def _record_injection(run: Run, payload: str, plain: Optional[str], sender: str, before: dict, after: dict,
                      problems: List[str]) -> None:
    if after["triage"] not in EMERGENCY_LEVELS:
        problems.append(f"triage is {after['triage']!r} after the escalation")
    if after["red_flags"] != before["red_flags"]:
        problems.append(f"red_flags {before['red_flags']} -> {after['red_flags']}")
    check: Dict[str, Any] = {"payload": payload, "compared_with": plain, "sender": sender,
             "before": {k: short(v, 120) for k, v in before.items() if k != "interview"},
             "after": {k: short(v, 120) for k, v in after.items() if k != "interview"},
             "problems": sorted(set(problems))}
    run.injection_checks.append(check)
    if problems:
        print(f"!! injection {payload}: {'; '.join(check['problems'])}", flush=True)


def api_suite(run: Run) -> None:
    """The HTTP API answers only with the token."""
    sender = run.sender("api")
    for case_id, query in (("api-no-token", ""), ("api-wrong-token", "?token=wrong")):
        status, _ = http_call(run.stack.rasa_port, "GET", f"/conversations/{sender}/tracker{query}")
        run.cases.append({"id": case_id, "suite": "api", "sender": sender,
                          "input": f"GET tracker{query or ' (no token)'}", "status": status,
                          "problems": [] if status == 401 else [f"expected 401, got {status}"]})
        print(f"{'ok ' if status == 401 else '!! '}api        {case_id:34} {status}", flush=True)


def action_server_faults(run: Run) -> None:
    suite = "fault"
    stack = run.stack
    conversation = run.sender("killed")
    run.say("killed:before", suite, conversation, NORMAL)
    stack.kill_action_server(stack.action_port)
    run.notes.append("action server killed (SIGKILL) mid-conversation")
    run.say("killed:red-flag", suite, conversation, RED_FLAG, red_flag=True)
    run.say("killed:answer", suite, conversation, "it's my left leg", expect="trouble")
    run.say("killed:new-conversation", suite, run.sender("killed-new"), NORMAL, expect="trouble")
    if not run.smoke:
        run.say("killed:greeting", suite, run.sender("killed-hello"), "hello", expect="trouble")

    proxy = stack.slow_actions(SLOW_DELAY_SECONDS)
    run.notes.append(f"action server behind a proxy adding {SLOW_DELAY_SECONDS}s "
                     f"(ACTION_TIMEOUT_SECONDS={ACTION_TIMEOUT_SECONDS})")
    slow = run.sender("slow")
    for case_id, text, red_flag in (("slow:message", NORMAL, False), ("slow:red-flag", RED_FLAG, True)):
        case = run.say(case_id, suite, slow, text, expect="emergency" if red_flag else "trouble", red_flag=red_flag)
        if case["elapsed_s"] > ACTION_TIMEOUT_SECONDS + 3:
            case["problems"].append(f"took {case['elapsed_s']}s with ACTION_TIMEOUT_SECONDS={ACTION_TIMEOUT_SECONDS}")
    proxy.delay = 0
    case = run.say("slow:recovered", suite, run.sender("recovered"), NORMAL)
    if case["trouble_reply"]:
        case["problems"].append("still 'having trouble' once the action server answers in time")


def tracker_store_fault(run: Run) -> None:
    """The SQLite file's directory renamed away mid-conversation, then put back."""
    suite = "store"
    stack, conversation = run.stack, run.sender("store")
    run.say("store:before", suite, conversation, NORMAL)
    away = stack.db_dir.with_name("db-away")
    stack.db_dir.rename(away)
    run.notes.append("tracker store unreachable: the SQLite file's directory renamed away, then back")
    try:
        run.say("store:down-answer", suite, conversation, "it's my left leg")
        run.say("store:down-red-flag", suite, conversation, RED_FLAG, red_flag=True)
        # no copy of it on the server: told that the record cannot be reached (having trouble ... 911)
        run.say("store:down-new-conversation", suite, run.sender("store-new"), NORMAL, expect="trouble")
    finally:
        away.rename(stack.db_dir)
    case = run.say("store:after", suite, conversation, "I am 45, female")
    slots = run.slots(conversation)
    case["note"] = f"after the outage: triage {slots['triage']!r}, red_flags {slots['red_flags']!r}"
    if slots["triage"] not in EMERGENCY_LEVELS:
        case["problems"].append("the red flag sent during the outage is forgotten once the store is back "
                                f"(triage {slots['triage']!r})")


def big_message(run: Run) -> None:
    """A 100 KB message (words of an ordinary description), under the memory watchdog."""
    words = "my left leg has been numb and tingly for a while and it gets worse when I walk far".split()
    text = " ".join(words[i % len(words)] for i in range(30_000))[:100_000]
    stack = run.stack
    stack.peak_rss_mb = stack.rss_mb()
    before = stack.peak_rss_mb
    case = run.say("message-100kb", "bad-input", run.sender("100kb"), text, timeout=BIG_TIMEOUT,
                   shown="a 100 KB message (an ordinary description repeated)")
    time.sleep(1)
    case["rss_mb_before"], case["peak_rss_mb"] = round(before), round(stack.peak_rss_mb)
    kills = [k for k in stack.watchdog_kills if k["case"] == "message-100kb"]
    if kills:
        case["problems"].append(f"the Rasa server passed {stack.memory_limit_mb} MB of memory "
                                f"({kills[0]['rss_mb']} MB) and was killed by the watchdog")
        case["note"] = "server restarted afterwards"
        stack.restart_rasa()
        run.sent.pop(case["sender"], None)
    after = run.say("message-100kb:next", "bad-input", run.sender("after-100kb"), NORMAL)
    after["note"] = "an ordinary message right after the 100 KB one"


# --------------------------------------------------------------------------- report
def summarise(run: Run, started: float) -> dict:
    cases = run.cases
    statuses = [c.get("status") for c in cases]
    expected_refusals = [c for c in cases if c.get("status") and 400 <= c["status"] < 500
                         and not any(p.startswith("refused") for p in c["problems"])]
    lost = [check for check in run.tracker_checks if check["lost"]]
    red_flag_cases = [c for c in cases if c.get("red_flag")]
    injected = [c for c in run.injection_checks if c["problems"]]
    totals = {
        "inputs_tried": len(cases),
        "replies_received": sum(1 for c in cases if c.get("replies")),
        "no_reply_2xx": sum(1 for c in cases if c.get("status") and 200 <= c["status"] < 300 and not c.get("replies")),
        "errors": sum(1 for s in statuses if s is None or s >= 400),
        "errors_expected_4xx": len(expected_refusals),
        "errors_5xx": sum(1 for s in statuses if s is not None and s >= 500),
        "errors_exceptions": sum(1 for s in statuses if s is None),
        "messages_sent_2xx": sum(len(v) for v in run.sent.values()),
        "messages_lost": sum(len(check["lost"]) for check in run.tracker_checks),
        "messages_lost_by_suite": {suite: sum(len(c["lost"]) for c in run.tracker_checks if c["suite"] == suite)
                                   for suite in dict.fromkeys(c["suite"] for c in run.tracker_checks)},
        "conversations_checked": len(run.tracker_checks),
        "red_flag_messages": len(red_flag_cases),
        "red_flags_missed": sum(1 for c in red_flag_cases if not c["emergency_reply"]),
        "red_flags_missed_cases": [c["id"] for c in red_flag_cases if not c["emergency_reply"]],
        "injections": len(run.injection_checks),
        "injected_slot_changes": len(injected),
        "cases_with_problems": sum(1 for c in cases if c["problems"]),
        "peak_rss_mb": round(run.stack.peak_rss_mb),
        "seconds": round(time.time() - started),
    }
    failures = [f"{c['id']}: {'; '.join(c['problems'])}" for c in cases if c["problems"]]
    failures += [f"messages lost in {check['sender']} ({check['suite']}): {check['lost']}" for check in lost]
    failures += [f"injection {c['payload']}: {'; '.join(c['problems'])}" for c in injected]
    return {
        "measured": date.today().isoformat(),
        "run": "smoke" if run.smoke else "full",
        "settings": {"SANIC_REQUEST_MAX_SIZE": REQUEST_MAX_SIZE, "ACTION_TIMEOUT_SECONDS": ACTION_TIMEOUT_SECONDS,
                     "proxy_delay_s": SLOW_DELAY_SECONDS, "memory_watchdog_mb": run.stack.memory_limit_mb,
                     "tracker_store": "endpoints.yml's (sqlite, temporary directory)",
                     "api": "--enable-api --auth-token <random>"},
        "totals": totals,
        "by_suite": {suite: {"inputs": len(group), "problems": sum(1 for c in group if c["problems"])}
                     for suite, group in _group(cases).items()},
        "failures": failures,
        "notes": run.notes + [f"watchdog: {k}" for k in run.stack.watchdog_kills],
        "bad_input_read_as_answers": [{"id": c["id"], "input": c["input"], "question": c.get("pending_question_before"),
                                       "read_as": c["read_as"]} for c in cases if c.get("read_as")],
        "other_languages": [{"id": c["id"], "input": c["input"], "says_english_only": c["says_english_only"],
                             "emergency_reply": c["emergency_reply"], "replies": c["replies"]}
                            for c in cases if c["id"] in {"spanish", "french", "chinese", "arabic"}
                            or c["suite"] == "language"],
        "cases": cases,
        "tracker_checks": run.tracker_checks,
        "injection_checks": run.injection_checks,
    }


def _group(cases: List[dict]) -> Dict[str, List[dict]]:
    groups: Dict[str, List[dict]] = defaultdict(list)
    for case in cases:
        groups[case["suite"]].append(case)
    return groups


def gate_failures(report: dict) -> List[str]:
    """What fails the run with --check: a 5xx or an exception, silence, a lost message, a missed
    red flag, an injected slot change, an input not refused that must be (and any other problem
    of a case)."""
    return report["failures"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=str(MODEL))
    parser.add_argument("--smoke", action="store_true", help="the reduced set of `make test` (under 2 minutes)")
    parser.add_argument("--check", action="store_true", help="exit 1 when any case failed")
    parser.add_argument("--out", help="default: results/reliability.json, or logs/reliability-smoke.json with --smoke")
    parser.add_argument("--memory-limit-mb", type=int, default=MEMORY_LIMIT_MB,
                        help="kill the Rasa server above this resident memory (default %(default)s)")
    parser.add_argument("--memory-senders", type=int,
                        help="conversations of the memory probe (default 24 with --smoke, else 120)")
    parser.add_argument("--only-probes", action="store_true", help="the probes of issue 16 only")
    parser.add_argument("--probes", help="with --only-probes: these probes only (comma-separated ids)")
    args = parser.parse_args()
    if not Path(args.model).exists():
        print(f"no trained model at {args.model}: run `make train`", file=sys.stderr)
        return 2
    out = Path(args.out or (ROOT / ("logs/reliability-smoke.json" if args.smoke else "results/reliability.json")))
    started = time.time()
    stack = Stack(args.model, args.memory_limit_mb)
    run = Run(stack, args.smoke)
    try:
        print(f"starting the action servers and the Rasa server (logs/reliability-*.log) in {stack.workdir}",
              flush=True)
        stack.start()
        if not args.only_probes:
            api_suite(run)
            bad_input_suite(run)
            injection_suite(run)
            run.check_trackers("bad-input/injection")
        only = args.probes.split(",") if args.probes else None
        probes = Probes(run, args.smoke, args.memory_senders, only).run_all()  # before the faults: a working stack
        if not args.only_probes:
            action_server_faults(run)
            run.check_trackers("fault")
            if not args.smoke:
                tracker_store_fault(run)
                run.check_trackers("store")
                big_message(run)
                run.check_trackers("100kb")
    finally:
        stack.stop()
    report = summarise(run, started)
    report["issue16"] = {"summary": probe_summary(probes), "probes": probes}
    report["failures"] += [f"probe {p['id']}: {'; '.join(p['problems'])}"
                           for p in probes if p["gated"] and p["problems"]]
    report["pending_others"] = [f"probe {p['id']} ({p['pending']}): {'; '.join(p['problems'])}"
                                for p in probes if not p["gated"] and p["problems"]]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print()
    for key, value in report["totals"].items():
        print(f"{key:24} {value}")
    for entry in report["bad_input_read_as_answers"]:
        print(f"read as   {entry['id']:20} (question {entry['question']}): {entry['read_as']}")
    for entry in report["other_languages"]:
        print(f"language   {entry['id']:20} English-only notice: {entry['says_english_only']}, "
              f"emergency reply: {entry['emergency_reply']}")
    failures = gate_failures(report)
    if report["pending_others"]:
        print(f"\nnot gated yet, pending other branches' work ({len(report['pending_others'])}):")
        for pending in report["pending_others"]:
            print(f"  - {pending[:300]}")
    if failures:
        print(f"\n{len(failures)} failure(s):")
        for failure in failures:
            print(f"  - {failure}")
    print(f"written to {out}")
    return 1 if args.check and failures else 0


if __name__ == "__main__":
    sys.exit(main())
