"""The load generator: conversations through Rasa's REST channel, with asyncio and aiohttp.

A phase runs `conversations` scripted conversations with at most `concurrency` of them talking
at once (concurrency 1 = sequential turns); every turn (one POST to /webhooks/rest/webhook, the
whole reply read) is timed. The same code drives both bots; only the script differs:

- `InterviewScript` (this bot): a simulated patient of tests/vignettes/development.yml says its
  opening, then `scripts.evaluate_vignettes.Patient` answers each of the bot's questions, until
  the assessment or escalation payload arrives (as `make evaluate` plays them).
- `MoodScript` (the stock `rasa init` bot): greet, a mood, yes/no to "Did that help you?",
  "are you a bot?", greet, a good mood, goodbye (7 turns, the mean of an interview is 7.1),
  phrased from the stock bot's own training examples, picked at random with a fixed seed.

A turn is an error when the HTTP status is not 200, the request failed or timed out, the reply
is empty, or (this bot) the reply is the "I'm having trouble" fallback that
nlu_components/action_fallback.py sends when the action server failed or was too slow.

Run on its own against a running server (e.g. while profiling):
    python bench/load.py --url http://127.0.0.1:5005 --bot ours --concurrency 10 --conversations 30
"""
from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence

import aiohttp
import yaml

ROOT = Path(__file__).resolve().parent.parent
if sys.path and Path(sys.path[0] or ".").resolve() == ROOT / "bench":  # run as a script: bench/ must not
    sys.path.pop(0)  # shadow standard modules (profile, ...)
if str(ROOT) not in sys.path:  # run as a script
    sys.path.insert(0, str(ROOT))

from tooling.simulated_patient import MAX_TURNS, Patient  # noqa: E402

VIGNETTES = ROOT / "tests" / "vignettes" / "development.yml"
STOCK_PHRASES = {
    "greet": ["hey", "hello", "hi", "hello there", "good morning", "good evening", "hey there", "hey dude"],
    "mood_unhappy": ["my day was horrible", "I am sad", "I don't feel very well", "I am disappointed", "super sad",
                     "I'm so sad", "not very good", "very sad"],
    "affirm": ["yes", "indeed", "of course", "that sounds good", "correct"],
    "deny": ["no", "never", "I don't think so", "no way", "not really"],
    "bot_challenge": ["are you a bot?", "are you a human?", "am I talking to a bot?", "am I talking to a human?"],
    "mood_great": ["perfect", "great", "amazing", "wonderful", "I am feeling very good", "I am great", "so good"],
    "goodbye": ["bye", "goodbye", "have a nice day", "see you around", "bye bye", "see you later", "good night"],
}


def load_vignettes(path: Path = VIGNETTES) -> List[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["vignettes"]


def texts_of(replies: Sequence[dict]) -> List[str]:
    return [r["text"] for r in replies if isinstance(r, dict) and r.get("text")]


# ------------------------------------------------------------------ conversation scripts


class InterviewScript:
    """This bot: a vignette's opening, then the simulated patient's answers, until the payload."""

    def __init__(self, vignette: dict, max_turns: int = MAX_TURNS, error_texts: Iterable[str] = ()):
        self.vignette = vignette
        self.patient = Patient(vignette)
        self.max_turns = max_turns
        self.error_texts = [t for t in error_texts if t]
        self.turns = 0

    def first(self) -> str:
        self.turns = 1
        return self.vignette["opening"]

    def error_in(self, replies: Sequence[dict]) -> Optional[str]:
        if not replies:
            return "empty_reply"
        if any(t in self.error_texts for t in texts_of(replies)):
            return "action_server_fallback"
        return None

    def next(self, replies: Sequence[dict]) -> Optional[str]:
        """The patient's next message, or None when the conversation is over."""
        for reply in replies:
            custom = reply.get("custom") if isinstance(reply, dict) else None
            if isinstance(custom, dict) and isinstance(custom.get("assessment"), dict):
                if custom["assessment"].get("red_flags") or custom["assessment"].get("causes"):
                    return None
        texts = texts_of(replies)
        if not texts or self.turns >= self.max_turns:
            return None
        self.turns += 1
        return self.patient.answer(texts[-1])


class MoodScript:
    """The stock bot: a fixed 7-turn plan of intents, each phrased from its training examples."""

    PLAN = ["greet", "mood_unhappy", "affirm|deny", "bot_challenge", "greet", "mood_great", "goodbye"]

    def __init__(self, seed: int, max_turns: int = MAX_TURNS):
        rng = random.Random(seed)
        self.messages = [rng.choice(STOCK_PHRASES[rng.choice(step.split("|"))]) for step in self.PLAN][:max_turns]
        self.turns = 0

    def first(self) -> str:
        self.turns = 1
        return self.messages[0]

    def error_in(self, replies: Sequence[dict]) -> Optional[str]:
        return None if replies else "empty_reply"

    def next(self, replies: Sequence[dict]) -> Optional[str]:
        if self.turns >= len(self.messages):
            return None
        self.turns += 1
        return self.messages[self.turns - 1]


def interview_scripts(count: int, offset: int = 0, max_turns: int = MAX_TURNS, error_texts: Iterable[str] = (),
                      vignettes: Optional[List[dict]] = None) -> List[InterviewScript]:
    """`count` interviews, cycling from `offset` through the vignettes in a fixed shuffled order (the
    file is grouped by cause: any slice of the shuffled list mixes causes and red flags)."""
    vignettes = list(vignettes or load_vignettes())
    random.Random(7).shuffle(vignettes)
    error_texts = list(error_texts)
    return [InterviewScript(vignettes[(offset + i) % len(vignettes)], max_turns, error_texts) for i in range(count)]


def mood_scripts(count: int, offset: int = 0, max_turns: int = MAX_TURNS) -> List[MoodScript]:
    return [MoodScript(seed=offset + i, max_turns=max_turns) for i in range(count)]


def parse_texts_ours(vignettes: Optional[List[dict]] = None) -> List[str]:
    """What people type to this bot: every opening, every scripted later or volunteered message,
    the answers to the opening questions (age and sex, side, onset, duration, "is it new?") and
    the facts in their own words, plus yes / no."""
    texts = []
    for v in vignettes or load_vignettes():
        texts.append(v["opening"])
        texts += [item["text"] for item in v.get("later") or []]
        texts += [str(text) for text in v.get("volunteer") or []]
        texts += [str(text) for text in (v.get("answers") or {}).values() if text]
        texts += [str(fact["says"]) for fact in v.get("facts") or [] if fact.get("says")]
    texts += ["yes", "no", "not sure"]
    return list(dict.fromkeys(texts))


def parse_texts_stock() -> List[str]:
    return [text for phrases in STOCK_PHRASES.values() for text in phrases]


# ------------------------------------------------------------------ statistics


def percentile(values: Sequence[float], q: float) -> Optional[float]:
    """The q-th percentile (0-100), linear between the closest ranks (numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def latency_summary(seconds: Sequence[float]) -> Dict[str, Optional[float]]:
    def ms(value):
        return None if value is None else round(value * 1000, 1)
    return {"n": len(seconds), "p50": ms(percentile(seconds, 50)), "p95": ms(percentile(seconds, 95)),
            "p99": ms(percentile(seconds, 99)), "mean": ms(statistics.fmean(seconds)) if seconds else None,
            "max": ms(max(seconds)) if seconds else None}


def summarize(records: List[dict], wall_seconds: float, concurrency: int) -> dict:
    """One phase: latency of every turn (errors included: a slow failure is still a slow turn),
    throughput over the phase's wall time, errors by kind, turns per conversation."""
    errors: Dict[str, int] = {}
    for record in records:
        if record["error"]:
            errors[record["error"]] = errors.get(record["error"], 0) + 1
    per_conversation: Dict[str, int] = {}
    for record in records:
        per_conversation[record["sender"]] = per_conversation.get(record["sender"], 0) + 1
    turns = list(per_conversation.values())
    return {
        "concurrency": concurrency,
        "conversations": len(per_conversation),
        "turns": len(records),
        "turns_per_conversation": {"mean": round(statistics.fmean(turns), 2) if turns else None,
                                   "median": statistics.median(turns) if turns else None},
        "wall_s": round(wall_seconds, 2),
        "throughput_turns_per_s": round(len(records) / wall_seconds, 2) if wall_seconds > 0 else None,
        "latency_ms": latency_summary([r["seconds"] for r in records]),
        "errors": sum(errors.values()),
        "error_kinds": errors,
    }


# ------------------------------------------------------------------ driving


async def issued_sender(session: aiohttp.ClientSession, url: str, name: str, timeout: float) -> str:
    """The conversation id this bot's REST channel issues (POST /webhooks/rest/conversations, not
    timed as a turn); `name` itself for a channel that issues none (the stock bot's: 404)."""
    try:
        async with session.post(f"{url}/webhooks/rest/conversations",
                                timeout=aiohttp.ClientTimeout(total=timeout)) as response:
            if response.status == 201:
                return (await response.json())["sender"]
    except (asyncio.TimeoutError, aiohttp.ClientError, ValueError, KeyError):
        pass
    return name


async def converse(session: aiohttp.ClientSession, url: str, script, sender: str, timeout: float,
                   records: List[dict]) -> None:
    sender = await issued_sender(session, url, sender, timeout)
    message = script.first()
    while message is not None:
        replies, error, started, ended = await _post_turn(session, url, sender, message, timeout)
        error = error or script.error_in(replies)
        records.append({"sender": sender, "seconds": ended - started, "error": error})
        if error:
            return  # the conversation cannot go on sensibly
        message = script.next(replies)


async def run_phase(url: str, scripts: list, concurrency: int, timeout: float = 60.0, tag: str = "bench") -> dict:
    """Play `scripts` with at most `concurrency` conversations at once; returns the phase summary."""
    records: List[dict] = []
    queue: asyncio.Queue = asyncio.Queue()
    for script in scripts:
        queue.put_nowait(script)
    run_id = uuid.uuid4().hex[:6]

    async def worker(session, number):
        count = 0
        while not queue.empty():
            script = queue.get_nowait()
            count += 1
            await converse(session, url, script, f"{tag}-{run_id}-c{concurrency}-w{number}-{count}", timeout, records)

    connector = aiohttp.TCPConnector(limit=concurrency + 5)
    async with aiohttp.ClientSession(connector=connector) as session:
        started = time.perf_counter()
        await asyncio.gather(*(worker(session, n) for n in range(concurrency)))
        wall = time.perf_counter() - started
    return summarize(records, wall, concurrency)


async def parse_latency(url: str, token: str, texts: Sequence[str], requests: int, warmup: int = 3,
                        timeout: float = 30.0) -> dict:
    """Sequential POSTs to /model/parse (the HTTP API, token-protected), cycling through `texts`."""
    seconds, errors = [], 0
    async with aiohttp.ClientSession() as session:
        for i in range(warmup + requests):
            text = texts[i % len(texts)]
            started = time.perf_counter()
            try:
                async with session.post(f"{url}/model/parse", params={"token": token}, json={"text": text},
                                        timeout=aiohttp.ClientTimeout(total=timeout)) as response:
                    await response.read()
                    ok = response.status == 200
            except (aiohttp.ClientError, asyncio.TimeoutError):
                ok = False
            if i >= warmup:
                seconds.append(time.perf_counter() - started)
                errors += 0 if ok else 1
    return {"requests": requests, "distinct_texts": len(set(texts)), "errors": errors,
            "latency_ms": latency_summary(seconds)}


# ------------------------------------------------------------------ a hostile message (issue 16)

HOSTILE_WORDS = ["can't", "breathe", "slurred", "speech", "numb", "leg", "confused", "pulse", "no", "not",
                 "passed", "out", "face", "drooping", "blind", "bladder", "my", "fine", "suddenly", "weak"]


HOSTILE_KINDS = ("comma runs", "words and commas")


def hostile_message(size: int, kind: str = "comma runs", seed: int = 16) -> str:
    """`size` characters of red-flag words and commas, as a person hostile to the service might send:
    "comma runs": each word followed by 50-400 commas (issue 16: ConText compared every comma with
    every other in a window of 2,500 characters, the tokenizer stripped them one at a time);
    "words and commas": a word and a few commas, again and again. In a random order, so no stretch
    repeats (no reading is reused)."""
    rng = random.Random(seed)
    parts, length = [], 0
    while length < size:
        if kind == "comma runs":
            part = rng.choice(HOSTILE_WORDS) + " " + "," * rng.randint(50, 400) + " "
        else:
            part = rng.choice(HOSTILE_WORDS) + rng.choice([",", ", ", ",,", " , ", ",, ,"]) * rng.randint(1, 3)
        parts.append(part)
        length += len(part)
    return "".join(parts)[:size]


async def _post_turn(session, url: str, sender: str, message: str, timeout: float):
    """(replies, error, started, ended) of one POST to the REST channel."""
    started, replies, error = time.perf_counter(), [], None
    try:
        async with session.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": message},
                                timeout=aiohttp.ClientTimeout(total=timeout)) as response:
            body = await response.read()
            if response.status != 200:
                error = f"http_{response.status}"
            else:
                replies = json.loads(body)
    except asyncio.TimeoutError:
        error = "timeout"
    except (aiohttp.ClientError, ValueError) as exc:
        error = type(exc).__name__
    return replies, error, started, time.perf_counter()


async def hostile_probe(url: str, scripts: list, size: int, timeout: float = 60.0, hostile_timeout: float = 900.0,
                        baseline_turns: int = 6, emergency_text: str = "emergency", kind: str = "comma runs") -> dict:
    """Another conversation's turn latency while one hostile message of `size` characters is
    processed: `scripts` are played one turn at a time (the next when one ends) from before the
    hostile message is sent until it is answered; its turns that overlap the hostile message's
    processing are "during", the first `baseline_turns` before it "before". Returns both
    summaries and the hostile message's own time, status and whether it was answered as an emergency."""
    text = hostile_message(size, kind)
    run_id = uuid.uuid4().hex[:6]
    turns: List[dict] = []
    hostile: Dict[str, Any] = {}
    hostile_done, baseline_done = asyncio.Event(), asyncio.Event()

    async def other_conversation(session):
        for number, script in enumerate(scripts):
            sender = await issued_sender(session, url, f"bench-other-{run_id}-{number}", timeout)
            message = script.first()
            while message is not None and not hostile_done.is_set():
                replies, error, started, ended = await _post_turn(session, url, sender, message, timeout)
                error = error or script.error_in(replies)
                turns.append({"started": started, "ended": ended, "error": error})
                if len(turns) >= baseline_turns:
                    baseline_done.set()
                if error:
                    break
                message = script.next(replies)
            if hostile_done.is_set():
                return
        baseline_done.set()

    async def hostile_conversation(session):
        sender = await issued_sender(session, url, f"bench-hostile-{run_id}", timeout)
        await baseline_done.wait()
        replies, error, started, ended = await _post_turn(session, url, sender, text, hostile_timeout)
        hostile.update(started=started, ended=ended, error=error,
                       emergency=any(emergency_text in t for t in texts_of(replies)))
        hostile_done.set()

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=10)) as session:
        await asyncio.gather(other_conversation(session), hostile_conversation(session))
    during = [t for t in turns if t["ended"] > hostile["started"] and t["started"] < hostile["ended"]]
    before = [t for t in turns if t["ended"] <= hostile["started"]][:baseline_turns]

    def summary(selected: List[dict]) -> dict:
        errors: Dict[str, int] = {}
        for turn in selected:
            if turn["error"]:
                errors[turn["error"]] = errors.get(turn["error"], 0) + 1
        return {"turns": len(selected), "latency_ms": latency_summary([t["ended"] - t["started"] for t in selected]),
                "errors": sum(errors.values()), "error_kinds": errors}

    return {"kind": kind, "hostile_chars": len(text),
            "hostile_bytes": len(json.dumps({"sender": "x", "message": text})),
            "hostile_seconds": round(hostile["ended"] - hostile["started"], 2), "hostile_error": hostile["error"],
            "hostile_answered_as_emergency": hostile["emergency"],
            "other_before": summary(before), "other_during": summary(during)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="a running Rasa server with the REST channel")
    parser.add_argument("--bot", choices=["ours", "stock"], default="ours")
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--conversations", type=int, default=10)
    parser.add_argument("--max-turns", type=int, default=MAX_TURNS)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per turn")
    args = parser.parse_args()
    scripts: list = (interview_scripts(args.conversations, max_turns=args.max_turns) if args.bot == "ours"
                     else mood_scripts(args.conversations, max_turns=args.max_turns))
    summary = asyncio.run(run_phase(args.url, scripts, args.concurrency, args.timeout))
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
