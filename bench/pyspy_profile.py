"""Profile a bot under load with py-spy (sampling, from outside the process; see bench/PROFILE.md).

py-spy is not one of the project's dependencies: install it into a throwaway virtualenv, e.g.
    python3.10 -m venv /tmp/prof-venv && /tmp/prof-venv/bin/pip install py-spy
then
    python bench/pyspy_profile.py --py-spy /tmp/prof-venv/bin/py-spy [--bot ours|stock] [--seconds 30] \
        [--concurrency 10]

Starts the bot (action server + Rasa server), warms it up, keeps `concurrency` conversations
going while `py-spy record` samples the Rasa server and the action server for `seconds`, takes a
`py-spy dump` of both half-way, and writes to bench/.profiles/ (gitignored): <bot>-<server>.svg
(flame graphs), <bot>-<server>.txt (collapsed stacks), <bot>-<server>-dump.txt and
<bot>-summary.txt (the functions with the most samples, inclusive and self, and the share of
samples in this project's own code).
"""
from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import List

ROOT = Path(__file__).resolve().parent.parent
if sys.path and Path(sys.path[0] or ".").resolve() == ROOT / "bench":  # run as a script: bench/ must not
    sys.path.pop(0)  # shadow standard modules (profile, ...)
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from bench import load  # noqa: E402
from bench.procs import BotSpec, running_bot  # noqa: E402
from tooling.bot import MODEL  # noqa: E402
from bench.run import LOGS, stock_model, stock_project, trouble_texts  # noqa: E402

OUT = ROOT / "bench" / ".profiles"
OWN_CODE = ("numbness_triage/", "actions/", "nlu_components/", "channels/")


# Where a turn's time goes: a sample counts for every category one of its frames matches.
CATEGORIES = {
    "whole turn (Agent.handle_message)": "handle_message (rasa/core/agent.py",
    "NLU pipeline (MessageProcessor.parse_message)": "parse_message (rasa/core/processor.py",
    "  DIETClassifier (incl. ResponseSelector, its subclass)": "rasa/nlu/classifiers/diet_classifier.py",
    "  ResponseSelector": "rasa/nlu/selectors/response_selector.py",
    "  SymptomExtractorComponent (ours)": "nlu_components/symptom_extractor.py",
    "TensorFlow": "tensorflow/",
    "policies (predict_next_with_tracker_if_should)": "predict_next_with_tracker_if_should",
    "  TEDPolicy": "ted_policy.py",
    "  UnexpecTEDIntentPolicy": "unexpected_intent_policy.py",
    "  RulePolicy": "rule_policy.py",
    "custom action call (RemoteAction.run)": "run (rasa/core/actions/action.py:7",
    "  action response validation (RemoteAction._validate_action_result)": "_validate_action_result",
    "jsonschema": "jsonschema/",
    "tracker store (rasa/core/tracker_store.py)": "rasa/core/tracker_store.py",
    "  SQLAlchemy": "sqlalchemy/",
    "  commit (SQLAlchemy Session.commit)": "commit (sqlalchemy/orm/session.py",
    "interview (numbness_triage/interview.py)": "numbness_triage/interview.py",
    "action adapters (actions/)": "(actions/",
}


def categories(raw: Path) -> str:
    shares, total = {name: 0 for name in CATEGORIES}, 0
    for line in raw.read_text().splitlines():
        if not line.strip():
            continue
        stack, count = line.rpartition(" ")[0], int(line.rpartition(" ")[2])
        total += count
        for name, needle in CATEGORIES.items():
            if needle in stack:
                shares[name] += count
    rows = [f"  {100 * n / total:5.1f}%  {name}" for name, n in shares.items() if n] if total else []
    return "share of samples by category (a sample counts in every category it matches):\n" + "\n".join(rows)


def frames(line: str):
    stack, _, count = line.rpartition(" ")
    return stack.split(";"), int(count)


def own(frame: str) -> bool:
    """py-spy names files relative to sys.path: this project's are numbness_triage/..., actions/..."""
    path = frame.rpartition(" (")[2]
    return path.startswith(OWN_CODE)


def summarize(raw: Path, top: int = 25) -> str:
    inclusive: Counter[str] = Counter()
    self_time: Counter[str] = Counter()
    own_self, total = 0, 0
    for line in raw.read_text().splitlines():
        if not line.strip():
            continue
        stack, count = frames(line)
        total += count
        for frame in set(stack):
            inclusive[frame] += count
        self_time[stack[-1]] += count
    own_inclusive: Counter[str] = Counter()
    for line in raw.read_text().splitlines():
        if not line.strip():
            continue
        stack, count = frames(line)
        mine = [f for f in stack if own(f)]
        if mine:
            own_inclusive[mine[0]] += count  # outermost own frame: the entry point into our code
            own_self += count if own(stack[-1]) else 0
    lines = [f"{raw.name}: {total} samples"]
    if not total:
        return lines[0]

    def pct(n):
        return f"{100 * n / total:5.1f}%"
    lines.append(f"samples inside this project's code (inclusive, outermost frame): "
                 f"{pct(sum(own_inclusive.values()))}; with the innermost frame in it (self): {pct(own_self)}")
    lines.append("\n" + categories(raw))
    lines.append("\nentry points into this project's code (inclusive):")
    lines += [f"  {pct(n)}  {f}" for f, n in own_inclusive.most_common(10)]
    lines.append(f"\ntop {top} frames, inclusive:")
    lines += [f"  {pct(n)}  {f}" for f, n in inclusive.most_common(top)]
    lines.append(f"\ntop {top} frames, self:")
    lines += [f"  {pct(n)}  {f}" for f, n in self_time.most_common(top)]
    return "\n".join(lines)


def keep_talking(url: str, bot: str, concurrency: int, stop: threading.Event, stats: list) -> None:
    errors, offset, count = trouble_texts(), 0, max(concurrency, 10)
    while not stop.is_set():
        scripts = (load.interview_scripts(count, offset, error_texts=errors) if bot == "ours"
                   else load.mood_scripts(count, offset))
        stats.append(asyncio.run(load.run_phase(url, scripts, concurrency, tag="profile")))
        offset += count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--py-spy", required=True, help="path of the py-spy executable")
    parser.add_argument("--bot", choices=["ours", "stock"], default="ours")
    parser.add_argument("--model", default=str(MODEL))
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--rate", type=int, default=100, help="samples per second")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    if args.bot == "ours":
        spec = BotSpec("ours", ROOT, Path(args.model).resolve(), ROOT / "endpoints.yml", "hello")
    else:
        project, _ = stock_project()
        spec = BotSpec("stock", project, stock_model(project), project / "endpoints.yml", "hello")
    with running_bot(spec, LOGS) as bot:
        print(f"{args.bot}: up after {bot.cold_start['seconds']} s; warming up", flush=True)
        scripts = load.interview_scripts(2) if args.bot == "ours" else load.mood_scripts(2)
        asyncio.run(load.run_phase(bot.url, scripts, 1))
        stop = threading.Event()
        stats: List[dict] = []
        talker = threading.Thread(target=keep_talking, args=(bot.url, args.bot, args.concurrency, stop, stats))
        talker.start()
        time.sleep(2)
        recorders = {}
        for server, pid in (("rasa", bot.rasa_pid), ("actions", bot.action_pid)):
            base = OUT / f"{args.bot}-{server}"
            recorders[server] = [subprocess.Popen([args.py_spy, "record", "--pid", str(pid), "--duration",
                                                   str(args.seconds), "--rate", str(args.rate), "--format", fmt,
                                                   "--output", str(base.with_suffix(suffix)), "--nonblocking"],
                                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                                 for fmt, suffix in (("raw", ".txt"), ("flamegraph", ".svg"))]
        time.sleep(args.seconds / 2)
        for server, pid in (("rasa", bot.rasa_pid), ("actions", bot.action_pid)):
            dump = subprocess.run([args.py_spy, "dump", "--pid", str(pid)], capture_output=True, text=True)
            (OUT / f"{args.bot}-{server}-dump.txt").write_text(dump.stdout + dump.stderr)
        for server, processes in recorders.items():
            for process in processes:
                _, err = process.communicate(timeout=args.seconds * 3 + 60)
                if process.returncode:
                    print(f"py-spy on the {server} server failed: {err.decode()[-500:]}", file=sys.stderr)
        stop.set()
        talker.join()
    report = [f"{args.bot} bot, {args.concurrency} concurrent conversations, {args.seconds} s at {args.rate} Hz",
              "load while sampled (rounds of conversations): " + "; ".join(
                  f"{s['turns']} turns p50 {s['latency_ms']['p50']} ms {s['throughput_turns_per_s']} turns/s "
                  f"errors {s['errors']}" for s in stats), ""]
    for server in ("rasa", "actions"):
        raw = OUT / f"{args.bot}-{server}.txt"
        report.append(summarize(raw) if raw.exists() else f"{raw.name}: missing")
        report.append("")
    (OUT / f"{args.bot}-summary.txt").write_text("\n".join(report))
    print("\n".join(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
