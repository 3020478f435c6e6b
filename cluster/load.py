"""Concurrent conversations across the Rasa servers of the cluster, with faults, checked in PostgreSQL.

    python -m cluster.load                       the full run (make cluster-load): 100 conversations
                                                 x 10 turns, then the fault runs -> results/cluster_load.json
    python -m cluster.load --smoke               10 x 5 with one kill -9 (make cluster-smoke's figures)

Each conversation is a client thread that sends its turns one after the other (no think time),
turn i to server (conversation + i) mod 2, so consecutive turns of one conversation land on
different servers. Each message carries metadata {"load": run, "turn": i}. A client whose request
fails (connection refused or reset, HTTP error, timeout, or an empty reply) first asks the other
server's HTTP API whether the turn was stored with a reply (it may have been, just before the
server died) and otherwise sends it again to the other server, for up to `turn_deadline` seconds.

Afterwards every conversation's events are read from PostgreSQL: the user messages of the run
must be turns 0..n-1 exactly once and in order (else lost / duplicated / out of order), and each
must be followed by at least one bot message before the next user message (else unanswered).

Faults (by share of the turns done): `kill9` kills rasa-1 with SIGKILL (restarted afterwards so the
cluster is whole again), `postgres` and `redis` stop the service for 2 s and start it again; the
Rasa servers are not restarted for those.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from cluster.stack import ROOT, Stack, healthy

SCRIPT = ["my left leg has been numb and tingly for a while", "45, male", "left", "gradually",
          "about two weeks", "no", "yes", "not sure", "no", "what can cause leg numbness?"]


def message(turn: int) -> str:
    return SCRIPT[turn] if turn < len(SCRIPT) else "no"


def post(url: str, sender: str, text: str, metadata: dict, timeout: float) -> list:
    body = json.dumps({"sender": sender, "message": text, "metadata": metadata}).encode()
    request = urllib.request.Request(f"{url}/webhooks/rest/webhook", body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())


ISSUED: Dict[str, str] = {}  # "load-<run>-<index>" -> the conversation id a server issued for it


def new_conversation(urls: Sequence[str], timeout: float = 30) -> str:
    """A conversation id issued by the REST channel (POST /webhooks/rest/conversations), from the
    first server that answers."""
    for url in urls:
        try:
            request = urllib.request.Request(f"{url}/webhooks/rest/conversations", b"{}",
                                             {"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return json.loads(response.read())["sender"]
        except OSError:
            continue
    raise OSError("no server issued a conversation id")


def conversation_id(urls: Sequence[str], run: str, index: int) -> str:
    name = f"load-{run}-{index:03d}"
    if name not in ISSUED:
        ISSUED[name] = new_conversation(urls)
    return ISSUED[name]


def stored_reply(url: str, token: str, sender: str, run: str, turn: int) -> Optional[list]:
    """The bot messages stored after user turn `turn` (None when the turn is not stored with a reply)."""
    request = f"{url}/conversations/{sender}/tracker?token={token}&include_events=ALL"
    with urllib.request.urlopen(request, timeout=30) as response:
        events = json.loads(response.read())["events"]
    replies, found = [], False
    for event in events:
        if event.get("event") == "user":
            meta = event.get("metadata") or {}
            if found:
                break
            found = meta.get("load") == run and meta.get("turn") == turn
        elif found and event.get("event") == "bot":
            replies.append({"text": event.get("text")})
    return replies if found and replies else None


class Client:
    """One conversation's turns, in order, alternating servers, retrying through the other one."""

    def __init__(self, urls: Sequence[str], token: str, run: str, index: int, turns: int,
                 turn_deadline: float, request_timeout: float, progress) -> None:
        self.urls, self.token, self.run, self.index, self.turns = list(urls), token, run, index, turns
        self.sender = conversation_id(urls, run, index)
        self.turn_deadline, self.request_timeout, self.progress = turn_deadline, request_timeout, progress
        self.latencies: List[float] = []
        self.errors: List[str] = []
        self.retries = 0
        self.recovered = 0
        self.failed_turns: List[int] = []
        self.requests: Dict[str, int] = {}

    def run_turns(self) -> "Client":
        for turn in range(self.turns):
            if not self.send_turn(turn):
                self.failed_turns.append(turn)
                break  # a real person would not go on either
            self.progress()
        return self

    def send_turn(self, turn: int) -> bool:
        started = time.time()
        server = (self.index + turn) % len(self.urls)
        metadata = {"load": self.run, "turn": turn}
        attempt = 0
        while time.time() - started < self.turn_deadline:
            url = self.urls[server]
            attempt += 1
            self.requests[url] = self.requests.get(url, 0) + 1
            try:
                if attempt > 1:  # the failed attempt may have been stored just before its server died
                    if stored_reply(url, self.token, self.sender, self.run, turn):
                        self.recovered += 1
                        self.latencies.append(time.time() - started)
                        return True
                replies = post(url, self.sender, message(turn), metadata, self.request_timeout)
                if replies:
                    self.latencies.append(time.time() - started)
                    return True
                self.errors.append(f"{url} turn {turn}: empty reply")
            except (OSError, urllib.error.HTTPError, ValueError) as error:
                self.errors.append(f"{url} turn {turn}: {type(error).__name__}: {error}")
            self.retries += 1
            server = (server + 1) % len(self.urls)
            time.sleep(min(0.25 * attempt, 2.0))
        return False


def check_trackers(stack: Stack, run: str, conversations: int, turns: int,
                   expected_turns: Optional[Dict[str, int]] = None) -> Dict[str, object]:
    """Read every conversation of `run` from PostgreSQL and count lost / duplicated / unordered turns."""
    lost = duplicated = out_of_order = unanswered = 0
    bad: List[dict] = []
    connection = stack.db_connect()
    try:
        with connection.cursor() as cursor:
            for index in range(conversations):
                name = f"load-{run}-{index:03d}"
                sender = ISSUED.get(name, name)
                cursor.execute("SELECT type_name, data FROM events WHERE sender_id = %s ORDER BY id", (sender,))
                seen: List[Any] = []
                answered: List[bool] = []
                last_user: Optional[int] = None
                for type_name, data in cursor.fetchall():
                    if type_name == "user":
                        meta = (json.loads(data).get("metadata") or {})
                        if meta.get("load") != run:
                            continue
                        seen.append(meta.get("turn"))
                        answered.append(False)
                        last_user = len(seen) - 1
                    elif type_name == "bot" and last_user is not None:
                        answered[last_user] = True
                want = (expected_turns or {}).get(sender, turns)
                c_lost = sum(1 for t in range(want) if t not in seen)
                c_dup = len(seen) - len(set(seen))
                c_order = int(seen != sorted(seen))
                c_unanswered = answered.count(False)
                lost, duplicated, out_of_order, unanswered = (lost + c_lost, duplicated + c_dup,
                                                              out_of_order + c_order, unanswered + c_unanswered)
                if c_lost or c_dup or c_order or c_unanswered:
                    bad.append({"sender": sender, "turns_stored": seen, "unanswered": c_unanswered})
    finally:
        connection.close()
    return {"lost": lost, "duplicated": duplicated, "out_of_order": out_of_order, "unanswered": unanswered,
            "bad_conversations": bad[:10]}


def cpu_seconds(pid: Optional[int]) -> float:
    """User + system CPU time of a process so far (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError, TypeError):
        return 0.0


def run_load(stack: Stack, conversations: int, turns: int, faults: Sequence[Tuple[float, str]] = (),
             turn_deadline: float = 120, request_timeout: float = 90, label: str = "load",
             restart_killed: bool = True) -> Dict[str, object]:
    """Play `conversations` x `turns` concurrently; inject `faults` [(share of turns done, kind)]."""
    run = uuid.uuid4().hex[:8]
    token = stack.secrets()["RASA_AUTH_TOKEN"]
    total = conversations * turns
    done = [0]
    lock = threading.Lock()
    fault_log: List[dict] = []
    pending = sorted(faults)
    wake = threading.Event()

    def progress() -> None:
        with lock:
            done[0] += 1
        wake.set()

    def injector() -> None:
        while pending:
            wake.wait(1)
            wake.clear()
            share = done[0] / total
            if share >= pending[0][0] or finished.is_set():
                at, kind = pending.pop(0)
                fault_log.append(inject(stack, kind, done[0]))

    finished = threading.Event()
    clients = [Client(stack.rasa_urls, token, run, i, turns, turn_deadline, request_timeout, progress)
               for i in range(conversations)]
    servers = [n for n in stack.pids if n.startswith(("rasa-", "actions-"))]
    cpu_before = {n: cpu_seconds(stack.pids.get(n)) for n in servers}
    started = time.time()
    thread = threading.Thread(target=injector, daemon=True)
    thread.start()
    with ThreadPoolExecutor(max_workers=conversations) as pool:
        list(pool.map(Client.run_turns, clients))
    elapsed = time.time() - started
    cpu = {n: round(cpu_seconds(stack.pids.get(n)) - cpu_before[n], 1) for n in servers}
    finished.set()
    wake.set()
    thread.join(timeout=600)
    # a killed server comes back so that the cluster is whole for what follows
    for entry in fault_log:
        if entry["kind"] == "kill9" and restart_killed:
            stack.start_rasa(0)
            stack.wait_rasa(0)
            entry["restarted"] = True
    checked = check_trackers(stack, run, conversations, turns)
    latencies = sorted(latency for c in clients for latency in c.latencies)
    errors = [e for c in clients for e in c.errors]
    requests: Dict[str, int] = {}
    for c in clients:
        for url, n in c.requests.items():
            requests[url] = requests.get(url, 0) + n
    turns_ok = len(latencies)
    result = {
        "label": label,
        "run": run,
        "conversations": conversations,
        "turns_per_conversation": turns,
        "turns": total,
        "turns_ok": turns_ok,
        "failed_turns": sum(len(c.failed_turns) for c in clients),
        **{k: checked[k] for k in ("lost", "duplicated", "out_of_order", "unanswered")},
        "errors": len(errors),
        "retries": sum(c.retries for c in clients),
        "recovered_from_tracker": sum(c.recovered for c in clients),
        "elapsed_seconds": round(elapsed, 2),
        "turns_per_second": round(turns_ok / elapsed, 2) if elapsed else None,
        "turns_per_second_per_server": round(turns_ok / elapsed / len(stack.rasa_urls), 2) if elapsed else None,
        "latency_p50_seconds": round(statistics.median(latencies), 3) if latencies else None,
        "latency_p95_seconds": round(latencies[int(0.95 * (len(latencies) - 1))], 3) if latencies else None,
        "requests_per_server": requests,
        "cpu_seconds": cpu,
        "cpu_seconds_per_turn": {
            server: (round(sum(v for k, v in cpu.items() if k.startswith(f"{server}-")) / turns_ok, 4)
                     if turns_ok else None)
            for server in ("rasa", "actions")
        },
        "faults": fault_log,
        "error_samples": errors[:8],
        "bad_conversations": checked["bad_conversations"],
    }
    result["ok"] = (result["lost"] == 0 and result["duplicated"] == 0 and result["out_of_order"] == 0
                    and result["unanswered"] == 0 and result["failed_turns"] == 0)
    return result


def inject(stack: Stack, kind: str, turns_done: int) -> dict:
    at = time.time()
    if kind == "kill9":
        stack.kill("rasa-1")
    elif kind == "postgres":
        stack.restart_postgres()
    elif kind == "redis":
        stack.restart_redis()
    else:
        raise ValueError(kind)
    entry = {"kind": kind, "after_turns": turns_done, "took_seconds": round(time.time() - at, 2)}
    print(f"  fault: {kind} after {turns_done} turns", flush=True)
    return entry


def print_result(result: dict) -> None:
    keys = ("conversations", "turns", "turns_ok", "lost", "duplicated", "out_of_order", "unanswered", "errors",
            "retries", "recovered_from_tracker", "failed_turns", "elapsed_seconds", "turns_per_second",
            "turns_per_second_per_server", "latency_p50_seconds", "latency_p95_seconds")
    print(f"[{result['label']}] " + "  ".join(f"{k}={result[k]}" for k in keys), flush=True)


def ensure_stack() -> Stack:
    stack = Stack()
    if not healthy(stack):
        stack.up()
    return stack


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conversations", type=int, default=100)
    parser.add_argument("--turns", type=int, default=10)
    parser.add_argument("--smoke", action="store_true", help="10 x 5 with one kill -9, nothing else")
    parser.add_argument("--no-faults", action="store_true", help="only the clean run")
    parser.add_argument("--out", help="default: results/cluster_load.json, var/cluster/smoke.json for --smoke")
    args = parser.parse_args()
    args.out = args.out or str(ROOT / ("var/cluster/smoke.json" if args.smoke else "results/cluster_load.json"))
    stack = ensure_stack()
    runs = []
    if args.smoke:
        runs.append(run_load(stack, 10, 5, [(0.4, "kill9")], label="smoke-kill9"))
    else:
        runs.append(run_load(stack, args.conversations, args.turns, label="clean"))
        print_result(runs[-1])
        if not args.no_faults:
            for kind in ("kill9", "postgres", "redis"):
                runs.append(run_load(stack, 30, 8, [(0.4, kind)], label=f"fault-{kind}"))
                print_result(runs[-1])
    if args.smoke:
        print_result(runs[-1])
    summary = {"measured": time.strftime("%Y-%m-%d"), "cores": os.cpu_count(),
               "servers": len(stack.rasa_urls), "think_time_seconds": 0,
               "note": "everything (2 Rasa, 2 action servers, PostgreSQL, Redis, nginx, the clients) shares the cores",
               "runs": runs,
               "ok": all(r["ok"] for r in runs)}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(summary, indent=2) + "\n")
    print(f"written to {out}; {'all intact' if summary['ok'] else 'FAILURES, see the file'}")
    return 0 if summary["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
