"""The benchmark's own logic, without Rasa: statistics, conversation scripts, the load generator
against a fake REST channel on loopback, the results structure, the targets, the plot.
The benchmark itself runs with `make bench`; `make bench-smoke` plays a few turns with the real bot."""
import json
import random
import socket
from pathlib import Path

import pytest
import yaml
from aiohttp import web

from bench import load
from bench.procs import BotSpec, bench_endpoints, process_tree, tree_rss_mb
from bench.run import check_targets, validate

ROOT = Path(__file__).resolve().parents[2]


def test_percentile_matches_linear_interpolation():
    numpy = pytest.importorskip("numpy")
    rng = random.Random(3)
    for size in (1, 2, 7, 100):
        values = [rng.random() for _ in range(size)]
        for q in (50, 95, 99):
            assert load.percentile(values, q) == pytest.approx(float(numpy.percentile(values, q)))
    assert load.percentile([], 50) is None


def test_summary_counts_turns_errors_and_throughput():
    records = [{"sender": "a", "seconds": 0.1, "error": None}, {"sender": "a", "seconds": 0.3, "error": None},
               {"sender": "b", "seconds": 2.0, "error": "timeout"}]
    summary = load.summarize(records, wall_seconds=2.0, concurrency=2)
    assert summary["turns"] == 3 and summary["conversations"] == 2
    assert summary["errors"] == 1 and summary["error_kinds"] == {"timeout": 1}
    assert summary["throughput_turns_per_s"] == 1.5
    assert summary["latency_ms"]["p50"] == 300.0 and summary["latency_ms"]["max"] == 2000.0


def test_interview_script_answers_like_the_vignette_runner_and_stops_at_the_payload():
    vignette = next(v for v in load.load_vignettes() if not v.get("red_flag"))
    script = load.InterviewScript(vignette, error_texts=["Sorry, trouble"])
    assert script.first() == vignette["opening"]
    answer = script.next([{"text": "How old are you, and are you male or female?"}])
    assert answer in vignette["answers"].values()
    assert script.error_in([{"text": "Sorry, trouble"}]) == "action_server_fallback"
    assert script.error_in([]) == "empty_reply"
    assert script.next([{"text": "Here is what I think."},
                        {"custom": {"assessment": {"triage": "consultation", "red_flags": [],
                                                   "causes": [{"id": "x"}]}}}]) is None


def test_interview_script_respects_the_turn_limit():
    script = load.InterviewScript(load.load_vignettes()[10], max_turns=2)
    script.first()
    assert script.next([{"text": "Is it in one leg or both?"}]) is not None
    assert script.next([{"text": "Is it in one leg or both?"}]) is None


def test_mood_script_is_seven_turns_of_the_stock_bots_own_examples():
    import importlib.util
    stock_nlu = Path(importlib.util.find_spec("rasa").origin).parent / "cli" / "initial_project" / "data" / "nlu.yml"
    examples = {}
    for block in yaml.safe_load(stock_nlu.read_text())["nlu"]:
        examples[block["intent"]] = {line[2:].strip() for line in block["examples"].splitlines() if line.strip()}
    for intent, phrases in load.STOCK_PHRASES.items():
        assert set(phrases) <= examples[intent], intent
    script = load.MoodScript(seed=4)
    messages = [script.first()] + [script.next([{"text": "ok"}]) for _ in range(6)]
    assert None not in messages and script.next([{"text": "ok"}]) is None
    assert messages == load.MoodScript(seed=4).messages


def test_parse_texts_cover_openings_and_answers():
    texts = load.parse_texts_ours()
    vignettes = load.load_vignettes()
    assert all(v["opening"] in texts for v in vignettes)
    assert len(texts) == len(set(texts)) > len(vignettes)


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_load_generator_against_a_fake_rest_channel():
    """Three turns a conversation, one answered with an error status."""
    seen = []

    async def webhook(request):
        body = await request.json()
        seen.append(body["sender"])
        if body["message"] == "fail me":
            return web.Response(status=500)
        return web.json_response([{"recipient_id": body["sender"], "text": "How long has it been?"}])

    async def parse(request):
        assert request.query.get("token") == "t0ken"
        return web.json_response({"intent": {"name": "greet"}})

    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", webhook)
    app.router.add_post("/model/parse", parse)
    runner = web.AppRunner(app)
    await runner.setup()
    port = _free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    url = f"http://127.0.0.1:{port}"
    try:
        class Three(load.MoodScript):
            def __init__(self, messages):
                self.messages, self.turns = messages, 0

        scripts = [Three(["hi", "sad", "bye"]) for _ in range(4)] + [Three(["hi", "fail me", "never sent"])]
        summary = await load.run_phase(url, scripts, concurrency=3, timeout=10)
        assert summary["conversations"] == 5 and summary["turns"] == 14
        assert summary["errors"] == 1 and summary["error_kinds"] == {"http_500": 1}
        assert len(set(seen)) == 5
        parsed = await load.parse_latency(url, "t0ken", ["a", "b"], requests=4, warmup=1)
        assert parsed["errors"] == 0 and parsed["latency_ms"]["n"] == 4
        probe = await load.hostile_probe(url, [Three(["hi", "sad", "bye"]) for _ in range(30)], 20_000, timeout=10,
                                         baseline_turns=2, emergency_text="How long")
        assert probe["hostile_chars"] == 20_000 and probe["hostile_answered_as_emergency"]
        assert probe["other_before"]["turns"] == 2 and probe["hostile_error"] is None
    finally:
        await runner.cleanup()


def test_endpoints_point_at_the_benchmarks_action_server_and_a_fresh_sqlite_file(tmp_path):
    spec = BotSpec("ours", ROOT, ROOT / "models" / "x.tar.gz", ROOT / "endpoints.yml", "hello")
    text, _ = bench_endpoints(spec, 5999, tmp_path)
    config = yaml.safe_load(text)
    assert config["action_endpoint"]["url"] == "http://127.0.0.1:5999/webhook"
    if config.get("tracker_store", {}).get("dialect") == "sqlite":
        assert config["tracker_store"]["db"] == str(tmp_path / "conversations.db")
    stock = BotSpec("stock", tmp_path, tmp_path / "m.tar.gz", tmp_path / "missing.yml", "hello")
    assert bench_endpoints(stock, 6000, tmp_path)[1] == "in-memory"


def test_resident_memory_of_a_process_tree():
    import os
    assert os.getpid() in process_tree(os.getpid())
    assert tree_rss_mb(os.getpid()) > 1


def _fake_results():
    def phase(concurrency, p50, p95, errors=0):
        return {"concurrency": concurrency, "conversations": 3, "turns": 20, "wall_s": 2.0,
                "throughput_turns_per_s": 10.0, "latency_ms": {"p50": p50, "p95": p95, "p99": p95},
                "errors": errors, "rss_peak_mb": {"rasa_server": 900.0, "action_server": 300.0}}

    def hostile(p95):
        turns = {"turns": 5, "latency_ms": {"p50": p95 / 2, "p95": p95}, "errors": 0, "error_kinds": {}}
        return {"kind": "comma runs", "hostile_chars": 999_000, "hostile_seconds": 4.0, "hostile_error": None,
                "hostile_answered_as_emergency": True, "other_before": turns, "other_during": turns}

    def bot(scale, errors=0):
        return {"cold_start": {"seconds": 20.0}, "training": {"seconds": 200.0},
                "hostile_message": hostile(300 * scale),
                "memory_mb": {"peak": {"rasa_server": 900.0, "action_server": 300.0}},
                "parse": {"latency_ms": {"p50": 12.0}},
                "load": {"sequential": phase(1, 100 * scale, 150 * scale),
                         "concurrent_10": phase(10, 400 * scale, 900 * scale),
                         "concurrent_50": phase(50, 2000 * scale, 4000 * scale, errors)}}

    return {"schema": 1, "measured_at": "2026-11-25T18:00:00", "machine": {"loadavg_start": [1.0, 1.0, 1.0], "cpus": 2},
            "bots": {"stock": bot(1), "ours": bot(1.2, errors=2)}, "extraction": {"mean_ms": 1.5}, "targets": []}


def test_validate_accepts_a_complete_structure_and_names_what_is_missing():
    results = _fake_results()
    assert validate(results) == []
    del results["bots"]["ours"]["parse"]
    results["bots"]["stock"]["load"]["sequential"]["turns"] = 0
    problems = validate(results)
    assert "missing bots.ours.parse" in problems and any("no turns" in p for p in problems)


def test_targets_compare_with_the_stock_bot_and_the_fixed_limits():
    results = _fake_results()
    targets = {t["name"]: t for t in check_targets(results["bots"], results["extraction"])}
    assert targets["turn_latency_p50_vs_stock"]["value"] == 1.2 and targets["turn_latency_p50_vs_stock"]["pass"]
    assert targets["parse_p50_ms"]["pass"] and targets["extraction_mean_ms"]["pass"]
    assert targets["no_errors_c50"]["value"] == 2 and targets["no_errors_c50"]["pass"] is False
    assert targets["training_s"]["pass"] and targets["cold_start_s"]["pass"]
    assert targets["hostile_other_p95_ms"]["value"] == 360 and targets["hostile_other_p95_ms"]["pass"]
    assert targets["hostile_message_s"]["value"] == 4.0 and targets["hostile_message_s"]["pass"]


def test_a_hostile_message_not_answered_as_an_emergency_fails_its_target():
    results = _fake_results()
    results["bots"]["ours"]["hostile_message"]["hostile_answered_as_emergency"] = False
    targets = {t["name"]: t for t in check_targets(results["bots"], results["extraction"])}
    assert targets["hostile_message_s"]["pass"] is None


def test_validate_names_missing_hostile_figures():
    results = _fake_results()
    del results["bots"]["ours"]["hostile_message"]
    assert "bots.ours: no hostile message figures" in validate(results)


@pytest.mark.parametrize("kind", load.HOSTILE_KINDS)
def test_hostile_messages_are_as_long_as_asked_and_never_repeat_a_stretch(kind):
    text = load.hostile_message(50_000, kind)
    assert len(text) == 50_000 and text.count(",") > 10_000
    assert any(word in text for word in ("breathe", "slurred", "confused"))
    stretches = [text[i:i + 2_500] for i in range(0, 47_500, 2_500)]
    assert len(set(stretches)) == len(stretches)
    assert load.hostile_message(50_000, kind) == text  # the same message every run


def test_plot_writes_a_png(tmp_path):
    pytest.importorskip("matplotlib")
    from bench.plot import plot

    out = tmp_path / "latency.png"
    plot(_fake_results(), out)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    json.dumps(_fake_results())  # the structure is plain JSON
