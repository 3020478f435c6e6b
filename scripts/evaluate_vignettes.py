"""Play simulated patients through the bot's REST channel and score what the bot concluded.

Each case (format version 2: tests/vignettes/README.md) opens with its first message; then
tooling/simulated_patient.py answers the bot's questions the way people do (its own words, "not
sure", volunteered facts, the odd answer to another question, caregivers typing for the patient).
A conversation with no assessment after MAX_TURNS turns is stuck, a failure of the case.
Figures (tooling/vignette_scores.py): stuck, red-flag recall, denied-flag specificity, exact /
safe / over-triage, top-1 / top-3, median turns, share of free-text answers, share of caregivers.

    evaluate_vignettes.py --set development tests/vignettes/development.yml --check
writes results/vignettes_development.json and its transcripts beside it. By default it starts the
action server and the Rasa server itself on free ports; --url uses a running server instead.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import urllib.request
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tooling.simulated_patient import MAX_TURNS, Patient, normalised_answer  # noqa: E402
from tooling.vignette_scores import LEVELS, TARGETS, case_verdict, is_assessment, missed_targets, score  # noqa: E402
from tooling.bot import MODEL, running_bot, write_endpoints  # noqa: E402

DEVELOPMENT_SETS = [("development", "tests/vignettes/development.yml"),
                    ("development_2", "tests/vignettes/development_2.yml")]


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


def assessment_in(replies: list):
    payloads = [r["custom"]["assessment"] for r in replies
                if isinstance(r.get("custom"), dict) and isinstance(r["custom"].get("assessment"), dict)]
    return payloads[-1] if payloads else None


def play(url: str, case: dict, max_turns: int = MAX_TURNS) -> dict:
    """The conversation until an assessment or escalation, or until it is stuck."""
    sender = new_conversation(url)
    patient = Patient(case)
    transcript, payload, turns, stuck = [], None, 0, True
    message = case["opening"]
    while turns < max_turns:
        turns += 1
        replies = send(url, sender, message)
        transcript.append(("patient", message))
        texts = [r["text"] for r in replies if r.get("text")]
        transcript.extend(("bot", t) for t in texts)
        payload = assessment_in(replies) or payload
        if is_assessment(assessment_in(replies)):
            stuck = False
            break
        if not texts:
            transcript.append(("bot", "(no reply)"))
        message = patient.answer(texts) if texts else "hello?"
    answered = [e for e in patient.exchanges if e.answered]
    return {"id": case["id"], "turns": turns, "payload": payload, "stuck": stuck, "transcript": transcript,
            "answers": len(answered), "free_text_answers": sum(e.free_text for e in answered),
            "most_asked": max((times for key, times in patient.asked.items() if key != "statement"), default=0)}


def load_cases(path: Path) -> list:
    """The cases of a file of format version 2, each checked: a bad case stops the run with its id and why."""
    cases = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("vignettes") or []
    seen = set()
    for number, case in enumerate(cases, 1):
        where = f"{path}: case {number} ({case.get('id', 'no id')})"
        for key in ("id", "opening", "expected_causes", "expected_triage"):
            if not case.get(key):
                raise ValueError(f"{where}: `{key}` is missing")
        if case["id"] in seen:
            raise ValueError(f"{where}: the id is used twice")
        seen.add(case["id"])
        if case["expected_triage"] not in LEVELS:
            raise ValueError(f"{where}: expected_triage must be one of {', '.join(LEVELS)}")
        if case.get("typed_by", "patient") not in ("patient", "caregiver"):
            raise ValueError(f"{where}: typed_by must be patient or caregiver")
        if not isinstance(case.get("facts") or [], list):
            raise ValueError(f"{where}: `facts` is a list of {{about, answer, says}} (format version 2)")
        for fact in case.get("facts") or []:
            if not isinstance(fact, dict) or not fact.get("about"):
                raise ValueError(f"{where}: every fact needs `about` stems (a list) and an `answer`")
            try:
                normalised_answer(fact.get("answer"))
            except ValueError as error:
                raise ValueError(f"{where}: fact {fact['about']}: {error}") from None
    return cases


def write_transcripts(path: Path, outcomes: list) -> None:
    lines = ["# Vignette transcripts", ""]
    for outcome in outcomes:
        state = "STUCK, " if outcome["stuck"] else ""
        lines += [f"## {outcome['id']} ({state}{outcome['turns']} turns)", ""]
        lines += [f"- **{who}**: {text.replace(chr(10), ' / ')}" for who, text in outcome["transcript"]]
        lines.append("")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")


def report(name: str, scores: dict, out: Path, targets: str) -> list:
    print(f"\n== {name}: {scores['vignettes']} cases ==")
    for row in scores["cases"]:
        verdict = case_verdict(row)
        print(f"{'ok ' if verdict == 'ok' else '-- '}{row['id']:28} {row['typed_by']:9} turns {row['turns']:2}  "
              f"{verdict}")
    for key in ("vignettes", "stuck", "red_flag_recall", "denied_flag_specificity", "exact_triage", "safe_triage",
                "over_triage", "top1", "top3", "median_turns", "free_text_share", "caregiver_share"):
        print(f"{key:26} {scores[key]}")
    print(f"{'asked_three_times_or_more':26} {len(scores['asked_three_times_or_more'])}")
    print(f"written to {out}")
    missed = missed_targets(scores, targets)
    if missed:
        print(f"{name}: targets missed: {'; '.join(missed)}")
    return missed


def fresh_store(folder: Path) -> Path:
    """An empty SQLite file's path in `folder`: this run's conversations only."""
    folder.mkdir(parents=True, exist_ok=True)
    database = folder / "conversations.db"
    database.unlink(missing_ok=True)
    return database.resolve()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", nargs=2, action="append", metavar=("NAME", "FILE"), dest="sets",
                        help="a set to play (repeatable): results go to <out-dir>/vignettes_NAME.json; "
                             "default: the development sets")
    parser.add_argument("--targets", choices=sorted(TARGETS), default="development")
    parser.add_argument("--out-dir", default=str(ROOT / "results"))
    parser.add_argument("--transcripts-dir", help="where transcripts go (default: beside the results)")
    parser.add_argument("--first-contact", metavar="FILE",
                        help="also write the results here when this file does not exist yet (a set's first run)")
    parser.add_argument("--model", default=str(MODEL))
    parser.add_argument("--url", help="use a running Rasa server (REST channel) instead of starting one")
    parser.add_argument("--limit", type=int, help="play only the first N cases of each set (a quick run)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--conversations", metavar="DIR", default=str(ROOT / "var" / "evaluate"),
                        help="keep the conversations in DIR/conversations.db (emptied first), with DIR/endpoints.yml "
                             "naming it, for the review page: make review REVIEW_ENDPOINTS=DIR/endpoints.yml")
    args = parser.parse_args()
    sets = [(name, Path(path)) for name, path in (args.sets or DEVELOPMENT_SETS)]
    try:
        loaded = [(name, path, load_cases(path if path.is_absolute() else ROOT / path)[: args.limit])
                  for name, path in sets]
    except (OSError, ValueError, yaml.YAMLError) as error:
        print(f"cannot read the cases: {error}", file=sys.stderr)
        return 2

    def run(url):
        return [(name, path, cases, [play(url, case) for case in cases]) for name, path, cases in loaded]

    if args.url:
        played = run(args.url)
    else:
        folder = Path(args.conversations)
        database = fresh_store(folder)
        with running_bot("vignettes", model=args.model, tracker_db=database) as bot:
            write_endpoints(folder / "endpoints.yml", bot.action_port, database)
            played = run(bot.url)
    missed = []
    for name, path, cases, outcomes in played:
        scores = {"set": name, "source": str(path), **score(cases, outcomes, args.targets)}
        out = Path(args.out_dir) / f"vignettes_{name}.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(scores, indent=2) + "\n", encoding="utf-8")
        transcripts = Path(args.transcripts_dir or args.out_dir) / f"vignettes_{name}_transcripts.md"
        write_transcripts(transcripts, outcomes)
        if args.first_contact and not Path(args.first_contact).exists():
            shutil.copyfile(out, args.first_contact)
            print(f"first contact with this set: kept in {args.first_contact}")
        missed += report(name, scores, out, args.targets)
    if args.check and missed:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
