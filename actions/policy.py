"""Answers about the document's measures, targets and the document itself."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import render
from actions.kb import get_kb
from actions.settings import hotline
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


# Other places people name when they ask about another city's policy: this document is Weihai's only.
OTHER_PLACES = ("青岛", "济南", "烟台", "潍坊", "淄博", "临沂", "日照", "东营", "济宁", "泰安", "聊城", "德州",
                "滨州", "菏泽", "枣庄", "北京", "上海", "天津", "重庆", "深圳", "广州", "杭州", "苏州", "南京")


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

        place = next((p for p in OTHER_PLACES if p in turn.text), None)
        if place and "威海" not in turn.text:
            send(dispatcher, render.cannot_help(kb, f"抱歉，{kb.document.number}是威海市的文件，不涉及{place}的政策。",
                                                f"其他地方的政策请咨询当地部门，或拨打{hotline()}热线。"))
            return outcome("out_of_scope")
        named = turn.values("measure")
        if turn.intent == "inform" and last_aspect == "calculator" and not named:
            return await ActionPolicyCalculator().run(dispatcher, tracker, domain)  # '乳山' after the list
        hit = kb.clear_hit(turn.text)
        sure = set(turn.sure_values("measure"))
        if named and hit and not sure and hit.clause not in {kb.measure(m).clause for m in named}:
            named = []  # only a typo-like match ('创新链' ~ 创新券) against a plain hit elsewhere
        if len(named) > 1:
            # several names ('大学科技园…成果转化'): the one the whole question is plainly about, or ask
            scores = {h.id: h.score for h in kb.search(turn.text, 8) if h.kind == "measure"}
            if hit and hit.kind == "measure" and hit.id in named and all(
                scores.get(m, 0.0) < 0.6 * hit.score for m in named if m != hit.id
            ):
                named = [hit.id]
            else:
                send(dispatcher, render.ask_which(kb, [kb.measure(m) for m in named], aspect))
                return [SlotSet("last_aspect", aspect), *outcome("clarify")]
        measure_id = named[0] if named else None
        if measure_id is None:
            # no measure named: the question may still plainly be about a clause or a measure
            # ('实施全域统筹重点突破由谁牵头', '中药材种植有科技支持吗'); otherwise it leans on the
            # measure or clause of the previous answer ('找谁', '那文登区呢')
            titled = kb.find_clause_by_title(turn.text)
            previous = tracker.get_slot("measure")
            clause = titled
            if titled:
                hit = None
            if hit and hit.kind == "measure":
                measure_id = hit.id
            elif hit and not (previous and kb.measure(previous).clause == hit.clause):
                # a clause hit whose clause holds measures is answered as its best measure
                in_clause = [h for h in kb.search(turn.text, 6) if h.kind == "measure" and h.clause == hit.clause]
                measure_id = in_clause[0].id if in_clause else None
                clause = None if measure_id else kb.clause(hit.clause)
            if not clause and not measure_id and not previous and tracker.get_slot("clause"):
                clause = kb.clause(tracker.get_slot("clause"))  # '找谁' after a clause answer
            if clause and not measure_id:
                send(dispatcher, render.clause_answer(kb, clause, turn.text, aspect, whole=titled is not None))
                return [SlotSet("last_aspect", aspect), SlotSet("measure", None), SlotSet("clause", clause.id),
                        *outcome("answered")]
            measure_id = measure_id or previous
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
        if aspect == "cost_share" and not measure.cost_shares:
            aspect = "amount"  # '县级资金300万，市里能分多少': the measure's cap on the user's figure
        limits = kb.limits_for(measure.id, money) if money is not None and measure.limits else []
        verdict = kb.verdict(measure.id, Profile(applicant_type=applicant, district=district)) \
            if aspect == "eligibility" and applicant else None
        reply = render.measure_answer(kb, measure, aspect, district=district, amount_yuan=money,
                                      verdict=verdict, limits=limits, question=turn.text)
        send(dispatcher, reply)
        return [SlotSet("measure", measure.id), SlotSet("clause", None), SlotSet("last_aspect", aspect),
                SlotSet("district", district),
                SlotSet("amount", money), *outcome("answered", measure.id)]

    def _no_measure(self, dispatcher: CollectingDispatcher, kb: KnowledgeBase, turn: Turn,
                    aspect: str) -> list[EventType]:
        if turn.values("target"):
            send(dispatcher, render.targets(kb, [kb.target(t) for t in turn.values("target")]))
            return outcome("answered")
        candidates = likely_measures(kb, turn.text)
        if not candidates:
            # nothing in the document comes close: say what the bot covers and where else to ask
            send(dispatcher, render.cannot_help(
                kb, "抱歉，没有找到与您的问题对应的政策内容。",
                f"其他问题可以拨打{hotline()}热线，也可以回复“转人工”。",
                [{"title": m.name, "payload": f'/ask_measure_info{{"measure":"{m.id}"}}'}
                 for m in kb.measures if m.amount.value_yuan][:3]))
            return [SlotSet("last_aspect", aspect), *outcome("fallback")]
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
        hit = kb.clear_hit(turn.text)
        if not chosen and not turn.values("measure") and hit and hit.clause not in {t.clause for t in kb.targets}:
            return await ActionAnswerPolicy().run(dispatcher, tracker, domain)  # '高企 培育'
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
        kb = await get_kb()
        text = Turn.of(tracker).text
        clause = kb.find_clause_by_title(text)  # '文件的基本原则是啥' → 一（二）
        if clause:
            send(dispatcher, render.clause_answer(kb, clause, text, "info", whole=True))
        elif kb.clear_hit(text, min_score=15.0):  # '科技金融融合要落实哪个文件' is about 二（十）
            return await ActionAnswerPolicy().run(dispatcher, tracker, domain)
        else:
            send(dispatcher, render.document(kb))
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
        return [SlotSet("last_aspect", "calculator"), *outcome("answered")]
