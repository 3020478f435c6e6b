"""bench/latency.png from bench/results.json: turn latency (p50, p95) and throughput against the
number of concurrent conversations, this bot beside the stock `rasa init` bot.

    python bench/plot.py [bench/results.json] [bench/latency.png]
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if sys.path and Path(sys.path[0] or ".").resolve() == ROOT / "bench":  # run as a script: bench/ must not
    sys.path.pop(0)  # shadow standard modules
COLOURS = {"ours": "#c0392b", "stock": "#2c3e50"}
LABELS = {"ours": "leg-numbness bot", "stock": "stock rasa init bot"}


def series(bot: dict):
    """(concurrency, p50, p95, throughput) per phase, by concurrency."""
    rows = sorted((s["concurrency"], s["latency_ms"]["p50"], s["latency_ms"]["p95"], s["throughput_turns_per_s"])
                  for s in (bot.get("load") or {}).values() if s.get("latency_ms", {}).get("p50") is not None)
    return [list(column) for column in zip(*rows)] if rows else [[], [], [], []]


def plot(results: dict, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.5))
    levels = set()
    for name in ("stock", "ours"):
        bot = (results.get("bots") or {}).get(name)
        if not bot:
            continue
        concurrency, p50, p95, throughput = series(bot)
        levels.update(concurrency)
        colour = COLOURS[name]
        left.plot(concurrency, p50, "o-", color=colour, label=f"{LABELS[name]} p50")
        left.plot(concurrency, p95, "s--", color=colour, label=f"{LABELS[name]} p95")
        right.plot(concurrency, throughput, "o-", color=colour, label=LABELS[name])
    for axis in (left, right):
        axis.set_xscale("log")
        axis.set_xticks(sorted(levels))
        axis.get_xaxis().set_major_formatter(matplotlib.ticker.ScalarFormatter())
        axis.minorticks_off()
        axis.set_xlabel("concurrent conversations (1 = sequential turns)")
        axis.grid(True, which="both", alpha=0.3)
        axis.legend(fontsize=8)
    left.set_yscale("log")
    left.set_ylabel("turn latency, ms (log scale)")
    left.set_title("Turn latency through the REST channel")
    right.set_ylabel("turns per second")
    right.set_title("Throughput")
    machine = results.get("machine") or {}
    figure.suptitle(f"Measured {results.get('measured_at', '?')[:16]} on {machine.get('cpus', '?')} cores, "
                    f"load average at start {machine.get('loadavg_start')}", fontsize=9)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)


def main() -> int:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "bench" / "results.json"
    target = Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "bench" / "latency.png"
    plot(json.loads(source.read_text()), target)
    print(f"written {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
