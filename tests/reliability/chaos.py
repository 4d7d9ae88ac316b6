"""Steady load while processes are killed: every request's outcome, the processes' pids and I/O, and
how long a killed process took to come back. Shared by the chaos test in production mode and the
`make run` one."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import time
import urllib.request
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from tests.reliability.traffic import APOLOGY, CHINESE, Reply

# What a user may wait, at most, for an answer or a Chinese sentence saying there is none.
DEADLINE_S = 3.0
# What any killed process may take, from the SIGKILL to serving again (the bound).
RECOVERY_S = 20.0
# How long the test waits for a killed process at all: past RECOVERY_S, so that a slow one is reported
# with its figure rather than as "not back". A Rasa process's restart is CPU-bound (imports and model
# load on two shared cores, measured 2026-12-02): 11-12 s alone on a quiet machine, 11.3-15.0 s under
# this test's load on a quiet machine; 21-30 s and more when other work shares the cores.
GIVE_UP_S = 90.0
# The widget's own sentence when the connection itself is lost (widget/src/api.js, NETWORK_ERROR).
LOST = "connection lost"


def outcome(reply: Reply) -> str:
    """answered, apology (200 with the no-answer sentence), 503/504 (Chinese error), connection lost
    (the widget says 网络连接失败…), or a problem."""
    if reply.status == 0:
        return LOST
    if reply.status == 200:
        texts = reply.texts
        if not isinstance(reply.body.get("message_id"), str) or not any(CHINESE.search(text) for text in texts):
            return f"problem: 200 {reply.body}"
        return "apology" if any(text.startswith(APOLOGY) for text in texts) else "answered"
    if reply.status in (503, 504) and CHINESE.search(str(reply.body.get("error", ""))):
        return str(reply.status)
    return f"problem: {reply.status} {reply.body}"


async def send(session: aiohttp.ClientSession, url: str, sender: str, message: str) -> Reply:
    """One message; a broken connection is a reply with status 0, as the widget sees it."""
    started = time.monotonic()
    try:
        async with session.post(f"{url}/api/chat", json={"sender": sender, "message": message}) as response:
            try:
                body = await response.json(content_type=None)
            except ValueError:
                body = {"not_json": await response.text()}
            status = response.status
    except (aiohttp.ClientError, asyncio.TimeoutError) as error:
        body, status = {"error": repr(error)}, 0
    return Reply(sender, message, status, body if isinstance(body, dict) else {}, started, time.monotonic())


@dataclass
class SteadyLoad:
    """Senders who each go through their turns in a loop, pausing like people between messages, until
    stopped. A new connection per message: a killed gateway takes only the requests it was serving."""

    url: str
    plan: dict[str, list[str]]
    pause_s: tuple[float, float] = (0.3, 1.2)
    replies: list[Reply] = field(default_factory=list)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def run(self) -> None:
        connector = aiohttp.TCPConnector(force_close=True, limit=0)
        async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=30)) as session:
            await asyncio.gather(
                *(self._sender(session, sender, turns, random.Random(sender)) for sender, turns in self.plan.items())
            )

    def stop(self) -> None:
        self._stop.set()

    async def _sender(self, session: aiohttp.ClientSession, sender: str, turns: list[str], rng: random.Random) -> None:
        await asyncio.sleep(rng.uniform(*self.pause_s))  # not all at once
        while not self._stop.is_set():
            for message in turns:
                if self._stop.is_set():
                    return
                self.replies.append(await send(session, self.url, sender, message))
                await asyncio.sleep(rng.uniform(*self.pause_s))


def outcomes(replies: list[Reply]) -> Counter[str]:
    return Counter(outcome(reply) for reply in replies)


def io_bytes(pid: int) -> int:
    """Bytes the process has read and written through system calls (its sockets included)."""
    with open(f"/proc/{pid}/io") as handle:
        fields = dict(line.split(": ") for line in handle.read().splitlines())
    return int(fields["rchar"]) + int(fields["wchar"])


def kill(pid: int) -> float:
    os.kill(pid, signal.SIGKILL)
    return time.monotonic()


async def wait_until(check: Callable[[], bool], timeout: float, what: str) -> float:
    """Poll `check` (in a thread) until true; the time it became true."""
    deadline = time.monotonic() + timeout
    while not await asyncio.to_thread(check):
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s")
        await asyncio.sleep(0.1)
    return time.monotonic()


def answers(url: str) -> bool:
    """GET url is 200 (Rasa /status additionally names a loaded model)."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            body = response.read()
            return response.status == 200 and ("/status" not in url or b'"model_id"' in body)
    except OSError:
        return False


def grown_log(path: Path, offset: int) -> str:
    with contextlib.suppress(OSError), path.open("rb") as handle:
        handle.seek(offset)
        return handle.read().decode("utf-8", errors="replace")
    return ""
