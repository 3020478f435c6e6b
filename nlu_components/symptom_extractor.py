"""Rasa NLU component: symptoms, side and onset from the knowledge-base-driven medspaCy extractor.

Adds entities `symptom` (value = finding id; role = absent | possible | other_person for
anything that is not the person's own present symptom), `side` and `onset`. When the person
reports a red flag that escalates without a question, the message's intent becomes `red_flag`,
so a rule answers with the emergency response even if the action server is down.

Red flags are looked for in the whole message, however long (MessageLengthLimiter cut the text
the classifiers read and kept the whole in FULL_TEXT, as typed in TYPED_TEXT) and in the
languages of data/knowledge/red_flags_translated.yml; everything else in the first
MAX_MESSAGE_CHARS characters. The whole text is put back as the message's text, so the
interview can tell the person that only the start was read.

The extractor has a time budget per message (`time_budget_seconds`, or the environment's
EXTRACTION_BUDGET_SECONDS; 3 s by default): what it has not read when the time is up is only
scanned for red-flag phrases, so a hostile message is still checked and answered. The whole NLU
pipeline runs off the server's event loop (nlu_components/off_loop.py).

A message starting with "/" is a command (Rasa's RegexMessageHandler, after this component,
sets the intent of "/affirm", "/inform{...}" and the like from the text itself). Without a red
flag in it, its intent is `nlu_fallback` here, so that the classifier's guess at "/foo"
("affirm") does not answer a question; the interview answers that it did not understand.
"""
from __future__ import annotations

import logging
import os
from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

import nlu_components.action_fallback  # noqa: F401 - answers for a failed action server
import nlu_components.off_loop  # noqa: F401 - messages are parsed in worker threads
from nlu_components.message_limit import FULL_TEXT, TYPED_TEXT, MessageLengthLimiter
from numbness_triage.answers import intent_borne_out, looks_like_a_question
from numbness_triage.extraction import MAX_MESSAGE_CHARS, PRESENT, Extraction, shared_extractor
from numbness_triage.language import looks_non_english
from numbness_triage.mentions import RED_FLAG_HINT_ENTITY, SYMPTOM_ENTITY
from numbness_triage.knowledge import DEFAULT_KNOWLEDGE_DIR, shared_knowledge_base
from numbness_triage.text_windows import Budget
from numbness_triage.triage import immediate_red_flags, present_red_flags

logger = logging.getLogger(__name__)
DEFAULT_TIME_BUDGET_SECONDS = 3.0
RED_FLAG_INTENT = "red_flag"
COMMAND_INTENT = "nlu_fallback"  # a "/..." message that RegexMessageHandler does not resolve
# Intents the classifier sometimes gives a plain description of symptoms ("had an infected cut,
# now my back is killing me" read as a question about one leg; "the weakness is new" read as
# "new assessment"). A message that reports the
# person's own symptoms and asks nothing is a description.
DESCRIPTION_LOOKALIKES = {"ask_faq", "out_of_scope", "nlu_fallback", "start_over"}

@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class SymptomExtractorComponent(GraphComponent, EntityExtractorMixin):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"knowledge_dir": str(DEFAULT_KNOWLEDGE_DIR), "time_budget_seconds": None}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self.knowledge_dir = config.get("knowledge_dir") or str(DEFAULT_KNOWLEDGE_DIR)
        self.time_budget = config.get("time_budget_seconds")
        if self.time_budget is None:
            self.time_budget = time_budget_from_environment()
        self.kb = shared_knowledge_base(self.knowledge_dir)
        self.extractor = shared_extractor(self.knowledge_dir)

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "SymptomExtractorComponent":
        return cls(config)

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "SymptomExtractorComponent":
        return cls(config)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._process_message(message)
        return messages

    def _process_message(self, message: Message) -> None:
        text = message.get(FULL_TEXT) or message.get(TEXT) or ""
        typed = message.get(TYPED_TEXT) or text  # as long as text: offsets into it are offsets into text
        extraction = self.extractor.extract(typed, Budget(self.time_budget))  # the start; red flags in the whole
        entities = message.get(ENTITIES, []) + self._entities(extraction)
        message.set(ENTITIES, entities, add_to_output=True)
        self._route_intent(message, extraction, text[: len(message.get(TEXT) or "")])
        read = text[:MAX_MESSAGE_CHARS]
        if ((read.lstrip().startswith("/") or looks_non_english(read))
                and (message.get(INTENT) or {}).get("name") != RED_FLAG_INTENT):
            # a command, or another language: no FAQ answer or classifier guess; the interview
            # says it did not understand, or that it reads English only (and to call 911)
            _set_intent(message, COMMAND_INTENT)
        if message.get(FULL_TEXT):
            message.set(TEXT, text)  # the interview tells the person it read only the start

    def _route_intent(self, message: Message, extraction: Extraction, text: Text) -> None:
        """The extractor has the last word on emergencies: a present red flag makes the intent
        `red_flag` whatever the classifier thought ("start over, I can't breathe"); the classifier's
        own `red_flag` guess, which cannot read "no" or "my father", stands only with such a flag;
        and a report of symptoms that asks nothing is a description."""
        flags = immediate_red_flags(self.kb, present_red_flags(self.kb, extraction.assertions))
        intent = (message.get(INTENT) or {}).get("name")
        if flags:
            _set_intent(message, RED_FLAG_INTENT)
        elif intent == RED_FLAG_INTENT or (
                intent in DESCRIPTION_LOOKALIKES and extraction.present and not looks_like_a_question(text)):
            _set_intent(message, "describe_symptoms")
        elif not intent_borne_out(intent, text):  # an answer the interview reads
            _set_intent(message, "inform")

    def _entities(self, extraction: Extraction) -> List[Dict[Text, Any]]:
        entities = []
        for mention in extraction.mentions:
            entity = {"entity": SYMPTOM_ENTITY, "value": mention.finding, "start": mention.start,
                      "end": mention.end, "confidence_entity": 1.0, "extractor": self.__class__.__name__}
            if mention.assertion != PRESENT:
                entity["role"] = mention.assertion
            if mention.subject:  # whose, for the interview: "he" is the patient when someone types for him
                entity["subject"] = mention.subject
                entity["their_assertion"] = mention.their_assertion
            entities.append(entity)
        for flag in extraction.hinted_red_flags:
            entities.append({"entity": RED_FLAG_HINT_ENTITY, "value": flag, "start": 0, "end": 0,
                             "confidence_entity": 1.0, "extractor": self.__class__.__name__})
        for name, value, span in (("side", extraction.side, extraction.side_span),
                                  ("onset", extraction.onset, extraction.onset_span)):
            if value and span:
                entities.append({"entity": name, "value": value, "start": span[0], "end": span[1],
                                 "confidence_entity": 1.0, "extractor": self.__class__.__name__})
        return entities


def red_flag_parse(text: Text) -> Dict[Text, Any]:
    """A parse with no time to read the message: only a scan for red-flag phrases (and cue
    words), no classifier; a red flag is still an emergency, anything else is not understood."""
    message = Message(data={TEXT: text if isinstance(text, str) else ""})
    MessageLengthLimiter().process([message])
    _set_intent(message, COMMAND_INTENT)
    no_time = {**SymptomExtractorComponent.get_default_config(), "time_budget_seconds": 0.0}
    component = SymptomExtractorComponent(no_time)
    component.process([message])
    return {TEXT: "", INTENT: {"name": None, "confidence": 0.0}, ENTITIES: [],
            **message.as_dict(only_output_properties=True)}


def time_budget_from_environment() -> float:
    try:
        return float(os.environ.get("EXTRACTION_BUDGET_SECONDS") or DEFAULT_TIME_BUDGET_SECONDS)
    except ValueError:
        return DEFAULT_TIME_BUDGET_SECONDS


def _set_intent(message: Message, name: Text) -> None:
    ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != name]
    message.set(INTENT, {"name": name, "confidence": 1.0}, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [{"name": name, "confidence": 1.0}, *ranking], add_to_output=True)
