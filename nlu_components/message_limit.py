"""Rasa NLU component: read at most MAX_MESSAGE_CHARS of a message.

The intent classifiers' memory grows with the length of a message (about 1.6 GB at 10,000
characters on this machine), so one pasted essay could take the server down for everyone. This
component runs first and keeps the first MAX_MESSAGE_CHARS characters; the interview tells the
person it read only the start. The symptom extractor reads the same amount.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from numbness_triage.extraction import MAX_MESSAGE_CHARS


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=False)
class MessageLengthLimiter(GraphComponent):
    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "MessageLengthLimiter":
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if isinstance(text, str) and len(text) > MAX_MESSAGE_CHARS:
                message.set(TEXT, text[:MAX_MESSAGE_CHARS])
        return messages
