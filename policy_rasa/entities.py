"""Rasa NLU component: the knowledge base's entities, whole, with their KB ids as values.

Three sure sources, in order: the spaCy entity ruler (on the KB-aware segmentation), then the same
terms matched on characters where jieba still glued a term to its neighbour ('荣成县里' hides
荣成), then one-character typos of measure names (创新卷, 特派圆). Money ('200万', '两百万元',
'1.5亿') becomes a `money` entity whose value is in yuan.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import SPACY_DOCS
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.utils.spacy_utils import SpacyModel, SpacyNLP
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

import policy_rasa.spacy_zh  # noqa: F401  registers the KB tokenizer the saved spaCy pipeline is loaded with
from policy_kb.terms import TermIndex
from policy_rasa.kb_entities import extract_entities, term_indexes


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False, model_from="SpacyNLP")
class KBEntityExtractor(GraphComponent, EntityExtractorMixin):
    @classmethod
    def required_components(cls) -> list[type]:
        return [SpacyNLP]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {}

    def __init__(self, config: dict[str, Any]) -> None:
        self._config = config
        self._terms: dict[str, TermIndex] | None = None

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> KBEntityExtractor:
        return cls(config)

    def _term_indexes(self, model: SpacyModel) -> dict[str, TermIndex]:
        if self._terms is None:
            self._terms = term_indexes(model.model.get_pipe("entity_ruler").patterns)
        return self._terms

    def process(self, messages: list[Message], model: SpacyModel) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            doc = message.get(SPACY_DOCS[TEXT]) or model.model(text)
            entities = self.extract(text, doc, self._term_indexes(model))
            message.set(ENTITIES, message.get(ENTITIES, []) + self.add_extractor_name(entities), add_to_output=True)
        return messages

    extract = staticmethod(extract_entities)
