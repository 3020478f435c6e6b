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


@pytest.mark.parametrize("text", ["no slurred speech", "my father had slurred speech when he had his stroke",
                                  "my speech is fine", "is slurred speech a sign of a stroke?"])
def test_denied_or_someone_elses_red_flag_leaves_the_intent(component, text):
    assert process(component, text).get("intent")["name"] == "describe_symptoms"


def test_an_ambiguous_flag_is_left_to_the_interview(component):
    assert process(component, "my legs are weak").get("intent")["name"] == "describe_symptoms"


def test_button_payloads_add_nothing(component):
    message = Message(data={"text": "/affirm", "intent": {"name": "affirm", "confidence": 1.0}})
    component.process([message])
    assert message.get("entities", []) == []


@pytest.mark.parametrize("text", ["/foo", "/", "/affirm", '/inform{"bad json', '/affirm{"interview": {}}'])
def test_a_command_is_never_the_classifiers_guess(component, text):
    """DIET reads "/foo" as affirm; RegexMessageHandler (after this component) sets the intent of the
    commands it knows from the text itself, and leaves the others as they are here: nlu_fallback."""
    assert process(component, text, intent="affirm").get("intent")["name"] == "nlu_fallback"


def test_a_red_flag_after_a_slash_is_still_an_emergency(component):
    assert process(component, "/foo my speech is slurred", intent="affirm").get("intent")["name"] == "red_flag"


def limited(text, intent="describe_symptoms"):
    """A message through MessageLengthLimiter, as the pipeline runs it first."""
    from nlu_components.message_limit import MessageLengthLimiter

    message = Message(data={"text": text})
    MessageLengthLimiter().process([message])
    message.set("intent", {"name": intent, "confidence": 0.8}, add_to_output=True)
    message.set("intent_ranking", [{"name": intent, "confidence": 0.8}], add_to_output=True)
    return message


def test_the_classifiers_read_the_start_the_extractor_the_whole(component):
    text = ("my left leg has been numb for a week " * 300)[:9_000] + " and my speech is slurred"
    message = limited(text)
    assert len(message.get("text")) == 5_000  # what the classifiers read
    component.process([message])
    assert message.get("intent")["name"] == "red_flag"
    flags = [e for e in message.get("entities") if e["entity"] == "symptom" and e["value"] == "slurred_speech"]
    assert flags and "role" not in flags[0]
    assert message.as_dict(only_output_properties=True)["text"] == text  # the interview sees the length
    assert "full_text" not in message.as_dict(only_output_properties=True)


def test_terminal_escapes_and_control_characters_are_not_read_as_words_or_numbers():
    """An ANSI colour code in a pasted message once answered "how old are you?" with 31."""
    message = limited("my leg is numb\x00\x01\x07\x1b[31m and\b tingly\u202e")
    text = message.get("text")
    assert "31" not in text and text.isprintable()
    assert text.split() == ["my", "leg", "is", "numb", "and", "tingly"]


def test_a_long_message_without_a_red_flag_keeps_its_intent(component):
    text = ("my left leg has been numb for a week " * 300)[:9_000] + " and my speech is fine"
    message = limited(text)
    component.process([message])
    assert message.get("intent")["name"] == "describe_symptoms"


@pytest.mark.parametrize("text", ["se me durmió la pierna y no puedo hablar bien, arrastro las palabras",
                                  "je n'arrive plus à parler", "我说话不清楚"])
def test_a_red_flag_in_another_language_is_an_emergency(component, text):
    assert process(component, text, intent="out_of_scope").get("intent")["name"] == "red_flag"


@pytest.mark.parametrize("text", ["no tengo problemas para hablar", "Tengo la pierna izquierda entumecida"])
def test_another_language_without_a_red_flag_is_no_emergency_and_no_faq(component, text):
    """(The FAQ rule would answer an unrelated question first; the interview says "English only".)"""
    assert process(component, text, intent="ask_faq").get("intent")["name"] == "nlu_fallback"


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
    message = process(component, "will the numbness in my leg spread?", intent="ask_faq")
    assert message.get("intent")["name"] == "ask_faq"
