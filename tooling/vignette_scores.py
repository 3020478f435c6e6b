"""The figures of a simulated-patient run and their targets (scripts/evaluate_vignettes.py plays them).

A case is STUCK when the conversation had no assessment after MAX_TURNS turns: it fails every
figure it counts in (red-flag recall, denied-flag specificity, exact and safe triage, top-1, top-3).
"""
from __future__ import annotations

import statistics
from datetime import date
from typing import Callable, Iterable, List, Optional

from numbness_triage.knowledge import URGENCY_LEVELS as LEVELS, Urgency

NO_GOOD_FIT = "no_good_fit"
WEAK_FIT_VALUES = {"weak", "none", "poor", "no_good_fit", "no good fit"}

# (figure, "min" or "max", value)
TARGETS = {
    "development": [("stuck", "max", 0), ("red_flag_recall", "min", 1.0), ("denied_flag_specificity", "min", 0.95),
                    ("safe_triage", "min", 0.97), ("exact_triage", "min", 0.85), ("over_triage", "max", 0.05),
                    ("top3", "min", 0.90), ("top1", "min", 0.70), ("median_turns", "max", 10)],
    # issue 11: the first contact with a held-out set nobody has tuned to
    "heldout": [("stuck", "max", 0), ("red_flag_recall", "min", 1.0), ("safe_triage", "min", 0.97),
                ("over_triage", "max", 0.05), ("top3", "min", 0.90), ("top1", "min", 0.75),
                ("median_turns", "max", 10)],
}


def says_no_good_fit(payload: Optional[dict]) -> bool:
    """The assessment says no cause fits well ({"fit": "weak"}; other spellings read too)."""
    if not isinstance(payload, dict):
        return False
    return str(payload.get("fit", "")).strip().lower() in WEAK_FIT_VALUES or payload.get(NO_GOOD_FIT) is True


def cause_ids(payload: Optional[dict]) -> List[str]:
    causes = (payload or {}).get("causes") or []
    return [str(c.get("id")) if isinstance(c, dict) else str(c) for c in causes]


def is_assessment(payload: Optional[dict]) -> bool:
    """An assessment or an escalation: what ends a conversation."""
    return isinstance(payload, dict) and bool(payload.get("red_flags") or payload.get("causes")
                                              or says_no_good_fit(payload))


def case_row(case: dict, outcome: dict) -> dict:
    payload = outcome["payload"] if not outcome["stuck"] else None
    return {
        "id": case["id"],
        "typed_by": case.get("typed_by", "patient"),
        "expected_triage": case["expected_triage"],
        "triage": (payload or {}).get("triage"),
        "red_flag": bool(case.get("red_flag", False)),
        "denies_red_flags": bool(case.get("denies_red_flags", False)),
        "escalated": bool((payload or {}).get("red_flags")),
        "expected_causes": list(case["expected_causes"]),
        "causes": cause_ids(payload),
        "weak_fit": says_no_good_fit(payload),
        "stuck": outcome["stuck"],
        "turns": outcome["turns"],
        "answers": outcome["answers"],
        "free_text_answers": outcome["free_text_answers"],
        "most_asked": outcome["most_asked"],  # the most times one question was asked
    }


def cause_found(row: dict, within: int) -> bool:
    if row["stuck"]:
        return False
    expected = row["expected_causes"][0]
    if expected == NO_GOOD_FIT:
        return row["weak_fit"]
    return expected in row["causes"][:within]


def share(rows: Iterable[dict], test: Callable[[dict], bool]) -> Optional[float]:
    rows = list(rows)
    return round(sum(1 for r in rows if test(r)) / len(rows), 4) if rows else None


def score(cases: List[dict], outcomes: List[dict], targets: str = "development") -> dict:
    by_id = {o["id"]: o for o in outcomes}
    rows = [case_row(case, by_id[case["id"]]) for case in cases]
    rank = LEVELS.index

    def triaged(row):
        return not row["stuck"] and row["triage"] in LEVELS

    red_flag_rows = [r for r in rows if r["red_flag"]]
    answers = sum(r["answers"] for r in rows)
    return {
        "measured": date.today().isoformat(),
        "vignettes": len(rows),
        "red_flag_cases": len(red_flag_rows),
        "denied_flag_cases": sum(r["denies_red_flags"] for r in rows),
        "caregiver_share": share(rows, lambda r: r["typed_by"] == "caregiver"),
        "stuck": sum(r["stuck"] for r in rows),
        "stuck_cases": [r["id"] for r in rows if r["stuck"]],
        "red_flag_recall": share(red_flag_rows,
                                 lambda r: triaged(r) and rank(r["triage"]) >= rank(Urgency.emergency.value)),
        "denied_flag_specificity": share([r for r in rows if r["denies_red_flags"]],
                                         lambda r: not r["stuck"] and not r["escalated"]),
        "exact_triage": share(rows, lambda r: triaged(r) and r["triage"] == r["expected_triage"]),
        "safe_triage": share(rows, lambda r: triaged(r) and rank(r["triage"]) >= rank(r["expected_triage"]) - 1),
        "over_triage": share(rows, lambda r: triaged(r) and rank(r["triage"]) >= rank(r["expected_triage"]) + 2),
        "top1": share([r for r in rows if not r["red_flag"]], lambda r: cause_found(r, 1)),
        "top3": share([r for r in rows if not r["red_flag"]], lambda r: cause_found(r, 3)),
        "median_turns": statistics.median(r["turns"] for r in rows) if rows else None,
        # issue 11: no question is asked more than twice
        "asked_three_times_or_more": [r["id"] for r in rows if r["most_asked"] > 2],
        "free_text_share": round(sum(r["free_text_answers"] for r in rows) / answers, 4) if answers else None,
        "targets": {name: f"{'>=' if kind == 'min' else '<='} {value}" for name, kind, value in TARGETS[targets]},
        "cases": rows,
    }


def missed_targets(scores: dict, targets: str = "development") -> List[str]:
    """The figures that miss their target; a figure not measured (no case for it) misses nothing."""
    missed = []
    for name, kind, value in TARGETS[targets]:
        figure = scores.get(name)
        if figure is not None and (figure < value if kind == "min" else figure > value):
            missed.append(f"{name} {figure} (target {'>=' if kind == 'min' else '<='} {value})")
    return missed


def case_verdict(row: dict) -> str:
    """One line on what went wrong with a case, or "ok"."""
    asked = f"; a question asked {row['most_asked']} times" if row["most_asked"] > 2 else ""
    if row["stuck"]:
        return f"STUCK after {row['turns']} turns{asked}"
    problems = [asked[2:]] if asked else []
    if row["triage"] != row["expected_triage"]:
        problems.append(f"triage {row['triage']} (expected {row['expected_triage']})")
    if row["denies_red_flags"] and row["escalated"]:
        problems.append("false alarm")
    if not row["red_flag"] and not cause_found(row, 1):
        where = "not in top 3" if not cause_found(row, 3) else "not first"
        problems.append(f"{row['expected_causes'][0]} {where} ({','.join(row['causes'][:3]) or '-'})")
    return "; ".join(problems) or "ok"
