"""Rasa NLU component: a profile question that names a measure is a question about that measure.

"我们是做海参的骨干企业，有啥技术攻关项目" reads like "what can I get" (ask_what_can_i_get), which starts
the policy calculator's form; but it names a measure (海参 → the directed agricultural projects), so
the user wants that measure's eligibility. Deciding this from the KB's entity is sure; leaving it to a
rule would depend on how the dialogue policy ranks a rule with entities against one without.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY
from rasa.shared.nlu.training_data.message import Message

REMAP = {"ask_what_can_i_get": "ask_eligibility"}


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class MeasureIntentRefiner(GraphComponent):
    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> MeasureIntentRefiner:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            target = REMAP.get(intent.get(INTENT_NAME_KEY))
            names_measure = any(e.get("entity") == "measure" for e in message.get(ENTITIES, []))
            if target and names_measure:
                message.set(INTENT, {**intent, INTENT_NAME_KEY: target}, add_to_output=True)
        return messages
