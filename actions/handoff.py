"""Hand-off to a person: an optional callback number, then a ticket for the hotline staff."""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.policy import ends_turn, outcome
from app_store import callbacks, engine_for
from app_store.callbacks import callback_number, masked_callback_number
from app_store.privacy import pseudonym
from app_store.retry import ROW_ERRORS, RetryingWriter
from app_store.settings import app_db_url, app_secret, data_keys
from app_store.tickets import NewTicket, create_tickets
from infra import settings
from infra.outcome import Outcome
from policy_answers.settings import hotline

log = logging.getLogger(__name__)

NO_CALLBACK = "不需要回电"
_DECLINE = re.compile(r"不用|不需要|不要|不留|没有|算了|不必")
_NOT_QUESTIONS = {"inform", "affirm", "deny", "stop", "greet", "thank", "goodbye"}


class ValidateHandoffForm(FormValidationAction):
    def name(self) -> str:
        return "validate_handoff_form"

    async def validate_callback_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
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
    """The conversation Rasa handed over, and the question the user asked before they asked for a person
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
    return lines, asked_before_handoff  # create_ticket keeps the last TRANSCRIPT_TURNS turns


class ActionHandoff(Action):
    def name(self) -> str:
        return "action_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        phone = tracker.get_slot("callback_phone")
        phone = None if phone in (None, NO_CALLBACK) else phone
        lines, question = transcript(tracker)
        if phone is not None and "*" in phone:
            # The masked form the user's message had: the number the gateway held for this conversation.
            phone = await held_number(tracker.sender_id, phone)
        response = await record_ticket(tracker.sender_id, question or "（未提问）", lines, phone)
        dispatcher.utter_message(response=response, hotline=hotline())
        return ends_turn(tracker, [SlotSet("callback_phone", None), *outcome(Outcome.handoff)])


async def held_number(sender_id: str, masked: str) -> str | None:
    """The callback number the gateway held for this conversation (Rasa only ever saw it masked)."""
    try:
        engine = engine_for(app_db_url())
        return await asyncio.to_thread(
            callbacks.take, engine, pseudonym(app_secret(), sender_id), masked, keys=data_keys()
        )
    except Exception:  # the ticket still goes out (without a number) when the database is unavailable
        log.warning("hand-off: the held callback number could not be read", exc_info=True)
        return None


async def record_ticket(sender_id: str, question: str, lines: list[dict[str, str]], phone: str | None) -> str:
    """Open the ticket; returns the response that tells the user what became of it."""
    try:
        ticket = NewTicket(
            db_url=app_db_url(),
            conversation=pseudonym(app_secret(), sender_id),
            question=question,
            transcript=lines,
            callback_phone=phone,
            keys=data_keys(),
        )
    except Exception:  # no key to pseudonymise the sender with (var/secret.key unreadable, DATA_KEY wrong)
        log.exception("hand-off: cannot open a ticket")
        return "utter_handoff_failed"
    try:
        await asyncio.to_thread(create_tickets, [ticket])
    except ROW_ERRORS:
        log.exception("hand-off: the ticket was refused")
        return "utter_handoff_failed"
    except Exception:
        # Locked past its busy timeout, or down: the queue writes the ticket once the database is back,
        # so the request is not lost (and the user is told it will be recorded, not that it is).
        log.warning("hand-off: app database unavailable, the ticket waits in the queue", exc_info=True)
        return "utter_handoff_queued" if ticket_queue().submit(ticket) else "utter_handoff_failed"
    return "utter_handoff_done_callback" if phone else "utter_handoff_done"


_queue: tuple[asyncio.AbstractEventLoop, RetryingWriter[NewTicket]] | None = None


def ticket_queue() -> RetryingWriter[NewTicket]:
    """The action server's tickets that wait for the database, written in order as soon as it answers.
    One queue per event loop (the action server has one; tests start a loop per test)."""
    global _queue
    loop = asyncio.get_running_loop()
    if _queue is None or _queue[0] is not loop:
        retry_after_s = settings.get_int("APP_DB_RETRY_S", minimum=1, maximum=3600)
        writer = RetryingWriter(
            create_tickets, name="hand-off tickets", retry_after_s=retry_after_s, batch_size=1, max_pending=10_000
        )
        _queue = (loop, writer)
    return _queue[1]
