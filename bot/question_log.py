"""Writing the question log without slowing the chat down and without losing rows.

The chat view hands each record to `QuestionLogWriter.submit` and waits briefly for it (`written`): while
the database answers, a reply leaves only once its row is stored, so a gateway killed at any moment has
logged every question it answered; while the database is away, replies go out at once. A single worker task
writes the queue in order, in a thread. When the database is unavailable (locked, down, not migrated
yet) the rows stay queued and the worker retries every `retry_after_s`; a row the database rejects for
its content is dropped on its own so that it cannot block the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from itertools import islice

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DataError, IntegrityError

from app_store import QuestionRecord, log_questions

log = logging.getLogger(__name__)

# Errors caused by a row's content: retrying the same row would fail forever.
_ROW_ERRORS = (DataError, IntegrityError)


class QuestionLogWriter:
    def __init__(
        self,
        engine: Engine,
        *,
        retry_after_s: float = 5.0,
        batch_size: int = 100,
        max_pending: int = 50_000,
    ) -> None:
        self._engine = engine
        self._retry_after_s = retry_after_s
        self._batch_size = batch_size
        self._max_pending = max_pending
        self._pending: deque[QuestionRecord] = deque()
        self._worker: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._closing = False
        # Rows submitted and rows taken off the queue (written or dropped) so far, in order.
        self._submitted = 0
        self._done = 0
        self._progress = asyncio.Event()
        self._failing = False
        self.failed_attempts = 0
        self.dropped = 0

    @property
    def pending(self) -> int:
        return len(self._pending)

    def submit(self, record: QuestionRecord) -> int:
        """Queue a record for writing; never blocks, never raises. Returns its ticket for `written`."""
        if len(self._pending) >= self._max_pending:
            # Memory is the limit of "nothing lost": after a long outage say so loudly rather than grow.
            self.dropped += 1
            log.error("question log: %d rows wait for the database, dropping a new one", len(self._pending))
            return self._done
        self._pending.append(record)
        self._submitted += 1
        self._idle.clear()
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._run(), name="question-log-writer")
        return self._submitted

    async def written(self, ticket: int, timeout: float) -> bool:
        """Wait until the row of `ticket` is off the queue, at most `timeout` s; at once while the
        database is failing (the row is kept and retried, and the reply need not wait for that)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while self._done < ticket and not self._failing:
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                return False
            self._progress.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._progress.wait(), remaining)
        return self._done >= ticket

    async def drain(self, timeout: float | None = None) -> None:
        """Wait until every queued record is written (or dropped)."""
        await asyncio.wait_for(self._idle.wait(), timeout)

    async def retry_now(self, timeout: float | None = None) -> None:
        """Skip the wait before the next retry (the database is known to be back), then drain."""
        self._wake.set()
        await self.drain(timeout)

    async def close(self, timeout: float = 10.0) -> None:
        """Make a last attempt to write what is queued; called on shutdown."""
        self._closing = True
        self._wake.set()
        if self._worker is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._worker), timeout)
            except asyncio.TimeoutError:
                log.error("question log: database still busy at shutdown")
        if self._pending:
            log.error("question log: %d rows could not be written before shutdown", len(self._pending))

    async def _run(self) -> None:
        while self._pending:
            batch = list(islice(self._pending, self._batch_size))
            try:
                await self._write(batch)
                self._failing = False
            except Exception:
                self._failing = True
                self._progress.set()  # the waiting replies go out now
                self.failed_attempts += 1
                log.exception("question log: database unavailable, %d rows kept to retry", len(self._pending))
                if self._closing:
                    return
                await self._wait_before_retry()
        self._idle.set()

    async def _write(self, batch: list[QuestionRecord]) -> None:
        """Write `batch`, the front of the queue, and take it off the queue; transient errors propagate.

        Only this task removes rows and submit() only appends, so the batch is still at the front.
        """
        try:
            await asyncio.to_thread(log_questions, self._engine, batch)
        except _ROW_ERRORS:
            if len(batch) > 1:
                # Find the culprit: each row on its own, each taken off the queue once written.
                for record in batch:
                    await self._write([record])
                return
            self.dropped += 1
            log.exception("question log: the database rejected a row, dropped it")
        for _ in batch:
            self._pending.popleft()
        self._done += len(batch)
        self._progress.set()

    async def _wait_before_retry(self) -> None:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._wake.wait(), self._retry_after_s)
        # Cleared after waking, so a retry_now() that came while a write was failing is not lost.
        self._wake.clear()
