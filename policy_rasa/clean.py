"""Rasa NLU component, first in the pipeline: the message text cleaned (policy_answers.clean) before
spaCy segments it and the featurizers see it.

Training examples are cleaned the same way, so the model learns on what it will meet. An example whose
annotated entities would move (cleaning changed its length) keeps its text: the annotations stay true.
The tracker keeps the user's original text; the actions clean it again with the same function.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from policy_answers.clean import clean


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class TextCleaner(GraphComponent):
    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> TextCleaner:
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for example in training_data.training_examples:
            text = example.get(TEXT)
            if not text:
                continue
            cleaned = clean(text)
            if example.get(ENTITIES) and len(cleaned) != len(text):
                continue
            example.set(TEXT, cleaned)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if text:
                message.set(TEXT, clean(text))
        return messages
