"""End to end: the real action server, Rasa server and gateway; questions through /api/chat."""

from __future__ import annotations

import time
import uuid

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from app_store import HandoffTicketRow, QuestionLogRow
from app_store.privacy import pseudonym
from app_store.sealing import keys_from
from app_store.tickets import SEALED_AS
from harness.stack import Stack, get_status

CITE = "依据：威政办发〔2018〕32号"


def sender() -> str:
    return f"e2e-{uuid.uuid4().hex[:8]}"


def log_rows(stack: Stack, who: str, expected: int, timeout: float = 10) -> list[QuestionLogRow]:
    """The gateway writes the log after replying: wait for the rows to land."""
    engine = create_engine(stack.app_db_url)
    conversation = pseudonym(stack.env["APP_SECRET"], who)
    deadline = time.monotonic() + timeout
    while True:
        with Session(engine) as session:
            rows = (
                session.execute(
                    select(QuestionLogRow)
                    .where(QuestionLogRow.conversation == conversation)
                    .order_by(QuestionLogRow.id)
                )
                .scalars()
                .all()
            )
        if len(rows) >= expected or time.monotonic() > deadline:
            return list(rows)
        time.sleep(0.2)


def test_healthz_green(stack: Stack) -> None:
    assert get_status(f"{stack.url}/healthz") == 200


def test_enterprise_question_with_figures_and_citation(stack: Stack) -> None:
    status, body = stack.chat(sender(), "我们公司在荣成，研发补助最多能拿多少？各级怎么分担？")
    assert status == 200
    texts = [r["text"] for r in body["replies"] if r.get("text")]
    assert "1000万元" in texts[0] and "县级50% 500万元" in texts[0] and "市级不分担" in texts[0]
    assert texts[0].splitlines()[-1] == f"{CITE} 二（六）"
    card = next(r["custom"] for r in body["replies"] if r.get("custom"))
    assert card["type"] == "policy_card" and card["clause"] == "二（六）" and "1000 万元" in card["clause_text"]


def test_follow_ups_lean_on_context(stack: Stack) -> None:
    who = sender()
    first = stack.texts(who, "我们拿到200万研发补助，省市县各出多少？")
    assert "省级50% 100万元" in first and "市级25% 50万元" in first and "县级25% 50万元" in first
    second = stack.texts(who, "那荣成呢")
    assert "荣成市" in second and "县级50% 100万元" in second and "市级不分担" in second
    third = stack.texts(who, "找哪个部门")
    assert "市科技局" in third and third.endswith(f"{CITE} 二（六）")


def test_farmer_typo_and_keyword_queries(stack: Stack) -> None:
    assert "二（十二）" in stack.texts(sender(), "俺们村想办个农科驿站，政府给钱不？")
    voucher = stack.texts(sender(), "创新卷是补给谁的")
    assert "公共创新服务" in voucher and voucher.endswith(f"{CITE} 二（十二）")
    assert "10万元" in stack.texts(sender(), "特派员 奖励")
    assert "100万元" in stack.texts(sender(), "创新型乡镇 奖励")


def test_out_of_scope_offers_hotline_and_a_person(stack: Stack) -> None:
    status, body = stack.chat(sender(), "明天威海天气怎么样")
    assert status == 200
    reply = body["replies"][0]
    assert "12345" in reply["text"] and "依据" not in reply["text"]
    assert reply["buttons"] == [{"title": "转人工", "payload": "/handoff"}]


def test_handoff_records_a_ticket(stack: Stack) -> None:
    who = sender()
    stack.texts(who, "创新券什么时候申报")
    assert "电话号码" in stack.texts(who, "转人工")
    assert "已为您转人工" in stack.texts(who, "我的电话是13800138000")
    engine = create_engine(stack.app_db_url)
    with Session(engine) as session:
        ticket = session.execute(
            select(HandoffTicketRow).where(HandoffTicketRow.conversation == pseudonym(stack.env["APP_SECRET"], who))
        ).scalar_one()
    assert ticket.status == "open" and ticket.callback_phone is not None
    assert keys_from(stack.env["APP_SECRET"]).open(ticket.callback_phone, SEALED_AS) == "13800138000"
    assert ticket.question == "创新券什么时候申报"
    assert any(line["who"] == "bot" and "文件未规定" in line["text"] for line in ticket.transcript)


def test_question_log_holds_masked_rows(stack: Stack) -> None:
    who = sender()
    stack.texts(who, "我电话13912345678，研发补助最多多少")
    stack.texts(who, "明天天气怎么样")
    rows = log_rows(stack, who, 2)
    assert len(rows) == 2
    first, second = rows
    assert "13912345678" not in first.text and "研发补助最多多少" in first.text
    assert first.intent == "ask_amount" and 0 < first.confidence <= 1
    assert first.measure == "rd_subsidy" and first.outcome == "answered" and first.answered is True
    assert {"entity": "measure", "value": "rd_subsidy", "text": "研发补助"} in first.entities
    assert first.latency_ms > 0 and first.channel == "web"
    assert second.outcome == "out_of_scope" and second.answered is False


def test_policy_calculator_form(stack: Stack) -> None:
    who = sender()
    assert "哪类主体" in stack.texts(who, "我能享受哪些政策")
    answer = stack.texts(who, "我们是高新技术企业")
    assert "高新技术企业可以关注" in answer and "企业研究开发财政补助" in answer
    # a district named in the question is used
    assert "荣成市的高新技术企业" in stack.texts(sender(), "我们是荣成的高新技术企业，能享受哪些政策")


def test_bad_input_gets_chinese_4xx(stack: Stack) -> None:
    status, body = stack.chat(sender(), "   ")
    assert status == 400 and body["error"] == "请输入问题"
