"""The pages' assets: ECharts from the npm package (no CDN), no inline script, Chinese errors."""

from __future__ import annotations

import re

import pytest
from aiohttp.test_utils import TestClient

from bot.staff.app import ECHARTS


@pytest.mark.built  # make assets installs ECharts
async def test_echarts_is_served_from_the_installed_npm_package(gateway: TestClient) -> None:
    if not ECHARTS.is_file():
        pytest.fail("ECharts is not installed: run `make assets` (bot/staff/install-assets.sh)")
    response = await gateway.get("/staff/vendor/echarts.min.js")
    assert response.status == 200
    assert response.headers["Content-Type"] == "application/javascript; charset=utf-8"
    body = await response.read()
    assert body == ECHARTS.read_bytes()
    assert "Cache-Control" not in response.headers or response.headers["Cache-Control"] != "no-store"


async def test_pages_load_scripts_from_this_site_only_and_none_inline(analyst: TestClient) -> None:
    for path in ("/staff", "/staff/analytics", "/staff/login"):
        html = await (await analyst.get(path)).text()
        scripts = re.findall(r"<script[^>]*>", html)
        assert all(
            re.fullmatch(r'<script src="/staff/(static|vendor)/[\w.-]+"></script>', tag + "</script>")
            for tag in scripts
        ), scripts
        assert "<script>" not in html and "http://" not in html and "https://" not in html
        assert 'lang="zh-CN"' in html


@pytest.mark.parametrize(
    "path",
    [
        "/staff/static/staff.css",
        "/staff/static/common.js",
        "/staff/static/console.js",
        "/staff/static/analytics.js",
        "/staff/static/favicon.svg",
    ],
)
async def test_static_files_need_no_login(gateway: TestClient, path: str) -> None:
    response = await gateway.get(path)
    assert response.status == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"


async def test_unknown_paths_and_methods_are_4xx_in_chinese(staff: TestClient) -> None:
    missing = await staff.get("/staff/api/nothing")
    assert (missing.status, await missing.json()) == (404, {"error": "页面不存在"})
    wrong = await staff.get("/staff/api/tickets/1/close")
    assert (wrong.status, await wrong.json()) == (405, {"error": "不支持该请求方式"})
    escape = await staff.get("/staff/static/../auth.py")
    assert escape.status in (403, 404)


async def test_slash_goes_to_the_console(staff: TestClient) -> None:
    response = await staff.get("/staff/", allow_redirects=False)
    assert (response.status, response.headers["Location"]) == (302, "/staff")
