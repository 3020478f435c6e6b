"""Rasa NLU component: the classifiers read at most MAX_MESSAGE_CHARS of a message.

The intent classifiers' memory grows with the length of a message (about 1.6 GB at 10,000
characters on this machine), so one pasted essay could take the server down for everyone. This
component runs first and keeps the first MAX_MESSAGE_CHARS characters as the text the pipeline
reads; the whole message stays in the attribute FULL_TEXT. The symptom extractor (last in the
pipeline) reads the whole message for red flags, the start for everything else, and puts the
whole text back, so the interview sees how long it was and tells the person it read only the start.
It also replaces terminal escape sequences and control characters by spaces (`readable`, as
long as the message: offsets into it are offsets into what was typed), for the classifiers and
the interview alike; the message as typed stays in TYPED_TEXT for the symptom extractor, which
puts it in normal form itself (a soft hyphen inside a word is no space).
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

import nlu_components.commands  # noqa: F401 - typed "/intent{...}" read only when safe (issue 16)
import nlu_components.listening  # noqa: F401 - a conversation always gets back to listening (issue 16)
from numbness_triage.limits import MAX_MESSAGE_CHARS
from numbness_triage.text_normalization import readable

FULL_TEXT = "full_text"  # the whole readable message, when TEXT was cut (not in the parse output)
TYPED_TEXT = "typed_text"  # the message as typed, when TEXT is not (not in the parse output)


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
            if not isinstance(text, str):
                continue
            if not text.isprintable():  # what the interview reads too: "\x1b[31m" is no age
                message.set(TYPED_TEXT, text)
                text = readable(text)
                message.set(TEXT, text)
            if len(text) > MAX_MESSAGE_CHARS:
                message.set(FULL_TEXT, text)
                message.set(TEXT, text[:MAX_MESSAGE_CHARS])
        return messages
