"""The custom actions with real trackers and the real knowledge base (var/policy.db from `make kb`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa.core.nlg.interpolator import interpolate_text
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionAskAffirmation, ActionOutOfScope
from actions.forms import ValidateEligibilityForm
from actions.handoff import NO_CALLBACK, ValidateHandoffForm
from actions.policy import (
    ActionAnswerDocument,
    ActionAnswerPolicy,
    ActionAnswerTargets,
    ActionPolicyCalculator,
)

CITE = "依据：威政办发〔2018〕32号"


def tracker(
    text: str,
    intent: str,
    entities: list[dict[str, Any]] | None = None,
    slots: dict[str, Any] | None = None,
    ranking: list[str] | None = None,
) -> Tracker:
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "entities": entities or [],
        "intent_ranking": [{"name": n, "confidence": 0.1} for n in (ranking or [intent])],
    }
    return Tracker(
        "test-sender",
        slots or {},
        latest,
        [{"event": "user", "text": text, "parse_data": latest}],
        False,
        None,
        {},
        "action_listen",
    )


def entity(kind: str, value: Any, text: str = "", confidence: float = 1.0) -> dict[str, Any]:
    return {"entity": kind, "value": value, "text": text, "confidence_entity": confidence}


async def run(action: Any, t: Tracker) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, t, {})
    return dispatcher.messages, events


DOMAIN_RESPONSES = yaml.safe_load((Path(__file__).resolve().parents[2] / "domain.yml").read_text())["responses"]


def shown(message: dict[str, Any]) -> str:
    """The text the user reads: the action's own, or its domain response filled as Rasa fills it."""
    if message.get("response"):
        template = DOMAIN_RESPONSES[message["response"]][0]["text"]
        return interpolate_text(template, {k: v for k, v in message.items() if isinstance(v, str)})
    return message.get("text") or ""


def text_of(messages: list[dict[str, Any]]) -> str:
    return "\n".join(shown(m) for m in messages if shown(m))


def slots(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


async def test_amount_with_district_and_citation_last() -> None:
    messages, events = await run(
        ActionAnswerPolicy(),
        tracker(
            "荣成研发补助最多多少", "ask_amount", [entity("district", "rongcheng"), entity("measure", "rd_subsidy")]
        ),
    )
    text = text_of(messages)
    assert "1000万元" in text and "县级50% 500万元" in text and "市级不分担" in text
    assert text.splitlines()[-1] == f"{CITE} 二（六）"
    assert messages[-1]["custom"]["type"] == "policy_card"
    assert slots(events)["measure"] == "rd_subsidy" and slots(events)["answer_outcome"] == "answered"


async def test_cost_split_of_the_users_figure() -> None:
    messages, _ = await run(
        ActionAnswerPolicy(),
        tracker(
            "拿到200万研发补助各出多少", "ask_cost_share", [entity("money", 2_000_000), entity("measure", "rd_subsidy")]
        ),
    )
    text = text_of(messages)
    assert "省级50% 100万元" in text and "市级25% 50万元" in text and "县级25% 50万元" in text
    assert "荣成市" in text  # without a district the exception is shown too


async def test_follow_up_reuses_measure_amount_and_aspect() -> None:
    t = tracker(
        "那文登区呢",
        "inform",
        [entity("district", "wendeng")],
        slots={"measure": "rd_subsidy", "last_aspect": "cost_share", "amount": 3_000_000.0},
    )
    text = text_of((await run(ActionAnswerPolicy(), t))[0])
    assert "文登区" in text and "省级50% 150万元" in text and "市级25% 75万元" in text


async def test_over_the_cap_is_split_at_the_cap() -> None:
    messages, _ = await run(
        ActionAnswerPolicy(),
        tracker("1500万怎么分", "ask_cost_share", [entity("money", 15_000_000), entity("measure", "rd_subsidy")]),
    )
    text = text_of(messages)
    assert "超过" in text and "省级50% 500万元" in text


async def test_silent_document_names_lead_unit() -> None:
    text = text_of(
        (
            await run(
                ActionAnswerPolicy(),
                tracker("创新券什么时候申报", "ask_how_to_apply", [entity("measure", "innovation_voucher")]),
            )
        )[0]
    )
    assert "文件未规定" in text and "市科技局" in text and text.endswith(f"{CITE} 二（十二）")


async def test_eligibility_verdict_for_wrong_applicant() -> None:
    text = text_of(
        (
            await run(
                ActionAnswerPolicy(),
                tracker(
                    "合作社能申请研发补助吗",
                    "ask_eligibility",
                    [entity("applicant_type", "farmer"), entity("measure", "rd_subsidy")],
                ),
            )
        )[0]
    )
    assert "不符合" in text and "✗ 申请主体为企业" in text


async def test_clause_named_by_its_title() -> None:
    text = text_of((await run(ActionAnswerPolicy(), tracker("实施全域统筹重点突破由谁牵头", "ask_lead_unit")))[0])
    assert "牵头单位：各区政府〔管委〕；责任单位：市发展改革委" in text and text.endswith(f"{CITE} 二（一）")


async def test_question_plainly_about_a_measure_without_its_name() -> None:
    t = tracker("国家科技成果转移转化示范区枢纽城市", "ask_measure_info", slots={"measure": "rd_subsidy"})
    text = text_of((await run(ActionAnswerPolicy(), t))[0])
    assert "全覆盖" in text and text.endswith(f"{CITE} 二（八）")


async def test_the_documents_sentence_answers_the_detail() -> None:
    text = text_of(
        (
            await run(
                ActionAnswerPolicy(),
                tracker("科技特派员从哪招", "ask_measure_info", [entity("measure", "tech_commissioner")]),
            )
        )[0]
    )
    assert "招募高校院所的科研人员、在校学生" in text


async def test_nothing_close_offers_hotline() -> None:
    messages, events = await run(ActionAnswerPolicy(), tracker("火星上能种土豆吗", "ask_how_to_apply"))
    assert "12345" in shown(messages[0]) and slots(events)["answer_outcome"] == "fallback"


async def test_a_topic_the_document_does_not_cover_is_named_with_where_to_ask() -> None:
    messages, events = await run(ActionAnswerPolicy(), tracker("驾驶证到期了去哪换证", "ask_how_to_apply"))
    assert "本文件没有涉及“驾驶证”" in shown(messages[0]) and "12345" in shown(messages[0])
    assert slots(events)["answer_outcome"] == "out_of_scope"


async def test_no_measure_asks_back_with_buttons() -> None:
    messages, events = await run(ActionAnswerPolicy(), tracker("补贴多少钱", "ask_amount"))
    assert shown(messages[0]) == "您是想问哪一项政策？" and len(messages[0]["buttons"]) >= 2
    assert messages[0]["buttons"][0]["payload"].startswith('/ask_amount{"measure":')
    assert slots(events)["answer_outcome"] == "clarify"


async def test_two_measures_asked_about_are_both_answered() -> None:
    messages, events = await run(
        ActionAnswerPolicy(),
        tracker(
            "创新券和星创天地哪个钱多",
            "ask_amount",
            [entity("measure", "innovation_voucher"), entity("measure", "xingchuang_nongke")],
        ),
    )
    cards = [m["custom"]["measure"] for m in messages if m.get("custom")]
    assert cards == ["innovation_voucher", "xingchuang_nongke"]
    assert [t.splitlines()[-1] for t in (m["text"] for m in messages if m.get("text"))] == [f"{CITE} 二（十二）"] * 2
    assert slots(events)["answer_outcome"] == "answered"


async def test_two_measures_named_without_a_question_ask_which() -> None:
    messages, _ = await run(
        ActionAnswerPolicy(),
        tracker(
            "创新券 星创天地",
            "inform",
            [entity("measure", "innovation_voucher"), entity("measure", "xingchuang_nongke")],
        ),
    )
    assert {b["title"] for b in messages[0]["buttons"]} == {"科技创新券", "星创天地和农科驿站奖补"}


async def test_limit_on_the_users_county_funds() -> None:
    text = text_of(
        (
            await run(
                ActionAnswerPolicy(),
                tracker(
                    "县级专项资金1000万市里分配多少",
                    "ask_amount",
                    [entity("money", 10_000_000), entity("measure", "fund_allocation")],
                ),
            )
        )[0]
    )
    assert "200万元" in text and "二（二）" in text


async def test_targets_by_entity_and_by_measure_clause() -> None:
    text = text_of(
        (await run(ActionAnswerTargets(), tracker("技术交易额目标", "ask_targets", [entity("target", "tech_trade")])))[
            0
        ]
    )
    assert "35 亿元" in text and text.endswith(f"{CITE} 一（三）")
    text = text_of(
        (
            await run(
                ActionAnswerTargets(),
                tracker("特派员要多少人", "ask_targets", [entity("measure", "tech_commissioner")]),
            )
        )[0]
    )
    assert "千人规模" in text and "二（十二）" in text


async def test_document_answer() -> None:
    text = text_of((await run(ActionAnswerDocument(), tracker("文号", "ask_document")))[0])
    for fact in ("威政办发〔2018〕32号", "2018年11月8日", "鲁政办发〔2018〕12号", "威发〔2018〕22号"):
        assert fact in text


async def test_calculator_lists_enterprise_measures() -> None:
    t = tracker("荣成", "inform", slots={"applicant_type": "high_tech_enterprise", "district": "rongcheng"})
    messages, _ = await run(ActionPolicyCalculator(), t)
    text = text_of(messages)
    assert "荣成市的高新技术企业" in text and "企业研究开发财政补助" in text
    assert "农科驿站" not in text.split("\n")[1]  # money measures come first


async def test_calculator_yields_to_a_measure_quoted_in_its_own_words() -> None:
    """A profile-looking question that quotes a measure is answered as that measure, with its clause."""
    text = "企业建立技术研发和服务机构有啥政策"
    t = tracker(
        text,
        "ask_what_can_i_get",
        [entity("applicant_type", "enterprise", "企业"), entity("applicant_type", "service_institution", "服务机构")],
        slots={"applicant_type": "enterprise"},
    )
    messages, events = await run(ActionPolicyCalculator(), t)
    assert text_of(messages).startswith("科技型企业和高新技术企业培育") and f"{CITE} 二（六）" in text_of(messages)
    assert slots(events)["measure"] == "enterprise_cultivation"
    profile = tracker(
        "我们是科技服务机构，有什么政策",
        "ask_what_can_i_get",
        [entity("applicant_type", "service_institution", "科技服务机构")],
        slots={"applicant_type": "service_institution"},
    )
    assert text_of((await run(ActionPolicyCalculator(), profile))[0]).startswith("按文件，科技服务机构")


async def test_out_of_scope_gives_hotline_and_handoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTLINE", "0631-12345")
    messages, events = await run(ActionOutOfScope(), tracker("天气", "out_of_scope"))
    assert "0631-12345" in shown(messages[0]) and messages[0]["buttons"][0]["payload"] == "/handoff"
    assert slots(events)["answer_outcome"] == "out_of_scope"


async def test_affirmation_offers_likely_measures() -> None:
    messages, _ = await run(
        ActionAskAffirmation(), tracker("补贴多少钱", "nlu_fallback", ranking=["nlu_fallback", "ask_amount"])
    )
    titles = [b["title"] for b in messages[0]["buttons"]]
    assert "企业研究开发财政补助" in titles and titles[-1] == "都不是"
    assert messages[0]["buttons"][0]["payload"].startswith("/ask_amount")


async def test_affirmation_answers_what_the_document_plainly_covers() -> None:
    text = text_of(
        (
            await run(
                ActionAskAffirmation(),
                tracker("千里海岸线一条创新链说的是啥", "nlu_fallback", ranking=["nlu_fallback", "ask_measure_info"]),
            )
        )[0]
    )
    assert "统筹布局全域创新资源" in text and text.endswith(f"{CITE} 二（一）")


async def test_form_validation_maps_free_text() -> None:
    form = ValidateEligibilityForm()
    dispatcher = CollectingDispatcher()
    t = tracker("俺是种地的农户", "inform")
    assert await form.validate_applicant_type("俺是种地的农户", dispatcher, t, {}) == {"applicant_type": "farmer"}
    assert await form.validate_applicant_type("做海参的", dispatcher, t, {}) == {"applicant_type": None}
    assert "没听明白" in shown(dispatcher.messages[-1])


async def test_handoff_phone_validation() -> None:
    form = ValidateHandoffForm()
    dispatcher = CollectingDispatcher()
    t = tracker("电话13800138000", "inform")
    assert await form.validate_callback_phone("电话 138 0013 8000", dispatcher, t, {}) == {
        "callback_phone": "13800138000"
    }
    assert await form.validate_callback_phone("不用了", dispatcher, tracker("不用了", "deny"), {}) == {
        "callback_phone": NO_CALLBACK
    }
    assert await form.validate_callback_phone("明天吧", dispatcher, tracker("明天吧", "inform"), {}) == {
        "callback_phone": None
    }
    assert await form.validate_callback_phone("座机 0631-5201234", dispatcher, t, {}) == {
        "callback_phone": "0631-5201234"
    }
    assert await form.validate_callback_phone("１３８００１３８０００", dispatcher, t, {}) == {
        "callback_phone": "13800138000"
    }


def test_ticket_question_is_the_one_before_the_handoff() -> None:
    from actions.handoff import transcript

    def user(text: str, intent: str) -> dict[str, Any]:
        return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}

    events = [
        user("创新券什么时候申报", "ask_how_to_apply"),
        {"event": "bot", "text": "文件未规定…"},
        user("转人工", "handoff"),
        {"event": "bot", "text": "请留下电话"},
        user("13800138000", "goodbye"),
    ]  # a misread phone number must not become the question
    t = Tracker("s", {}, events[-1]["parse_data"], events, False, None, {}, "action_listen")
    lines, question = transcript(t)
    assert question == "创新券什么时候申报" and lines[-1]["text"] == "13800138000"


async def test_another_citys_policy_is_out_of_scope() -> None:
    messages, events = await run(
        ActionAnswerPolicy(),
        tracker("青岛的企业研发补助政策是啥", "ask_measure_info", [entity("measure", "rd_subsidy")]),
    )
    assert "青岛" in shown(messages[0]) and "12345" in shown(messages[0])
    assert slots(events)["answer_outcome"] == "out_of_scope"
