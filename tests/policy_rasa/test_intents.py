"""The intent refiner: a named policy term overrules small talk, a request for a person is a hand-off,
a profile with a product word stays the policy calculator's."""

from __future__ import annotations

from typing import Any

import pytest
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message


def refined(text: str, intent: str, entities: list[dict[str, Any]], ranking: list[str] | None = None) -> str:
    # Imported here: the refiner's module loads Rasa's recipe and TensorFlow, which a worker of
    # make test-fast should pay only when it runs these tests.
    from policy_rasa.intents import MeasureIntentRefiner

    message = Message(
        {
            TEXT: text,
            INTENT: {"name": intent, "confidence": 0.5},
            ENTITIES: entities,
            INTENT_RANKING_KEY: [{"name": n, "confidence": 0.1} for n in ranking or [intent]],
        }
    )
    MeasureIntentRefiner().process([message])
    return message.get(INTENT)["name"]


def measure(value: str, **extra: Any) -> dict[str, Any]:
    return {"entity": "measure", "value": value, "confidence_entity": 1.0, **extra}


@pytest.mark.parametrize(
    ("text", "intent", "entities", "ranking", "expected"),
    [
        ("想问研发补助", "goodbye", [measure("rd_subsidy")], ["goodbye", "ask_amount"], "ask_amount"),
        ("特派员", "greet", [measure("tech_commissioner")], ["greet"], "ask_measure_info"),
        ("技术交易额", "chitchat", [{"entity": "target", "value": "tech_trade"}], ["chitchat"], "ask_targets"),
        ("说了半天没整明白，能找个人工不？", "deny", [], ["deny"], "handoff"),
        ("人工智能有支持吗", "out_of_scope", [], ["out_of_scope"], "out_of_scope"),
        ("你是真人客服吗", "bot_challenge", [], ["bot_challenge"], "bot_challenge"),
        ("有没有真人能解答一下？", "nlu_fallback", [], ["nlu_fallback"], "handoff"),
        ("能不能让真人来回答", "chitchat", [], ["chitchat"], "handoff"),
        ("你是真人吗", "chitchat", [], ["chitchat"], "chitchat"),
        ("县域科技金融有哪些措施？", "ask_what_can_i_get", [], ["ask_what_can_i_get"], "ask_measure_info"),
        ("农业方面有啥支持", "nlu_fallback", [], ["nlu_fallback"], "ask_measure_info"),
        (
            "我是农民，农业方面有啥支持",
            "ask_what_can_i_get",
            [{"entity": "applicant_type", "value": "farmer"}],
            ["ask_what_can_i_get"],
            "ask_what_can_i_get",
        ),
        ("金融办在哪", "out_of_scope", [], ["out_of_scope"], "out_of_scope"),
        ("你好", "greet", [], ["greet"], "greet"),
        (
            "我们是做海参养殖的合作社，有什么政策",
            "ask_what_can_i_get",
            [measure("agri_key_tech", product=True), {"entity": "applicant_type", "value": "farmer"}],
            ["ask_what_can_i_get"],
            "ask_what_can_i_get",
        ),
        (
            "我们企业能申请研发补助吗",
            "ask_what_can_i_get",
            [measure("rd_subsidy"), {"entity": "applicant_type", "value": "enterprise"}],
            ["ask_what_can_i_get"],
            "ask_eligibility",
        ),
    ],
)
def test_refiner(text: str, intent: str, entities: list[dict[str, Any]], ranking: list[str], expected: str) -> None:
    assert refined(text, intent, entities, ranking) == expected
