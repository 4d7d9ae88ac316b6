"""Tables of the app database. Changing one needs a migration in bot/migrations/versions."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, declarative_base
from sqlalchemy.types import TypeDecorator

Base = declarative_base()

# A sealed value ('v1:<key id>:<base64>') of up to 40 characters fits: 3 + 9 + 4 * (12 + 40 + 16) / 3.
SEALED_CHARS = 128


class UTCDateTime(TypeDecorator):  # type: ignore[type-arg]
    """Aware UTC datetimes in and out, also on SQLite, which stores no offset."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware datetimes")
        utc = value.astimezone(timezone.utc)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        moment: datetime = value
        if moment.tzinfo is None:
            return moment.replace(tzinfo=timezone.utc)
        return moment.astimezone(timezone.utc)


class QuestionLogRow(Base):
    """One row per accepted chat message: what was asked, how it was understood, how it ended."""

    __tablename__ = "question_log"
    __table_args__ = (
        Index("ix_question_log_created_at", "created_at"),
        Index("ix_question_log_intent", "intent"),
        Index("ix_question_log_measure", "measure"),
        Index("ix_question_log_outcome", "outcome"),
        Index("ux_question_log_public_id", "public_id", unique=True),
        Index("ix_question_log_model_version", "model_version"),
    )
    id: Mapped[int] = Column(Integer, primary_key=True)
    # Random id the gateway returns as "message_id", so the widget can attach feedback to this question.
    public_id = Column(String(32))
    created_at: Mapped[datetime] = Column(UTCDateTime(), nullable=False)
    channel: Mapped[str] = Column(String(16), nullable=False)
    conversation: Mapped[str] = Column(String(16), nullable=False)  # pseudonym, see app_store.privacy.pseudonym
    text: Mapped[str] = Column(Text, nullable=False)  # masked
    intent = Column(String(100))
    confidence = Column(Float)
    entities: Mapped[Any] = Column(JSON, nullable=False)  # [{"entity", "value", "text"}], masked
    measure = Column(String(64))  # policy_kb measure id the turn was about
    outcome: Mapped[str] = Column(String(20), nullable=False)
    answered: Mapped[bool] = Column(Boolean, nullable=False)
    latency_ms: Mapped[int] = Column(Integer, nullable=False)
    reply = Column(Text)  # masked first reply text
    # Rasa's model_id of the model that answered (policy_rasa.tracker_store.summarise); NULL before 0005.
    model_version = Column(String(40))


class FeedbackRow(Base):
    """A user's 👍 (+1) or 👎 (-1) on one answer; one row per question, a new vote replaces the old."""

    __tablename__ = "feedback"
    __table_args__ = (
        CheckConstraint("vote IN (1, -1)", name="ck_feedback_vote"),
        Index("ux_feedback_question_public_id", "question_public_id", unique=True),
        Index("ix_feedback_created_at", "created_at"),
    )
    id: Mapped[int] = Column(Integer, primary_key=True)
    created_at: Mapped[datetime] = Column(UTCDateTime(), nullable=False)
    question_public_id: Mapped[str] = Column(
        String(32),
        ForeignKey("question_log.public_id", ondelete="CASCADE", name="fk_feedback_question"),
        nullable=False,
    )
    vote: Mapped[int] = Column(SmallInteger, nullable=False)
    reason = Column(String(500))  # masked


class ReviewRow(Base):
    """An analyst's verdict on one logged question (bot.review); one per question, a new one replaces it.

    Only ids, choices and a short masked note: the question's text stays in question_log, masked."""

    __tablename__ = "reviews"
    __table_args__ = (
        CheckConstraint("verdict IN ('correct', 'wrong', 'out_of_scope', 'policy_gap')", name="ck_reviews_verdict"),
        Index("ux_reviews_question_id", "question_id", unique=True),
        Index("ix_reviews_verdict", "verdict"),
    )
    id: Mapped[int] = Column(Integer, primary_key=True)
    question_id: Mapped[int] = Column(
        Integer, ForeignKey("question_log.id", ondelete="CASCADE", name="fk_reviews_question"), nullable=False
    )
    verdict: Mapped[str] = Column(String(16), nullable=False)
    target_kind = Column(String(8))  # measure / clause / target (policy_kb)
    target_id = Column(String(64))
    aspect = Column(String(32))  # an aspect value of the NLU (bot.review.ASPECTS)
    note = Column(String(200))  # masked
    # the user's word for the measure, a part of the masked question (migration 0006)
    alias = Column(String(20))
    reviewer: Mapped[str] = Column(String(64), nullable=False)  # the analyst's username
    reviewed_at: Mapped[datetime] = Column(UTCDateTime(), nullable=False)


class HandoffTicketRow(Base):
    """A request to be called back by a person, created by the hand-off action."""

    __tablename__ = "handoff_tickets"
    __table_args__ = (Index("ix_handoff_tickets_status_created_at", "status", "created_at"),)
    id: Mapped[int] = Column(Integer, primary_key=True)
    created_at: Mapped[datetime] = Column(UTCDateTime(), nullable=False)
    conversation: Mapped[str] = Column(String(16), nullable=False)
    question: Mapped[str] = Column(Text, nullable=False)  # masked
    transcript: Mapped[Any] = Column(JSON, nullable=False)  # [{"who", "text"}], masked
    # Kept on purpose, sealed (app_store.sealing, migration 0008): staff must be able to call back; only
    # their ticket page and API open it. Analytics never read this column.
    callback_phone = Column(String(SEALED_CHARS))
    status: Mapped[str] = Column(String(8), nullable=False)  # open / done
    note = Column(Text)
    closed_at = Column(UTCDateTime())


class CallbackHoldRow(Base):
    """A callback number the gateway took out of a message before masking it, held for the hand-off
    action to put on the ticket (app_store.callbacks). Rasa only ever sees the masked form; the row is
    deleted when the ticket takes it, and by the purge once it is older than CALLBACK_HOLD_MINUTES."""

    __tablename__ = "callback_holds"
    __table_args__ = (Index("ix_callback_holds_created_at", "created_at"),)
    conversation: Mapped[str] = Column(String(16), primary_key=True)  # pseudonym; only the latest number is held
    created_at: Mapped[datetime] = Column(UTCDateTime(), nullable=False)
    # sealed (app_store.sealing) from the digits the ticket gets: '13812345678', '0631-5201234'
    phone: Mapped[str] = Column(String(SEALED_CHARS), nullable=False)
    masked: Mapped[str] = Column(String(40), nullable=False)  # the form Rasa saw, to check it is the same number


class WeChatDeliveryRow(Base):
    """One message or event WeChat delivered, claimed by the gateway process that answers it, so that a
    retry of it (WeChat's, to any gateway copy) gets the same reply and reaches Rasa and the log once
    (app_store.wechat). Kept for DELIVERY_TTL only."""

    __tablename__ = "wechat_deliveries"
    __table_args__ = (
        Index("ix_wechat_deliveries_created_at", "created_at"),
        Index("ix_wechat_deliveries_conversation", "conversation"),
    )
    # pseudonym of the follower and MsgId (or the event's fields)
    key: Mapped[str] = Column(String(16), primary_key=True)
    conversation: Mapped[str] = Column(String(16), nullable=False)  # pseudonym, as in question_log: for the erasure
    claimant: Mapped[str] = Column(String(32), nullable=False)  # the gateway process answering it
    claimed_at: Mapped[datetime] = Column(UTCDateTime(), nullable=False)  # refreshed while it answers; stale: it died
    answered_at = Column(UTCDateTime())  # also the reply's CreateTime
    reply = Column(Text)  # what was sent; NULL with answered_at set: nothing (WeChat's "success")
    created_at: Mapped[datetime] = Column(UTCDateTime(), nullable=False)


class WeChatFollowerRow(Base):
    """What a follower's digits mean after the last reply (its numbered options and the parts not yet
    sent), for whichever gateway copy gets the digit. Read for FOLLOWER_TTL after `updated_at`."""

    __tablename__ = "wechat_followers"
    __table_args__ = (Index("ix_wechat_followers_updated_at", "updated_at"),)
    # pseudonym of the OpenID's sender id, as in question_log
    conversation: Mapped[str] = Column(String(16), primary_key=True)
    options: Mapped[Any] = Column(JSON, nullable=False)  # [[title, payload], …] of option 1, 2, …
    more: Mapped[Any] = Column(JSON, nullable=False)  # [part, …] still to send for MORE
    updated_at: Mapped[datetime] = Column(UTCDateTime(), nullable=False)


# The columns that hold sealed personal values, each opened with "table.column" as the associated data
# (app_store.sealing): what migration 0008 sealed and `python -m bot.privacy rotate-key` re-seals.
SEALED_COLUMNS = (CallbackHoldRow.__table__.c.phone, HandoffTicketRow.__table__.c.callback_phone)


def sealed_as(column: Any) -> str:
    """The associated data a value of `column` is sealed with."""
    return f"{column.table.name}.{column.name}"
