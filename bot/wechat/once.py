"""One answer per delivery across the gateway copies: the claim protocol of app_store.wechat, driven from
the event loop.

The copy whose INSERT makes the claim answers (Rasa, the question log), refreshing the claim every
REFRESH_EVERY_S while it does, and stores the reply. A copy that finds a claim (WeChat's retry, reaching
the other copy) polls for the reply every POLL_EVERY_S for up to WAIT_FOR_S, inside WeChat's 5 s; a
claim not refreshed for STALE_AFTER_S belongs to a copy that died, and the first poller to take it over
answers instead. When the database fails, the message is answered anyway: a reply matters more than
asking Rasa (and logging) only once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from app_store import wechat
from app_store.wechat import Claim
from bot.wechat.shared import SharedMemory

POLL_EVERY_S = 0.2
# WeChat hangs up after 5 s; the reply has to be on its way before then.
WAIT_FOR_S = 4.5
REFRESH_EVERY_S = 1.0
# Three refreshes missed: the claimant is gone (killed, or its database connection is).
STALE_AFTER = timedelta(seconds=3)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Delivery:
    text: str | None  # None: nothing to say (WeChat's "success")
    created_at: int  # the reply's CreateTime, kept so a retry's reply is the first one byte for byte
    # False: another copy was still answering when time ran out; this "success" is not kept, so a
    # further retry asks again.
    settled: bool = True


async def answer_once(
    memory: SharedMemory, key: str, conversation: str, answer: Callable[[], Awaitable[str | None]]
) -> Delivery:
    """The reply to delivery `key`: `answer()`'s, if this copy claims it, else the claimant's."""
    deadline = time.monotonic() + WAIT_FOR_S
    try:
        seen = await memory.call(wechat.claim, key, conversation, memory.claimant)
        while seen is not None:
            if seen.answered_at is not None:
                return Delivery(seen.reply, int(seen.answered_at.timestamp()))
            if _stale(seen) and await memory.call(wechat.take_over, key, seen, memory.claimant):
                log.info("wechat: took over a delivery whose claimant stopped answering")
                break
            if time.monotonic() + POLL_EVERY_S > deadline:
                return Delivery(None, int(time.time()), settled=False)
            await asyncio.sleep(POLL_EVERY_S)
            # Gone (erased, or expired under a very late retry): claimed afresh.
            seen = await memory.call(wechat.read, key) or await memory.call(
                wechat.claim, key, conversation, memory.claimant
            )
    except Exception as exc:
        log.warning("wechat: shared delivery memory unavailable, answering anyway (%s)", type(exc).__name__)
        return await _answer(memory, key, answer, claimed=False)
    return await _answer(memory, key, answer, claimed=True)


async def _answer(
    memory: SharedMemory, key: str, answer: Callable[[], Awaitable[str | None]], *, claimed: bool
) -> Delivery:
    refresher = asyncio.create_task(_refresh(memory, key), name="wechat-claim") if claimed else None
    try:
        text = await answer()
    finally:
        if refresher is not None:
            refresher.cancel()
    # Whole seconds: the stored time is the retries' CreateTime, so it must round-trip exactly.
    answered_at = datetime.now(timezone.utc).replace(microsecond=0)
    try:
        # Also without a claim of our own (the database failed at first): a retry then finds the reply.
        await memory.call(wechat.answered, key, text, answered_at)
    except Exception as exc:
        log.warning("wechat: could not keep a reply for retries (%s)", type(exc).__name__)
    return Delivery(text, int(answered_at.timestamp()))


async def _refresh(memory: SharedMemory, key: str) -> None:
    while True:
        await asyncio.sleep(REFRESH_EVERY_S)
        try:
            if not await memory.call(wechat.refresh, key, memory.claimant):
                return  # taken over (we were taken for dead) or answered: nothing left to keep alive
        except Exception as exc:  # a missed refresh or two is what STALE_AFTER allows for
            log.warning("wechat: could not refresh a claim (%s)", type(exc).__name__)


def _stale(seen: Claim) -> bool:
    return datetime.now(timezone.utc) - seen.claimed_at > STALE_AFTER
