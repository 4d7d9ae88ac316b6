"""policy_rasa.speedups accepts and rejects action-server responses exactly as Rasa's own check does."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rasa.core.actions.action import RemoteAction

from policy_rasa import speedups

SCHEMA = RemoteAction.action_response_format_spec()
ACTION = RemoteAction("action_answer_policy", None)

VALID = [
    {},
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "measure", "value": "rd_subsidy", "timestamp": None}],
     "responses": [{"text": "研发补助", "buttons": [{"title": "条件", "payload": "/ask_conditions"}]}]},
    {"events": [{"event": "active_loop", "name": None}, {"event": "followup", "name": "action_listen"},
                {"event": "user", "text": "hi", "parse_data": {"intent": {"name": "greet", "confidence": 1}}},
                {"event": "bot", "text": "您好", "metadata": {}}, {"event": "rewind"}]},
]
INVALID = [
    [],
    {"events": None},
    {"events": {}},
    {"responses": ["text"]},
    {"events": [{"event": "slot", "name": "measure"}]},  # no value
    {"events": [{"event": "slot", "name": 5, "value": 1}]},
    {"events": [{"event": "no_such_event"}]},
    {"events": [{"name": "measure", "value": 1}]},  # no event name
    {"events": [{"event": ["slot"], "name": "m", "value": 1}]},
    {"events": [{"event": "action", "name": "x", "confidence": "high"}]},
    {"events": [{"event": "bot", "timestamp": "now"}]},
    {"events": [{"event": "user", "parse_data": {"entities": [{"entity": "measure"}]}}]},
    {"events": ["slot"]},
]


def stock(result: Any) -> str | None:
    try:
        jsonschema.validate(result, SCHEMA)
    except jsonschema.ValidationError as error:
        return error.message
    return None


def ours(result: Any) -> str | None:
    try:
        assert speedups._validate_action_result(ACTION, result) is True
    except jsonschema.ValidationError as error:
        return error.message.split(". Failed to validate Action server response")[0]
    return None


@pytest.mark.parametrize("result", VALID + INVALID)
def test_same_verdict_and_message_as_jsonschema_validate(result: Any) -> None:
    assert ours(result) == stock(result)
    assert (stock(result) is None) == (result in VALID)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=8,
)
event_names = st.sampled_from(["slot", "action", "bot", "user", "active_loop", "rewind", "reminder", "nope"])
events = st.fixed_dictionaries(
    {"event": event_names},
    optional={"name": json_values, "value": json_values, "timestamp": json_values, "metadata": json_values,
              "text": json_values, "confidence": json_values, "entities": json_values, "parse_data": json_values},
)


@settings(max_examples=300, deadline=None)
@given(st.fixed_dictionaries({}, optional={"events": st.lists(events, max_size=4) | json_values,
                                            "responses": st.lists(json_values, max_size=3) | json_values}))
def test_random_responses_get_the_same_verdict(result: dict[str, Any]) -> None:
    assert ours(result) == stock(result)
