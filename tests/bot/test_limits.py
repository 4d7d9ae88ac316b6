"""Rate limits: the token bucket, the client address behind a proxy, the settings, and the 429s."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import make_mocked_request

from bot.appkeys import SENDER_LIMITER
from bot.limits import RateLimiter, client_address
from bot.settings import SettingsError, load_settings
from tests.bot.conftest import logged_rows
from tests.bot.stub_rasa import StubRasa


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_bucket_allows_a_minutes_worth_at_once_then_the_refill_rate() -> None:
    clock = Clock()
    limiter = RateLimiter(6, clock=clock)  # 6 a minute: one token every 10 s
    assert [limiter.acquire("a") for _ in range(6)] == [0.0] * 6
    assert limiter.acquire("a") == pytest.approx(10.0)
    assert limiter.acquire("b") == 0.0  # buckets are per key
    clock.now += 5
    assert limiter.acquire("a") == pytest.approx(5.0)  # refused requests cost nothing
    clock.now += 5
    assert limiter.acquire("a") == 0.0
    assert limiter.acquire("a") > 0
    clock.now += 3600  # refills up to the capacity, not beyond
    assert [limiter.acquire("a") for _ in range(6)] == [0.0] * 6
    assert limiter.acquire("a") > 0


def test_zero_means_no_limit() -> None:
    limiter = RateLimiter(0)
    assert all(limiter.acquire("a") == 0.0 for _ in range(10_000))
    assert len(limiter) == 0


def test_idle_buckets_are_forgotten_and_memory_is_bounded() -> None:
    clock = Clock()
    limiter = RateLimiter(60, max_buckets=100, clock=clock)
    for i in range(100):
        limiter.acquire(f"old-{i}")
    clock.now += 61  # every old bucket is full again: forgetting them changes nothing
    limiter.acquire("new")
    assert len(limiter) == 1
    for i in range(500):  # all busy at once: the least recently used go
        limiter.acquire(f"busy-{i}")
    assert len(limiter) == 100


def _request(peer: str, forwarded: str | None = None) -> Any:
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    transport = type("T", (), {"get_extra_info": lambda self, name, default=None: (peer, 1234)})()
    return make_mocked_request("POST", "/api/chat", headers=headers, transport=transport)


def test_client_address_trusts_forwarded_for_from_listed_proxies_only() -> None:
    assert client_address(_request("203.0.113.5", "1.2.3.4")) == "203.0.113.5"  # header from anyone: ignored
    proxies = ("10.0.0.2", "10.0.0.3")
    # The proxy appends who it saw; whatever the client put in front is not trusted.
    assert client_address(_request("10.0.0.2", "6.6.6.6, 198.51.100.7"), proxies) == "198.51.100.7"
    assert client_address(_request("10.0.0.2", "198.51.100.7, 10.0.0.3"), proxies) == "198.51.100.7"
    assert client_address(_request("10.0.0.2"), proxies) == "10.0.0.2"
    # Networks: a proxy pool, and the hops inside it are skipped too.
    pool = ("10.1.0.0/16",)
    assert client_address(_request("10.1.2.3", "198.51.100.7, 10.1.9.9"), pool) == "198.51.100.7"
    assert client_address(_request("10.2.0.1", "198.51.100.7"), pool) == "10.2.0.1"


def test_settings(tmp_path: Path) -> None:
    defaults = load_settings({"APP_SECRET": "s"}, var_dir=tmp_path)
    assert (defaults.rate_per_sender, defaults.rate_per_ip, defaults.rate_exempt_loopback) == (120, 3000, False)
    assert (defaults.cors_origins, defaults.trusted_proxies) == ((), ())
    custom = load_settings(
        {
            "APP_SECRET": "s",
            "RATE_PER_SENDER": "10",
            "RATE_PER_IP": "0",
            "RATE_EXEMPT_LOOPBACK": "yes",
            "TRUSTED_PROXIES": "10.0.0.2, ::1, 10.1.0.0/16, 192.168.7.9/24",
            "CORS_ORIGINS": "https://KJJ.weihai.gov.cn/, http://localhost:3000",
        },
        var_dir=tmp_path,
    )
    assert (custom.rate_per_sender, custom.rate_per_ip, custom.rate_exempt_loopback) == (10, 0, True)
    assert custom.trusted_proxies == ("10.0.0.2", "::1", "10.1.0.0/16", "192.168.7.0/24")
    assert custom.cors_origins == ("https://kjj.weihai.gov.cn", "http://localhost:3000")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("RATE_PER_SENDER", "-1"),
        ("RATE_PER_IP", "many"),
        ("RATE_EXEMPT_LOOPBACK", "maybe"),
        ("TRUSTED_PROXIES", "proxy.local"),
        ("TRUSTED_PROXIES", "10.0.0.0/33"),
        ("CORS_ORIGINS", "*"),
        ("CORS_ORIGINS", "https://*.gov.cn"),
        ("CORS_ORIGINS", "kjj.weihai.gov.cn"),
        ("CORS_ORIGINS", "https://kjj.weihai.gov.cn/widget"),
        ("CORS_ORIGINS", "ftp://kjj.weihai.gov.cn"),
    ],
)
def test_bad_settings_are_refused(tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        load_settings({"APP_SECRET": "s", name: value}, var_dir=tmp_path)


async def _post(client: Any, sender: str, message: str = "研发补助") -> Any:
    return await client.post("/api/chat", json={"sender": sender, "message": message})


async def test_per_sender_limit_answers_429_in_chinese_and_logs_nothing(make_gateway: Any, stub_rasa: StubRasa) -> None:
    client = await make_gateway(rate_per_sender=3)
    assert [(await _post(client, "a")).status for _ in range(3)] == [200] * 3
    refused = await _post(client, "a")
    assert refused.status == 429
    assert await refused.json() == {"error": "提问太频繁，请稍后再试"}
    assert int(refused.headers["Retry-After"]) == 20  # 3 a minute: the next token in 20 s
    assert (await _post(client, "b")).status == 200  # another sender is not affected
    assert len(stub_rasa.received) == 4
    assert len(await logged_rows(client)) == 4
    # Invalid input is refused for what it is, and does not use up the budget.
    assert (await _post(client, "c", "")).status == 400
    assert len(client.server.app[SENDER_LIMITER]) == 2


async def test_per_address_limit_covers_the_whole_api(make_gateway: Any, stub_rasa: StubRasa) -> None:
    client = await make_gateway(rate_per_ip=4)
    statuses = [(await _post(client, f"s{i}")).status for i in range(3)]
    feedback = await client.post("/api/feedback", json={"message_id": "0" * 32, "vote": "up"})
    assert feedback.status == 404  # counted, and let through
    statuses += [(await _post(client, f"s{i}")).status for i in range(3, 5)]
    assert statuses == [200, 200, 200, 429, 429]
    refused = await client.post("/api/feedback", json={"message_id": "0" * 32, "vote": "up"})
    assert refused.status == 429 and "太频繁" in (await refused.json())["error"]
    # Pages and the health probe are not limited.
    assert (await client.get("/healthz")).status == 200
    assert len(stub_rasa.received) == 3


async def test_loopback_is_exempt_only_when_configured(make_gateway: Any) -> None:
    limited = await make_gateway(rate_per_sender=1, rate_per_ip=1)
    assert [(await _post(limited, "a")).status for _ in range(2)] == [200, 429]
    exempt = await make_gateway(rate_per_sender=1, rate_per_ip=1, rate_exempt_loopback=True)
    assert [(await _post(exempt, "a")).status for _ in range(5)] == [200] * 5


async def _post_from(client: Any, forwarded_for: str, sender: str) -> int:
    response = await client.post(
        "/api/chat", json={"sender": sender, "message": "研发补助"}, headers={"X-Forwarded-For": forwarded_for}
    )
    return response.status


async def test_behind_a_trusted_proxy_each_client_has_its_own_budget(make_gateway: Any) -> None:
    # The test client connects from 127.0.0.1: here that is the reverse proxy.
    client = await make_gateway(rate_per_ip=2, trusted_proxies=("127.0.0.1",))
    assert [await _post_from(client, "198.51.100.7", f"a{i}") for i in range(3)] == [200, 200, 429]
    assert await _post_from(client, "203.0.113.9", "b") == 200  # another office behind the same proxy


async def test_without_a_trusted_proxy_the_header_is_ignored(make_gateway: Any) -> None:
    client = await make_gateway(rate_per_ip=2)
    # Each request claims another address: a client must not be able to pick its own bucket.
    assert [await _post_from(client, f"198.51.100.{i}", f"a{i}") for i in range(3)] == [200, 200, 429]
