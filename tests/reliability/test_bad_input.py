"""Generated bad input against the gateway in-process (stand-in Rasa, real knowledge base): /api/chat,
/api/feedback, any method and path, and the staff pages. Every answer is a normal one or a 4xx with a
Chinese sentence, never a 500; rows stored before the fuzzing are all still there after it.

About 1,300 inputs in all (see the max_examples below); the same strategies go through the real stack in
test_weird_messages.py."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote, urlsplit

import hypothesis
import pytest
from aiohttp.test_utils import TestClient
from hypothesis import HealthCheck, given
from hypothesis import strategies as st
from yarl import URL

from bot.appkeys import QUESTION_LOG, SETTINGS

# Fixtures of the gateway and staff tests: migrated SQLite app DB, stand-in Rasa, the real KB, accounts
# (`settings` is the gateway's fixture here; hypothesis' decorator is hypothesis.settings).
from tests.bot.conftest import app_db_url, query_rows, settings, stub_rasa  # noqa: F401
from tests.reliability.inputs import CONTENT_TYPES, bodies, chat_payloads, json_values, weird_text
from tests.staff.conftest import accounts, csrf_of, fast_password_hashing, kb, make_staff_gateway  # noqa: F401

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def fuzz(examples: int) -> hypothesis.settings:
    return hypothesis.settings(
        max_examples=examples,
        deadline=None,
        database=None,  # nothing written to .hypothesis/ in the repository
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    )


SEED_QUESTIONS = ["研发补助最多多少", "创新券补给谁", "特派员 奖励", "我的电话13800138000", "农科驿站给钱不"]


class Fuzzed:
    """The gateway, with questions logged before the fuzzing to check afterwards."""

    def __init__(self, client: TestClient, message_ids: list[str]) -> None:
        self.client = client
        self.message_ids = message_ids
        self.accepted = 0  # fuzzed messages the gateway took (and so logged)


@pytest.fixture
async def fuzzed(make_staff_gateway: Any, accounts: dict[str, str]) -> AsyncIterator[Fuzzed]:  # noqa: F811
    # No rate limits: the fuzzing reuses a few sender ids far more often than a person could.
    client = await make_staff_gateway(rate_per_sender=0, rate_per_ip=0)
    message_ids = []
    for question in SEED_QUESTIONS:
        response = await client.post("/api/chat", json={"sender": "seed", "message": question})
        assert response.status == 200
        message_ids.append((await response.json())["message_id"])
    state = Fuzzed(client, message_ids)
    await client.server.app[QUESTION_LOG].drain(timeout=10)
    before = {row.public_id: (row.text, row.created_at) for row in query_rows(client.server.app[SETTINGS].app_db_url)}
    yield state
    await client.server.app[QUESTION_LOG].drain(timeout=30)
    rows = query_rows(client.server.app[SETTINGS].app_db_url)
    after = {row.public_id: (row.text, row.created_at) for row in rows}
    assert all(after.get(public_id) == seen for public_id, seen in before.items()), "rows logged earlier changed"
    assert len(rows) == len(before) + state.accepted


async def chinese_error(response: Any) -> str:
    """The response's Chinese sentence (JSON error, or the text of a page)."""
    body = await response.read()
    if response.content_type == "application/json":
        import json

        error = json.loads(body)["error"]
    else:
        error = body.decode("utf-8")
    assert CHINESE.search(error), (response.status, body[:300])
    return error


@fuzz(500)
@given(body=bodies(chat_payloads()), content_type=st.sampled_from(CONTENT_TYPES))
async def test_chat(fuzzed: Fuzzed, body: bytes, content_type: str) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = await fuzzed.client.post("/api/chat", data=body, headers=headers)
    hypothesis.event(f"status {response.status}")
    assert response.status in (200, 400, 413), (response.status, body[:200])
    if response.status == 200:
        fuzzed.accepted += 1
        data = await response.json()
        assert isinstance(data["replies"], list) and re.fullmatch(r"[0-9a-f]{32}", data["message_id"])
    else:
        await chinese_error(response)


def feedback_payloads(message_ids: st.SearchStrategy[str]) -> st.SearchStrategy[Any]:
    shaped = st.fixed_dictionaries(
        {
            "message_id": st.one_of(
                message_ids, st.sampled_from(["0" * 32, "F" * 32, "g" * 32]), weird_text, json_values
            ),
            "vote": st.one_of(st.sampled_from(["up", "down", "UP", "👍", ""]), json_values),
        },
        optional={"reason": st.one_of(weird_text, json_values)},
    )
    return st.one_of(shaped, json_values)


@fuzz(300)
@given(data=st.data(), content_type=st.sampled_from(CONTENT_TYPES))
async def test_feedback(fuzzed: Fuzzed, data: st.DataObject, content_type: str) -> None:
    body = data.draw(bodies(feedback_payloads(st.sampled_from(fuzzed.message_ids))))
    headers = {"Content-Type": content_type} if content_type else {}
    response = await fuzzed.client.post("/api/feedback", data=body, headers=headers)
    hypothesis.event(f"status {response.status}")
    assert response.status in (200, 400, 404, 413), (response.status, body[:200])
    if response.status != 200:
        await chinese_error(response)


# aiohttp's HTTP parser refuses a request line over 8190 bytes with its own plain-text 400, before any
# middleware runs; no browser sends such a URL from these pages.
REQUEST_LINE_LIMIT = 8190


def over_line_limit(response: Any, target: str) -> bool:
    """True when aiohttp refused the request line as too long (then there is no Chinese to check)."""
    # The client may encode differently and drops dot segments: a margin below the limit, and no exact size.
    return (
        len(target.encode()) > REQUEST_LINE_LIMIT - 300
        and response.status == 400
        and response.content_type == "text/plain"
    )


# A redirect to the login page carries the requested URL in its Location: for a URL near the limit that
# header is longer than aiohttp's client accepts by default (browsers take far more).
BIG_HEADERS = {"max_field_size": 64 * 1024}
PATH_PREFIXES = ["/", "/api/", "/api/chat/", "/widget/", "/widget/assets/", "/staff/", "/staff/api/", "/healthz/"]
METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"]


# `/` and `/widget/` serve widget/dist: without `make widget` they answer 503, which this test refuses.
@pytest.mark.built
@fuzz(250)
@given(
    method=st.sampled_from(METHODS),
    prefix=st.sampled_from(PATH_PREFIXES),
    tail=st.one_of(
        weird_text.map(lambda text: quote(text, safe="/")),
        st.sampled_from(
            [
                "..%2f..%2fetc%2fpasswd",
                "%2e%2e/%2e%2e/bot/settings.py",
                "../../etc/passwd",
                "/evil.example/",
                ".build-hash",
                "index.html",
                "demo.html",
                "%00",
                "%ff",
                "%",
            ]
        ),
    ),
    query=st.one_of(st.just(""), weird_text.map(lambda text: "q=" + quote(text, safe=""))),
)
async def test_any_method_and_path(fuzzed: Fuzzed, method: str, prefix: str, tail: str, query: str) -> None:
    path = prefix + tail
    target = path + ("?" + query if query else "")
    # As sent (encoded=True): no normalising of dot segments, and "//host" stays a path.
    url = URL(str(fuzzed.client.make_url("/")).rstrip("/") + target, encoded=True)
    response = await fuzzed.client.session.request(method, url, allow_redirects=False, **BIG_HEADERS)
    hypothesis.event(f"status {response.status}")
    assert response.status < 500, (method, path, response.status)
    if over_line_limit(response, target):
        return
    body = await response.read()
    # Nothing outside the widget's build directory is ever served.
    assert b"root:" not in body and b"APP_SECRET" not in body and b"def load_settings" not in body
    if response.status in (301, 302, 303, 307, 308):
        location = urlsplit(response.headers["Location"])
        assert not location.netloc, response.headers["Location"]  # no redirect to another site
    elif response.status >= 400 and method != "HEAD":
        await chinese_error(response)


@fuzz(150)
@given(
    form=st.fixed_dictionaries(
        {},
        optional={
            "username": weird_text,
            "password": weird_text,
            "next": st.one_of(
                weird_text, st.sampled_from(["//evil.example/", "https://evil.example/", "/\\evil.example", "/staff"])
            ),
        },
    ),
    with_token=st.booleans(),
)
async def test_staff_login(fuzzed: Fuzzed, form: dict[str, str], with_token: bool) -> None:
    client = fuzzed.client
    if with_token:
        form = {**form, "csrf": await csrf_of(client, "/staff/login")}
    response = await client.post("/staff/login", data=form, allow_redirects=False)
    hypothesis.event(f"status {response.status}")
    # Nobody knows the accounts' passwords here: never signed in, never a 500.
    assert response.status in (400, 401, 403, 413, 429), (response.status, form)
    await chinese_error(response)


@fuzz(150)
@given(
    path=st.sampled_from(
        [
            "/staff/api/search",
            "/staff/api/tickets",
            "/staff/api/analytics",
            "/staff/api/ask",
            "/staff/api/tickets/1/close",
            "/staff",
            "/staff/analytics",
            "/staff/analytics/export.csv",
        ]
    ),
    query=weird_text,
    method=st.sampled_from(["GET", "POST"]),
)
async def test_staff_pages_need_login(fuzzed: Fuzzed, path: str, query: str, method: str) -> None:
    response = await fuzzed.client.request(method, path, params={"q": query}, allow_redirects=False, **BIG_HEADERS)
    hypothesis.event(f"status {response.status}")
    if over_line_limit(response, path + "?q=" + quote(query)):
        return
    if path.startswith("/staff/api/"):
        assert response.status in (401, 405), (path, response.status)
        await chinese_error(response)
    else:
        assert response.status in (302, 405), (path, response.status)
        if response.status == 302:
            assert urlsplit(response.headers["Location"]).path == "/staff/login"
