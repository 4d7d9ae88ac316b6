"""The graphs run without dask, and past states worked out once, give Rasa's own parses and predictions."""

from __future__ import annotations

import asyncio
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from tests.production.test_speedups import PROBES

MODEL = Path(__file__).resolve().parents[2] / "models" / "current.tar.gz"
TEXTS = PROBES


@cache
def _agent() -> Any:
    """The trained model, loaded once (TensorFlow is imported only when a test runs)."""
    from rasa.core.agent import Agent

    return Agent.load(str(MODEL))


def _stock_and_ours() -> tuple[dict[str, Any], dict[str, Any]]:
    from policy_rasa import graph_runner, states_cache

    # Rasa's own methods, as the modules found them before installing theirs
    stock = {"run": graph_runner._dask_run, "past_states": states_cache._past_states}
    ours = {"run": graph_runner.run_in_order, "past_states": states_cache.past_states}
    return stock, ours


def _use(patches: dict[str, Any]) -> None:
    from rasa.engine.runner.dask import DaskGraphRunner
    from rasa.shared.core.trackers import DialogueStateTracker

    DaskGraphRunner.run = patches["run"]  # type: ignore[method-assign]
    DialogueStateTracker.past_states = patches["past_states"]  # type: ignore[method-assign]


def _conversation() -> list[tuple[dict[str, Any], list[tuple[str, float]]]]:
    """Each text parsed, then the actions predicted after it (until action_listen), on one tracker."""
    from rasa.shared.core.events import ActionExecuted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    agent = _agent()
    processor = agent.processor
    tracker = DialogueStateTracker.from_events("graph-speedups", [ActionExecuted("action_listen")])
    turns = []
    for text in TEXTS:
        parse = asyncio.run(agent.parse_message(text))
        tracker.update(UserUttered(text, parse["intent"], parse["entities"], parse))
        actions: list[tuple[str, float]] = []
        for _ in range(4):
            action, prediction = processor.predict_next_with_tracker_if_should(tracker)
            actions.append((action.name(), prediction.max_confidence))
            tracker.update(ActionExecuted(action.name(), prediction.policy_name, prediction.max_confidence))
            if action.name() == "action_listen":
                break
        turns.append(({k: parse[k] for k in ("intent", "entities", "intent_ranking")}, actions))
    return turns


@pytest.mark.built  # loads models/current.tar.gz (make model)
def test_same_parses_and_predictions_as_dask_and_rasa_past_states() -> None:
    stock, ours = _stock_and_ours()
    try:
        _use(stock)
        before = _conversation()
        _use(ours)
        after = _conversation()
    finally:
        _use(ours)
    assert len(after) == len(TEXTS)
    for (old_parse, old_actions), (new_parse, new_actions) in zip(before, after, strict=True):
        assert old_parse["intent"]["name"] == new_parse["intent"]["name"]
        assert old_parse["entities"] == new_parse["entities"]
        assert [r["name"] for r in old_parse["intent_ranking"]] == [r["name"] for r in new_parse["intent_ranking"]]
        assert [name for name, _ in old_actions] == [name for name, _ in new_actions]
        assert [c for _, c in old_actions] == pytest.approx([c for _, c in new_actions])
    # the conversation reached real answers: a custom action, not only fallbacks
    assert any(name == "action_answer_policy" for _, actions in after for name, _ in actions)


@pytest.mark.built
def test_past_states_are_fresh_copies_and_follow_new_events() -> None:
    from rasa.shared.core.events import ActionExecuted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from policy_rasa import states_cache

    domain = _agent().domain
    tracker = DialogueStateTracker.from_events(
        "states", [ActionExecuted("action_listen"), UserUttered("研发补助", {"name": "ask_amount", "confidence": 1.0})]
    )
    first = states_cache.past_states(tracker, domain)
    assert first == states_cache._past_states(tracker, domain)
    first[-1]["user"].clear()  # what the featurizer does to the last state must not reach the next caller
    assert states_cache.past_states(tracker, domain) == states_cache._past_states(tracker, domain)
    assert states_cache.past_states(tracker, domain)[-1]["user"]["intent"] == "ask_amount"
    tracker.update(ActionExecuted("action_answer_policy"))
    after = states_cache.past_states(tracker, domain)
    assert after == states_cache._past_states(tracker, domain)
    assert after[-1]["prev_action"]["action_name"] == "action_answer_policy"
