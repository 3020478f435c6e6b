"""Start a bot for the benchmark and watch its processes.

A bot is its action server plus its Rasa server (REST channel, HTTP API with a random token),
both on free ports, serving loopback only. `running_bot` measures the cold start (process start
-> first successful REST reply) and hands back the process ids, so `RssSampler` can read the
resident memory of each server (VmRSS of the process and all its children, from /proc).
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import yaml

from tooling.bot import REST_CREDENTIALS, action_server_command, endpoints_for, rasa_server_command
from tooling.processes import ROOT, free_port, server_env, spawn, stop_processes



@dataclass
class BotSpec:
    """What to start: `project` is the working directory and the only entry of PYTHONPATH (so the
    stock bot's `actions` package is its own, not ours)."""
    name: str
    project: Path
    model: Path
    endpoints: Optional[Path]  # the bot's own endpoints.yml; the action URL and any SQLite file are rewritten
    first_message: str  # sent to detect the first successful reply (cold start)


@dataclass
class RunningBot:
    name: str
    url: str
    token: str
    rasa_pid: int
    action_pid: int
    tracker_store: str
    cold_start: Dict[str, float] = field(default_factory=dict)


def bench_endpoints(spec: BotSpec, action_port: int, workdir: Path) -> Tuple[str, str]:
    """The bot's endpoints with the action server on our port; a SQLite tracker store moves to workdir
    (a fresh file, so earlier runs do not slow this one). Returns (yaml text, tracker store kind)."""
    config = endpoints_for(action_port, workdir / "conversations.db", spec.endpoints)
    store = config.get("tracker_store") or {}
    kind = "in-memory" if not store else f"{store.get('type', '?')}/{store.get('dialect', '')}".rstrip("/")
    return yaml.safe_dump(config, sort_keys=False), kind


def _post_json(url: str, payload: dict, timeout: float = 30) -> Tuple[int, Any]:
    request = urllib.request.Request(url, json.dumps(payload).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.status, json.loads(response.read())


def _issued_sender(url: str, name: str) -> str:
    """The conversation id this bot's REST channel issues; `name` for the stock bot's channel (404)."""
    if not name.startswith("coldstart-"):
        return name  # already issued
    try:
        status, body = _post_json(f"{url}/webhooks/rest/conversations", {})
        return body["sender"] if status == 201 else name
    except urllib.error.HTTPError:
        return name


def _answers(url: str) -> bool:
    try:
        return bool(urllib.request.urlopen(url, timeout=2).read())
    except OSError:
        return False


@contextmanager
def running_bot(spec: BotSpec, log_dir: Path, start_timeout: float = 300) -> Iterator[RunningBot]:
    """Start both servers at the same moment; yield once the REST channel answered a message."""
    log_dir.mkdir(parents=True, exist_ok=True)
    workdir = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-{spec.name}-{uuid.uuid4().hex[:8]}"
    workdir.mkdir(parents=True)
    action_port, rasa_port = free_port(), free_port()
    endpoints_text, tracker_kind = bench_endpoints(spec, action_port, workdir)
    (workdir / "endpoints.yml").write_text(endpoints_text, encoding="utf-8")
    # This bot: the REST channel of its credentials.yml (channels/rest_safe.py); the stock bot: Rasa's.
    credentials = REST_CREDENTIALS if spec.project.resolve() == ROOT else "rest:\n"
    (workdir / "credentials.yml").write_text(credentials, encoding="utf-8")
    token = secrets.token_hex(16)
    env = server_env(PYTHONPATH=str(spec.project))
    processes: List[subprocess.Popen] = []
    url = f"http://127.0.0.1:{rasa_port}"
    try:
        started = time.monotonic()
        processes.append(spawn(action_server_command(action_port), log_dir / f"bench-{spec.name}-actions.log", env,
                               cwd=spec.project))
        processes.append(spawn(rasa_server_command(spec.model, workdir / "endpoints.yml", workdir / "credentials.yml",
                                                   rasa_port, api_token=token),
                               log_dir / f"bench-{spec.name}-rasa.log", env, cwd=spec.project))
        cold = _cold_start(url, f"http://127.0.0.1:{action_port}/health", spec.first_message, processes,
                           started, start_timeout, token)
        yield RunningBot(spec.name, url, token, processes[1].pid, processes[0].pid, tracker_kind, cold)
    finally:
        stop_processes(processes, group=True)
        shutil.rmtree(workdir, ignore_errors=True)


def _cold_start(url: str, action_health: str, message: str, processes, started: float, timeout: float,
                token: str) -> dict:
    """Seconds from process start to: the action server's /health, the Rasa server's /, and the first
    HTTP 200 with a non-empty reply to a REST message (the cold start). A Rasa server that is up
    without a model (it failed to load one: it then ignores every message) stops the wait at once."""
    marks: Dict[str, Optional[float]] = {}
    sender = f"coldstart-{uuid.uuid4().hex[:8]}"
    deadline = started + timeout
    while time.monotonic() < deadline:
        for process in processes:
            if process.poll() is not None:
                raise RuntimeError(f"{' '.join(process.args[:3])} exited early (code {process.returncode}); see logs/")
        if "action_server_ready_s" not in marks and _answers(action_health):
            marks["action_server_ready_s"] = round(time.monotonic() - started, 2)
        if "rasa_listening_s" not in marks and _answers(url + "/"):
            marks["rasa_listening_s"] = round(time.monotonic() - started, 2)
            if not _model_loaded(url, token):
                raise RuntimeError(f"the Rasa server at {url} is up without a model (it could not load it); see logs/")
        if "rasa_listening_s" in marks:
            try:
                sender = _issued_sender(url, sender)
                status, replies = _post_json(f"{url}/webhooks/rest/webhook", {"sender": sender, "message": message})
                if status == 200 and replies:
                    marks["seconds"] = round(time.monotonic() - started, 2)
                    marks.setdefault("action_server_ready_s", marks["seconds"] if _answers(action_health) else None)
                    return marks
            except (OSError, ValueError):
                pass
        time.sleep(0.25)
    raise TimeoutError(f"{url} gave no reply within {timeout}s")


def _model_loaded(url: str, token: str) -> bool:
    """GET /status (HTTP API): 409 when the server has no agent."""
    try:
        urllib.request.urlopen(f"{url}/status?token={token}", timeout=10).read()
        return True
    except urllib.error.HTTPError as error:
        return error.code != 409
    except OSError:
        return True  # cannot tell; the reply to a message will


# ------------------------------------------------------------------ resident memory


def _children(pid: int) -> List[int]:
    found = []
    task_dir = Path(f"/proc/{pid}/task")
    try:
        for task in task_dir.iterdir():
            try:
                found += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                pass
    except OSError:
        pass
    return found


def process_tree(pid: int) -> List[int]:
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo += [c for c in _children(current) if c not in tree]
    return tree


def vm_rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_mb(pid: int) -> float:
    """VmRSS of the process and all its descendants, in MiB."""
    return sum(vm_rss_kb(p) for p in process_tree(pid)) / 1024


class RssSampler:
    """Samples the resident memory of named process trees every `interval` seconds in a thread;
    `peaks()` gives the highest sum seen per name since the last `reset()`."""

    def __init__(self, pids: Dict[str, int], interval: float = 0.5):
        self.pids, self.interval = pids, interval
        self._peak: Dict[str, float] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self) -> "RssSampler":
        self.sample()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def sample(self) -> Dict[str, float]:
        now = {name: round(tree_rss_mb(pid), 1) for name, pid in self.pids.items()}
        with self._lock:
            for name, value in now.items():
                self._peak[name] = max(self._peak.get(name, 0.0), value)
        return now

    def reset(self) -> None:
        with self._lock:
            self._peak = {}
        self.sample()

    def peaks(self) -> Dict[str, float]:
        self.sample()
        with self._lock:
            return dict(self._peak)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()
