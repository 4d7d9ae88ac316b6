"""The eligibility form: who the user is, before the policy calculator answers."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from policy_answers.render import button
from policy_kb.query import get_kb


class ActionAskApplicantType(Action):
    def name(self) -> str:
        return "action_ask_applicant_type"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        kb = await get_kb()
        buttons = [button(a.name, "inform", applicant_type=a.id) for a in kb.data.applicant_types]
        dispatcher.utter_message(response="utter_ask_applicant_type", buttons=buttons)
        return []


class ValidateEligibilityForm(FormValidationAction):
    def name(self) -> str:
        return "validate_eligibility_form"

    async def validate_applicant_type(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        kb = await get_kb()
        known = {a.id for a in kb.data.applicant_types}
        if value in known:
            return {"applicant_type": value}
        found = kb.find_applicant_type(str(value or ""))
        if found:
            return {"applicant_type": found}
        dispatcher.utter_message(response="utter_applicant_not_understood")
        return {"applicant_type": None}
