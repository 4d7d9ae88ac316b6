"""How long personal data is kept, and the purge that enforces it (`python -m bot.privacy purge`).

What goes, and what stays for the analytics:
- Rasa's tracker store: events older than `conversation_days` are deleted (the conversation's text).
- Question log: rows older than `conversation_days` lose their text, reply and the matched words of
  their entities; the row itself stays (date, channel, intent, confidence, measure, outcome, entity
  ids such as the district, the conversation pseudonym), so every count of the analytics survives.
- Feedback: votes stay, reasons older than `conversation_days` go.
- Hand-off tickets: closed more than `ticket_phone_days` ago, they lose the callback number; closed
  more than `conversation_days` ago, their question and transcript as well. Open tickets are kept.
- Callback numbers the gateway holds for the hand-off form: dropped after `callback_hold_minutes`.
- The WeChat channel's memory (app_store.wechat): deliveries after DELIVERY_TTL (a minute), followers'
  numbered options after FOLLOWER_TTL (30 minutes); the gateway also drops them once a minute.
Afterwards the tables it changed are scrubbed (app_store.scrub): a WAL checkpoint on SQLite, whose
connections zero what they delete; VACUUM on PostgreSQL.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app_store import callbacks, tracker, wechat
from app_store.engine import changed
from app_store.models import (
    CallbackHoldRow,
    FeedbackRow,
    HandoffTicketRow,
    QuestionLogRow,
    WeChatDeliveryRow,
    WeChatFollowerRow,
)
from app_store.scrub import scrub
from app_store.tickets import DONE
from infra.settings import default

PURGED_TEXT = ""
_BATCH = 1000


@dataclass(frozen=True)
class Retention:
    # The periods' defaults are deploy/defaults.env's; the gateway reads the environment's (bot/settings.py).
    conversation_days: int = int(default("RETAIN_CONVERSATION_DAYS"))
    ticket_phone_days: int = int(default("RETAIN_TICKET_PHONE_DAYS"))
    callback_hold_minutes: int = int(default("CALLBACK_HOLD_MINUTES"))


@dataclass(frozen=True)
class PurgeReport:
    tracker_events: int
    question_texts: int
    feedback_reasons: int
    ticket_phones: int
    ticket_transcripts: int
    callback_holds: int
    wechat_deliveries: int
    wechat_followers: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def purge(
    app_engine: Engine, tracker_engine: Engine | None, retention: Retention, now: datetime | None = None
) -> PurgeReport:
    """Remove what is older than its period; idempotent, so running it twice removes nothing more."""
    now = now or datetime.now(timezone.utc)
    conversations_cutoff = now - timedelta(days=retention.conversation_days)
    phones_cutoff = now - timedelta(days=retention.ticket_phone_days)
    events = tracker.delete_before(tracker_engine, conversations_cutoff.timestamp()) if tracker_engine else 0
    texts = _purge_question_texts(app_engine, conversations_cutoff)
    with Session(app_engine) as session, session.begin():
        reasons = changed(
            session.execute(
                update(FeedbackRow)
                .where(FeedbackRow.created_at < conversations_cutoff, FeedbackRow.reason.is_not(None))
                .values(reason=None)
                .execution_options(synchronize_session=False)
            )
        )
        phones = changed(
            session.execute(
                update(HandoffTicketRow)
                .where(
                    HandoffTicketRow.status == DONE,
                    HandoffTicketRow.closed_at < phones_cutoff,
                    HandoffTicketRow.callback_phone.is_not(None),
                )
                .values(callback_phone=None)
                .execution_options(synchronize_session=False)
            )
        )
        transcripts = changed(
            session.execute(
                update(HandoffTicketRow)
                .where(
                    HandoffTicketRow.status == DONE,
                    HandoffTicketRow.closed_at < conversations_cutoff,
                    HandoffTicketRow.question != PURGED_TEXT,
                )
                .values(question=PURGED_TEXT, transcript=[])
                .execution_options(synchronize_session=False)
            )
        )
    holds = callbacks.expire(app_engine, now - timedelta(minutes=retention.callback_hold_minutes))
    deliveries, followers = wechat.expire(app_engine, now)
    if tracker_engine is not None and events:
        scrub(tracker_engine, tracker.TABLES)
    touched = {
        QuestionLogRow.__tablename__: texts,
        FeedbackRow.__tablename__: reasons,
        HandoffTicketRow.__tablename__: phones + transcripts,
        CallbackHoldRow.__tablename__: holds,
        WeChatDeliveryRow.__tablename__: deliveries,
        WeChatFollowerRow.__tablename__: followers,
    }
    scrub(app_engine, [table for table, count in touched.items() if count])
    return PurgeReport(
        tracker_events=events,
        question_texts=texts,
        feedback_reasons=int(reasons),
        ticket_phones=int(phones),
        ticket_transcripts=int(transcripts),
        callback_holds=holds,
        wechat_deliveries=deliveries,
        wechat_followers=followers,
    )


def _purge_question_texts(engine: Engine, cutoff: datetime) -> int:
    """Blank the text of question-log rows before `cutoff`, in batches (the entities are JSON, edited
    row by row so their ids stay)."""
    stale = (
        QuestionLogRow.created_at < cutoff,
        or_(QuestionLogRow.text != PURGED_TEXT, QuestionLogRow.reply.is_not(None)),
    )
    done = 0
    while True:
        with Session(engine) as session, session.begin():
            rows = session.execute(select(QuestionLogRow).where(*stale).limit(_BATCH)).scalars().all()
            for row in rows:
                row.text = PURGED_TEXT
                row.reply = None
                row.entities = [
                    {key: value for key, value in entity.items() if key != "text"}
                    for entity in row.entities or []
                    if isinstance(entity, dict)
                ]
            done += len(rows)
        if len(rows) < _BATCH:
            return done
