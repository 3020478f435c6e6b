"""The symptom extractor inside a Rasa Message, as the NLU pipeline runs it."""
import pytest
from rasa.shared.nlu.training_data.message import Message

from nlu_components.symptom_extractor import SymptomExtractorComponent


@pytest.fixture(scope="module")
def component():
    return SymptomExtractorComponent(SymptomExtractorComponent.get_default_config())


def process(component, text, intent="describe_symptoms"):
    message = Message(data={"text": text, "intent": {"name": intent, "confidence": 0.8},
                            "intent_ranking": [{"name": intent, "confidence": 0.8}]})
    component.process([message])
    return message


def test_symptoms_become_entities_with_roles(component):
    message = process(component, "no back pain but my left leg is numb")
    symptoms = {(e["value"], e.get("role")) for e in message.get("entities") if e["entity"] == "symptom"}
    assert symptoms == {("lower_back_pain", "absent"), ("leg_numbness", None)}
    side = [e for e in message.get("entities") if e["entity"] == "side"]
    assert side[0]["value"] == "left"
    text = message.get("text")
    assert "left" in text[side[0]["start"]:side[0]["end"]]


def test_other_person_and_possible_roles(component):
    message = process(component, "my father had a stroke with slurred speech; maybe I have back pain")
    roles = {e["value"]: e.get("role") for e in message.get("entities") if e["entity"] == "symptom"}
    assert roles["slurred_speech"] == "other_person"
    assert roles["lower_back_pain"] == "possible"


def test_a_present_red_flag_turns_the_intent_into_red_flag(component):
    message = process(component, "yes and my face is drooping", intent="affirm")
    assert message.get("intent")["name"] == "red_flag"
    assert message.get("intent_ranking")[0]["name"] == "red_flag"


@pytest.mark.parametrize("text", ["no slurred speech", "my father had slurred speech", "my speech is fine",
                                  "is slurred speech a sign of a stroke?"])
def test_denied_or_someone_elses_red_flag_leaves_the_intent(component, text):
    assert process(component, text).get("intent")["name"] == "describe_symptoms"


def test_an_ambiguous_flag_is_left_to_the_interview(component):
    assert process(component, "my legs are weak").get("intent")["name"] == "describe_symptoms"


def test_button_payloads_are_not_reread(component):
    message = Message(data={"text": "/affirm", "intent": {"name": "affirm", "confidence": 1.0}})
    component.process([message])
    assert message.get("entities", []) == []


def test_the_classifiers_red_flag_guess_needs_the_extractors_finding(component):
    message = Message(data={"text": "my speech is fine", "intent": {"name": "red_flag", "confidence": 0.7},
                            "intent_ranking": [{"name": "red_flag", "confidence": 0.7},
                                               {"name": "describe_symptoms", "confidence": 0.2}]})
    component.process([message])
    assert message.get("intent")["name"] == "describe_symptoms"


def test_a_description_read_as_a_question_becomes_a_description(component):
    message = process(component, "had an infected cut last month, now my back is killing me and my leg is numb",
                      intent="ask_faq")
    assert message.get("intent")["name"] == "describe_symptoms"


def test_a_real_question_stays_a_question(component):
    assert process(component, "will the numbness in my leg spread?", intent="ask_faq").get("intent")["name"] == "ask_faq"
