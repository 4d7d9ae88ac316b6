"""bot.wechat.once, one answer per delivery across gateway copies: two SharedMemory handles (two copies,
two claimants) on one real database, SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from app_store import engine_for, wechat
from bot.wechat import once
from bot.wechat.once import Delivery, answer_once
from bot.wechat.shared import SharedMemory
from tests.bot.conftest import SECRET

REPLY = "研发补助最高1000万元。依据：威政办发〔2018〕32号 二（六）"


class Answerer:
    """The copy's way of answering: counts how often it was asked (Rasa and the log would be)."""

    def __init__(self, text: str | None = REPLY, delay_s: float = 0.0) -> None:
        self.text, self.delay_s, self.calls = text, delay_s, 0

    async def __call__(self) -> str | None:
        self.calls += 1
        await asyncio.sleep(self.delay_s)
        return self.text


def copies(url: str) -> tuple[SharedMemory, SharedMemory]:
    return SharedMemory(engine_for(url), SECRET), SharedMemory(engine_for(url), SECRET)


async def test_concurrent_deliveries_to_two_copies_are_answered_once(migrated_url: str) -> None:
    a, b = copies(migrated_url)
    key, conversation = a.delivery_key(("msg", "oFollower", "1")), a.conversation("oFollower")
    assert key == b.delivery_key(("msg", "oFollower", "1")) and len(key) == 16 and "oFollower" not in key
    assert a.claimant != b.claimant
    # 1.5 s: longer than a refresh, so the claim is kept alive while the other copy polls.
    answer_a, answer_b = Answerer("A 的回答", delay_s=1.5), Answerer("B 的回答", delay_s=1.5)
    first, retry = await asyncio.gather(
        answer_once(a, key, conversation, answer_a), answer_once(b, key, conversation, answer_b)
    )
    assert first == retry and first.settled
    assert sorted((answer_a.calls, answer_b.calls)) == [0, 1]
    winner = a if answer_a.calls else b
    assert first.text == f"{'A' if winner is a else 'B'} 的回答"
    # A retry after the answer: straight from the database, the same CreateTime.
    assert await answer_once(a, key, conversation, answer_a) == first
    assert answer_a.calls + answer_b.calls == 1
    stored = wechat.read(a.engine, key)
    assert stored is not None and stored.claimant == winner.claimant and stored.reply == first.text


async def test_a_dead_claimants_delivery_is_taken_over(migrated_url: str) -> None:
    a, b = copies(migrated_url)
    key, conversation = a.delivery_key(("msg", "oFollower", "2")), a.conversation("oFollower")
    # Copy A claimed it and was killed before it answered: the claim is not refreshed.
    wechat.claim(a.engine, key, conversation, a.claimant, datetime.now(timezone.utc) - timedelta(seconds=2))
    answer_b = Answerer()
    started = time.monotonic()
    delivery = await answer_once(b, key, conversation, answer_b)
    assert delivery.text == REPLY and answer_b.calls == 1
    assert 0.8 < time.monotonic() - started < 2.5  # waited for the claim to go stale (3 s), then answered
    stored = wechat.read(b.engine, key)
    assert stored is not None and stored.claimant == b.claimant and stored.reply == REPLY


async def test_a_retry_gives_up_in_time_while_the_claimant_is_still_answering(
    migrated_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(once, "WAIT_FOR_S", 1.0)  # 4.5 s in production, inside WeChat's 5 s
    a, b = copies(migrated_url)
    key, conversation = a.delivery_key(("msg", "oFollower", "3")), a.conversation("oFollower")
    slow = asyncio.create_task(answer_once(a, key, conversation, Answerer(delay_s=1.8)))
    await asyncio.sleep(0.1)
    answer_b = Answerer()
    started = time.monotonic()
    gave_up = await answer_once(b, key, conversation, answer_b)
    # WeChat's "success", not kept: the claimant is alive (it refreshes), so it is not taken over.
    assert gave_up.text is None and not gave_up.settled and answer_b.calls == 0
    assert 0.8 < time.monotonic() - started < 1.3
    answered = await slow
    assert await answer_once(b, key, conversation, answer_b) == answered and answered.text == REPLY


async def test_nothing_to_say_is_kept_as_well(migrated_url: str) -> None:
    a, b = copies(migrated_url)
    key, conversation = a.delivery_key(("event", "oFollower", "1", "event", "view")), a.conversation("oFollower")
    first = await answer_once(a, key, conversation, Answerer(None))
    assert first.text is None and first.settled
    answer_b = Answerer()
    assert await answer_once(b, key, conversation, answer_b) == first and answer_b.calls == 0


async def test_without_the_database_it_answers_anyway(tmp_path: Path) -> None:
    # Never migrated: every call fails, as with a database that is down.
    memory = SharedMemory(engine_for(f"sqlite:///{tmp_path / 'missing.db'}"), SECRET)
    answer = Answerer()
    delivery = await answer_once(memory, memory.delivery_key(("msg", "o", "4")), memory.conversation("o"), answer)
    assert delivery == Delivery(REPLY, delivery.created_at) and answer.calls == 1
    # The follower's options stay with this copy.
    await memory.remember(memory.conversation("o"), (("申请条件", "/ask_conditions"),), ())
    assert (await memory.follower(memory.conversation("o"))).options == (("申请条件", "/ask_conditions"),)
