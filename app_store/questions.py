"""Writing the question log."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine

from app_store.models import QuestionLogRow
from app_store.privacy import mask
from infra.outcome import Outcome

ANSWERED = Outcome.answered.value
ERROR = Outcome.error.value  # the gateway could not get an answer from Rasa
UNKNOWN = Outcome.unknown.value  # Rasa answered without saying how the turn ended

REPLY_MAX_CHARS = 2000
TEXT_MAX_CHARS = 10_000


@dataclass(frozen=True, kw_only=True)
class QuestionRecord:
    created_at: datetime
    channel: str
    conversation: str
    text: str
    outcome: str
    latency_ms: int
    intent: str | None = None
    confidence: float | None = None
    entities: Sequence[Mapping[str, Any]] = field(default_factory=tuple)
    measure: str | None = None
    reply: str | None = None
    # The random id returned to the client as "message_id" (feedback refers to it); see app_store.feedback.
    public_id: str | None = None
    model_version: str | None = None  # Rasa's model_id of the model that answered

    @property
    def answered(self) -> bool:
        return self.outcome == ANSWERED


def log_question(engine: Engine, record: QuestionRecord) -> int:
    """Store one question (masked); returns its id."""
    return log_questions(engine, [record])[0]


def log_questions(engine: Engine, records: Iterable[QuestionRecord]) -> list[int]:
    """Store several questions in one transaction (all or none); returns their ids in order."""
    values = [_values(record) for record in records]
    # Core inserts: the ORM's unit of work cost the gateway 0.48 ms of CPU per row, these 0.29-0.33 (one row, SQLite).
    with engine.begin() as connection:
        return [int(connection.execute(_TABLE.insert(), row).inserted_primary_key[0]) for row in values]


_TABLE = QuestionLogRow.__table__


def _values(record: QuestionRecord) -> dict[str, Any]:
    # Lengths are cut to the columns here so a strict database (PostgreSQL) never rejects a row.
    return {
        "public_id": record.public_id[:32] if record.public_id else None,
        "created_at": record.created_at,
        "channel": record.channel[:16],
        "conversation": record.conversation[:16],
        "text": mask(record.text)[:TEXT_MAX_CHARS],
        "intent": record.intent[:100] if record.intent else None,
        "confidence": record.confidence if _finite(record.confidence) else None,
        "entities": [_entity(entity) for entity in record.entities],
        "measure": record.measure[:64] if record.measure else None,
        "outcome": record.outcome[:20],
        "answered": record.answered,
        "latency_ms": max(0, int(record.latency_ms)),
        "reply": mask(record.reply)[:REPLY_MAX_CHARS] if record.reply is not None else None,
        "model_version": record.model_version[:40] if record.model_version else None,
    }


def _entity(entity: Mapping[str, Any]) -> dict[str, Any]:
    # Entity values are pieces of the user's text and may hold a phone number as well.
    return {
        key: mask(value) if isinstance(value, str) else value
        for key, value in entity.items()
        if key in ("entity", "value", "text")
    }


def _finite(value: float | None) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value)
