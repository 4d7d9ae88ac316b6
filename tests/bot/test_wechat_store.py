"""app_store.wechat, the WeChat channel's memory shared by the gateway copies, on SQLite and PostgreSQL:
claims, takeovers, replies, followers' options, expiry and erasure."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

from app_store import engine_for, wechat
from app_store.wechat import DELIVERY_TTL, FOLLOWER_TTL, Follower

NOW = datetime(2026, 12, 7, 2, 30, 0, 123456, tzinfo=timezone.utc)
OPTIONS = (("申请条件", "/ask_conditions"), ("研发补助", "研发补助是什么"))


def test_the_first_claim_answers_and_the_others_get_its_reply(migrated_url: str) -> None:
    engine = engine_for(migrated_url)
    assert wechat.claim(engine, "k1", "conv1", "gateway-a", NOW) is None
    pending = wechat.claim(engine, "k1", "conv1", "gateway-b", NOW + timedelta(seconds=1))
    assert pending is not None and (pending.claimant, pending.claimed_at, pending.answered) == ("gateway-a", NOW, False)
    answered_at = NOW.replace(microsecond=0) + timedelta(seconds=2)
    assert wechat.answered(engine, "k1", "研发补助最高1000万元。", answered_at)
    # A second answer (a copy that took over and finished later) does not change what the retries get.
    assert not wechat.answered(engine, "k1", "另一个回答", answered_at + timedelta(seconds=1))
    retry = wechat.claim(engine, "k1", "conv1", "gateway-b", NOW + timedelta(seconds=5))
    assert retry is not None and (retry.reply, retry.answered_at) == ("研发补助最高1000万元。", answered_at)
    assert wechat.read(engine, "k1") == retry
    assert wechat.read(engine, "other") is None


def test_nothing_to_say_is_an_answer_too(migrated_url: str) -> None:
    engine = engine_for(migrated_url)
    wechat.claim(engine, "k2", "conv1", "gateway-a", NOW)
    assert wechat.answered(engine, "k2", None, NOW)
    seen = wechat.claim(engine, "k2", "conv1", "gateway-b", NOW)
    assert seen is not None and seen.answered and seen.reply is None


def test_only_one_of_many_simultaneous_claims_wins(migrated_url: str) -> None:
    engine = engine_for(migrated_url)
    start = threading.Barrier(8)
    results: list[object] = []

    def claim(name: str) -> None:
        start.wait()
        results.append(wechat.claim(engine, "k3", "conv1", name))

    threads = [threading.Thread(target=claim, args=(f"gateway-{n}",)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(None) == 1
    [winner] = {seen.claimant for seen in results if seen is not None}  # type: ignore[union-attr]
    assert wechat.read(engine, "k3").claimant == winner  # type: ignore[union-attr]


def test_a_stale_claim_is_taken_over_once_and_a_refreshed_one_not_at_all(migrated_url: str) -> None:
    engine = engine_for(migrated_url)
    wechat.claim(engine, "k4", "conv1", "dead", NOW)
    seen = wechat.read(engine, "k4")
    assert seen is not None
    later = NOW + timedelta(seconds=4)
    assert wechat.take_over(engine, "k4", seen, "gateway-b", later)
    assert not wechat.take_over(engine, "k4", seen, "gateway-c", later)  # the same old claim: gone
    assert not wechat.refresh(engine, "k4", "dead", later)  # the old claimant lost it
    assert wechat.read(engine, "k4").claimant == "gateway-b"  # type: ignore[union-attr]

    wechat.claim(engine, "k5", "conv1", "slow", NOW)
    seen = wechat.read(engine, "k5")
    assert wechat.refresh(engine, "k5", "slow", NOW + timedelta(seconds=1))  # alive after all
    assert seen is not None and not wechat.take_over(engine, "k5", seen, "gateway-b", later)
    wechat.answered(engine, "k5", "答复", later)
    answered = wechat.read(engine, "k5")
    assert answered is not None and not wechat.take_over(engine, "k5", answered, "gateway-b", later)
    assert not wechat.refresh(engine, "k5", "slow", later)  # answered: nothing to keep alive


def test_an_expired_delivery_is_claimed_afresh(migrated_url: str) -> None:
    engine = engine_for(migrated_url)
    wechat.claim(engine, "k6", "conv1", "gateway-a", NOW)
    wechat.answered(engine, "k6", "旧的回答", NOW)
    assert wechat.claim(engine, "k6", "conv1", "gateway-b", NOW + DELIVERY_TTL + timedelta(seconds=1)) is None


def test_followers_options_are_shared_and_expire(migrated_url: str) -> None:
    engine = engine_for(migrated_url)
    assert wechat.follower(engine, "conv1", NOW) is None
    wechat.remember(engine, "conv1", OPTIONS, ("第二部分", "第三部分"), NOW)
    assert wechat.follower(engine, "conv1", NOW) == Follower(OPTIONS, ("第二部分", "第三部分"))
    # A reply without options keeps the last list answerable; its parts replace the old ones.
    wechat.remember(engine, "conv1", (), (), NOW + timedelta(minutes=1))
    assert wechat.follower(engine, "conv1", NOW + timedelta(minutes=2)) == Follower(OPTIONS, ())
    assert wechat.follower(engine, "conv1", NOW + timedelta(minutes=1) + FOLLOWER_TTL + timedelta(seconds=1)) is None
    # …but not a list that has expired.
    wechat.remember(engine, "conv1", (), ("新的部分",), NOW + FOLLOWER_TTL + timedelta(minutes=2))
    assert wechat.follower(engine, "conv1", NOW + FOLLOWER_TTL + timedelta(minutes=2)) == Follower((), ("新的部分",))


def test_expiry_and_erasure(migrated_url: str) -> None:
    engine = engine_for(migrated_url)
    wechat.claim(engine, "old", "conv1", "gateway-a", NOW - DELIVERY_TTL - timedelta(seconds=1))
    wechat.claim(engine, "new", "conv1", "gateway-a", NOW)
    wechat.claim(engine, "other", "conv2", "gateway-a", NOW)
    wechat.remember(engine, "conv1", OPTIONS, (), NOW - FOLLOWER_TTL - timedelta(seconds=1))
    wechat.remember(engine, "conv2", OPTIONS, (), NOW)
    assert wechat.expire(engine, NOW) == (1, 1)
    assert wechat.expire(engine, NOW) == (0, 0)
    assert wechat.read(engine, "new") is not None
    wechat.remember(engine, "conv1", OPTIONS, (), NOW)
    assert wechat.erase(engine, "conv1") == (1, 1)
    assert wechat.read(engine, "new") is None and wechat.follower(engine, "conv1", NOW) is None
    assert wechat.read(engine, "other") is not None and wechat.follower(engine, "conv2", NOW) is not None
