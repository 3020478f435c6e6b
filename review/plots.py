"""The overview's plots, drawn on the server as PNG (matplotlib's Agg; no script in the browser)."""
from __future__ import annotations

import io
import warnings
from typing import List, Optional, Sequence, Tuple

# matplotlib 3.5 (Rasa's pin) calls pyparsing's old names: a warning a run, no use to anyone here
warnings.filterwarnings("ignore", message=r".*deprecated - use .*")

import matplotlib  # noqa: E402

matplotlib.use("Agg")
from matplotlib.figure import Figure  # noqa: E402

LEVEL_COLOURS = {"self_care": "#3a9d5d", "consultation": "#2f6db5", "consultation_24": "#d98c1f",
                 "emergency": "#c0392b", "emergency_ambulance": "#7b1010"}
INK, BAR = "#1f2a36", "#2f6db5"
WIDTH, DPI = 6.4, 100
MIN_DAY_SLOTS = 14


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
    return buffer.getvalue()


def _empty(axes, text: str = "no conversations in this selection") -> None:
    axes.text(0.5, 0.5, text, ha="center", va="center", color="#666", transform=axes.transAxes)
    axes.set_axis_off()


def per_day(days: Sequence[Tuple[object, int]]) -> bytes:
    figure = Figure(figsize=(WIDTH, 2.6))
    axes = figure.subplots()
    if not days:
        _empty(axes)
        return _png(figure)
    labels = [str(day) for day, _ in days]
    axes.bar(range(len(days)), [count for _, count in days], color=BAR, width=0.7)
    axes.set_xlim(-0.6, max(len(days), MIN_DAY_SLOTS) - 0.4)  # a day or two do not fill the plot
    step = max(1, len(days) // 8)
    axes.set_xticks(range(0, len(days), step))
    axes.set_xticklabels(labels[::step], rotation=30, ha="right", fontsize=8)
    axes.set_ylabel("conversations", color=INK)
    axes.yaxis.get_major_locator().set_params(integer=True)
    _tidy(axes)
    return _png(figure)


def horizontal_bars(rows: List[Tuple[str, int]], colours: Optional[List[str]] = None,
                    empty: Optional[str] = None) -> bytes:
    """One bar a row, the first row on top."""
    figure = Figure(figsize=(WIDTH, 0.45 * max(len(rows), 2) + 0.6))
    axes = figure.subplots()
    if not rows or not any(count for _, count in rows):
        _empty(axes, empty or "none in this selection")
        return _png(figure)
    positions = list(range(len(rows)))[::-1]
    counts = [count for _, count in rows]
    axes.barh(positions, counts, color=colours or BAR)
    axes.set_yticks(positions)
    axes.set_yticklabels([_short(label) for label, _ in rows], fontsize=9)
    for position, count in zip(positions, counts):
        axes.text(count, position, f" {count}", va="center", fontsize=9, color=INK)
    axes.set_xlim(0, max(counts) * 1.15)
    axes.xaxis.get_major_locator().set_params(integer=True)
    _tidy(axes)
    return _png(figure)


def _short(label: str, most: int = 45) -> str:
    return label if len(label) <= most else label[:most - 1] + "…"


def _tidy(axes) -> None:
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.tick_params(colors=INK)
