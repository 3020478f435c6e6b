"""Score the symptom extractor on the gold set tests/nlu/extraction_eval.yml.

Prints precision, recall and F1 of the findings found, assertion accuracy on the findings found,
red-flag recall (gold present red flags found as present), side and onset accuracy; writes them
to results/extraction_eval.json. With --check, exits 1 when a target is missed.
"""
from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from numbness_triage.extraction import PRESENT, shared_extractor  # noqa: E402
from numbness_triage.knowledge import shared_knowledge_base  # noqa: E402

TARGETS = {"f1": 0.92, "assertion_accuracy": 0.95, "red_flag_recall": 1.0}


def evaluate(cases):
    extractor, kb = shared_extractor(), shared_knowledge_base()
    true_positive = false_positive = false_negative = assertion_right = 0
    red_flag_gold = red_flag_found = red_flag_found_or_asked = 0
    side_total = side_right = onset_total = onset_right = 0
    errors = []
    for case in cases:
        result = extractor.extract(case["text"])
        found = result.assertions
        gold = {s["id"]: s["assertion"] for s in case.get("symptoms") or []}
        for finding_id, assertion in gold.items():
            if finding_id in found:
                true_positive += 1
                if found[finding_id] == assertion:
                    assertion_right += 1
                else:
                    errors.append((case["text"], finding_id, f"assertion {found[finding_id]} != {assertion}"))
            else:
                false_negative += 1
                errors.append((case["text"], finding_id, "missed"))
            if assertion == PRESENT and finding_id in kb.red_flags:
                red_flag_gold += 1
                if found.get(finding_id) == PRESENT:
                    red_flag_found += 1
                if found.get(finding_id) == PRESENT or finding_id in result.hinted_red_flags:
                    red_flag_found_or_asked += 1
                if found.get(finding_id) != PRESENT:
                    errors.append((case["text"], finding_id, "RED FLAG MISSED"))
        for finding_id in found.keys() - gold.keys():
            false_positive += 1
            errors.append((case["text"], finding_id, f"spurious ({found[finding_id]})"))
        if case.get("side"):
            side_total += 1
            side_right += result.side == case["side"]
        if case.get("onset"):
            onset_total += 1
            onset_right += result.onset == case["onset"]
    precision = true_positive / max(1, true_positive + false_positive)
    recall = true_positive / max(1, true_positive + false_negative)
    f1 = 2 * precision * recall / max(1e-9, precision + recall)
    return {
        "measured": date.today().isoformat(),
        "cases": len(cases),
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "assertion_accuracy": round(assertion_right / max(1, true_positive), 4),
        "red_flag_recall": round(red_flag_found / max(1, red_flag_gold), 4),
        # found, or hinted by a cue word so that the bot asks about it before going on
        "red_flag_recall_with_safety_questions": round(red_flag_found_or_asked / max(1, red_flag_gold), 4),
        "red_flag_mentions": red_flag_gold,
        "side_accuracy": round(side_right / max(1, side_total), 4),
        "onset_accuracy": round(onset_right / max(1, onset_total), 4),
        "targets": TARGETS,
    }, errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--gold", default=str(ROOT / "tests" / "nlu" / "extraction_eval.yml"))
    parser.add_argument("--out", default=str(ROOT / "results" / "extraction_eval.json"))
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args()
    cases = yaml.safe_load(Path(args.gold).read_text(encoding="utf-8"))["cases"]
    scores, errors = evaluate(cases)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(scores, indent=2) + "\n", encoding="utf-8")
    if args.show_errors:
        for text, finding_id, what in errors:
            print(f"  {what:28} {finding_id:32} {text[:110]!r}")
    for key in ("cases", "precision", "recall", "f1", "assertion_accuracy", "red_flag_recall",
                "red_flag_recall_with_safety_questions", "side_accuracy", "onset_accuracy"):
        print(f"{key:20} {scores[key]}")
    print(f"written to {args.out}")
    missed = [k for k, target in TARGETS.items() if scores[k] < target]
    if args.check and missed:
        print(f"targets missed: {', '.join(missed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
