"""How the gateway serves the widget: the pages with their CSP and caching, the hashed bundle, embed.js,
no path outside the build, a Chinese page while nothing is built; and the real build's properties."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.views.widget import IMMUTABLE, NO_CACHE, NOT_BUILT


@pytest.fixture
def fake_dist(tmp_path: Path) -> Path:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><title>chat</title>", encoding="utf-8")
    (dist / "demo.html").write_text("<!doctype html><title>demo</title>", encoding="utf-8")
    (dist / "embed.js").write_text("(function(){})();", encoding="utf-8")
    (dist / "demo.css").write_text("body{}", encoding="utf-8")
    (dist / "assets" / "index-abc123.js").write_text("console.log(1)", encoding="utf-8")
    (dist / ".build-hash").write_text("x", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    return dist


async def test_pages_scripts_and_assets(make_gateway: Callable[..., Any], fake_dist: Path) -> None:
    client = await make_gateway(dist=fake_dist)

    demo = await client.get("/")
    assert demo.status == 200
    assert "demo" in await demo.text()
    assert demo.headers["Content-Type"].startswith("text/html")
    assert "frame-ancestors 'self'" in demo.headers["Content-Security-Policy"]

    page = await client.get("/widget/")
    assert page.status == 200 and "chat" in await page.text()
    csp = page.headers["Content-Security-Policy"]
    # Any site may embed the chat, but only this origin's scripts run in it: no inline script at all.
    assert "frame-ancestors *" in csp and "script-src 'self';" in csp and "unsafe-eval" not in csp
    assert "unsafe-inline" not in csp.split("script-src", 1)[1].split(";", 1)[0]
    assert page.headers["Cache-Control"] == NO_CACHE

    embed = await client.get("/widget/embed.js")
    assert embed.status == 200
    assert "javascript" in embed.headers["Content-Type"]
    assert embed.headers["Access-Control-Allow-Origin"] == "*"

    asset = await client.get("/widget/assets/index-abc123.js")
    assert asset.status == 200 and asset.headers["Cache-Control"] == IMMUTABLE
    assert (await client.get("/widget/demo.css")).status == 200


async def test_widget_without_slash_redirects_keeping_the_query(
    make_gateway: Callable[..., Any], fake_dist: Path
) -> None:
    client = await make_gateway(dist=fake_dist)
    response = await client.get("/widget?title=x&color=%231f5ba8", allow_redirects=False)
    assert response.status == 301
    assert response.headers["Location"] == "/widget/?title=x&color=%231f5ba8"


@pytest.mark.parametrize(
    "path",
    [
        "/widget/../secret.txt",
        "/widget/%2e%2e/secret.txt",
        "/widget/assets/../../secret.txt",
        "/widget/.build-hash",
        "/widget/assets",
        "/widget/nothing.js",
        "/widget/index.html",  # only through /widget/, with its CSP
        "/widget/" + "a" * 300,  # a name the file system refuses (ENAMETOOLONG): was a 500
        "/widget/assets/" + "研" * 100 + ".js",
    ],
)
async def test_nothing_outside_the_build(make_gateway: Callable[..., Any], fake_dist: Path, path: str) -> None:
    client = await make_gateway(dist=fake_dist)
    response = await client.get(path)
    assert response.status == 404
    assert await response.json() == {"error": "页面不存在"}


async def test_not_built_yet_says_what_to_run(make_gateway: Callable[..., Any], tmp_path: Path) -> None:
    client = await make_gateway(dist=tmp_path / "missing")
    for path in ("/", "/widget/"):
        response = await client.get(path)
        assert response.status == 503
        assert await response.text() == NOT_BUILT
    assert (await client.get("/widget/embed.js")).status == 404


def test_the_real_build_has_no_remote_resources(widget_dist: Path) -> None:
    index = (widget_dist / "index.html").read_text(encoding="utf-8")
    scripts = re.findall(r'<script[^>]*src="([^"]+)"', index)
    assert scripts and all(src.startswith("./assets/") for src in scripts)
    assert "<script>" not in index  # no inline script: the CSP would block it
    for path in (widget_dist / "assets").iterdir():
        content = path.read_text(encoding="utf-8", errors="replace")
        # ChatUI's CDN font and images: dropped or tree-shaken by the build.
        assert "alipayobjects.com" not in content and "alicdn.com" not in content, path.name
        if path.suffix == ".css":
            assert not re.search(r"url\(\s*['\"]?(https?:)?//", content), path.name
    assert 'src="/widget/embed.js"' in (widget_dist / "demo.html").read_text(encoding="utf-8")
    assert not list(widget_dist.rglob("*.map"))
