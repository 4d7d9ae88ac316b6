"""A person's right to erasure: one conversation deleted from every store, nothing else touched.

A conversation is named by what a user or staff member can have in hand: its conversation id (the
16-hex pseudonym the widget shows when the user presses 重新开始), a message id (the 32-hex "message_id"
of one answer), or the sender id itself. What goes: the question-log rows and their feedback, the
hand-off tickets, a held callback number, the WeChat channel's deliveries and numbered options (app
database), and every event and checkpoint of the conversation's senders in Rasa's tracker store. Both
databases are scrubbed afterwards (app_store.scrub: the WAL checkpointed on SQLite, VACUUM FULL of the
tables it deleted from on PostgreSQL), so the deleted rows are gone from the files too.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import delete, select
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
from app_store.privacy import pseudonym
from app_store.scrub import scrub

CONVERSATION_ID = re.compile(r"[0-9a-f]{16}")
MESSAGE_ID = re.compile(r"[0-9a-f]{32}")
ERASED_TABLES = (
    QuestionLogRow.__tablename__,
    FeedbackRow.__tablename__,
    HandoffTicketRow.__tablename__,
    CallbackHoldRow.__tablename__,
    WeChatDeliveryRow.__tablename__,
    WeChatFollowerRow.__tablename__,
)


@dataclass(frozen=True)
class ErasureReport:
    conversation: str
    questions: int
    feedback: int
    tickets: int
    callback_holds: int
    tracker_events: int
    wechat_deliveries: int
    wechat_followers: int

    @property
    def found(self) -> bool:
        return any(
            (
                self.questions,
                self.feedback,
                self.tickets,
                self.callback_holds,
                self.tracker_events,
                self.wechat_deliveries,
                self.wechat_followers,
            )
        )

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "found": self.found}


def conversation_for(app_engine: Engine, secret: str, reference: str) -> str | None:
    """The conversation pseudonym `reference` names: a conversation id, a message id, or a sender id."""
    reference = reference.strip()
    if CONVERSATION_ID.fullmatch(reference):
        return reference
    if MESSAGE_ID.fullmatch(reference):
        with Session(app_engine) as session:
            return session.execute(
                select(QuestionLogRow.conversation).where(QuestionLogRow.public_id == reference)
            ).scalar_one_or_none()
    return pseudonym(secret, reference) if reference else None


def erase_conversation(
    app_engine: Engine, tracker_engine: Engine | None, secret: str, conversation: str
) -> ErasureReport:
    """Delete `conversation` (a pseudonym) everywhere; returns what went from each store."""
    with Session(app_engine) as session, session.begin():
        public_ids = select(QuestionLogRow.public_id).where(
            QuestionLogRow.conversation == conversation, QuestionLogRow.public_id.is_not(None)
        )
        # Feedback first and explicitly: SQLite enforces the ON DELETE CASCADE only with a pragma.
        feedback = changed(
            session.execute(
                delete(FeedbackRow)
                .where(FeedbackRow.question_public_id.in_(public_ids))
                .execution_options(synchronize_session=False)
            )
        )
        questions = changed(
            session.execute(
                delete(QuestionLogRow)
                .where(QuestionLogRow.conversation == conversation)
                .execution_options(synchronize_session=False)
            )
        )
        tickets = changed(
            session.execute(
                delete(HandoffTicketRow)
                .where(HandoffTicketRow.conversation == conversation)
                .execution_options(synchronize_session=False)
            )
        )
    holds = callbacks.release(app_engine, conversation)
    deliveries, followers = wechat.erase(app_engine, conversation)
    counts = (questions, feedback, tickets, holds, deliveries, followers)
    events = 0
    if tracker_engine is not None:
        events = tracker.delete_senders(tracker_engine, tracker.senders_of(tracker_engine, secret, conversation))
        scrub(tracker_engine, tracker.TABLES if events else (), full=True)
    # Only the tables something was deleted from: VACUUM FULL rewrites each one.
    scrub(app_engine, [table for table, count in zip(ERASED_TABLES, counts, strict=True) if count], full=True)
    return ErasureReport(
        conversation=conversation,
        questions=int(questions),
        feedback=int(feedback),
        tickets=int(tickets),
        callback_holds=holds,
        tracker_events=events,
        wechat_deliveries=deliveries,
        wechat_followers=followers,
    )
