"""Answers about the document's measures, targets and the document itself."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import render
from actions.kb import get_kb
from actions.turn import ANSWER_MEASURE, ANSWER_OUTCOME, Turn
from policy_kb.query import KnowledgeBase, Profile
from policy_kb.schema import Measure

INTENT_ASPECT = {
    "ask_measure_info": "info",
    "ask_eligibility": "eligibility",
    "ask_amount": "amount",
    "ask_cost_share": "cost_share",
    "ask_conditions": "conditions",
    "ask_how_to_apply": "how_to_apply",
    "ask_lead_unit": "lead_unit",
}


def send(dispatcher: CollectingDispatcher, reply: render.Reply) -> None:
    dispatcher.utter_message(text=reply.text, buttons=reply.buttons or None)
    if reply.custom:
        dispatcher.utter_message(json_message=reply.custom)


def outcome(kind: str, measure: str | None = None) -> list[EventType]:
    return [SlotSet(ANSWER_OUTCOME, kind), SlotSet(ANSWER_MEASURE, measure)]


def likely_measures(kb: KnowledgeBase, text: str) -> list[Measure]:
    """Measures a vague question may be about, by keyword search, best first."""
    hits = [h for h in kb.search(text, 8) if h.kind == "measure" and h.score >= 3.0]
    return [kb.measure(h.id) for h in hits][:4]


class ActionAnswerPolicy(Action):
    def name(self) -> str:
        return "action_answer_policy"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        kb = await get_kb()
        turn = Turn.of(tracker)
        last_aspect = tracker.get_slot("last_aspect")
        # after a fallback, the best policy intent NLU still saw tells what was asked about
        ranked = next((INTENT_ASPECT[i] for i in turn.ranking if i in INTENT_ASPECT), None)
        aspect = INTENT_ASPECT.get(turn.intent or "") or (ranked if turn.intent == "nlu_fallback" else None) \
            or last_aspect or "info"

        named = turn.values("measure")
        if len(named) > 1:
            send(dispatcher, render.ask_which(kb, [kb.measure(m) for m in named], aspect))
            return [SlotSet("last_aspect", aspect), *outcome("clarify")]
        measure_id = named[0] if named else tracker.get_slot("measure")
        if measure_id is None:
            return self._no_measure(dispatcher, kb, turn, aspect)
        measure = kb.measure(measure_id)

        district = turn.first("district") or tracker.get_slot("district")
        money = turn.first("money")
        if money is None and not named and last_aspect in ("cost_share", "amount"):
            money = tracker.get_slot("amount")  # '那文登区呢' after a split of the user's own figure
        money = int(money) if money is not None else None
        applicant = turn.first("applicant_type") or tracker.get_slot("applicant_type")

        if money is not None and aspect in ("amount", "info") and measure.cost_shares:
            aspect = "cost_share"  # '批了八百万，市里出多少' is about shares of the user's figure
        limits = kb.limits_for(measure.id, money) if money is not None and measure.limits else []
        verdict = kb.verdict(measure.id, Profile(applicant_type=applicant, district=district)) \
            if aspect == "eligibility" and applicant else None
        reply = render.measure_answer(kb, measure, aspect, district=district, amount_yuan=money,
                                      verdict=verdict, limits=limits)
        send(dispatcher, reply)
        return [SlotSet("measure", measure.id), SlotSet("last_aspect", aspect), SlotSet("district", district),
                SlotSet("amount", money), *outcome("answered", measure.id)]

    def _no_measure(self, dispatcher: CollectingDispatcher, kb: KnowledgeBase, turn: Turn,
                    aspect: str) -> list[EventType]:
        if turn.values("target"):
            send(dispatcher, render.targets(kb, [kb.target(t) for t in turn.values("target")]))
            return outcome("answered")
        candidates = likely_measures(kb, turn.text)
        if not candidates:
            candidates = [m for m in kb.measures if m.amount.value_yuan][:4]
        send(dispatcher, render.ask_which(kb, candidates, aspect))
        return [SlotSet("last_aspect", aspect), *outcome("clarify")]


class ActionAnswerTargets(Action):
    def name(self) -> str:
        return "action_answer_targets"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        kb = await get_kb()
        turn = Turn.of(tracker)
        chosen = [kb.target(t) for t in turn.values("target")]
        if not chosen:
            # '特派员要达到多少人': the targets of the clause that holds the named measure
            for measure_id in turn.values("measure"):
                chosen += [t for t in kb.targets if t.clause == kb.measure(measure_id).clause]
        send(dispatcher, render.targets(kb, chosen))
        return outcome("answered")


class ActionAnswerDocument(Action):
    def name(self) -> str:
        return "action_answer_document"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        send(dispatcher, render.document(await get_kb()))
        return outcome("answered")


class ActionPolicyCalculator(Action):
    """'我们是荣成的高新技术企业，能享受哪些政策' once the form knows who and where."""

    def name(self) -> str:
        return "action_policy_calculator"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        kb = await get_kb()
        applicant = tracker.get_slot("applicant_type")
        district = tracker.get_slot("district")
        if applicant is None:
            dispatcher.utter_message(text="还不知道您的身份，请再说一次您是企业、农民还是其他单位。")
            return outcome("clarify")
        verdicts = kb.measures_for(Profile(applicant_type=applicant, district=district))
        district_name = kb.district(district).name if district else None
        send(dispatcher, render.calculator(kb, verdicts, kb.applicant_name(applicant), district_name))
        return outcome("answered")
