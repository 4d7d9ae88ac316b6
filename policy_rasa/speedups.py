"""One fix to Rasa 3.6.21's per-message cost, installed when the Rasa process loads our tracker store.

Rasa checks every action-server response with `jsonschema.validate(result, schema)`. That function
first validates the schema itself against the JSON Schema meta-schema, on every call: measured with
py-spy on this bot, 33% of the Rasa process's CPU time for short conversations went there (two
custom actions per typical turn). Here the schema is checked once and the compiled validator is
reused; responses are validated exactly as before and an invalid one raises the same error with the
same message.
"""

from __future__ import annotations

from typing import Any

from jsonschema import exceptions, validators
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL

_validator: Any = None


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    global _validator
    if _validator is None:
        schema = self.action_response_format_spec()
        cls = validators.validator_for(schema)
        cls.check_schema(schema)
        _validator = cls(schema)
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
