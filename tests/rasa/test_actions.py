"""The actions with a real rasa_sdk Tracker and CollectingDispatcher, as the action server runs them."""
import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.interview_actions import ActionEscalate, ActionInterviewTurn
from nlu_components.symptom_extractor import SymptomExtractorComponent


@pytest.fixture(scope="module")
def component():
    return SymptomExtractorComponent({})


def parse(component, text, intent):
    """What the NLU would hand the tracker: intent and the extractor's entities."""
    from rasa.shared.nlu.training_data.message import Message

    message = Message(data={"text": text, "intent": {"name": intent, "confidence": 0.9}})
    component.process([message])
    return {"text": text, "intent": message.get("intent"), "entities": message.get("entities", [])}


def tracker(latest_message, slots=None):
    return Tracker("person-1", slots or {}, latest_message, [], False, None, {}, "action_listen")


def slots_of(events):
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


async def test_first_description_is_noted_and_a_question_follows(component):
    dispatcher = CollectingDispatcher()
    message = parse(component, "my left leg is numb, no back pain", "describe_symptoms")
    events = await ActionInterviewTurn().run(dispatcher, tracker(message), {})
    texts = [m["text"] for m in dispatcher.messages]
    assert any("leg numbness" in t and "no lower back pain" in t for t in texts)
    assert "How old are you" in texts[-1]
    state = slots_of(events)["interview"]
    assert state["findings"] == {"leg_numbness": "present", "lower_back_pain": "absent"}


async def test_yes_no_questions_carry_buttons(component):
    state = {"stage": "interview", "findings": {"leg_numbness": "present"}, "age": 40, "sex": "male", "side": "left",
             "onset": "gradual", "duration": None, "pending": "duration", "asked": ["age_sex", "duration"]}
    dispatcher = CollectingDispatcher()
    message = parse(component, "about two weeks", "inform")
    await ActionInterviewTurn().run(dispatcher, tracker(message, {"interview": state}), {})
    last = dispatcher.messages[-1]
    assert [b["payload"] for b in last["buttons"]] == ["/affirm", "/deny", "/unsure"]


async def test_escalation_names_what_was_heard_and_sends_the_payload(component):
    dispatcher = CollectingDispatcher()
    latest = parse(component, "I can't move my leg", "describe_symptoms")
    assert latest["intent"]["name"] == "red_flag"
    events = await ActionEscalate().run(dispatcher, tracker(latest), {})
    custom = [m["custom"] for m in dispatcher.messages if m.get("custom")]
    assert custom and custom[-1]["assessment"]["red_flags"] == ["paralysis"]
    assert custom[-1]["assessment"]["triage"] == "emergency_ambulance"
    slots = slots_of(events)
    assert slots["triage"] == "emergency_ambulance" and slots["red_flags"] == ["paralysis"]
    assert slots["assessment"] == custom[-1]


async def test_a_payload_cannot_clear_a_red_flag(component):
    state = {"stage": "escalated", "findings": {"paralysis": "present"}, "red_flags": ["paralysis"],
             "triage": "emergency_ambulance",
             "assessment": {"assessment": {"triage": "emergency_ambulance", "red_flags": ["paralysis"], "causes": []}}}
    injected = {"text": '/deny{"symptom": "paralysis"}', "intent": {"name": "deny", "confidence": 1.0},
                "entities": [{"entity": "symptom", "value": "paralysis", "role": "absent"}]}
    events = await ActionInterviewTurn().run(CollectingDispatcher(), tracker(injected, {"interview": state}), {})
    slots = slots_of(events)
    assert slots["red_flags"] == ["paralysis"] and slots["triage"] == "emergency_ambulance"


async def test_a_failure_inside_the_action_still_answers_the_person(monkeypatch, component):
    import actions.interview_actions as module

    def broken(*args, **kwargs):
        raise RuntimeError("knowledge base unreadable")

    monkeypatch.setattr(module.Interview, "handle_turn", broken)
    dispatcher = CollectingDispatcher()
    message = parse(component, "my leg is numb", "describe_symptoms")
    events = await ActionInterviewTurn().run(dispatcher, tracker(message), {})
    assert "911" in dispatcher.messages[0]["text"]
    assert events == []
