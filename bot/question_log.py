"""Writing the question log without slowing the chat down and without losing rows.

The chat view hands each record to `QuestionLogWriter.submit` and waits briefly for it (`written`): while
the database answers, a reply leaves only once its row is stored, so a gateway killed at any moment has
logged every question it answered; while the database is away, replies go out at once. The rows are
written in order by `app_store.retry.RetryingWriter`, which keeps them while the database is unavailable
and retries (the action server's hand-off tickets go through the same queue).
"""

from __future__ import annotations

from sqlalchemy.engine import Engine

from app_store import QuestionRecord, log_questions
from app_store.retry import RetryingWriter

# What the writer's log lines start with (tests/reliability looks for them).
NAME = "question log"


class QuestionLogWriter(RetryingWriter[QuestionRecord]):
    def __init__(
        self,
        engine: Engine,
        *,
        retry_after_s: float = 5.0,
        batch_size: int = 100,
        max_pending: int = 50_000,
    ) -> None:
        super().__init__(
            lambda batch: log_questions(engine, batch),
            name=NAME,
            retry_after_s=retry_after_s,
            batch_size=batch_size,
            max_pending=max_pending,
        )
