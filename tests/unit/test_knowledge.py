import shutil
from pathlib import Path

import pytest
import yaml

from numbness_triage.finding_ids import NAMED_IN_CODE
from numbness_triage.knowledge import DEFAULT_KNOWLEDGE_DIR, KnowledgeError, Urgency, load_knowledge_base, seed_pages

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
SERIOUS_SYMPTOMS_OF_PAGE_000 = [
    "confusion", "loss_of_consciousness", "difficulty_breathing", "difficulty_walking", "dizziness",
    "back_injury", "loss_of_bladder_or_bowel_control", "vision_changes", "paralysis", "slurred_speech",
    "sudden_numbness", "weakness",
]
TEN_CAUSES_OF_PAGE_004 = [
    "stroke_tia", "restless_legs_syndrome", "peripheral_arterial_disease", "multiple_sclerosis", "herniated_disk",
    "fibular_nerve_injury", "fibromyalgia", "diabetic_neuropathy", "idiopathic_peripheral_neuropathy",
    "vertebral_osteomyelitis",
]


def test_every_serious_symptom_of_the_overview_is_a_red_flag_needing_emergency_care(kb):
    for finding_id in SERIOUS_SYMPTOMS_OF_PAGE_000:
        flag = kb.findings[finding_id].red_flag
        assert flag is not None, finding_id
        assert flag.urgency.at_least(Urgency.emergency)


def test_the_faq_emergencies_are_red_flags(kb):
    for finding_id in ("no_pulse_in_leg", "limb_colour_change", "paralysis", "spreading_weakness",
                       "difficulty_breathing"):
        assert kb.findings[finding_id].red_flag.urgency == Urgency.emergency_ambulance


def test_the_ten_causes_of_page_004_and_benign_compression_are_there(kb):
    assert set(TEN_CAUSES_OF_PAGE_004) | {"temporary_compression"} <= set(kb.causes)
    assert kb.causes["temporary_compression"].urgency == Urgency.self_care


def test_every_cause_can_be_told_and_ranked(kb):
    """Each cause names findings the extractor can hear, one of them at least among its top
    symptoms, and an urgency with advice; one that needs an emergency must show a hallmark first."""
    for cause in kb.causes.values():
        assert cause.top_symptoms, cause.id
        for finding_id in cause.finding_ids():
            assert kb.findings[finding_id].phrases, (cause.id, finding_id)
        assert kb.advice_for(cause.urgency), cause.id
        if cause.urgency.at_least(Urgency.emergency):
            assert cause.hallmarks.findings or cause.hallmarks.onsets, cause.id


def test_every_red_flag_can_be_heard_and_named_back(kb):
    for flag, finding in kb.red_flags.items():
        assert finding.phrases and finding.red_flag.heard, flag
        assert finding.red_flag.urgency.at_least(Urgency.emergency), flag


def test_the_findings_the_code_names_are_in_the_knowledge_base(kb):
    assert set(NAMED_IN_CODE) <= set(kb.findings)


def test_removing_a_finding_the_code_names_fails_at_load(broken_copy):
    def without(value, removed):
        if isinstance(value, dict):
            return {k: without(v, removed) for k, v in value.items()}
        if isinstance(value, list):
            return [without(v, removed) for v in value
                    if v != removed and not (isinstance(v, dict) and v.get("id") == removed)]
        return value

    for path in broken_copy.glob("*.yml"):
        _edit(path, lambda d: d.update(without(d, "family_history_ms")))
    with pytest.raises(KnowledgeError, match="findings.yml.*family_history_ms.*finding_ids.py"):
        load_knowledge_base(broken_copy)


def test_risk_groups_follow_the_page(kb):
    assert (kb.causes["multiple_sclerosis"].risk.ages.min, kb.causes["multiple_sclerosis"].risk.ages.max) == (20, 50)
    assert kb.causes["multiple_sclerosis"].risk.sex["female"] > 0.5
    assert kb.causes["herniated_disk"].risk.sex["male"] > 0.5
    assert kb.causes["idiopathic_peripheral_neuropathy"].risk.ages.min == 60
    assert kb.causes["fibromyalgia"].risk.sex["female"] == pytest.approx(0.9)


def test_urgency_scale_has_five_levels_in_order_with_advice(kb):
    assert [level.value for level in Urgency] == [
        "self_care", "consultation", "consultation_24", "emergency", "emergency_ambulance"]
    assert "911" in kb.advice_for(Urgency.emergency_ambulance)
    assert all(kb.urgency_levels[level].advice for level in Urgency)


@pytest.mark.skipif(not SEEDS.exists(), reason="seed pages not beside the repository")
def test_the_doctors_questions_are_the_pages_words(kb):
    page = (SEEDS / "004_b1a047c432c3b2df.txt").read_text(encoding="utf-8")
    doctor = [q for q in kb.questions.values() if q.doctor_asks]
    assert len(doctor) == 4
    for question in doctor:
        assert question.text in page


def test_every_entry_cites_a_seed_page(kb):
    groups = [kb.findings, kb.causes, kb.cause_groups, kb.questions, kb.faqs, kb.advice, kb.urgency_levels]
    for entries in groups:
        for entry in entries.values():
            assert entry.source.split("#")[0] in seed_pages()


def test_every_yes_no_question_answers_a_known_finding(kb):
    for question in kb.questions.values():
        if question.kind == "yes_no":
            assert question.finding in kb.findings


@pytest.fixture
def broken_copy(tmp_path):
    target = tmp_path / "knowledge"
    shutil.copytree(DEFAULT_KNOWLEDGE_DIR, target)
    return target


def _edit(path, edit):
    document = yaml.safe_load(path.read_text())
    edit(document)
    path.write_text(yaml.safe_dump(document, sort_keys=False))


def test_a_bad_entry_fails_with_file_entry_and_reason(broken_copy):
    _edit(broken_copy / "causes.yml", lambda d: d["causes"][1].update(urgency="whenever"))
    with pytest.raises(KnowledgeError) as error:
        load_knowledge_base(broken_copy)
    message = str(error.value)
    assert "causes.yml" in message and "restless_legs_syndrome" in message and "urgency" in message


def test_a_cause_naming_an_unknown_symptom_fails(broken_copy):
    _edit(broken_copy / "causes.yml", lambda d: d["causes"][0]["top_symptoms"].append("purple_toenails"))
    with pytest.raises(KnowledgeError, match="stroke_tia.*purple_toenails"):
        load_knowledge_base(broken_copy)


def test_an_entry_without_a_seed_page_fails(broken_copy):
    _edit(broken_copy / "findings.yml", lambda d: d["findings"][0].update(source="somewhere on the internet"))
    with pytest.raises(KnowledgeError, match="findings.yml.*leg_numbness.*source"):
        load_knowledge_base(broken_copy)


def test_a_phrase_owned_by_two_findings_fails(broken_copy):
    _edit(broken_copy / "findings.yml", lambda d: d["findings"][1]["phrases"].append("dead leg"))
    with pytest.raises(KnowledgeError, match="dead leg"):
        load_knowledge_base(broken_copy)


def test_invalid_yaml_names_the_file(broken_copy):
    (broken_copy / "faq.yml").write_text("faqs: [unclosed")
    with pytest.raises(KnowledgeError, match="faq.yml.*not valid YAML"):
        load_knowledge_base(broken_copy)


# ----------------------------------------------------------------------------- translated red flags
def test_every_translated_red_flag_is_a_translation_of_a_seed_red_flag(kb):
    assert {"es", "fr", "pt", "zh"} <= set(kb.languages)
    assert kb.translated_red_flags
    for entry in kb.translated_red_flags.values():
        assert kb.findings[entry.id].red_flag is not None
        assert entry.source.split("#")[0] in seed_pages() and "translated" in entry.source
        assert entry.translation_of.strip()
        assert "es" in entry.phrases  # Spanish for every one


def test_every_red_flag_that_escalates_at_once_is_translated(kb):
    immediate = {f for f, finding in kb.red_flags.items() if finding.red_flag.escalation == "immediate"}
    assert immediate <= set(kb.translated_red_flags)


@pytest.mark.parametrize("edit, reason", [
    (lambda d: d["red_flags"][0].update(id="purple_toenails"), "purple_toenails"),
    (lambda d: d["red_flags"][0]["phrases"].update(xx=["algo"]), "unknown language 'xx'"),
    (lambda d: d["red_flags"][0]["phrases"]["es"].append("  "), "must not be empty"),
    (lambda d: d["red_flags"][0]["phrases"].update(de=[]), "no phrases"),
    (lambda d: d["red_flags"][0].update(translation_of=" "), "translation_of"),
    (lambda d: d["red_flags"][0].update(source="a dictionary"), "source"),
    (lambda d: d["red_flags"][0]["phrases"]["es"].append("slurred speech"), "English phrase"),
    (lambda d: d["languages"][0].update(english_only_notice="Solo inglés."), "911"),
])
def test_a_bad_translated_red_flag_fails_with_file_entry_and_reason(broken_copy, edit, reason):
    _edit(broken_copy / "red_flags_translated.yml", edit)
    with pytest.raises(KnowledgeError) as error:
        load_knowledge_base(broken_copy)
    message = str(error.value)
    assert "red_flags_translated.yml" in message and reason in message
    assert "entry" in message


# ----------------------------------------------------------------------------- a change in YAML alone
def test_a_new_cause_and_a_new_red_flag_need_yaml_alone(broken_copy):
    """A cause, its finding and a red flag added to the YAML of a copied knowledge base: the
    extractor finds them, the ranking puts the cause first on its own story, the red flag escalates."""
    from numbness_triage.extraction import SymptomExtractor
    from numbness_triage.interview import Interview, Turn
    from numbness_triage.state import State

    def add(document):
        document["findings"].append({"id": "burning_outer_thigh", "label": "burning on the outer thigh",
                                     "phrases": ["burning outer thigh", "outer thigh burns"],
                                     "source": "000_e189db9327c4d401.txt#test entry"})
        document["findings"].append({"id": "leg_on_fire_and_cold", "label": "a leg both burning and ice cold",
                                     "phrases": ["leg is on fire and ice cold"],
                                     "source": "000_e189db9327c4d401.txt#test",
                                     "red_flag": {"urgency": "emergency",
                                                  "heard": "you said your leg burns and is cold"}})
    _edit(broken_copy / "findings.yml", add)
    _edit(broken_copy / "causes.yml", lambda d: d["causes"].append({
        "id": "thigh_nerve_squeeze", "name": "A squeezed thigh nerve", "rarity": "common", "urgency": "consultation",
        "description": "A nerve of the outer thigh pressed where it leaves the pelvis.",
        "top_symptoms": ["burning_outer_thigh", "upper_leg_numbness"], "source": "000_e189db9327c4d401.txt#test"}))
    kb = load_knowledge_base(broken_copy)
    extractor = SymptomExtractor(kb, broken_copy)
    state, interview = State(), Interview(kb)
    text = "my outer thigh burns and my thigh is numb"
    interview.handle_turn(state, Turn("describe_symptoms", text, extractor.extract(text)))
    for _ in range(20):
        if state.stage != "interview":
            break
        interview.handle_turn(state, Turn("deny", "no", extractor.extract("no")))
    assert state.assessment["assessment"]["causes"][0]["id"] == "thigh_nerve_squeeze"
    emergency = State()
    text = "my leg is on fire and ice cold"
    interview.handle_turn(emergency, Turn("describe_symptoms", text, extractor.extract(text)))
    assert emergency.red_flags == ["leg_on_fire_and_cold"]
