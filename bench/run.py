"""The speed benchmark: this bot against the stock bot of `rasa init`. See bench/README.md.

    python bench/run.py                 # everything -> bench/results.json, bench/latency.png
    BENCH_RETRAIN=1 python bench/run.py # also retrain this bot (into a throwaway folder) to time it
    python bench/run.py --smoke --out var/bench-smoke.json   # a few turns, this bot only, no training

One run: (1) training times: the stock bot is made by `rasa init --no-prompt --init-dir <tmp>`
(which trains it) and cached in bench/.stock/; this bot's time comes from a fresh `rasa train`
(empty Rasa cache, into a temporary folder: models/ is not touched) when BENCH_RETRAIN=1 or when
no earlier figure exists, otherwise from the previous bench/results.json. (2) Both bots are
started (stock, then this one), each with its action server, and their cold start is timed.
(3) The same phases are played on both bots, alternating between them so a change of machine
load hits both alike: sequential conversations, /model/parse, 10 and then 50 concurrent
conversations. Resident memory is sampled all along. Then, on this bot, the worst case (issue 16):
another conversation's turn latency while a hostile message of about 1 MB (commas and red-flag
words) is processed, and that message's own time. (4) The extractor is timed on its own.
(5) The targets are checked (reported, not asserted) and the results written.

    python bench/run.py --only-hostile --out var/bench-hostile.json   # the worst case alone (make bench-hostile)
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import yaml

ROOT = Path(__file__).resolve().parent.parent
if sys.path and Path(sys.path[0] or ".").resolve() == ROOT / "bench":  # run as a script: bench/ must not
    sys.path.pop(0)  # shadow standard modules (profile, ...)
if str(ROOT) not in sys.path:  # run as a script
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # spaCy imports TensorFlow through thinc

from bench import load  # noqa: E402
from bench.procs import BotSpec, RssSampler, RunningBot, running_bot  # noqa: E402
from tooling.bot import MODEL, RASA  # noqa: E402

BENCH = ROOT / "bench"
STOCK_DIR = BENCH / ".stock"
RESULTS = BENCH / "results.json"
PLOT = BENCH / "latency.png"
LOGS = ROOT / "logs"
EXTRACTION_GOLD = ROOT / "tests" / "nlu" / "extraction_development.yml"
DEFAULT_TRAIN_DATA = ["data/nlu", "data/rules.yml"]
SCHEMA = 1

TARGETS_TEXT = {
    "turn_latency_p50_vs_stock": "sequential turn latency p50 <= 1.5 x stock's",
    "turn_latency_p95_c10_vs_stock": "turn latency p95 at 10 concurrent conversations <= 2 x stock's",
    "parse_p50_ms": "/model/parse p50 <= 25 ms",
    "extraction_mean_ms": "extraction <= 5 ms per message (mean)",
    "rasa_server_rss_mb": "Rasa server RSS (peak, with children) <= 1.5 GB (1536 MiB)",
    "cold_start_s": "cold start (process start -> first REST reply) <= 60 s",
    "training_s": "training <= 6 minutes",
    "no_errors_c50": "no error responses under the 50-conversation load",
    "hostile_other_p95_ms": "another conversation's turn latency p95 while a 1 MB hostile message is processed <= 2 s",
    "hostile_message_s": "the hostile message answered (as an emergency) within 15 s",
}
EMERGENCY_TEXT = "medical emergency"  # utter_red_flag (domain.yml)


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def now_iso() -> str:
    return datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds")


def rasa_version() -> str:
    from importlib.metadata import version
    return version("rasa")


def git_state() -> dict:
    def git(*args):
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=20).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""
    return {"commit": git("rev-parse", "--short", "HEAD") or None,
            "uncommitted_changes": bool(git("status", "--porcelain"))}


def mem_total_gib() -> Optional[float]:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def loadavg() -> List[float]:
    return [round(x, 2) for x in os.getloadavg()]


def train_env(cache_dir: Path, pythonpath: Path) -> dict:
    """A fresh, empty Rasa cache: the training is timed from scratch, as on a new machine."""
    return {**os.environ, "RASA_CACHE_DIRECTORY": str(cache_dir), "PYTHONPATH": str(pythonpath),
            "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2", "SQLALCHEMY_SILENCE_UBER_WARNING": "1"}


def timed(command: List[str], cwd: Path, env: dict, log_path: Path) -> float:
    LOGS.mkdir(exist_ok=True)
    started = time.monotonic()
    with open(log_path, "w") as out:
        code = subprocess.run(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT).returncode
    seconds = time.monotonic() - started
    if code != 0:
        raise RuntimeError(f"{' '.join(command[:3])} failed (code {code}); see {log_path}")
    return round(seconds, 1)


# ------------------------------------------------------------------ the stock bot


def stock_project() -> Tuple[Path, dict]:
    """bench/.stock/project, made by `rasa init --no-prompt` (which trains it, timed), reused while
    the Rasa version is the same."""
    project, meta_path = STOCK_DIR / "project", STOCK_DIR / "training.json"
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
    if meta.get("rasa") == rasa_version() and list((project / "models").glob("*.tar.gz")):
        return project, {**meta, "reused": True}
    log("creating and training the stock bot: rasa init --no-prompt (a few minutes)")
    scratch = Path(tempfile.mkdtemp(prefix="bench-rasa-init-"))
    init_dir, cache = scratch / "project", scratch / "cache"
    init_dir.mkdir()
    before = loadavg()
    seconds = timed([RASA, "init", "--no-prompt", "--init-dir", str(init_dir)], init_dir,
                    train_env(cache, init_dir), LOGS / "bench-stock-init.log")
    after = loadavg()
    if project.exists():
        shutil.rmtree(project)
    STOCK_DIR.mkdir(parents=True, exist_ok=True)
    shutil.move(str(init_dir), str(project))
    shutil.rmtree(scratch, ignore_errors=True)
    meta = {"seconds": seconds, "measured_at": now_iso(), "rasa": rasa_version(), "loadavg_before": before,
            "loadavg_after": after,
            "how": "wall time of `rasa init --no-prompt --init-dir <tmp>` (scaffold + training), empty Rasa cache"}
    meta_path.write_text(json.dumps(meta, indent=2) + "\n")
    log(f"stock bot trained in {seconds} s")
    return project, {**meta, "reused": False}


def stock_model(project: Path) -> Path:
    return sorted((project / "models").glob("*.tar.gz"))[-1]


# ------------------------------------------------------------------ this bot's training time


def our_training(previous: dict, retrain: bool, allow_training: bool, train_data: List[str]) -> dict:
    earlier = ((previous.get("bots") or {}).get("ours") or {}).get("training") or {}
    if not retrain and earlier.get("seconds"):
        return {**earlier, "reused": True, "source": "the previous bench/results.json (BENCH_RETRAIN=1 measures again)"}
    if not allow_training:
        return {"seconds": None, "reused": False, "source": "not measured (smoke run)"}
    log("timing a fresh `rasa train` of this bot into a temporary folder (about 4-6 minutes)")
    scratch = Path(tempfile.mkdtemp(prefix="bench-train-"))
    try:
        before = loadavg()
        seconds = timed([RASA, "train", "--config", "config.yml", "--domain", "domain.yml", "--data", *train_data,
                         "--out", str(scratch / "models"), "--fixed-model-name", "bench"],
                        ROOT, train_env(scratch / "cache", ROOT), LOGS / "bench-train.log")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    log(f"this bot trained in {seconds} s")
    return {"seconds": seconds, "measured_at": now_iso(), "loadavg_before": before, "loadavg_after": loadavg(),
            "reused": False,
            "how": "wall time of `rasa train` (config.yml, domain.yml, " + " ".join(train_data) +
                   "), empty Rasa cache, into a temporary folder"}


# ------------------------------------------------------------------ the extractor alone


def extraction_timing(limit: Optional[int] = None, repeat: int = 1) -> dict:
    """numbness_triage.extraction.shared_extractor().extract over the development set's texts."""
    from numbness_triage.extraction import shared_extractor

    texts = [case["text"] for case in yaml.safe_load(EXTRACTION_GOLD.read_text(encoding="utf-8"))["cases"]]
    texts = texts[:limit] if limit else texts
    started = time.perf_counter()
    extractor = shared_extractor()
    build = time.perf_counter() - started
    for text in texts[:5]:  # warm-up
        extractor.extract(text)
    seconds = []
    for _ in range(repeat):
        for text in texts:
            t0 = time.perf_counter()
            extractor.extract(text)
            seconds.append(time.perf_counter() - t0)
    summary = load.latency_summary(seconds)
    return {"texts": len(texts), "calls": len(seconds), "build_s": round(build, 2),
            "mean_ms": summary["mean"], "p50_ms": summary["p50"], "p95_ms": summary["p95"],
            "p99_ms": summary["p99"], "max_ms": summary["max"], "source": str(EXTRACTION_GOLD.relative_to(ROOT))}


# ------------------------------------------------------------------ driving both bots


def trouble_texts() -> List[str]:
    from numbness_triage.knowledge import TROUBLE, shared_knowledge_base

    texts = []
    try:
        texts.append(shared_knowledge_base().advice[TROUBLE].text)
    except Exception:  # noqa: BLE001 - the default text of nlu_components/action_fallback.py still counts
        pass
    return texts + ["Sorry, I'm having trouble right now. If this is urgent, call 911."]


def phase_scripts(bot: str, count: int, offset: int, max_turns: int, errors: List[str]) -> list:
    if bot == "ours":
        return load.interview_scripts(count, offset, max_turns, errors)
    return load.mood_scripts(count, offset, max_turns)


def plan(args) -> List[dict]:
    """The phases, in order: (name, concurrency, conversations)."""
    if args.smoke:
        return [{"name": "sequential", "concurrency": 1, "conversations": 3},
                {"name": "concurrent_2", "concurrency": 2, "conversations": 2}]
    phases = [{"name": "sequential", "concurrency": 1, "conversations": args.sequential}]
    for level in args.concurrency:
        phases.append({"name": f"concurrent_{level}", "concurrency": level,
                       "conversations": max(level, args.min_conversations)})
    return phases


def drive(bots: Dict[str, RunningBot], sampler: RssSampler, args: Any, errors: List[str]) -> Dict[str, dict]:
    """Every phase on every bot, bot after bot within a phase."""
    out: Dict[str, Dict[str, Any]] = {name: {"load": {}, "memory_mb": {}} for name in bots}
    offset = 0
    for name, bot in bots.items():  # warm-up: two conversations, not measured
        asyncio.run(load.run_phase(bot.url, phase_scripts(name, args.warmup, 0, args.max_turns, errors), 1,
                                   args.timeout, tag="warmup"))
        out[name]["memory_mb"]["idle"] = {k.split(":")[1]: v for k, v in sampler.sample().items() if k.startswith(name)}
    for phase in plan(args):
        for name, bot in bots.items():
            if phase["name"] == "sequential":
                # /model/parse first, on the idle server
                texts = load.parse_texts_ours() if name == "ours" else load.parse_texts_stock()
                log(f"{name}: /model/parse x {args.parse_requests}")
                out[name]["parse"] = asyncio.run(load.parse_latency(bot.url, bot.token, texts, args.parse_requests))
            sampler.reset()
            log(f"{name}: {phase['name']} ({phase['conversations']} conversations, "
                f"{phase['concurrency']} at a time)")
            summary = asyncio.run(load.run_phase(
                bot.url, phase_scripts(name, phase["conversations"], offset, args.max_turns, errors),
                phase["concurrency"], args.timeout, tag=phase["name"]))
            summary["rss_peak_mb"] = {k.split(":")[1]: v for k, v in sampler.peaks().items() if k.startswith(name)}
            summary["loadavg_after"] = loadavg()
            out[name]["load"][phase["name"]] = summary
            lat = summary["latency_ms"]
            log(f"{name}: {phase['name']}: {summary['turns']} turns, p50 {lat['p50']} ms, p95 {lat['p95']} ms, "
                f"{summary['throughput_turns_per_s']} turns/s, {summary['errors']} errors")
        offset += phase["conversations"]
    for name in bots:
        peaks: Dict[str, float] = {}
        for summary in out[name]["load"].values():
            for server, value in summary["rss_peak_mb"].items():
                peaks[server] = max(peaks.get(server, 0.0), value)
        out[name]["memory_mb"]["peak"] = peaks
    return out


def hostile_phase(bot, args, errors: List[str]) -> dict:
    """Issue 16's worst case: one conversation keeps talking while another sends a hostile message,
    of each kind (bench.load.hostile_message); the figures of the kind that took longer first."""
    results = []
    for number, kind in enumerate(load.HOSTILE_KINDS):
        log(f"ours: a hostile message ({kind}) of {args.hostile_chars:,} characters while another conversation talks")
        scripts = load.interview_scripts(40, offset=100 + 40 * number, max_turns=args.max_turns, error_texts=errors)
        result = asyncio.run(load.hostile_probe(bot.url, scripts, args.hostile_chars, args.timeout,
                                                baseline_turns=2 if args.smoke else 6, emergency_text=EMERGENCY_TEXT,
                                                kind=kind))
        during = result["other_during"]["latency_ms"]
        log(f"ours: hostile message ({kind}) answered in {result['hostile_seconds']} s "
            f"(emergency: {result['hostile_answered_as_emergency']}, error: {result['hostile_error']}); the other "
            f"conversation meanwhile: {result['other_during']['turns']} turns, p50 {during['p50']} ms, "
            f"p95 {during['p95']} ms, {result['other_during']['errors']} errors")
        results.append(result)
    worst = max(results, key=lambda r: r["hostile_seconds"])
    return {**worst, "kinds": results}


# ------------------------------------------------------------------ targets


def check_targets(bots: dict, extraction: dict) -> List[dict]:
    ours, stock = bots.get("ours") or {}, bots.get("stock") or {}

    def lat(bot, phase, key):
        return (((bot.get("load") or {}).get(phase) or {}).get("latency_ms") or {}).get(key)

    def ratio_row(name, phase, key, limit):
        mine, theirs = lat(ours, phase, key), lat(stock, phase, key)
        value = round(mine / theirs, 2) if mine is not None and theirs else None
        return {"name": name, "target": TARGETS_TEXT[name], "value": value, "ours_ms": mine, "stock_ms": theirs,
                "limit": limit, "pass": None if value is None else value <= limit}

    def row(name, value, limit, unit):
        return {"name": name, "target": TARGETS_TEXT[name], "value": value, "unit": unit, "limit": limit,
                "pass": None if value is None else value <= limit}

    c50 = (ours.get("load") or {}).get("concurrent_50")
    hostile = ours.get("hostile_message") or {}
    hostile_s = hostile.get("hostile_seconds") if hostile.get("hostile_answered_as_emergency") else None
    return [
        ratio_row("turn_latency_p50_vs_stock", "sequential", "p50", 1.5),
        ratio_row("turn_latency_p95_c10_vs_stock", "concurrent_10", "p95", 2.0),
        row("parse_p50_ms", ((ours.get("parse") or {}).get("latency_ms") or {}).get("p50"), 25, "ms"),
        row("extraction_mean_ms", extraction.get("mean_ms"), 5, "ms"),
        row("rasa_server_rss_mb", ((ours.get("memory_mb") or {}).get("peak") or {}).get("rasa_server"), 1536, "MiB"),
        row("cold_start_s", (ours.get("cold_start") or {}).get("seconds"), 60, "s"),
        row("training_s", (ours.get("training") or {}).get("seconds"), 360, "s"),
        row("no_errors_c50", None if c50 is None else c50["errors"], 0, "error responses"),
        row("hostile_other_p95_ms", ((hostile.get("other_during") or {}).get("latency_ms") or {}).get("p95"), 2000,
            "ms"),
        row("hostile_message_s", hostile_s if hostile else None, 15, "s"),
    ]


# ------------------------------------------------------------------ the results structure

REQUIRED_BOT_KEYS = ("cold_start", "memory_mb", "load", "parse", "training")
REQUIRED_PHASE_KEYS = ("concurrency", "conversations", "turns", "wall_s", "throughput_turns_per_s", "latency_ms",
                       "errors", "rss_peak_mb")


def validate(results: dict, bots=("ours", "stock")) -> List[str]:
    """What is missing or wrong in a results structure (empty when it is complete)."""
    problems = []
    for key in ("schema", "measured_at", "machine", "bots", "extraction", "targets"):
        if key not in results:
            problems.append(f"missing {key}")
    if not isinstance((results.get("machine") or {}).get("loadavg_start"), list):
        problems.append("missing machine.loadavg_start")
    for name in bots:
        bot = (results.get("bots") or {}).get(name)
        if not isinstance(bot, dict):
            problems.append(f"missing bots.{name}")
            continue
        problems += [f"missing bots.{name}.{k}" for k in REQUIRED_BOT_KEYS if k not in bot]
        if not (bot.get("cold_start") or {}).get("seconds"):
            problems.append(f"bots.{name}: no cold start figure")
        phases = bot.get("load") or {}
        if not phases:
            problems.append(f"bots.{name}: no load phase")
        for phase, summary in phases.items():
            problems += [f"bots.{name}.load.{phase}: missing {k}" for k in REQUIRED_PHASE_KEYS if k not in summary]
            if not summary.get("turns"):
                problems.append(f"bots.{name}.load.{phase}: no turns")
            elif (summary.get("latency_ms") or {}).get("p50") is None:
                problems.append(f"bots.{name}.load.{phase}: no latency")
        for server in ("rasa_server", "action_server"):
            if not ((bot.get("memory_mb") or {}).get("peak") or {}).get(server):
                problems.append(f"bots.{name}: no RSS for {server}")
        if ((bot.get("parse") or {}).get("latency_ms") or {}).get("p50") is None:
            problems.append(f"bots.{name}: no /model/parse latency")
    if (results.get("extraction") or {}).get("mean_ms") is None:
        problems.append("no extraction timing")
    hostile = ((results.get("bots") or {}).get("ours") or {}).get("hostile_message")
    if not isinstance(hostile, dict) or hostile.get("hostile_seconds") is None:
        problems.append("bots.ours: no hostile message figures")
    elif not (hostile.get("other_during") or {}).get("turns"):
        problems.append("bots.ours.hostile_message: no turn of the other conversation during it")
    return problems


def validate_hostile(results: dict) -> List[str]:
    """What is missing in a results structure of --only-hostile."""
    return [p for p in validate(results, bots=("ours",)) if "hostile" in p or "bots." not in p]


def run(args) -> dict:
    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    started_at, load_start = now_iso(), loadavg()
    log(f"load average at start: {load_start} on {os.cpu_count()} cores")
    errors = trouble_texts()
    names = ["ours"] if args.smoke or args.only_hostile else ["stock", "ours"]

    training = {"ours": our_training(previous, args.retrain and not args.only_hostile,
                                     not (args.smoke or args.only_hostile), args.train_data)}
    specs = {"ours": BotSpec("ours", ROOT, Path(args.model).resolve(), ROOT / "endpoints.yml", "hello")}
    if "stock" in names:
        project, training["stock"] = stock_project()
        specs["stock"] = BotSpec("stock", project, stock_model(project), project / "endpoints.yml", "hello")

    bots: Dict[str, dict] = {}
    with _started(names, specs) as running:
        pids = {}
        for name, bot in running.items():
            pids[f"{name}:rasa_server"], pids[f"{name}:action_server"] = bot.rasa_pid, bot.action_pid
        with RssSampler(pids) as sampler:
            driven = ({"ours": {"load": {}, "memory_mb": {}}} if args.only_hostile
                      else drive(running, sampler, args, errors))
            sampler.reset()
            driven["ours"]["hostile_message"] = hostile_phase(running["ours"], args, errors)
            driven["ours"]["hostile_message"]["rss_peak_mb"] = {
                k.split(":")[1]: v for k, v in sampler.peaks().items() if k.startswith("ours")}
        for name, bot in running.items():
            bots[name] = {"model": model_info(specs[name].model), "tracker_store": bot.tracker_store,
                          "cold_start": bot.cold_start, "training": training[name], **driven[name]}
    log("timing the extractor on its own")
    extraction = extraction_timing(limit=10 if args.smoke or args.only_hostile else None,
                                   repeat=1 if args.smoke or args.only_hostile else args.extraction_repeat)
    results: Dict[str, Any] = {
        "schema": SCHEMA,
        "mode": "smoke" if args.smoke else "hostile" if args.only_hostile else "full",
        "measured_at": started_at,
        "finished_at": now_iso(),
        "machine": {"cpus": os.cpu_count(), "mem_total_gib": mem_total_gib(), "loadavg_start": load_start,
                    "loadavg_end": loadavg(), "python": platform.python_version(), "rasa": rasa_version(),
                    "platform": platform.platform(), **git_state()},
        "settings": {"phases": plan(args), "warmup_conversations": args.warmup, "parse_requests": args.parse_requests,
                     "turn_timeout_s": args.timeout, "max_turns": args.max_turns, "hostile_chars": args.hostile_chars,
                     "action_timeout_s": float(os.environ.get("ACTION_TIMEOUT_SECONDS", "10") or 10)},
        "bots": {"stock": bots.get("stock"), "ours": bots["ours"]} if "stock" in bots else {"ours": bots["ours"]},
        "extraction": extraction,
    }
    results["targets"] = check_targets(results["bots"], extraction)
    verdicts = [t["pass"] for t in results["targets"]]
    results["all_targets_met"] = None if None in verdicts else all(verdicts)
    return results


class _started:
    """Start the bots one after the other (each cold start measured alone); stop them all at the end."""

    def __init__(self, names, specs):
        self.names, self.specs, self.contexts, self.running = names, specs, [], {}

    def __enter__(self):
        try:
            for name in self.names:
                log(f"starting the {name} bot (action server + Rasa server)")
                context = running_bot(self.specs[name], LOGS)
                self.running[name] = context.__enter__()
                self.contexts.append(context)
                log(f"{name}: first reply after {self.running[name].cold_start['seconds']} s "
                    f"(action server up after {self.running[name].cold_start.get('action_server_ready_s')} s)")
        except BaseException:
            self.__exit__(*sys.exc_info())
            raise
        return self.running

    def __exit__(self, *exc):
        for context in reversed(self.contexts):
            context.__exit__(None, None, None)
        self.contexts = []


def model_info(path: Path) -> dict:
    """Which model was served: path, size, modification time, the start of its SHA-256."""
    import hashlib
    digest = hashlib.sha256()
    with open(path, "rb") as model:
        for block in iter(lambda: model.read(1 << 20), b""):
            digest.update(block)
    stat = path.stat()
    return {"path": _relative(path), "bytes": stat.st_size, "sha256": digest.hexdigest()[:16],
            "modified": datetime.fromtimestamp(stat.st_mtime, timezone.utc).astimezone().isoformat(timespec="seconds")}


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def print_summary(results: dict) -> None:
    for name, bot in results["bots"].items():
        if not bot:
            continue
        print(f"\n{name}: cold start {bot['cold_start'].get('seconds')} s, "
              f"training {bot['training'].get('seconds')} s, "
              f"/model/parse p50 {((bot.get('parse') or {}).get('latency_ms') or {}).get('p50')} ms, "
              f"RSS peak {bot['memory_mb'].get('peak')}")
        for phase, s in bot["load"].items():
            lat = s["latency_ms"]
            print(f"  {phase:14} turns {s['turns']:4}  p50 {lat['p50']:8} ms  p95 {lat['p95']:8} ms  "
                  f"p99 {lat['p99']:8} ms  {s['throughput_turns_per_s']:6} turns/s  errors {s['errors']}")
        hostile = bot.get("hostile_message")
        if hostile:
            before, during = hostile["other_before"]["latency_ms"], hostile["other_during"]["latency_ms"]
            print(f"  hostile message of {hostile['hostile_chars']:,} characters: answered in "
                  f"{hostile['hostile_seconds']} s (emergency: {hostile['hostile_answered_as_emergency']}, error: "
                  f"{hostile['hostile_error']}); another conversation p50 / p95 {before['p50']} / {before['p95']} ms "
                  f"before, {during['p50']} / {during['p95']} ms during ({hostile['other_during']['turns']} turns, "
                  f"{hostile['other_during']['errors']} errors)")
    e = results["extraction"]
    print(f"\nextraction: mean {e['mean_ms']} ms, p95 {e['p95_ms']} ms over {e['texts']} texts")
    print("\ntargets:")
    for t in results["targets"]:
        mark = {True: "PASS", False: "FAIL", None: "n/a "}[t["pass"]]
        print(f"  {mark}  {t['target']:70} value {t['value']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=str(MODEL))
    parser.add_argument("--train-data", nargs="+", default=DEFAULT_TRAIN_DATA, help="what `rasa train --data` gets")
    parser.add_argument("--retrain", action="store_true", default=os.environ.get("BENCH_RETRAIN") == "1",
                        help="time a fresh training of this bot (default: BENCH_RETRAIN=1)")
    parser.add_argument("--smoke", action="store_true", help="a few turns against this bot only, no training")
    parser.add_argument("--out", default=str(RESULTS))
    parser.add_argument("--plot", default=str(PLOT))
    parser.add_argument("--sequential", type=int, default=15, help="conversations played one at a time")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[10, 50])
    parser.add_argument("--min-conversations", type=int, default=30,
                        help="conversations per concurrent phase (at least its concurrency)")
    parser.add_argument("--parse-requests", type=int, default=150)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--extraction-repeat", type=int, default=2)
    parser.add_argument("--max-turns", type=int, default=load.MAX_TURNS)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per turn before it counts as an error")
    parser.add_argument("--hostile-chars", type=int, default=999_000,
                        help="the hostile message's length (the servers refuse requests over 1 MB)")
    parser.add_argument("--only-hostile", action="store_true",
                        help="this bot only, the hostile message phase only (make bench-hostile)")
    args = parser.parse_args()
    # `timeout` and Ctrl-C: stop the servers this run started before leaving
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.smoke:
        args.max_turns, args.parse_requests, args.warmup = min(args.max_turns, 3), 5, 1
        args.hostile_chars = min(args.hostile_chars, 100_000)

    results = run(args)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print_summary(results)
    print(f"\nwritten to {_relative(out)}")
    if not (args.smoke or args.only_hostile):
        from bench.plot import plot
        plot(results, Path(args.plot))
        print(f"plot: {_relative(Path(args.plot))}")
    problems = validate(results, bots=("ours",) if args.smoke else ("ours", "stock")) if not args.only_hostile \
        else validate_hostile(results)
    if problems:
        print("the results are incomplete:\n  " + "\n  ".join(problems))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
