"""Parsing the custom channel's answer: lenient with missing parts, strict with wrong shapes."""

from __future__ import annotations

from typing import Any

import pytest

from bot.rasa_client import BotMessage, Button, Entity, RasaBadResponseError, RasaTurn, parse_turn
from tests.bot.stub_rasa import ANSWER


def test_full_answer() -> None:
    assert parse_turn(ANSWER) == RasaTurn(
        messages=(
            BotMessage(
                text="农科驿站每个补助5万元。依据：威政办发〔2018〕32号 二（六）",
                buttons=(Button(title="申请条件", payload="/ask_conditions"),),
            ),
            BotMessage(custom={"card": {"measure": "agri_station"}}),
        ),
        intent="ask_amount",
        confidence=0.93,
        entities=(Entity(entity="measure", value="agri_station", text="农科驿站"),),
        measure="agri_station",
        outcome="answered",
        model_version="stubmodel0001",  # the channel's "turn.model": Rasa's model_id
    )


def test_missing_parts_are_empty() -> None:
    assert parse_turn({}) == RasaTurn(messages=())
    assert parse_turn({"messages": None, "nlu": None, "turn": None}) == RasaTurn(messages=())


def test_malformed_pieces_are_skipped() -> None:
    turn = parse_turn(
        {
            "messages": [
                "text",
                {"text": 5, "buttons": [{"title": "a"}, {"title": "b", "payload": "/b"}, "c"]},
                {"custom": "not a dict"},
            ],
            "nlu": {"intent": "", "confidence": float("nan"), "entities": [{"value": "no name"}, 3]},
            "turn": {"measure": 7, "outcome": None},
        }
    )
    assert turn == RasaTurn(messages=(BotMessage(buttons=(Button(title="b", payload="/b"),)),))


@pytest.mark.parametrize("confidence", [True, "0.9", None, float("inf")])
def test_confidence_must_be_a_finite_number(confidence: Any) -> None:
    assert parse_turn({"nlu": {"confidence": confidence}}).confidence is None


@pytest.mark.parametrize("body", [[], "text", None, {"messages": "hello"}])
def test_wrong_shapes_are_bad_responses(body: Any) -> None:
    with pytest.raises(RasaBadResponseError):
        parse_turn(body)
