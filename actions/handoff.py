"""Hand-off to a person: an optional callback number, then a ticket for the hotline staff."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.policy import outcome
from app_store import callbacks, create_ticket, engine_for
from app_store.callbacks import callback_number, masked_callback_number
from app_store.privacy import pseudonym
from app_store.settings import app_db_url, app_secret
from policy_answers.outcome import Outcome
from policy_answers.settings import hotline

NO_CALLBACK = "不需要回电"
_DECLINE = re.compile(r"不用|不需要|不要|不留|没有|算了|不必")
_TRANSCRIPT_TURNS = 20
_NOT_QUESTIONS = {"inform", "affirm", "deny", "stop", "greet", "thank", "goodbye"}


class ValidateHandoffForm(FormValidationAction):
    def name(self) -> str:
        return "validate_handoff_form"

    async def validate_callback_phone(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                      domain: DomainDict) -> dict[str, Any]:
        text = str(value or "")
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        # The gateway masks numbers before Rasa sees them ('138****5678'); the number itself waits in the
        # app database for the ticket (app_store.callbacks). A bare number only comes from a client
        # talking to Rasa directly (tests).
        phone = masked_callback_number(text) or callback_number(text)
        if phone:
            return {"callback_phone": phone}
        if intent == "deny" or _DECLINE.search(text):
            return {"callback_phone": NO_CALLBACK}
        dispatcher.utter_message(response="utter_phone_not_understood")
        return {"callback_phone": None}


def transcript(tracker: Tracker) -> tuple[list[dict[str, str]], str]:
    """The recent conversation, and the question the user asked before they asked for a person
    (not the phone number or "不用" typed into the hand-off form afterwards)."""
    lines: list[dict[str, str]] = []
    question = asked_before_handoff = ""
    for event in tracker.events:
        if event.get("event") == "user" and event.get("text"):
            text = event["text"]
            lines.append({"who": "user", "text": text})
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            if intent == "handoff":
                asked_before_handoff = question
            elif intent not in _NOT_QUESTIONS and not text.startswith("/"):
                question = text
        elif event.get("event") == "bot" and event.get("text"):
            lines.append({"who": "bot", "text": event["text"]})
    return lines[-_TRANSCRIPT_TURNS * 2:], asked_before_handoff


class ActionHandoff(Action):
    def name(self) -> str:
        return "action_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        phone = tracker.get_slot("callback_phone")
        phone = None if phone in (None, NO_CALLBACK) else phone
        lines, question = transcript(tracker)
        conversation = pseudonym(app_secret(), tracker.sender_id)
        try:
            engine = engine_for(app_db_url())
            if phone is not None and "*" in phone:
                # The masked form the user's message had: the number the gateway held for this conversation.
                phone = await asyncio.to_thread(callbacks.take, engine, conversation, phone)
            await asyncio.to_thread(
                create_ticket, engine,
                conversation=conversation,
                question=question or "（未提问）", transcript=lines, callback_phone=phone,
            )
        except Exception:  # the user must still get a way forward when the database is down
            dispatcher.utter_message(response="utter_handoff_failed", hotline=hotline())
            return [SlotSet("callback_phone", None), *outcome(Outcome.handoff)]
        dispatcher.utter_message(response="utter_handoff_done_callback" if phone else "utter_handoff_done",
                                 hotline=hotline())
        return [SlotSet("callback_phone", None), *outcome(Outcome.handoff)]
