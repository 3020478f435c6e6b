"""How often two Rasa servers hold one conversation at once: Rasa 3.6's RedisLockStore against ours.

    python -m cluster.race [--senders 8] [--messages 15]      (make cluster-race)

For each lock store in turn the two Rasa servers of the cluster are restarted with that store
(the production endpoints file with only the lock store's type changed; the stock one is Rasa's
RedisLockStore unchanged, subclassed only to log its holds), then `senders` clients send
`messages` messages each, all at once, to ONE conversation, alternating the two servers.

Measured:
- overlapping_holds: holds that began while another hold of the same conversation had not ended
  (each server appends acquired/released times of every hold to a log, CLUSTER_LOCK_LOG);
  cross_server_overlaps counts those where the other holder was the other server;
- from the tracker in PostgreSQL: user messages stored vs. sent (lost, duplicated) and
  interleaved turns (a user message followed by another user message before any bot reply);
- errors: requests that failed or came back empty (Rasa's LockError ends in an empty reply).

Writes results/lock_race.json. Afterwards the Rasa servers run with endpoints-production.yml again.
"""
from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, List

from cluster.load import new_conversation, post
from cluster.stack import BASE, ENDPOINTS, ROOT, SERVERS, Stack, healthy

STORES = {"stock": "cluster.lock_store.LoggingRedisLockStore", "atomic": "cluster.lock_store.AtomicRedisLockStore"}
TEXTS = ["my left leg is numb", "no", "yes", "not sure", "45, male", "left", "gradually", "two weeks"]


def endpoints_for(store: str) -> Path:
    text = ENDPOINTS.read_text()
    text = text.replace("type: cluster.lock_store.AtomicRedisLockStore", f"type: {STORES[store]}")
    path = BASE / f"endpoints-race-{store}.yml"
    path.write_text(text)
    return path


def overlaps(holds: List[dict]) -> Dict[str, int]:
    holds = sorted(holds, key=lambda h: h["acquired"])
    overlapping = cross = 0
    for i, hold in enumerate(holds):
        others = [h for h in holds[:i] if h["released"] > hold["acquired"]]
        if others:
            overlapping += 1
            if any(h["server"] != hold["server"] for h in others):
                cross += 1
    return {"holds": len(holds), "overlapping_holds": overlapping, "cross_server_overlaps": cross}


def tracker_figures(stack: Stack, sender: str, sent: int) -> Dict[str, int]:
    connection = stack.db_connect()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT type_name, data FROM events WHERE sender_id = %s ORDER BY id", (sender,))
            rows = cursor.fetchall()
    finally:
        connection.close()
    ids, interleaved, previous = [], 0, None
    for type_name, data in rows:
        if type_name not in ("user", "bot"):
            continue
        if type_name == "user":
            ids.append((json.loads(data).get("metadata") or {}).get("id"))
            if previous == "user":
                interleaved += 1
        previous = type_name
    return {"user_messages_stored": len(ids), "lost": sent - len(set(ids)), "duplicated": len(ids) - len(set(ids)),
            "interleaved_turns": interleaved}


def race(stack: Stack, store: str, senders: int, messages: int) -> dict:
    log = BASE / f"locks-{store}.jsonl"
    log.unlink(missing_ok=True)
    stack.endpoints, stack.lock_log = endpoints_for(store), log
    stack.restart_all_rasa()
    sender = new_conversation(stack.rasa_urls)
    errors: List[str] = []
    guard = threading.Lock()

    def client(k: int) -> None:
        for m in range(messages):
            url = stack.rasa_urls[(k + m) % SERVERS]
            try:
                replies = post(url, sender, TEXTS[(k + m) % len(TEXTS)], {"id": f"{k}-{m}"}, timeout=120)
                if not replies:
                    with guard:
                        errors.append(f"{url}: empty reply")
            except OSError as error:
                with guard:
                    errors.append(f"{url}: {type(error).__name__}: {error}")

    started = time.time()
    with ThreadPoolExecutor(max_workers=senders) as pool:
        list(pool.map(client, range(senders)))
    elapsed = time.time() - started
    time.sleep(1)
    holds = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    holds = [h for h in holds if h["conversation"] == sender]
    result = {"store": store, "lock_store_class": STORES[store], "conversation": sender, "senders": senders,
              "messages_sent": senders * messages, "errors": len(errors), "error_samples": errors[:5],
              "elapsed_seconds": round(elapsed, 1), **overlaps(holds),
              **tracker_figures(stack, sender, senders * messages)}
    print(f"[{store:6}] " + "  ".join(f"{k}={result[k]}" for k in (
        "messages_sent", "holds", "overlapping_holds", "cross_server_overlaps", "user_messages_stored", "lost",
        "duplicated", "interleaved_turns", "errors", "elapsed_seconds")), flush=True)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--senders", type=int, default=8)
    parser.add_argument("--messages", type=int, default=15, help="messages per sender")
    parser.add_argument("--rounds", type=int, default=1, help="repeat each store's run")
    parser.add_argument("--out", default=str(ROOT / "results" / "lock_race.json"))
    args = parser.parse_args()
    stack = Stack()
    if not healthy(stack):
        stack.up(rasa=False)
    results = []
    try:
        for store in ("stock", "atomic"):
            for _ in range(args.rounds):
                results.append(race(stack, store, args.senders, args.messages))
    finally:
        stack.endpoints, stack.lock_log = ENDPOINTS, None
        stack.restart_all_rasa()

    def total(store: str, key: str) -> int:
        return sum(r[key] for r in results if r["store"] == store)

    summary = {"measured": time.strftime("%Y-%m-%d"), "servers": SERVERS,
               "totals": {store: {k: total(store, k) for k in ("messages_sent", "holds", "overlapping_holds",
                                                               "cross_server_overlaps", "lost", "duplicated",
                                                               "interleaved_turns", "errors")}
                          for store in STORES},
               "runs": results}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary["totals"], indent=1))
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
