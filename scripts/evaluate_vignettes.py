"""Play every simulated patient of tests/vignettes/vignettes.yml through the bot's REST channel.

The patient answers each question by its words (age and sex, side, onset, duration, "is it new?",
yes/no by keywords), never by the bot's internals. Reports red-flag recall, denied-flag
specificity, exact and safe triage, over-triage, top-1 / top-3 cause accuracy and the median
number of turns, and writes them to results/vignettes.json (transcripts: results/vignettes_transcripts.md).

By default it starts the action server and the Rasa server itself on free ports; --url uses a
running server instead.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import urllib.request
import uuid
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from scripts.processes import free_port, stop_processes, wait_for  # noqa: E402

LEVELS = ["self_care", "consultation", "consultation_24", "emergency", "emergency_ambulance"]
TARGETS = {"red_flag_recall": 1.0, "denied_flag_specificity": 0.95, "safe_triage": 0.97, "exact_triage": 0.85,
           "top3": 0.90, "top1": 0.70}
MAX_TURNS = 25


@contextmanager
def running_bot(model: str):
    """Start the action server and the Rasa server (REST channel) on free ports; stop them after."""
    logs = ROOT / "logs"
    logs.mkdir(exist_ok=True)
    action_port, rasa_port = free_port(), free_port()
    workdir = Path(os.environ.get("TMPDIR", "/tmp")) / f"vignettes-{uuid.uuid4().hex[:8]}"
    workdir.mkdir(parents=True)
    endpoints = workdir / "endpoints.yml"
    endpoints.write_text(
        f"action_endpoint:\n  url: http://127.0.0.1:{action_port}/webhook\n"
        f"tracker_store:\n  type: cluster.tracker_store.DurableSQLTrackerStore\n  dialect: sqlite\n"
        f"  db: {workdir / 'conversations.db'}\n")  # the store of endpoints.yml, on a file of its own
    credentials = workdir / "credentials.yml"
    credentials.write_text("channels.rest_safe.SafeRestInput:\n")  # the REST channel of credentials.yml
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    rasa = str(Path(sys.executable).parent / "rasa")
    processes = []
    try:
        with open(logs / "vignettes-actions.log", "w") as action_log, open(logs / "vignettes-rasa.log", "w") as rasa_log:
            processes.append(subprocess.Popen([rasa, "run", "actions", "--port", str(action_port)],
                                              cwd=ROOT, env=env, stdout=action_log, stderr=subprocess.STDOUT))
            processes.append(subprocess.Popen(
                [rasa, "run", "--model", model, "--endpoints", str(endpoints), "--credentials", str(credentials),
                 "--port", str(rasa_port), "--interface", "127.0.0.1"],
                cwd=ROOT, env=env, stdout=rasa_log, stderr=subprocess.STDOUT))
            wait_for(f"http://127.0.0.1:{action_port}/health", 120, processes[0])
            wait_for(f"http://127.0.0.1:{rasa_port}/", 180, processes[1])
            yield f"http://127.0.0.1:{rasa_port}"
    finally:
        stop_processes(processes)


def new_conversation(url: str) -> str:
    """A conversation id from the REST channel, which issues them (channels/rest_safe.py)."""
    request = urllib.request.Request(f"{url}/webhooks/rest/conversations", b"{}", {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())["sender"]


def send(url: str, sender: str, text: str) -> list:
    body = json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(f"{url}/webhooks/rest/webhook", body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


class Patient:
    """Answers the bot's questions from the vignette's facts, by the question's words."""

    def __init__(self, vignette: dict):
        self.facts = vignette.get("facts") or {}
        self.later = sorted(vignette.get("later") or [], key=lambda item: item["after_answers"])
        self.answers_given = 0

    def answer(self, question: str) -> str:
        if self.later and self.later[0]["after_answers"] <= self.answers_given:
            self.answers_given += 1
            return self.later.pop(0)["text"]
        self.answers_given += 1
        q = question.lower()
        facts = self.facts
        if "how old" in q or "male or female" in q:
            return f"{facts.get('age', 'not saying')}, {facts.get('sex', '')}".strip(", ")
        if "one leg or both" in q:
            return str(facts.get("side", "not sure"))
        if "suddenly, or gradually" in q or "suddenly or gradually" in q:
            return str(facts.get("onset", "not sure"))
        if "how long" in q:
            return str(facts.get("duration", "not sure"))
        if re.search(r"\bnew\b", q):
            return str(facts.get("new", "not sure"))
        for keyword in facts.get("yes") or []:
            if keyword.lower() in q:
                return "yes"
        for keyword in facts.get("no") or []:
            if keyword.lower() in q:
                return "no"
        return str(facts.get("default", "no"))


def play(url: str, vignette: dict) -> dict:
    sender = new_conversation(url)
    patient = Patient(vignette)
    transcript, payload, turns = [], None, 0
    message = vignette["opening"]
    while turns < MAX_TURNS:
        turns += 1
        replies = send(url, sender, message)
        transcript.append(("patient", message))
        texts = [r["text"] for r in replies if r.get("text")]
        transcript.extend(("bot", t) for t in texts)
        payloads = [r["custom"]["assessment"] for r in replies if isinstance(r.get("custom"), dict) and "assessment" in r["custom"]]
        if payloads:
            payload = payloads[-1]
            if payload.get("red_flags") or payload.get("causes"):
                break
        if not texts:
            transcript.append(("bot", "(no reply)"))
            break
        message = patient.answer(texts[-1])
    return {"id": vignette["id"], "turns": turns, "payload": payload, "transcript": transcript}


def score(vignettes: list, outcomes: list) -> dict:
    by_id = {o["id"]: o for o in outcomes}
    rows = []
    for vignette in vignettes:
        outcome = by_id[vignette["id"]]
        payload = outcome["payload"] or {}
        triage = payload.get("triage")
        causes = [c["id"] for c in payload.get("causes") or []]
        expected = vignette["expected_triage"]
        rows.append({
            "id": vignette["id"],
            "expected_triage": expected,
            "triage": triage,
            "red_flag": vignette.get("red_flag", False),
            "denies_red_flags": vignette.get("denies_red_flags", False),
            "escalated": bool(payload.get("red_flags")),
            "expected_cause": vignette["expected_causes"][0],
            "causes": causes,
            "turns": outcome["turns"],
        })
    rank = LEVELS.index

    def share(selected, test):
        selected = list(selected)
        return round(sum(1 for r in selected if test(r)) / len(selected), 4) if selected else None

    triaged = [r for r in rows if r["triage"]]
    red_flag_rows = [r for r in rows if r["red_flag"]]
    denied_rows = [r for r in rows if r["denies_red_flags"]]
    assessed_rows = [r for r in rows if not r["red_flag"]]
    return {
        "measured": date.today().isoformat(),
        "vignettes": len(rows),
        "red_flag_cases": len(red_flag_rows),
        "denied_flag_cases": len(denied_rows),
        "red_flag_recall": share(red_flag_rows, lambda r: r["triage"] and rank(r["triage"]) >= rank("emergency")),
        "denied_flag_specificity": share(denied_rows, lambda r: not r["escalated"]),
        "exact_triage": share(rows, lambda r: r["triage"] == r["expected_triage"]),
        "safe_triage": share(rows, lambda r: r["triage"] and rank(r["triage"]) >= rank(r["expected_triage"]) - 1),
        "over_triage": share(rows, lambda r: r["triage"] and rank(r["triage"]) >= rank(r["expected_triage"]) + 2),
        "top1": share(assessed_rows, lambda r: r["causes"][:1] == [r["expected_cause"]]),
        "top3": share(assessed_rows, lambda r: r["expected_cause"] in r["causes"][:3]),
        "median_turns": statistics.median(r["turns"] for r in rows) if rows else None,
        "no_triage": [r["id"] for r in rows if not r["triage"]],
        "targets": {**TARGETS, "median_turns": "<= 10"},
        "cases": rows,
        "triaged": len(triaged),
    }


def write_transcripts(path: Path, outcomes: list) -> None:
    lines = ["# Vignette transcripts", ""]
    for outcome in outcomes:
        lines += [f"## {outcome['id']} ({outcome['turns']} turns)", ""]
        lines += [f"- **{who}**: {text.replace(chr(10), ' / ')}" for who, text in outcome["transcript"]]
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--vignettes", default=str(ROOT / "tests" / "vignettes" / "vignettes.yml"))
    parser.add_argument("--model", default=str(ROOT / "models" / "leg-numbness.tar.gz"))
    parser.add_argument("--url", help="use a running Rasa server (REST channel) instead of starting one")
    parser.add_argument("--out", default=str(ROOT / "results" / "vignettes.json"))
    parser.add_argument("--limit", type=int, help="play only the first N vignettes (a quick run)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    vignettes = yaml.safe_load(Path(args.vignettes).read_text(encoding="utf-8"))["vignettes"][: args.limit]

    def run(url):
        return [play(url, v) for v in vignettes]

    if args.url:
        outcomes = run(args.url)
    else:
        with running_bot(args.model) as url:
            outcomes = run(url)
    scores = score(vignettes, outcomes)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(scores, indent=2) + "\n", encoding="utf-8")
    write_transcripts(out.with_name(out.stem + "_transcripts.md"), outcomes)
    for row in scores["cases"]:
        mark = "ok " if row["triage"] == row["expected_triage"] and row["expected_cause"] in (row["causes"][:1] or [row["expected_cause"]]) else "-- "
        print(f"{mark}{row['id']:28} triage {str(row['triage']):20} expected {row['expected_triage']:20} "
              f"causes {','.join(row['causes'][:3]) or '-':70} expected {row['expected_cause']}  turns {row['turns']}")
    for key in ("vignettes", "red_flag_recall", "denied_flag_specificity", "exact_triage", "safe_triage", "over_triage",
                "top1", "top3", "median_turns"):
        print(f"{key:26} {scores[key]}")
    print(f"written to {out}")
    missed = [k for k, target in TARGETS.items() if scores[k] is None or scores[k] < target]
    if scores["median_turns"] is not None and scores["median_turns"] > 10:
        missed.append("median_turns")
    if args.check and missed:
        print(f"targets missed: {', '.join(missed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
