"""policy_rasa.speedups accepts and rejects action-server responses exactly as Rasa's own check does."""

from __future__ import annotations

from functools import cache
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st


@cache
def _rasa() -> tuple[Any, Any, dict[str, Any], Any]:
    """Rasa's RemoteAction with its response schema, the speed-ups, and the schema compiled once (what
    jsonschema.validate(result, schema) does without checking the schema on every call, most of this file's
    time): imported when a test runs, not when the file is collected, since they load TensorFlow."""
    from rasa.core.actions.action import RemoteAction

    from policy_rasa import speedups

    schema = RemoteAction.action_response_format_spec()
    stock_class = jsonschema.validators.validator_for(schema)
    stock_class.check_schema(schema)
    return RemoteAction("action_answer_policy", None), speedups, schema, stock_class(schema)


VALID = [
    {},
    {"events": [], "responses": []},
    {
        "events": [{"event": "slot", "name": "measure", "value": "rd_subsidy", "timestamp": None}],
        "responses": [{"text": "研发补助", "buttons": [{"title": "条件", "payload": "/ask_conditions"}]}],
    },
    {
        "events": [
            {"event": "active_loop", "name": None},
            {"event": "followup", "name": "action_listen"},
            {"event": "user", "text": "hi", "parse_data": {"intent": {"name": "greet", "confidence": 1}}},
            {"event": "bot", "text": "您好", "metadata": {}},
            {"event": "rewind"},
        ]
    },
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
    {"events": [{"event": "action", "name": "x", "confidence": True}]},  # a bool is no number
    {"events": [{"event": "slot", "name": "m", "value": 1, "metadata": []}]},
    {"events": [{"event": "slot", "name": "m", "value": 1, "timestamp": False}]},
    {"events": [{"event": "user", "parse_data": {"entities": [{"entity": "measure"}]}}]},
    {"events": ["slot"]},
]


def stock(result: Any) -> str | None:
    error = jsonschema.exceptions.best_match(_rasa()[3].iter_errors(result))
    return None if error is None else error.message


def ours(result: Any) -> str | None:
    try:
        action, speedups, _, _ = _rasa()
        assert speedups._validate_action_result(action, result) is True
    except jsonschema.ValidationError as error:
        return error.message.split(". Failed to validate Action server response")[0]
    return None


@pytest.mark.parametrize("result", VALID + INVALID)
def test_same_verdict_and_message_as_jsonschema_validate(result: Any) -> None:
    try:
        jsonschema.validate(result, _rasa()[2])
        validated = None
    except jsonschema.ValidationError as error:
        validated = error.message
    assert ours(result) == stock(result) == validated
    assert (stock(result) is None) == (result in VALID)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=8,
)
event_names = st.sampled_from(["slot", "action", "bot", "user", "active_loop", "rewind", "reminder", "nope"])
events = st.fixed_dictionaries(
    {"event": event_names},
    optional={
        "name": json_values,
        "value": json_values,
        "timestamp": json_values,
        "metadata": json_values,
        "text": json_values,
        "confidence": json_values,
        "entities": json_values,
        "parse_data": json_values,
    },
)


@settings(max_examples=300, deadline=None)
@given(
    st.fixed_dictionaries(
        {},
        optional={
            "events": st.lists(events, max_size=4) | json_values,
            "responses": st.lists(json_values, max_size=3) | json_values,
        },
    )
)
def test_random_responses_get_the_same_verdict(result: dict[str, Any]) -> None:
    assert ours(result) == stock(result)


# --- the action server's connections are kept --------------------------------------------------


async def test_endpoint_requests_reuse_one_connection() -> None:
    """Rasa's EndpointConfig.request, patched, sends several calls over one kept connection, with the
    endpoint's headers, and a fresh one after the server closed it."""
    from aiohttp import web
    from rasa.utils.endpoints import EndpointConfig

    speedups = _rasa()[1]
    speedups.install()
    peers: list[tuple[str, int]] = []

    async def webhook(request: web.Request) -> web.Response:
        peers.append(request.transport.get_extra_info("peername"))
        return web.json_response({"token": request.headers.get("X-Action-Token"), "got": await request.json()})

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook", headers={"X-Action-Token": "t"})
    try:
        answers = [await endpoint.request(json={"n": n, "text": "研发补助"}) for n in range(3)]
        assert answers == [{"token": "t", "got": {"n": n, "text": "研发补助"}} for n in range(3)]
        assert len(set(peers)) == 1, peers  # one connection for the three calls
    finally:
        await runner.cleanup()
    # The server went away with its connections; a new one answers on a new connection.
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    try:
        assert await endpoint.request(json={"n": 9}) == {"token": "t", "got": {"n": 9}}
        assert len(set(peers)) == 2
    finally:
        await endpoint.session().close()
        await runner.cleanup()


# --- DIET's prediction through its concrete function ---------------------------------------------

# Messages of every kind the model meets (a measure, figures, dialect, thanks, off topic, English, a
# follow-up, a hand-off): the speed-ups must give Rasa's own parses and predictions on them.
PROBES = [
    "研发补助最多能拿多少",
    "我们拿到200万研发补助，省市县各出多少？",
    "俺们村想办个农科驿站，政府给钱不？",
    "谢谢",
    "明天天气怎么样",
    "hi",
    "那荣成呢",
    "找谁申请",
    "转人工",
    "科技特拍员一年给多少",
]


@pytest.mark.built  # loads models/current.tar.gz (make model)
def test_concrete_prediction_gives_the_same_intents() -> None:
    """The trained model's intents and rankings are the same with and without the concrete function."""
    import asyncio
    from pathlib import Path

    from rasa.core.agent import Agent
    from rasa.utils.tensorflow.models import RasaModel

    speedups = _rasa()[1]
    model = Path(__file__).resolve().parents[2] / "models" / "current.tar.gz"
    agent = Agent.load(str(model))
    texts = PROBES

    def parse_all() -> list[dict[str, Any]]:
        return [asyncio.run(agent.parse_message(text)) for text in texts]

    patched = RasaModel._rasa_predict
    try:
        RasaModel._rasa_predict = speedups._rasa_predict  # type: ignore[method-assign]
        before = parse_all()
    finally:
        RasaModel._rasa_predict = patched  # type: ignore[method-assign]
    speedups.install()
    parse_all()  # the first prediction after a trace goes through Rasa's own path
    after = parse_all()
    for old, new in zip(before, after, strict=True):
        assert [r["name"] for r in old["intent_ranking"]] == [r["name"] for r in new["intent_ranking"]]
        assert old["intent"]["confidence"] == pytest.approx(new["intent"]["confidence"], abs=1e-6)
