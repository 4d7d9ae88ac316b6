"""Feedback on answers: 👍/👎 with an optional reason, stored against the logged question.

A question is named by its public id (`question_log.public_id`, the "message_id" the chat API returns).
There is one verdict per question: voting again, or adding the reason after a 👎, replaces the earlier one,
so counts stay honest however often a user clicks.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app_store.models import FeedbackRow, QuestionLogRow
from app_store.privacy import mask

UP = 1
DOWN = -1
REASON_MAX_CHARS = 500


class FeedbackResult(enum.Enum):
    RECORDED = "recorded"
    UNKNOWN_QUESTION = "unknown_question"


@dataclass(frozen=True)
class Feedback:
    id: int
    created_at: datetime
    question_public_id: str
    vote: int
    reason: str | None


def record_feedback(engine: Engine, question_public_id: str, vote: int, reason: str | None = None) -> FeedbackResult:
    """Store (or replace) the verdict on one question; the reason is masked and cut to 500 characters."""
    if vote not in (UP, DOWN):
        raise ValueError("vote must be 1 (👍) or -1 (👎)")
    cleaned = mask(reason.strip())[:REASON_MAX_CHARS] if reason and reason.strip() else None
    for attempt in range(2):
        try:
            return _upsert(engine, question_public_id, vote, cleaned)
        except IntegrityError:
            # Two votes on the same question at the same moment: the other one inserted first, so this
            # one now finds its row and updates it.
            if attempt:
                raise
    raise AssertionError("unreachable")


def _upsert(engine: Engine, question_public_id: str, vote: int, reason: str | None) -> FeedbackResult:
    with Session(engine) as session, session.begin():
        known = session.execute(select(QuestionLogRow.id).where(QuestionLogRow.public_id == question_public_id)).first()
        if known is None:
            return FeedbackResult.UNKNOWN_QUESTION
        row = session.execute(
            select(FeedbackRow).where(FeedbackRow.question_public_id == question_public_id)
        ).scalar_one_or_none()
        if row is None:
            row = FeedbackRow(question_public_id=question_public_id)
            session.add(row)
        row.created_at = datetime.now(timezone.utc)
        row.vote = vote
        row.reason = reason
        return FeedbackResult.RECORDED


def feedback_for(engine: Engine, question_public_id: str) -> Feedback | None:
    """The verdict on one question, if any."""
    with Session(engine) as session:
        row = session.execute(
            select(FeedbackRow).where(FeedbackRow.question_public_id == question_public_id)
        ).scalar_one_or_none()
        if row is None:
            return None
        return Feedback(row.id, row.created_at, row.question_public_id, row.vote, row.reason)
