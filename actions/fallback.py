"""When the bot cannot answer: out-of-scope questions, the two-stage fallback's "您是想问…？" and
its last step. Each offers the hotline and a person, so nobody is left without a way forward."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions.policy import answer_question, context_of, deliver, ends_turn, outcome, question_of, send
from policy_answers.engine import INTENT_ASPECT, decide, likely_measures, plainly_answerable
from policy_answers.outcome import Outcome
from policy_answers.render import button, cannot_help, measure_button
from policy_answers.settings import hotline
from policy_answers.templates import templates, words
from policy_kb.query import get_kb

# What an intent means, for the "您是想问…？" buttons when no measure is in sight (as Sara does).
INTENT_DESCRIPTIONS: dict[str, str] = templates("reply")["intent_buttons"]


class ActionOutOfScope(Action):
    def name(self) -> str:
        return "action_out_of_scope"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        kb = await get_kb()
        answer = decide(question_of(tracker), context_of(tracker), kb)
        if answer.outcome is Outcome.out_of_scope:  # '公积金怎么提取': not covered, and where to ask
            return ends_turn(tracker, deliver(dispatcher, answer))
        send(dispatcher, cannot_help(kb, "utter_out_of_scope", hotline()))
        return ends_turn(tracker, outcome(Outcome.out_of_scope))


class ActionAskAffirmation(Action):
    """Overrides Rasa's default: offer the likely measures as buttons instead of an intent name."""

    def name(self) -> str:
        return "action_default_ask_affirmation"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        kb = await get_kb()
        message = tracker.latest_message or {}
        question = replace(question_of(tracker), intent=None, ranking=())  # all the user sent, a draft too
        if plainly_answerable(question, kb, context_of(tracker)):
            # unsure intent, but the document plainly answers the question: answer it
            return await answer_question(dispatcher, tracker)
        text = message.get("text") or ""
        ranking = [r.get("name") for r in message.get("intent_ranking") or []]
        aspect_intent = next((i for i in ranking if i in INTENT_ASPECT), "ask_measure_info")
        buttons = [measure_button(m, aspect_intent) for m in likely_measures(kb, text)[:3]]
        if not buttons:
            buttons = [button(INTENT_DESCRIPTIONS[i], i) for i in ranking if i in INTENT_DESCRIPTIONS][:2]
        buttons.append(button(words("none_of_these"), "deny"))
        dispatcher.utter_message(response="utter_ask_affirmation", buttons=buttons)
        return outcome(Outcome.fallback)


class ActionDefaultFallback(Action):
    """The second miss in a row: say so, and offer the hotline and a person."""

    def name(self) -> str:
        return "action_default_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        send(dispatcher, cannot_help(await get_kb(), "utter_fallback_again", hotline()))
        return [UserUtteranceReverted(), *outcome(Outcome.fallback)]
