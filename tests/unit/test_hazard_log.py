"""docs/clinical-safety.md stays true: every hazard scored right, every hazard names tests that
exist, and the counts it states are the counts of its entries."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOG = (ROOT / "docs" / "clinical-safety.md").read_text(encoding="utf-8")
FLAT = LOG.replace("\n", " ")
HAZARDS = re.split(r"\*\*HZ-(\d+) ", LOG)[1:]
SCORES = re.findall(r"Before S(\d) × L(\d) = (\d+) →\s*after S(\d) × L(\d) = (\d+)", FLAT)


def test_every_hazard_has_a_before_and_after_score_that_multiplies_out():
    assert len(SCORES) == len(HAZARDS) // 2 >= 30
    for s1, l1, r1, s2, l2, r2 in SCORES:
        assert int(s1) * int(l1) == int(r1) and int(s2) * int(l2) == int(r2)
        assert int(r2) < 10, "a hazard is still unacceptable after its control"


def test_every_hazard_names_tests_that_exist():
    for number, body in zip(HAZARDS[::2], HAZARDS[1::2]):
        files = re.findall(r"`(tests/[\w/]+\.(?:py|yml))", body)
        hazard_tests = re.findall(r"test_hz\d+_", body)
        assert files or hazard_tests, f"HZ-{number} names no test"
        for name in files:
            assert (ROOT / name).exists() or (ROOT / name).is_dir(), f"HZ-{number}: {name} does not exist"
        hazards_file = (ROOT / "tests" / "unit" / "test_hazards.py").read_text(encoding="utf-8")
        for prefix in hazard_tests:
            assert f"def {prefix}" in hazards_file, f"HZ-{number}: no test named {prefix}*"


def test_the_counts_are_the_counts_of_the_entries():
    after = [int(s[5]) for s in SCORES]
    before = [int(s[2]) for s in SCORES]
    stated = re.search(r"(\d+) hazards:.*?Before their controls: (\d+) unacceptable.*?(\d+) tolerable\. After: 0\s+"
                       r"unacceptable, (\d+) tolerable.*?(\d+) acceptable", FLAT)
    assert stated, "the Counts section changed its wording"
    total, bad_before, tolerable_before, tolerable_after, acceptable_after = map(int, stated.groups())
    assert total == len(SCORES)
    assert bad_before == sum(r >= 10 for r in before) and tolerable_before == sum(5 <= r <= 9 for r in before)
    assert tolerable_after == sum(5 <= r <= 9 for r in after) and acceptable_after == sum(r <= 4 for r in after)
