"""Traffic for the reliability tests: realistic users (the held-out conversations' user turns, in order),
sent concurrently to the gateway, and the question-log rows they left."""

from __future__ import annotations

import asyncio
import random
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import yaml
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from app_store import QuestionLogRow
from app_store.privacy import pseudonym
from harness.stack import Stack

CONVERSATIONS = Path(__file__).resolve().parent.parent / "conversations"
CHINESE = re.compile(r"[\u4e00-\u9fff]")
CITATION = "依据：威政办发〔2018〕32号"
APOLOGY = "抱歉，系统暂时无法回答这个问题"
# Statuses the gateway documents: 4xx for what the client sent or how often, 503/504 when Rasa is away.
DOCUMENTED_ERRORS = {400, 413, 429, 503, 504}


def conversations() -> list[list[str]]:
    """The user turns of every conversation in tests/conversations/*.yml."""
    found = []
    for path in sorted(CONVERSATIONS.glob("*.yml")):
        for conversation in yaml.safe_load(path.read_text(encoding="utf-8"))["conversations"]:
            # str(): YAML reads a turn like 13800138000 (a phone number) as an integer.
            found.append([str(turn["user"]) for turn in conversation["turns"]])
    return found


def users(prefix: str, count: int, messages_each: int, seed: int = 5) -> dict[str, list[str]]:
    """`count` senders, each going through whole conversations (picked at random) for `messages_each` turns."""
    rng = random.Random(seed)
    pool = conversations()
    plan = {}
    for i in range(count):
        turns: list[str] = []
        while len(turns) < messages_each:
            turns.extend(rng.choice(pool))
        plan[f"{prefix}-{i:04d}"] = turns[:messages_each]
    return plan


@dataclass
class Reply:
    sender: str
    message: str
    status: int
    body: dict[str, Any]
    started: float  # time.monotonic()
    finished: float

    @property
    def latency(self) -> float:
        return self.finished - self.started

    @property
    def texts(self) -> list[str]:
        return [reply.get("text") or "" for reply in self.body.get("replies", [])]

    def problem(self) -> str | None:
        """Why this answer is not one a user can live with, or None."""
        if self.status == 200:
            if not isinstance(self.body.get("message_id"), str):
                return "200 without message_id"
            if not any(CHINESE.search(text) for text in self.texts):
                return "200 without a Chinese text reply"
            return None
        if self.status not in DOCUMENTED_ERRORS:
            return f"undocumented status {self.status}"
        if not CHINESE.search(str(self.body.get("error", ""))):
            return f"{self.status} without a Chinese sentence"
        return None


@dataclass
class Traffic:
    """Users talking to the gateway at once, at most `concurrency` requests in flight."""

    url: str
    concurrency: int
    replies: list[Reply] = field(default_factory=list)

    async def run(self, plan: dict[str, list[str]]) -> list[Reply]:
        limit = asyncio.Semaphore(self.concurrency)
        connector = aiohttp.TCPConnector(limit=self.concurrency)
        timeout = aiohttp.ClientTimeout(total=60)
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
            # Each user waits for an answer before the next message, like a person in the widget.
            await asyncio.gather(*(self._user(session, limit, sender, turns) for sender, turns in plan.items()))
        return self.replies

    async def burst(self, sender: str, messages: list[str]) -> list[Reply]:
        """All of one sender's messages at once, as a script or a stuck send button would."""
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
            self.replies.extend(await asyncio.gather(*(send(session, self.url, sender, m) for m in messages)))
        return self.replies

    async def _user(
        self, session: aiohttp.ClientSession, limit: asyncio.Semaphore, sender: str, turns: list[str]
    ) -> None:
        for message in turns:
            async with limit:
                self.replies.append(await send(session, self.url, sender, message))


async def send(session: aiohttp.ClientSession, url: str, sender: str, message: str) -> Reply:
    started = time.monotonic()
    async with session.post(f"{url}/api/chat", json={"sender": sender, "message": message}) as response:
        try:
            body = await response.json(content_type=None)
        except ValueError:
            body = {"not_json": await response.text()}
        return Reply(
            sender, message, response.status, body if isinstance(body, dict) else {}, started, time.monotonic()
        )


def summary(replies: list[Reply], elapsed: float) -> str:
    latencies = sorted(reply.latency for reply in replies)
    statuses: dict[int, int] = {}
    for reply in replies:
        statuses[reply.status] = statuses.get(reply.status, 0) + 1

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))]

    return (
        f"{len(replies)} messages in {elapsed:.1f} s ({len(replies) / elapsed:.1f}/s), statuses {statuses}, "
        f"p50 {pct(0.5) * 1000:.0f} ms, p95 {pct(0.95) * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms"
    )


def logged(stack: Stack, senders: Iterable[str]) -> list[QuestionLogRow]:
    """The question-log rows of these senders."""
    conversations = [pseudonym(stack.env["APP_SECRET"], sender) for sender in senders]
    engine = create_engine(stack.app_db_url)
    try:
        with Session(engine) as session:
            rows = []
            for start in range(0, len(conversations), 500):  # bounded IN lists
                chunk = conversations[start : start + 500]
                rows.extend(
                    session.execute(select(QuestionLogRow).where(QuestionLogRow.conversation.in_(chunk))).scalars()
                )
            session.expunge_all()
            return rows
    finally:
        engine.dispose()


def count_all(stack: Stack) -> int:
    engine = create_engine(stack.app_db_url)
    try:
        with Session(engine) as session:
            return session.execute(select(func.count(QuestionLogRow.id))).scalar_one()
    finally:
        engine.dispose()


def wait_logged(stack: Stack, senders: Iterable[str], expected: int, timeout: float = 60) -> list[QuestionLogRow]:
    """The rows once `expected` of them are there (the gateway's writer drains its queue after replying)."""
    senders = list(senders)
    deadline = time.monotonic() + timeout
    while True:
        rows = logged(stack, senders)
        if len(rows) >= expected or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    time.sleep(1.0)  # a duplicate would arrive with or right after the last row
    return logged(stack, senders)
