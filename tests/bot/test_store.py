from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app_store import (
    HandoffTicketRow,
    QuestionRecord,
    close_ticket,
    create_ticket,
    engine_for,
    log_question,
    log_questions,
    open_tickets,
    ping,
)
from app_store.tickets import TRANSCRIPT_TURNS
from tests.bot.conftest import KEYS, query_rows

ASKED_AT = datetime(2026, 11, 27, 9, 30, tzinfo=timezone(timedelta(hours=8)))


def record(**overrides: object) -> QuestionRecord:
    values: dict[str, object] = {
        "created_at": ASKED_AT,
        "channel": "web",
        "conversation": "0123456789abcdef",
        "text": "荣成研发补助最多多少？电话13800138000",
        "intent": "ask_amount",
        "confidence": 0.91,
        "entities": [{"entity": "phone", "value": "13800138000", "text": "13800138000", "start": 11}],
        "measure": "rd_subsidy",
        "outcome": "answered",
        "latency_ms": 42,
        "reply": "请回电13800138000。" + "长" * 3000,
    }
    values.update(overrides)
    return QuestionRecord(**values)  # type: ignore[arg-type]


def test_log_question_stores_a_masked_row(migrated_url: str) -> None:
    row_id = log_question(engine_for(migrated_url), record())
    [row] = query_rows(migrated_url)
    assert row.id == row_id
    assert row.created_at == ASKED_AT  # same instant, read back in UTC
    assert row.created_at.tzinfo is not None and row.created_at.utcoffset() == timedelta(0)
    assert row.text == "荣成研发补助最多多少？电话138****8000"
    assert row.entities == [{"entity": "phone", "value": "138****8000", "text": "138****8000"}]
    assert (row.intent, row.confidence, row.measure, row.outcome) == (
        "ask_amount",
        0.91,
        "rd_subsidy",
        "answered",
    )
    assert row.answered is True
    assert row.latency_ms == 42
    assert row.reply.startswith("请回电138****8000。") and len(row.reply) == 2000


@pytest.mark.parametrize("outcome", ["fallback", "out_of_scope", "handoff", "smalltalk", "form", "error", "unknown"])
def test_only_answered_counts_as_answered(migrated_url: str, outcome: str) -> None:
    log_question(engine_for(migrated_url), record(outcome=outcome, intent=None, confidence=None, reply=None))
    [row] = query_rows(migrated_url)
    assert (row.outcome, row.answered, row.intent, row.confidence, row.reply) == (
        outcome,
        False,
        None,
        None,
        None,
    )


def test_log_questions_writes_all_in_order(migrated_url: str) -> None:
    ids = log_questions(engine_for(migrated_url), [record(text=f"问题{n}") for n in range(3)])
    rows = query_rows(migrated_url)  # ordered by id
    assert [row.text for row in rows] == ["问题0", "问题1", "问题2"]
    assert ids == [row.id for row in rows]


def test_naive_timestamps_are_refused(migrated_url: str) -> None:
    with pytest.raises(Exception, match="timezone-aware"):
        log_question(engine_for(migrated_url), record(created_at=datetime(2026, 1, 1)))
    assert query_rows(migrated_url) == []


def test_ticket_lifecycle(migrated_url: str) -> None:
    engine = engine_for(migrated_url)
    first = create_ticket(
        engine,
        conversation="0123456789abcdef",
        question="我要找人工，我的身份证370602199001011234",
        transcript=[{"who": "user", "text": "电话13800138000"}, {"who": "bot", "text": "好的"}],
        callback_phone=" 13800138000 ",
        keys=KEYS,
    )
    second = create_ticket(engine, conversation="fedcba9876543210", question="转人工", keys=KEYS)
    [one, two] = open_tickets(engine, keys=KEYS)
    assert (one.id, two.id) == (first, second)  # oldest first
    assert one.question == "我要找人工，我的身份证370************234"
    assert one.transcript == [{"who": "user", "text": "电话138****8000"}, {"who": "bot", "text": "好的"}]
    assert one.callback_phone == "13800138000"  # staff must be able to call back
    assert one.status == "open" and one.closed_at is None
    assert two.callback_phone is None and two.transcript == []

    assert close_ticket(engine, first, "已回电，客户留言13912345678") is True
    assert close_ticket(engine, first, "again") is False
    assert close_ticket(engine, 999_999, "") is False
    assert [ticket.id for ticket in open_tickets(engine, keys=KEYS)] == [second]
    with Session(engine) as session:
        closed = session.execute(select(HandoffTicketRow).where(HandoffTicketRow.id == first)).scalar_one()
        assert (closed.status, closed.note) == ("done", "已回电，客户留言139****5678")
        assert closed.closed_at is not None and closed.closed_at >= closed.created_at


def test_ticket_keeps_the_last_turns(migrated_url: str) -> None:
    engine = engine_for(migrated_url)
    lines = [{"who": who, "text": f"第{n}{said}"} for n in range(30) for who, said in (("user", "问"), ("bot", "答"))]
    create_ticket(engine, conversation="c", question="q", transcript=lines, keys=KEYS)
    [ticket] = open_tickets(engine, keys=KEYS)
    assert len(ticket.transcript) == 2 * TRANSCRIPT_TURNS
    assert ticket.transcript[0]["text"] == f"第{30 - TRANSCRIPT_TURNS}问" and ticket.transcript[-1]["text"] == "第29答"


def test_the_action_server_sees_every_turn_a_ticket_keeps() -> None:
    # Rasa hands the hand-off action the tracker window (window_turns to 1.5 times that many turns).
    from policy_rasa.tracker_store import DEFAULT_WINDOW_TURNS

    assert TRANSCRIPT_TURNS <= DEFAULT_WINDOW_TURNS


@pytest.mark.parametrize("phone", ["call me maybe", "12345", "1-2-3-4-5", "138001380001", "+1 (555) 0100"])
def test_ticket_refuses_a_callback_phone_that_is_no_phone(migrated_url: str, phone: str) -> None:
    with pytest.raises(ValueError, match="callback_phone"):
        create_ticket(engine_for(migrated_url), conversation="c", question="q", callback_phone=phone, keys=KEYS)


@pytest.mark.parametrize(
    "phone", ["13800138000", "+86 138 0013 8000", "0631-5812345", "(0631)5812345", "１３８００１３８０００"]
)
def test_ticket_takes_mobile_and_landline_numbers(migrated_url: str, phone: str) -> None:
    create_ticket(engine_for(migrated_url), conversation="c", question="q", callback_phone=phone, keys=KEYS)
    assert open_tickets(engine_for(migrated_url), keys=KEYS)[0].callback_phone == phone


def test_ping_needs_the_migrated_schema(migrated_url: str) -> None:
    ping(engine_for(migrated_url))
    with pytest.raises(Exception, match="question_log"):
        ping(engine_for("sqlite://"))


def test_store_does_not_pull_in_aiohttp() -> None:
    # The Rasa action server imports app_store; it must not drag the gateway's web stack along.
    code = "import sys, app_store; assert 'aiohttp' not in sys.modules, 'aiohttp imported'"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[2])
