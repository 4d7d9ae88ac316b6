"""Which Rasa processes and action servers are up, so that no message is sent to a dead one.

Every process is probed each PROBE_INTERVAL_S (Rasa: /status with a model loaded; action server:
/health); a refused or broken connection takes a process out of the rotation at once, and the next probe
that answers brings it back. Rasa process i calls action server i modulo the number of action servers
(the order of RASA_URL and ACTION_URL, as supervise/processes.py starts them): a Rasa process whose
action server is down would only apologise, so messages go to the others while there are any.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

log = logging.getLogger(__name__)

# Often enough that a restarted process takes traffic within a second or two of answering, rarely enough
# to cost nothing (a few small GETs a second).
PROBE_INTERVAL_S = 1.0

Kind = Literal["rasa", "actions"]
# (url) -> the JSON body of a 200 answer, or None when there was none within the health timeout.
Fetch = Callable[[str], Awaitable[Any]]


@dataclass
class Upstream:
    kind: Kind
    name: str  # rasa1, actions2: the supervisor's names, in the order of the configured URLs
    url: str
    up: bool = True  # assumed until a probe or a message says otherwise
    changed_at: float = field(default_factory=time.monotonic)

    def mark(self, up: bool, why: str) -> None:
        if up == self.up:
            return
        self.up = up
        self.changed_at = time.monotonic()
        if up:
            log.info("%s (%s) answers again: back in the rotation", self.name, self.url)
        else:
            log.warning("%s (%s) is down (%s): out of the rotation", self.name, self.url, why)


class Upstreams:
    def __init__(self, rasa_urls: Sequence[str], action_urls: Sequence[str]) -> None:
        if not rasa_urls or not action_urls:
            raise ValueError("at least one Rasa URL and one action server URL are needed")
        self.rasa = [Upstream("rasa", f"rasa{i + 1}", url) for i, url in enumerate(rasa_urls)]
        self.actions = [Upstream("actions", f"actions{i + 1}", url) for i, url in enumerate(action_urls)]
        self._turn = itertools.count()

    def action_server_of(self, rasa: Upstream) -> Upstream:
        return self.actions[self.rasa.index(rasa) % len(self.actions)]

    def serving(self, rasa: Upstream) -> bool:
        return rasa.up and self.action_server_of(rasa).up

    def order(self) -> list[Upstream]:
        """The Rasa processes to try for the next message: the next serving one in turn first, then the
        others that serve, then those whose action server is down (greetings still work there), then the
        ones marked down (the mark may be a second old; a dead one refuses at once)."""
        start = next(self._turn)
        rotation = [self.rasa[(start + k) % len(self.rasa)] for k in range(len(self.rasa))]
        return sorted(rotation, key=lambda rasa: (not rasa.up, not self.serving(rasa)))

    def healthy(self) -> bool:
        """At least one Rasa process and its action server serve."""
        return any(self.serving(rasa) for rasa in self.rasa)

    def ready(self) -> bool:
        """Every configured process is up."""
        return all(upstream.up for upstream in (*self.rasa, *self.actions))

    def report(self) -> list[dict[str, Any]]:
        now = time.monotonic()
        return [
            {
                "name": upstream.name,
                "kind": upstream.kind,
                "state": "up" if upstream.up else "down",
                "for_s": round(now - upstream.changed_at, 1),
            }
            for upstream in (*self.rasa, *self.actions)
        ]

    async def probe(self, fetch: Fetch) -> None:
        """Probe every process once, concurrently, and mark each up or down."""
        await asyncio.gather(*(self.probe_one(upstream, fetch) for upstream in (*self.rasa, *self.actions)))

    async def probe_one(self, upstream: Upstream, fetch: Fetch) -> None:
        if upstream.kind == "rasa":
            body = await fetch(upstream.url + "/status")
            # A Rasa process that answers but has no model loaded cannot answer a message.
            ok = isinstance(body, dict) and bool(body.get("model_id") or body.get("fingerprint"))
        else:
            ok = await fetch(upstream.url + "/health") is not None
        upstream.mark(ok, "its health check does not answer")

    async def watch(self, fetch: Fetch) -> None:
        """Probe for ever (the gateway runs this as a background task)."""
        while True:
            try:
                await self.probe(fetch)
            except Exception:  # a bug here must not stop the watching
                log.exception("upstreams: probing failed")
            await asyncio.sleep(PROBE_INTERVAL_S)
