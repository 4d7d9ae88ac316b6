"""The memory the gateway copies share, in the app database (app_store.wechat): reached from the event
loop through a thread, each call bounded, so a slow or locked database delays a reply by at most
DB_TIMEOUT_S per call and never fails it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any, TypeVar

from aiohttp import web
from sqlalchemy.engine import Engine

from app_store import wechat
from app_store.privacy import pseudonym
from app_store.wechat import Follower, Option
from bot.wechat.memory import FOLLOWER_TTL_S, MAX_FOLLOWERS, Expiring

T = TypeVar("T")

# Per call. A claim or a poll that takes longer is given up on (the message is answered anyway), well
# inside WeChat's 5 s; SQLite would otherwise wait up to its busy timeout (5 s) for a lock.
DB_TIMEOUT_S = 1.0
# How often a gateway drops what has expired (besides the daily purge): cheap, indexed deletes.
EXPIRE_EVERY_S = 60.0
# Prefix of the Rasa sender id: keeps followers' conversations apart from the widget's sender ids.
SENDER_PREFIX = "wechat:"

log = logging.getLogger(__name__)


class SharedMemory:
    """This gateway copy's handle on the shared memory: its claimant id, the pseudonyms it keys rows by,
    and the follower options it falls back on while the database cannot be reached."""

    def __init__(self, engine: Engine, secret: str) -> None:
        self.engine = engine
        self._secret = secret
        # Unique per process (and per start): who holds a claim, and who may take a stale one over.
        self.claimant = uuid.uuid4().hex
        self._local_followers: Expiring[str, Follower] = Expiring(FOLLOWER_TTL_S, MAX_FOLLOWERS)

    def conversation(self, openid: str) -> str:
        """The follower's conversation pseudonym: the question log's, for the same sender id."""
        return pseudonym(self._secret, SENDER_PREFIX + openid)

    def delivery_key(self, parts: Sequence[str]) -> str:
        # Keyed like the conversations: the table holds no OpenID, and a key cannot be traced back to one.
        return pseudonym(self._secret, "\x1f".join(("wechat-delivery", *parts)))

    async def call(self, function: Callable[..., T], *args: Any, timeout: float = DB_TIMEOUT_S) -> T:
        """`function(engine, *args)` in a thread; raises on a database error or after `timeout`."""
        return await asyncio.wait_for(asyncio.to_thread(function, self.engine, *args), timeout)

    async def follower(self, conversation: str) -> Follower:
        try:
            found = await self.call(wechat.follower, conversation)
        except Exception as exc:
            log.warning("wechat: follower options from this process only (%s)", type(exc).__name__)
            found = self._local_followers.get(conversation)
        return found or Follower()

    async def remember(self, conversation: str, options: Sequence[Option], more: Sequence[str]) -> None:
        """Keep what the follower's digits mean (no options: the last list stays), for every copy."""
        kept = options or (self._local_followers.get(conversation) or Follower()).options
        self._local_followers.put(conversation, Follower(tuple(kept), tuple(more)))
        try:
            await self.call(wechat.remember, conversation, tuple(options), tuple(more))
        except Exception as exc:
            # Only this copy knows them now: a digit that reaches another one is taken as a question.
            log.warning("wechat: could not share a follower's options (%s)", type(exc).__name__)


async def expire_forever(memory: SharedMemory, every_s: float = EXPIRE_EVERY_S) -> None:
    while True:
        try:
            deliveries, followers = await memory.call(wechat.expire, timeout=30.0)
            if deliveries or followers:
                log.debug("wechat: expired %d deliveries, %d followers", deliveries, followers)
        except Exception as exc:  # the next round (or the purge) takes them
            log.warning("wechat: could not expire the shared memory (%s)", type(exc).__name__)
        await asyncio.sleep(every_s)


async def expiry(app: web.Application) -> AsyncIterator[None]:
    """The app's cleanup context for `expire_forever`."""
    task = asyncio.create_task(expire_forever(app[MEMORY]), name="wechat-expire")
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


MEMORY = web.AppKey("wechat_memory", SharedMemory)
