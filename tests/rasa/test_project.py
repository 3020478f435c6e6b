"""Domain and generated files agree with the knowledge base."""
from pathlib import Path

import yaml

from scripts.export_faq_responses import OUT, render

ROOT = Path(__file__).resolve().parents[2]


def test_faq_responses_are_generated_from_the_knowledge_base(kb):
    assert OUT.read_text(encoding="utf-8") == render(kb), "run: make data/nlu/faq_responses.yml"


def test_every_slot_is_set_by_the_bot_alone():
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    for name, slot in domain["slots"].items():
        assert [m["type"] for m in slot["mappings"]] == ["custom"], name


def test_the_emergency_response_works_without_the_action_server():
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    text = domain["responses"]["utter_red_flag"][0]["text"]
    assert "911" in text and "emergency room" in text
    rules = yaml.safe_load((ROOT / "data" / "rules.yml").read_text())["rules"]
    red_flag_rule = next(r for r in rules if r["steps"][0] == {"intent": "red_flag"})
    assert red_flag_rule["steps"][1] == {"action": "utter_red_flag"}
