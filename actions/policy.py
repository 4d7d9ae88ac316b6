"""Adapters around the answer engine: tracker in, `decide`, replies and slots out.

Every policy action is the same adapter: the engine reads the message as a frame (DIET's intent is one
signal to it) and merges it onto the last frame, kept in the `frame` slot. No decision is made here.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from policy_answers.engine import Answer, Context, Question, calculator, decide, names_a_passage, quotes_a_measure
from policy_answers.frames import Frame
from policy_answers.language import language
from policy_answers.outcome import Outcome
from policy_answers.render import Reply
from policy_answers.settings import hotline
from policy_kb.query import get_kb

# Slots an action sets to tell the gateway's question log what this turn was (see policy_rasa.channel).
ANSWER_MEASURE = "answer_measure"
ANSWER_OUTCOME = "answer_outcome"


def question_of(tracker: Tracker) -> Question:
    message = tracker.latest_message or {}
    # The NLU read the cleaned text (the question found in a long paste); the user event keeps all they
    # sent, which a draft to check against the document needs.
    said = next((e.get("text") for e in reversed(tracker.events) if e.get("event") == "user"), None)
    return Question(
        text=message.get("text") or "",
        intent=(message.get("intent") or {}).get("name"),
        ranking=tuple(r.get("name") for r in message.get("intent_ranking") or []),
        entities=tuple(message.get("entities") or []),
        whole=said or "",
    )


def context_of(tracker: Tracker) -> Context:
    amount = tracker.get_slot("amount")
    return Context(
        measure=tracker.get_slot("measure"),
        clause=tracker.get_slot("clause"),
        district=tracker.get_slot("district"),
        applicant_type=tracker.get_slot("applicant_type"),
        amount=int(amount) if amount is not None else None,
        last_aspect=tracker.get_slot("last_aspect"),
        hotline=hotline(),
        frame=Frame.from_slot(tracker.get_slot("frame")),
    )


def send(dispatcher: CollectingDispatcher, reply: Reply) -> None:
    if reply.response:
        dispatcher.utter_message(response=reply.response, buttons=reply.buttons or None, **reply.variables)
    else:
        dispatcher.utter_message(text=reply.text, buttons=reply.buttons or None)
    if reply.custom:
        dispatcher.utter_message(json_message=reply.custom)


def outcome(kind: Outcome, measure: str | None = None) -> list[EventType]:
    return [SlotSet(ANSWER_OUTCOME, kind.value), SlotSet(ANSWER_MEASURE, measure)]


def ends_turn(tracker: Tracker, events: list[EventType]) -> list[EventType]:
    """An answer is the last step of its rule (data/rules.yml): the bot then listens. Saying so spares Rasa
    a second run of its policies per message only to predict action_listen (a tenth of its CPU per message,
    `make bench`). Inside an active form Rasa's own prediction stays: it may ask the form's question again."""
    if (tracker.active_loop or {}).get("name"):
        return events
    return [*events, FollowupAction("action_listen")]


def deliver(dispatcher: CollectingDispatcher, answer: Answer) -> list[EventType]:
    for reply in answer.replies:
        send(dispatcher, reply)
    slots = [SlotSet(name, value) for name, value in answer.memory.items()]
    return [*slots, *outcome(answer.outcome, answer.measures[0] if len(answer.measures) == 1 else None)]


async def answer_question(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    kb = await get_kb()
    return deliver(dispatcher, decide(question_of(tracker), context_of(tracker), kb))


class ActionAnswerPolicy(Action):
    def name(self) -> str:
        return "action_answer_policy"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        return ends_turn(tracker, await answer_question(dispatcher, tracker))


class ActionAnswerTargets(ActionAnswerPolicy):
    def name(self) -> str:
        return "action_answer_targets"


class ActionAnswerDocument(ActionAnswerPolicy):
    def name(self) -> str:
        return "action_answer_document"


class ActionPolicyCalculator(Action):
    """'我们是荣成的高新技术企业，能享受哪些政策' once the form knows who and where."""

    def name(self) -> str:
        return "action_policy_calculator"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        return ends_turn(tracker, await self.answer(dispatcher, tracker))

    async def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        kb = await get_kb()
        question = question_of(tracker)
        if question.intent == "ask_what_can_i_get" and (
            quotes_a_measure(kb, question) or language().theme_of(question.text) or names_a_passage(kb, question)
        ):
            # '企业建立技术研发和服务机构有啥政策' reads like a profile but quotes a measure's words;
            # '我们是企业，金融方面有什么支持' asks about a theme
            question = replace(question, intent="ask_measure_info")
            return deliver(dispatcher, decide(question, context_of(tracker), kb))
        answer = calculator(kb, tracker.get_slot("applicant_type"), tracker.get_slot("district"), hotline())
        return deliver(dispatcher, answer)
