"""axe-core (web/node_modules/axe-core, pinned in web/package-lock.json) run on the chat page, and
the report the accessibility tests write to results/accessibility.json."""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Dict, List

ROOT = Path(__file__).resolve().parent.parent.parent
AXE = ROOT / "web" / "node_modules" / "axe-core"
REPORT = ROOT / "results" / "accessibility.json"
# WCAG 2.1 A and AA, and axe's best practices (reported; the test fails on serious or critical ones).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
IMPACTS = ("critical", "serious", "moderate", "minor")
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def axe_version() -> str:
    return json.loads((AXE / "package.json").read_text())["version"]


def run_axe(page) -> List[Dict]:
    """The violations axe finds on the page as it is now: id, impact, help, and where (up to 5)."""
    # Evaluated through the DevTools protocol, so the page's Content-Security-Policy does not block it.
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate((AXE / "axe.min.js").read_text())
    violations = page.evaluate(
        """async tags => {
             const result = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                                      resultTypes: ['violations']});
             return result.violations.map(v => ({
               id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length,
               where: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
           }""", TAGS)
    return violations


def counts(violations: List[Dict]) -> Dict[str, int]:
    """Violating elements per impact (a rule broken on three elements counts three)."""
    totals = {impact: 0 for impact in IMPACTS}
    for violation in violations:
        totals[violation["impact"] or "minor"] += violation["nodes"]
    return totals


def serious(violations: List[Dict]) -> List[Dict]:
    return [v for v in violations if v["impact"] in ("serious", "critical")]


class Report:
    """Collects axe's findings per state and size; `save` writes results/accessibility.json and
    keeps the `before` section an earlier report recorded (the figures before issue 13's changes)."""

    def __init__(self, path: Path = REPORT):
        self.path = path
        self.states: Dict[str, Dict[str, Dict]] = {}

    def add(self, state: str, size: str, violations: List[Dict]) -> None:
        self.states.setdefault(state, {})[size] = {"counts": counts(violations), "violations": violations}

    def save(self) -> None:
        previous = {}
        if self.path.exists():
            try:
                previous = json.loads(self.path.read_text())
            except ValueError:
                previous = {}
        report = {
            "what": "axe-core on the web chat page (tests/web/test_accessibility.py, `make web-tests`): "
                    "violating elements per impact, per state and screen size",
            "date": time.strftime("%Y-%m-%d %H:%M"),
            "axe_core": axe_version(),
            "tags": TAGS,
            "sizes": SIZES,
            "states": self.states,
        }
        if "before" in previous:
            report["before"] = previous["before"]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(report, indent=2) + "\n")
