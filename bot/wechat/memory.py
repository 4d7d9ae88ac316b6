"""Short-lived memory of the WeChat channel, in this process: what was answered to a MsgId (WeChat
retries a message it got no reply to within 5 seconds, three times in all) and the numbered options and
remaining parts each follower can still ask for.

Both are bounded in time and size; losing an entry (a restart, a second gateway process) only means a
retry is answered afresh or a digit is taken as a question.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")

# WeChat's three attempts span about 15 seconds; a minute is ample and keeps the cache small.
DELIVERY_TTL_S = 60.0
MAX_DELIVERIES = 10_000
# Options of a reply stay answerable this long after it was sent.
FOLLOWER_TTL_S = 30 * 60.0
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


@dataclass(frozen=True)
class FollowerState:
    """What a follower's digits mean after the last reply: option payloads and the parts not yet sent."""

    options: tuple[tuple[str, str], ...] = ()  # (title, payload) of option 1, 2, …
    more: tuple[str, ...] = ()
