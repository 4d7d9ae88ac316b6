"""Rate limits for the public API: token buckets in memory, per sender and per client address.

A bucket holds up to `per_minute` tokens and refills at `per_minute / 60` tokens a second; each request
takes one. So a client may send `per_minute` requests at once, then one every `60 / per_minute` seconds.
The buckets live in this process only: with several gateway processes each enforces its own share.
"""

from __future__ import annotations

import ipaddress
import time
from collections import OrderedDict
from collections.abc import Callable, Collection
from functools import lru_cache

from aiohttp import web

# Buckets of idle clients are full again after a minute and are dropped; past this many live buckets
# the least recently used go too (a dropped bucket only means that client starts afresh).
MAX_BUCKETS = 100_000


class RateLimiter:
    def __init__(
        self,
        per_minute: int,
        *,
        max_buckets: int = MAX_BUCKETS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`per_minute` 0 means no limit."""
        self.per_minute = per_minute
        self._capacity = float(per_minute)
        self._per_second = per_minute / 60.0
        self._max_buckets = max_buckets
        self._clock = clock
        # key -> (tokens left, when they were counted); least recently used first.
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._buckets)

    def acquire(self, key: str) -> float:
        """Take a token for `key`: 0.0 when the request may go ahead, else the seconds until it may."""
        if self.per_minute <= 0:
            return 0.0
        now = self._clock()
        tokens, counted_at = self._buckets.pop(key, (self._capacity, now))
        tokens = min(self._capacity, tokens + (now - counted_at) * self._per_second)
        if tokens >= 1.0:
            tokens -= 1.0
            wait = 0.0
        else:
            wait = (1.0 - tokens) / self._per_second
        self._buckets[key] = (tokens, now)
        if len(self._buckets) > self._max_buckets:
            self._forget_idle(now)
        return wait

    def _forget_idle(self, now: float) -> None:
        full_after = self._capacity / self._per_second
        while self._buckets:
            key, (_, counted_at) = next(iter(self._buckets.items()))
            if now - counted_at < full_after:
                break  # ordered by last use: the rest are more recent
            del self._buckets[key]
        while len(self._buckets) > self._max_buckets:
            self._buckets.popitem(last=False)


def client_address(request: web.Request, trusted_proxies: Collection[str] = ()) -> str:
    """The client's IP address. Behind a reverse proxy listed in `trusted_proxies` (addresses or networks;
    the proxy must set X-Forwarded-For), the address the nearest untrusted hop reported; otherwise the
    peer's address, so a client cannot pick its own bucket by sending the header."""
    peer = request.remote or ""
    if not _trusted(peer, trusted_proxies):
        return peer
    hops = [hop.strip() for hop in ",".join(request.headers.getall("X-Forwarded-For", [])).split(",")]
    for hop in reversed(hops):
        if hop and not _trusted(hop, trusted_proxies):
            return hop
    return peer


def _trusted(address: str, trusted_proxies: Collection[str]) -> bool:
    if not trusted_proxies:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _networks(tuple(trusted_proxies)))


@lru_cache(maxsize=8)
def _networks(trusted_proxies: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in trusted_proxies)


def is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False
