"""Login, sessions, roles, CSRF and login throttling of the staff pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from aiohttp.test_utils import TestClient

from app_store import accounts as account_store
from app_store import engine_for
from bot.settings import SettingsError, load_settings
from bot.staff.app import LOGIN_FAILURES_PER_ADDRESS
from bot.staff.auth import LoginLimiter
from tests.staff.conftest import PASSWORD, csrf_of, log_in, page_csrf


@pytest.mark.parametrize(
    "path", ["/staff", "/staff/analytics", "/staff/analytics/export.xlsx", "/staff/analytics/export.csv"]
)
async def test_pages_send_anonymous_visitors_to_the_login_page(gateway: TestClient, path: str) -> None:
    response = await gateway.get(path, allow_redirects=False)
    assert response.status == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/staff/login"
    assert parse_qs(location.query) == {"next": [path]}


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/staff/api/search?q=创新券"),
        ("POST", "/staff/api/ask"),
        ("GET", "/staff/api/tickets"),
        ("POST", "/staff/api/tickets/1/close"),
        ("GET", "/staff/api/analytics"),
    ],
)
async def test_apis_refuse_anonymous_requests_with_401_json(gateway: TestClient, method: str, path: str) -> None:
    response = await gateway.request(method, path, json={})
    assert response.status == 401
    assert await response.json() == {"error": "请先登录"}


async def test_login_page_is_chinese_and_carries_a_csrf_field(gateway: TestClient) -> None:
    response = await gateway.get("/staff/login")
    html = await response.text()
    assert response.status == 200
    assert "工作人员登录" in html and 'name="csrf"' in html
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"


async def test_staff_log_in_to_the_console_and_analysts_to_analytics(gateway: TestClient) -> None:
    response = await log_in(gateway, "staff1")
    assert (response.status, response.headers["Location"]) == (302, "/staff")
    page = await gateway.get("/staff")
    assert page.status == 200
    html = await page.text()
    assert "热线检索台" in html and "转人工工单" in html and "数据分析" not in html

    gateway.session.cookie_jar.clear()
    response = await log_in(gateway, "Analyst1")  # user names are not case-sensitive
    assert (response.status, response.headers["Location"]) == (302, "/staff/analytics")
    html = await (await gateway.get("/staff/analytics")).text()
    assert "数据分析" in html and "/staff/vendor/echarts.min.js" in html


async def test_the_session_cookie_is_httponly_samesite_lax_and_scoped_to_staff(gateway: TestClient) -> None:
    response = await log_in(gateway, "staff1")
    cookie = response.cookies["weihai_staff"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/staff"
    assert cookie["max-age"] == str(8 * 3600)
    assert "staff1" not in cookie.value  # encrypted, not a readable payload


async def test_login_goes_back_to_the_page_asked_for_but_never_off_site(gateway: TestClient) -> None:
    response = await log_in(gateway, "analyst1", next="/staff/analytics?from=2026-11-01")
    assert response.headers["Location"] == "/staff/analytics?from=2026-11-01"
    for evil in ("https://evil.example/", "//evil.example/staff", "/staffevil", "/\\evil.example"):
        gateway.session.cookie_jar.clear()
        response = await log_in(gateway, "analyst1", next=evil)
        assert response.headers["Location"] == "/staff/analytics", evil


async def test_a_staff_login_does_not_follow_next_into_analytics(gateway: TestClient) -> None:
    response = await log_in(gateway, "staff1", next="/staff/analytics")
    assert response.headers["Location"] == "/staff"


async def test_wrong_password_and_unknown_user_get_the_same_chinese_message(gateway: TestClient) -> None:
    wrong = await log_in(gateway, "staff1", "wrong password!")
    unknown = await log_in(gateway, "nobody", PASSWORD)
    assert wrong.status == unknown.status == 401
    for response in (wrong, unknown):
        assert "用户名或密码不正确" in await response.text()
        assert "weihai_staff" not in response.cookies or "uid" not in response.cookies["weihai_staff"].value


async def test_empty_login_form_is_a_400_in_chinese(gateway: TestClient) -> None:
    token = await csrf_of(gateway, "/staff/login")
    response = await gateway.post("/staff/login", data={"csrf": token, "username": " ", "password": ""})
    assert response.status == 400
    assert "请输入用户名和密码" in await response.text()


async def test_login_without_the_csrf_token_is_refused(gateway: TestClient) -> None:
    await gateway.get("/staff/login")
    response = await gateway.post(
        "/staff/login", data={"username": "staff1", "password": PASSWORD}, allow_redirects=False
    )
    assert response.status == 403
    assert "页面已过期" in await response.text()


async def test_five_failures_block_the_username_for_five_minutes(gateway: TestClient) -> None:
    for _ in range(5):
        assert (await log_in(gateway, "staff1", "wrong password!")).status == 401
    blocked = await log_in(gateway, "staff1", PASSWORD)  # even the right password
    assert blocked.status == 429
    assert "登录尝试次数过多，请5分钟后再试" in await blocked.text()
    assert blocked.headers["Retry-After"] == "300"
    assert (await log_in(gateway, "analyst1")).status == 302  # another account is not affected


async def test_failures_from_one_address_across_usernames_are_limited_too(gateway: TestClient) -> None:
    for n in range(20):
        assert (await log_in(gateway, f"guess{n}", "wrong password!")).status == 401
    assert (await log_in(gateway, "analyst1")).status == 429


def test_the_limiter_forgets_failures_after_the_window() -> None:
    now = [0.0]
    limiter = LoginLimiter(limit=2, window_s=300, clock=lambda: now[0])
    limiter.failed(["user:a"])
    limiter.failed(["user:a"])
    assert limiter.blocked(["user:a"])
    now[0] = 299.0
    assert limiter.blocked(["user:a"])
    now[0] = 300.0
    assert not limiter.blocked(["user:a"])
    limiter.failed(["user:a"])
    limiter.succeeded(["user:a"])
    assert not limiter.blocked(["user:a"])


async def test_staff_cannot_open_analytics_pages_data_or_exports(staff: TestClient) -> None:
    page = await staff.get("/staff/analytics")
    assert page.status == 403
    assert "无权访问" in await page.text()
    for path in ("/staff/api/analytics", "/staff/analytics/export.xlsx", "/staff/analytics/export.csv"):
        response = await staff.get(path)
        assert response.status == 403, path
    assert await (await staff.get("/staff/api/analytics")).json() == {"error": "您的账号无权执行此操作"}


async def test_analysts_may_search_but_not_see_tickets(analyst: TestClient) -> None:
    assert (await analyst.get("/staff")).status == 200
    html = await (await analyst.get("/staff")).text()
    assert "转人工工单" not in html
    assert (await analyst.get("/staff/api/search?q=创新券")).status == 200
    assert (await analyst.get("/staff/api/tickets")).status == 403
    token = await page_csrf(analyst)
    response = await analyst.post("/staff/api/tickets/1/close", json={}, headers={"X-CSRF-Token": token})
    assert response.status == 403


async def test_json_posts_need_the_sessions_csrf_token(staff: TestClient) -> None:
    token = await page_csrf(staff)
    path = "/staff/api/tickets/999/close"
    missing = await staff.post(path, json={"note": "x"})
    wrong = await staff.post(path, json={"note": "x"}, headers={"X-CSRF-Token": "forged"})
    foreign = await staff.post(
        path, json={"note": "x"}, headers={"X-CSRF-Token": token, "Origin": "https://evil.example"}
    )
    for response in (missing, wrong, foreign):
        assert response.status == 403
        assert await response.json() == {"error": "页面已过期或请求来源不正确，请刷新页面后重试"}
    same_site = await staff.post(
        path, json={"note": "x"}, headers={"X-CSRF-Token": token, "Origin": f"http://{staff.host}:{staff.port}"}
    )
    assert same_site.status == 404  # through the guard; there is just no such ticket


async def test_logout_needs_the_token_and_ends_the_session(staff: TestClient) -> None:
    assert (await staff.post("/staff/logout", data={}, allow_redirects=False)).status == 403
    token = await page_csrf(staff)
    response = await staff.post("/staff/logout", data={"csrf": token}, allow_redirects=False)
    assert (response.status, response.headers["Location"]) == (302, "/staff/login")
    assert (await staff.get("/staff/api/tickets")).status == 401


async def test_disabling_an_account_or_changing_its_password_ends_its_sessions(
    staff: TestClient, app_db_url: str
) -> None:
    engine = engine_for(app_db_url)
    account_store.set_password(engine, "staff1", "another long password")
    assert (await staff.get("/staff/api/tickets")).status == 401
    assert (await log_in(staff, "staff1", "another long password")).status == 302
    account_store.set_disabled(engine, "staff1", True)
    assert (await staff.get("/staff/api/tickets")).status == 401
    assert (await log_in(staff, "staff1", "another long password")).status == 401


async def test_a_role_change_applies_at_once(staff: TestClient, app_db_url: str) -> None:
    assert (await staff.get("/staff/api/analytics")).status == 403
    account_store.set_role(engine_for(app_db_url), "staff1", "analyst")
    assert (await staff.get("/staff/api/analytics")).status == 200


async def test_a_forged_cookie_is_not_a_session(gateway: TestClient) -> None:
    gateway.session.cookie_jar.update_cookies({"weihai_staff": "gAAAAAforged"})
    response = await gateway.get("/staff/api/tickets")
    assert response.status == 401


async def test_other_gateway_routes_are_untouched(gateway: TestClient) -> None:
    response = await gateway.post("/api/chat", json={"sender": "v", "message": "农科驿站补多少"})
    assert response.status == 200
    assert "Set-Cookie" not in response.headers
    assert "Content-Security-Policy" not in response.headers


@pytest.mark.parametrize(
    ("env", "secure"),
    [
        ({}, False),
        ({"APP_ENV": "production"}, True),  # behind HTTPS: on unless said otherwise
        ({"APP_ENV": "production", "STAFF_COOKIE_SECURE": "0"}, False),
        ({"STAFF_COOKIE_SECURE": "yes"}, True),
    ],
)
async def test_the_session_cookie_is_secure_in_production(
    make_staff_gateway: Any, tmp_path: Path, env: dict[str, str], secure: bool
) -> None:
    from_env = load_settings(env, var_dir=tmp_path)
    client = await make_staff_gateway(app_env=from_env.app_env, staff_cookie_secure=from_env.staff_cookie_secure)
    cookie = (await client.get("/staff/login")).headers["Set-Cookie"]
    assert cookie.startswith("weihai_staff=") and "HttpOnly" in cookie
    assert ("Secure" in cookie) is secure


@pytest.mark.parametrize(("name", "raw"), [("STAFF_COOKIE_SECURE", "maybe"), ("APP_ENV", "staging")])
def test_cookie_settings_are_validated(tmp_path: Path, name: str, raw: str) -> None:
    with pytest.raises(SettingsError, match=name):
        load_settings({name: raw}, var_dir=tmp_path)


async def _fail_logins_from(client: TestClient, forwarded_for: str, count: int) -> list[int]:
    statuses = []
    for n in range(count):
        token = await csrf_of(client, "/staff/login")
        response = await client.post(
            "/staff/login",
            allow_redirects=False,
            headers={"X-Forwarded-For": forwarded_for},
            data={"csrf": token, "username": f"guess{n}", "password": "wrong"},
        )
        statuses.append(response.status)
    return statuses


async def test_login_throttle_counts_each_client_behind_a_trusted_proxy(
    make_staff_gateway: Any, accounts: dict[str, str]
) -> None:
    client = await make_staff_gateway(trusted_proxies=("127.0.0.0/8",))
    # Another username each time: only the per-address count (LOGIN_FAILURES_PER_ADDRESS) can block.
    assert (await _fail_logins_from(client, "198.51.100.7", LOGIN_FAILURES_PER_ADDRESS + 1))[-1] == 429
    # A colleague behind the same proxy still logs in.
    token = await csrf_of(client, "/staff/login")
    response = await client.post(
        "/staff/login",
        allow_redirects=False,
        headers={"X-Forwarded-For": "203.0.113.9"},
        data={"csrf": token, "username": "staff1", "password": PASSWORD},
    )
    assert response.status == 302


async def test_login_throttle_ignores_forwarded_for_from_anyone_else(
    make_staff_gateway: Any, accounts: dict[str, str]
) -> None:
    client = await make_staff_gateway()
    for n in range(LOGIN_FAILURES_PER_ADDRESS):  # a new made-up address each time: still one client
        await _fail_logins_from(client, f"198.51.100.{n}", 1)
    assert await _fail_logins_from(client, "203.0.113.9", 1) == [429]
