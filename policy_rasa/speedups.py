"""Three fixes to Rasa 3.6.21's per-message cost, installed when the Rasa process loads our tracker store.

1. The action server's answers are checked without re-checking the schema each time.

Rasa checks every action-server response with `jsonschema.validate(result, schema)`. That function
first validates the schema itself against the JSON Schema meta-schema, on every call: measured with
py-spy on this bot, 33% of the Rasa process's CPU time for short conversations went there (two
custom actions per typical turn), and checking the events against the schema's `oneOf` of 23 event
kinds took another 9%. Here the schema is checked once; each event is checked against the one kind
its "event" name selects (the kinds are told apart by a `const` on that name, so this accepts exactly
what the `oneOf` accepts), and anything that does not pass is run through the full compiled validator,
so an invalid response raises the same error with the same message as before.

2. Rasa opens a new aiohttp ClientSession, and so a new TCP connection, for every call to the action
server (`EndpointConfig.request` does `async with self.session()`): two connections set up and torn
down per typical turn. Here each endpoint keeps one session per event loop, whose connections stay
open between calls. Idle connections are dropped after KEEPALIVE_S, below the action server's own
keep-alive (Sanic's default, 5 s), so Rasa never reuses a connection the server is closing; a server
that restarted is met with a fresh connection, as its old ones were closed with it. The body is
written with ujson (a dependency of Rasa and Sanic already), about twice as fast on a tracker.

3. DIET's prediction goes through a `tf.function` with a fixed input signature, so there is only ever
one concrete function; calling the polymorphic function still canonicalises, casts and looks up the
inputs each time (a third of DIET's time per message). Here that one concrete function is called
directly: the same graph and the same outputs (checked on the bot's intents and rankings), 0.8 ms less
per message; and with its inputs passed flat, made tensors of its signature's dtypes as TensorFlow's own
cast makes them, without the structured signature's checks on each call (another 0.4-0.9 ms per parse).

Two more live in their own modules and are installed with these: the graphs run without dask's scheduler
(policy_rasa.graph_runner) and a tracker's past states are worked out once per prediction
(policy_rasa.states_cache).
"""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import Any

import aiohttp
import numpy as np
import ujson
from jsonschema import exceptions, validators
from keras.utils import tf_utils
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DIAGNOSTIC_DATA, DOCS_BASE_URL
from rasa.utils import endpoints
from rasa.utils.endpoints import EndpointConfig
from rasa.utils.tensorflow.models import RasaModel
from tensorflow.python.framework import ops
from tensorflow.python.util import nest

from policy_rasa import graph_runner, states_cache

KEEPALIVE_S = 2.0

_validator: Any = None
_event_validators: dict[str, Any] = {}


# JSON Schema's types as Python checks (a bool is no number in JSON Schema)
_TYPES: dict[str, Any] = {
    "string": lambda v: isinstance(v, str),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer()),
    "boolean": lambda v: isinstance(v, bool),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "null": lambda v: v is None,
}


def _plain_check(schema: dict[str, Any]) -> Any:
    """A Python check that accepts exactly what `schema` accepts, for a schema made only of `type`s of
    properties, `{}` and `required`; None for anything else (that kind keeps jsonschema's validator).
    Most events an action returns are slots, and jsonschema took a tenth of the Rasa process's time
    checking them even once compiled."""
    if set(schema) - {"type", "properties", "required"} or schema.get("type", "object") != "object":
        return None
    fields: list[tuple[str, tuple[Any, ...]]] = []
    for name, field in schema.get("properties", {}).items():
        if set(field) - {"type", "const"}:
            return None
        types = field.get("type", [])
        checks = tuple(_TYPES[kind] for kind in ([types] if isinstance(types, str) else types))
        if "const" in field:
            const = field["const"]
            checks = (lambda v, const=const: v == const and type(v) is type(const),)
        fields.append((name, checks))
    required = tuple(schema.get("required", ()))

    def check(event: Any) -> bool:
        if not isinstance(event, dict) or any(name not in event for name in required):
            return False
        return all(name not in event or not checks or any(ok(event[name]) for ok in checks) for name, checks in fields)

    return check


def _compile(schema: dict[str, Any]) -> None:
    global _validator
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    event_schema = schema["properties"]["events"]["items"]
    common = {key: value for key, value in event_schema.items() if key != "oneOf"}
    common_check = _plain_check(common)
    for kind in event_schema["oneOf"]:
        own = _plain_check(kind)
        if common_check is not None and own is not None:
            _event_validators[kind["properties"]["event"]["const"]] = lambda e, own=own: common_check(e) and own(e)
        else:
            validator = cls({**common, "allOf": [kind]})
            _event_validators[kind["properties"]["event"]["const"]] = validator.is_valid
    _validator = cls(schema)


def _valid_quickly(result: Any) -> bool:
    if not isinstance(result, dict):
        return False
    events, responses = result.get("events", []), result.get("responses", [])
    if not isinstance(events, list) or not isinstance(responses, list):
        return False
    if not all(isinstance(response, dict) for response in responses):
        return False
    for event in events:
        name = event.get("event") if isinstance(event, dict) else None
        valid = _event_validators.get(name) if isinstance(name, str) else None
        if valid is None or not valid(event):
            return False
    return True


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    """RemoteAction._validate_action_result with the same outcome and errors, without the per-call cost."""
    if _validator is None:
        _compile(self.action_response_format_spec())
    if _valid_quickly(result):
        return True
    error = exceptions.best_match(_validator.iter_errors(result))
    if error is not None:
        # Rasa's own wording (rasa.core.actions.action.RemoteAction._validate_action_result).
        error.message += (
            ". Failed to validate Action server response from API, make sure your response from the "
            f"Action endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise error
    return True


class _KeptSession(aiohttp.ClientSession):
    """A session that `async with` leaves open, for reuse by the next request of the same endpoint."""

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None


_SESSION = "_policy_rasa_session"


def _kept_session(self: EndpointConfig) -> aiohttp.ClientSession:
    """EndpointConfig.session with the same headers, auth and timeout, made once per endpoint and loop."""
    loop = asyncio.get_running_loop()
    kept: tuple[asyncio.AbstractEventLoop, aiohttp.ClientSession] | None = getattr(self, _SESSION, None)
    if kept is not None and kept[0] is loop and not kept[1].closed:
        return kept[1]
    auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"]) if self.basic_auth else None
    session = _KeptSession(
        headers=self.headers,
        auth=auth,
        timeout=aiohttp.ClientTimeout(total=endpoints.DEFAULT_REQUEST_TIMEOUT),
        connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_S),
        json_serialize=ujson.dumps,
    )
    setattr(self, _SESSION, (loop, session))
    return session


_rasa_predict = RasaModel._rasa_predict
_CONCRETE = "_policy_rasa_concrete_predict"


def _predict_with_concrete_function(self: RasaModel, batch_in: tuple[Any, ...]) -> dict[str, Any]:
    """RasaModel._rasa_predict, calling the traced concrete function itself once it exists."""
    step = self._tf_predict_step
    if self._run_eagerly or step is None or not self.prepared_for_prediction:
        return _rasa_predict(self, batch_in)  # the first call traces; eager mode has no graph
    self._training = False
    concrete = getattr(self, _CONCRETE, None)
    if concrete is None or getattr(concrete, "_policy_rasa_step", None) is not step:
        concrete = step.get_concrete_function()
        concrete._policy_rasa_step = step
        setattr(self, _CONCRETE, concrete)
    outputs: dict[str, Any] = tf_utils.sync_to_numpy_or_python_type(_call(concrete, batch_in))
    if DIAGNOSTIC_DATA in outputs:
        outputs[DIAGNOSTIC_DATA] = self._empty_lists_to_none_in_dict(outputs[DIAGNOSTIC_DATA])
    return outputs


def _call(concrete: Any, batch_in: tuple[Any, ...]) -> Any:
    """concrete(batch_in) without the structured-signature checks of each call (a third of its time):
    each array made the tensor of its spec's dtype, as TensorFlow's own cast does, and passed flat. Any
    input that does not plainly fit its spec goes the checked way, and fails there as before."""
    specs = getattr(concrete, "_policy_rasa_specs", None)
    if specs is None:
        specs = concrete._policy_rasa_specs = tuple(nest.flatten(concrete.structured_input_signature[0][0]))
    if len(batch_in) != len(specs) or not all(isinstance(value, np.ndarray) for value in batch_in):
        return concrete(batch_in)
    tensors = [ops.convert_to_tensor(value, dtype_hint=spec.dtype) for value, spec in zip(batch_in, specs, strict=True)]
    if not all(spec.is_compatible_with(tensor) for spec, tensor in zip(specs, tensors, strict=True)):
        return concrete(batch_in)
    return concrete._call_flat(tensors, concrete.captured_inputs)


def install() -> None:
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
    EndpointConfig.session = _kept_session  # type: ignore[method-assign]
    RasaModel._rasa_predict = _predict_with_concrete_function  # type: ignore[method-assign]
    graph_runner.install()
    states_cache.install()
