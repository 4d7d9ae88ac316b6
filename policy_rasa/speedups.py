"""One fix to Rasa 3.6.21's per-message cost, installed when the Rasa process loads our tracker store.

Rasa checks every action-server response with `jsonschema.validate(result, schema)`. That function
first validates the schema itself against the JSON Schema meta-schema, on every call: measured with
py-spy on this bot, 33% of the Rasa process's CPU time for short conversations went there (two
custom actions per typical turn), and checking the events against the schema's `oneOf` of 23 event
kinds took another 9%. Here the schema is checked once; each event is checked against the one kind
its "event" name selects (the kinds are told apart by a `const` on that name, so this accepts exactly
what the `oneOf` accepts), and anything that does not pass is run through the full compiled validator,
so an invalid response raises the same error with the same message as before.
"""

from __future__ import annotations

from typing import Any

from jsonschema import exceptions, validators
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL

_validator: Any = None
_event_validators: dict[str, Any] = {}


def _compile(schema: dict[str, Any]) -> None:
    global _validator
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    event_schema = schema["properties"]["events"]["items"]
    common = {key: value for key, value in event_schema.items() if key != "oneOf"}
    for kind in event_schema["oneOf"]:
        _event_validators[kind["properties"]["event"]["const"]] = cls({**common, "allOf": [kind]})
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
        validator = _event_validators.get(name) if isinstance(name, str) else None
        if validator is None or not validator.is_valid(event):
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


def install() -> None:
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
