"""A write queue that loses nothing while the database is unavailable: the question log's writer in the
gateway and the hand-off tickets' in the action server.

`submit` queues an item and returns at once. A single worker task writes the queue in order, in a
thread. When the database is unavailable (locked, down, not migrated yet) the items stay queued and the
worker retries every `retry_after_s`; an item the database rejects for its content is dropped on its own
so that it cannot block the others. The queue lives in the process's memory: a process that is stopped
makes a last attempt (`close`), and one that is killed loses what it still holds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable, Sequence
from itertools import islice
from typing import Generic, TypeVar

from sqlalchemy.exc import DataError, IntegrityError

log = logging.getLogger(__name__)

Item = TypeVar("Item")

# Errors caused by an item's content: retrying the same item would fail forever.
ROW_ERRORS = (DataError, IntegrityError, ValueError)


class RetryingWriter(Generic[Item]):
    def __init__(
        self,
        write: Callable[[Sequence[Item]], object],
        *,
        name: str,
        retry_after_s: float = 5.0,
        batch_size: int = 100,
        max_pending: int = 50_000,
    ) -> None:
        """`write(batch)` stores a batch in one transaction (all or none) and runs in a thread."""
        self._write_batch = write
        self.name = name
        self._retry_after_s = retry_after_s
        self._batch_size = batch_size
        self._max_pending = max_pending
        self._pending: deque[Item] = deque()
        self._worker: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._closing = False
        # Items submitted and items taken off the queue (written or dropped) so far, in order: an item's
        # ticket is its number, so `written` can wait for one.
        self._submitted = 0
        self._done = 0
        self._progress = asyncio.Event()
        self._failing = False
        self.failed_attempts = 0
        self.dropped = 0

    @property
    def pending(self) -> int:
        return len(self._pending)

    def submit(self, item: Item) -> int:
        """Queue an item for writing; never blocks, never raises. Returns its ticket for `written`, 0
        (false) when the queue is full and the item was dropped."""
        if len(self._pending) >= self._max_pending:
            # Memory is the limit of "nothing lost": after a long outage say so loudly rather than grow.
            self.dropped += 1
            log.error("%s: %d rows wait for the database, dropping a new one", self.name, len(self._pending))
            return 0
        self._pending.append(item)
        self._submitted += 1
        self._idle.clear()
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._run(), name=f"{self.name} writer")
        return self._submitted

    async def written(self, ticket: int, timeout: float) -> bool:
        """Wait until the item of `ticket` is off the queue, at most `timeout` s; at once while the
        database is failing (the item is kept and retried, and a reply need not wait for that)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self._done < ticket and not self._failing:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            self._progress.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._progress.wait(), remaining)
        return self._done >= ticket

    async def drain(self, timeout: float | None = None) -> None:
        """Wait until every queued item is written (or dropped)."""
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
                log.error("%s: database still busy at shutdown", self.name)
        if self._pending:
            log.error("%s: %d rows could not be written before shutdown", self.name, len(self._pending))

    async def _run(self) -> None:
        while self._pending:
            batch = list(islice(self._pending, self._batch_size))
            try:
                await self._write(batch)
                self._failing = False
            except Exception:
                self._failing = True
                self._progress.set()  # whoever waits in `written` goes on now
                self.failed_attempts += 1
                log.exception("%s: database unavailable, %d rows kept to retry", self.name, len(self._pending))
                if self._closing:
                    return
                await self._wait_before_retry()
        self._idle.set()

    async def _write(self, batch: list[Item]) -> None:
        """Write `batch`, the front of the queue, and take it off the queue; transient errors propagate.

        Only this task removes items and submit() only appends, so the batch is still at the front.
        """
        try:
            await asyncio.to_thread(self._write_batch, batch)
        except ROW_ERRORS:
            if len(batch) > 1:
                # Find the culprit: each item on its own, each taken off the queue once written.
                for item in batch:
                    await self._write([item])
                return
            self.dropped += 1
            log.exception("%s: the database rejected a row, dropped it", self.name)
        for _ in batch:
            self._pending.popleft()
        self._done += len(batch)
        self._progress.set()

    async def _wait_before_retry(self) -> None:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._wake.wait(), self._retry_after_s)
        # Cleared after waking, so a retry_now() that came while a write was failing is not lost.
        self._wake.clear()
