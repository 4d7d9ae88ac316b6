"""The purge (retention periods) and the erasure (one conversation), on SQLite and PostgreSQL, against a
real Rasa tracker store (policy_rasa.tracker_store) and the migrated app database."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from app_store import (
    FeedbackRow,
    HandoffTicketRow,
    QuestionLogRow,
    QuestionRecord,
    callbacks,
    close_ticket,
    create_ticket,
    engine_for,
    log_questions,
    record_feedback,
)
from app_store.erasure import conversation_for, erase_conversation
from app_store.privacy import pseudonym
from app_store.retention import Retention, purge
from app_store.tracker import tracker_engine
from bot.staff.analytics import Filters, build_report
from policy_kb.loader import DEFAULT_DATA_FILE
from policy_kb.query import KnowledgeBase
from policy_kb.store import engine_for as kb_engine_for
from policy_kb.store import load_into, read_document
from policy_rasa.tracker_store import TurnRecordingTrackerStore
from tests.bot.conftest import KEYS, SECRET

REPO = Path(__file__).resolve().parents[2]
DOMAIN = Domain.load(str(REPO / "domain.yml"))
NOW = datetime(2026, 12, 2, 8, 0, tzinfo=timezone.utc)
OLD = NOW - timedelta(days=200)  # past the 180-day default
RECENT = NOW - timedelta(days=10)


@dataclass
class Stores:
    app_url: str
    tracker_url: str
    store: TurnRecordingTrackerStore

    @property
    def app(self) -> Any:
        return engine_for(self.app_url)

    @property
    def tracker(self) -> Any:
        return tracker_engine(self.tracker_url)


@pytest.fixture
def stores(migrated_url: str, tmp_path: Path) -> Stores:
    if migrated_url.startswith("sqlite"):
        tracker_url = f"sqlite:///{tmp_path / 'tracker.db'}"
        store = TurnRecordingTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "tracker.db"))
    else:  # the tracker's tables beside the app's, in the same throwaway database
        tracker_url = migrated_url
        store = TurnRecordingTrackerStore(domain=DOMAIN, dialect="postgresql", host=migrated_url)
    return Stores(migrated_url, tracker_url, store)


def converse(stores: Stores, sender: str, at: datetime, question: str) -> str:
    """One turn of `sender` at `at` in the tracker store and the question log; returns its message id."""
    stamp = at.timestamp()
    tracker = DialogueStateTracker.from_events(
        sender,
        [
            ActionExecuted("action_listen", timestamp=stamp),
            UserUttered(question, {"name": "ask_amount", "confidence": 0.9}, timestamp=stamp),
            BotUttered("研发补助最高1000万元", timestamp=stamp),
            ActionExecuted("action_listen", timestamp=stamp),
        ],
        DOMAIN.slots,
    )
    asyncio.run(stores.store.save(tracker))
    message_id = f"{abs(hash((sender, stamp, question))):032x}"[:32]
    log_questions(
        stores.app,
        [
            QuestionRecord(
                created_at=at,
                channel="web",
                conversation=pseudonym(SECRET, sender),
                text=question,
                outcome="answered",
                latency_ms=30,
                intent="ask_amount",
                confidence=0.9,
                measure="rd_subsidy",
                reply="研发补助最高1000万元",
                entities=[{"entity": "district", "value": "rongcheng", "text": "荣成"}],
                public_id=message_id,
            )
        ],
    )
    return message_id


def tracker_texts(stores: Stores, sender: str) -> list[str]:
    with stores.tracker.connect() as connection:
        rows = connection.execute(text("SELECT data FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender})
        # Rasa writes the JSON with ASCII escapes: decoded, so the Chinese can be compared.
        return [json.dumps(json.loads(row[0]), ensure_ascii=False) for row in rows]


def test_purge_removes_what_is_older_than_its_period_and_keeps_the_counts(stores: Stores) -> None:
    old_id = converse(stores, "old-visitor", OLD, "荣成研发补助最多多少")
    converse(stores, "new-visitor", RECENT, "荣成研发补助怎么申请")
    record_feedback(stores.app, old_id, -1, "没说清楚条件")
    with Session(stores.app) as session, session.begin():
        session.execute(update(FeedbackRow).values(created_at=OLD))
    old_ticket = create_ticket(
        stores.app,
        conversation=pseudonym(SECRET, "old-visitor"),
        question="想找人问",
        transcript=[{"who": "user", "text": "想找人问"}],
        callback_phone="13812345678",
        keys=KEYS,
    )
    recent_ticket = create_ticket(
        stores.app,
        conversation=pseudonym(SECRET, "new-visitor"),
        question="请回电",
        callback_phone="13900001111",
        keys=KEYS,
    )
    open_ticket = create_ticket(
        stores.app, conversation="0" * 16, question="还没处理", callback_phone="13700002222", keys=KEYS
    )
    for ticket_id, closed in ((old_ticket, OLD), (recent_ticket, NOW - timedelta(days=100))):
        assert close_ticket(stores.app, ticket_id, "已回电")
        with Session(stores.app) as session, session.begin():
            session.execute(update(HandoffTicketRow).where(HandoffTicketRow.id == ticket_id).values(closed_at=closed))
    callbacks.hold(stores.app, "1" * 16, "13600003333", keys=KEYS, now=NOW - timedelta(hours=2))
    callbacks.hold(stores.app, "2" * 16, "13500004444", keys=KEYS, now=NOW - timedelta(minutes=5))
    filters = Filters(start=(OLD - timedelta(days=1)).date(), end=NOW.date(), channel=None)
    kb = _kb()
    before = build_report(stores.app, kb, filters)

    report = purge(stores.app, stores.tracker, Retention(), now=NOW)

    assert tracker_texts(stores, "old-visitor") == []
    assert any("荣成研发补助怎么申请" in data for data in tracker_texts(stores, "new-visitor"))
    with Session(stores.app) as session:
        rows = {row.public_id: row for row in session.execute(select(QuestionLogRow)).scalars()}
        old_row = rows[old_id]
        assert (old_row.text, old_row.reply) == ("", None)
        assert old_row.entities == [{"entity": "district", "value": "rongcheng"}]
        assert (old_row.intent, old_row.measure, old_row.outcome) == ("ask_amount", "rd_subsidy", "answered")
        assert {row.text for row in rows.values()} == {"", "荣成研发补助怎么申请"}
        feedback = session.execute(select(FeedbackRow)).scalar_one()
        assert (feedback.vote, feedback.reason) == (-1, None)
        tickets = {row.id: row for row in session.execute(select(HandoffTicketRow)).scalars()}
    assert tickets[old_ticket].callback_phone is None and tickets[old_ticket].transcript == []
    assert tickets[old_ticket].question == ""
    assert tickets[recent_ticket].callback_phone is None  # closed 100 days ago: past the 90 days
    assert tickets[recent_ticket].question == "请回电"  # but its text is younger than 180 days
    assert (
        KEYS.open(tickets[open_ticket].callback_phone, "handoff_tickets.callback_phone") == "13700002222"
    )  # open: still to be called back
    assert callbacks.held(stores.app) == [("2" * 16, "135****4444")]
    assert report.tracker_events == 4 and report.question_texts == 1 and report.feedback_reasons == 1
    assert (report.ticket_phones, report.ticket_transcripts, report.callback_holds) == (2, 1, 1)

    # The analytics count the same questions, answers, measures, districts, conversations and votes.
    after = build_report(stores.app, kb, filters)
    assert after.summary == before.summary
    assert after.measures == before.measures and after.districts == before.districts
    assert after.daily == before.daily and after.feedback["up"] == before.feedback["up"]
    assert after.feedback["down"] == before.feedback["down"]

    # Run again: nothing more to remove.
    again = purge(stores.app, stores.tracker, Retention(), now=NOW)
    assert again.as_dict() == dict.fromkeys(again.as_dict(), 0)


def test_erasure_removes_one_conversation_everywhere_and_nothing_else(stores: Stores) -> None:
    gone = [converse(stores, "leaving", RECENT + timedelta(minutes=n), f"第{n}个问题 研发补助") for n in range(3)]
    kept = converse(stores, "staying", RECENT, "创新券怎么申请")
    record_feedback(stores.app, gone[0], 1)
    record_feedback(stores.app, kept, -1, "太长")
    create_ticket(
        stores.app,
        conversation=pseudonym(SECRET, "leaving"),
        question="转人工",
        callback_phone="13812345678",
        keys=KEYS,
    )
    create_ticket(
        stores.app,
        conversation=pseudonym(SECRET, "staying"),
        question="转人工",
        callback_phone="13900001111",
        keys=KEYS,
    )
    callbacks.hold(stores.app, pseudonym(SECRET, "leaving"), "13812345678", keys=KEYS)

    # Named by a widget message id, as a user who kept one would.
    conversation = conversation_for(stores.app, SECRET, gone[1])
    assert conversation == pseudonym(SECRET, "leaving")
    report = erase_conversation(stores.app, stores.tracker, SECRET, conversation)

    assert (report.questions, report.feedback, report.tickets, report.callback_holds) == (3, 1, 1, 1)
    assert report.tracker_events > 0 and report.found
    assert tracker_texts(stores, "leaving") == []
    assert any("创新券怎么申请" in data for data in tracker_texts(stores, "staying"))
    with Session(stores.app) as session:
        assert session.execute(select(QuestionLogRow.public_id)).scalars().all() == [kept]
        assert session.execute(select(FeedbackRow.question_public_id)).scalars().all() == [kept]
        assert session.execute(select(HandoffTicketRow.conversation)).scalars().all() == [pseudonym(SECRET, "staying")]
        assert session.execute(select(func.count()).select_from(text("callback_holds"))).scalar() == 0
    # An unknown message id names nothing; erasing again finds nothing.
    assert conversation_for(stores.app, SECRET, "f" * 32) is None
    assert not erase_conversation(stores.app, stores.tracker, SECRET, conversation).found


def _kb() -> Any:
    engine = kb_engine_for("sqlite://")
    load_into(engine, DEFAULT_DATA_FILE)
    data, version = read_document(engine)
    return KnowledgeBase(data, version)
