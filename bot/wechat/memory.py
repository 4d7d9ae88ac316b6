"""The channel's memory inside this gateway process: the delivery being answered for each MsgId (so
that a retry reaching this copy joins it rather than asking the database) and, as a stand-in while the
database cannot be reached, each follower's numbered options. The memory every copy shares is the app
database's (bot.wechat.shared, app_store.wechat).

Both are bounded in time and size.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

from app_store.wechat import DELIVERY_TTL, FOLLOWER_TTL

K = TypeVar("K")
V = TypeVar("V")

# The same periods as the shared memory's.
DELIVERY_TTL_S = DELIVERY_TTL.total_seconds()
MAX_DELIVERIES = 10_000
FOLLOWER_TTL_S = FOLLOWER_TTL.total_seconds()
MAX_FOLLOWERS = 100_000


class Expiring(Generic[K, V]):
    """A dict whose entries vanish after `ttl_s`, or earlier when more than `max_entries` are held."""

    def __init__(self, ttl_s: float, max_entries: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl_s = ttl_s
        self._max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[K, tuple[float, V]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: K) -> V | None:
        self._expire()
        entry = self._entries.get(key)
        return entry[1] if entry else None

    def put(self, key: K, value: V) -> None:
        self._entries.pop(key, None)
        self._entries[key] = (self._clock() + self._ttl_s, value)
        self._expire()

    def pop(self, key: K) -> V | None:
        entry = self._entries.pop(key, None)
        return entry[1] if entry else None

    def _expire(self) -> None:
        now = self._clock()
        # Oldest first, so expired entries are all at the front.
        while self._entries:
            key, (expires, _) = next(iter(self._entries.items()))
            if expires > now and len(self._entries) <= self._max_entries:
                break
            del self._entries[key]
