"""Analysts' verdicts on logged questions (table `reviews`, migrations 0005 and 0006).

One review per question: saving again replaces the verdict (reviews are editable). Only ids, choices, a
short masked note and the user's word for the measure (a part of the masked question) are stored; the
question's text stays in question_log, already masked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app_store.models import QuestionLogRow, ReviewRow
from app_store.privacy import mask

VERDICTS = ("correct", "wrong", "out_of_scope", "policy_gap")
TARGET_KINDS = ("measure", "clause", "target")
NOTE_MAX_CHARS = 200
ALIAS_MAX_CHARS = 20


@dataclass(frozen=True)
class Review:
    question_id: int
    verdict: str
    target_kind: str | None
    target_id: str | None
    aspect: str | None
    note: str | None
    reviewer: str
    reviewed_at: datetime
    alias: str | None = None  # the user's word for the measure: an alias suggestion for the KB


class AliasNotInQuestionError(ValueError):
    """The reviewer's word for the measure is not a part of the (masked) question."""


def save_review(engine: Engine, review: Review) -> bool:
    """Store (or replace) the verdict on one question; False when there is no such question. Raises
    AliasNotInQuestionError when the word given for the measure is not in the question's text."""
    note = mask(review.note)[:NOTE_MAX_CHARS] if review.note else None
    with Session(engine) as session, session.begin():
        question = session.get(QuestionLogRow, review.question_id)
        if question is None:
            return False
        # Only a word the user wrote (and masking kept) can teach the KB how people name a measure.
        if review.alias and review.alias not in (question.text or ""):
            raise AliasNotInQuestionError(review.alias)
        row = session.execute(select(ReviewRow).where(ReviewRow.question_id == review.question_id)).scalar()
        if row is None:
            row = ReviewRow(question_id=review.question_id)
            session.add(row)
        row.verdict = review.verdict
        row.target_kind = review.target_kind
        row.target_id = review.target_id
        row.aspect = review.aspect
        row.note = note
        row.alias = review.alias or None
        row.reviewer = review.reviewer[:64]
        row.reviewed_at = review.reviewed_at
        return True


def reviews(engine: Engine, question_ids: list[int] | None = None) -> dict[int, Review]:
    """Reviews by question id (all of them, or of these questions)."""
    query = select(ReviewRow)
    if question_ids is not None:
        query = query.where(ReviewRow.question_id.in_(question_ids))
    with Session(engine) as session:
        rows = session.execute(query).scalars().all()
        return {row.question_id: _review(row) for row in rows}


def _review(row: ReviewRow) -> Review:
    return Review(
        question_id=row.question_id,
        verdict=row.verdict,
        target_kind=row.target_kind,
        target_id=row.target_id,
        aspect=row.aspect,
        note=row.note,
        reviewer=row.reviewer,
        reviewed_at=row.reviewed_at,
        alias=row.alias,
    )
