from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.middlewares import setup_middlewares


async def test_a_bug_becomes_a_chinese_json_500(aiohttp_client: Any) -> None:
    async def broken(_request: web.Request) -> web.Response:
        raise RuntimeError("bug")

    async def redirect(_request: web.Request) -> web.Response:
        raise web.HTTPFound("/elsewhere")

    app = web.Application()
    setup_middlewares(app)
    app.router.add_get("/broken", broken)
    app.router.add_get("/redirect", redirect)
    client = await aiohttp_client(app)

    response = await client.get("/broken")
    assert response.status == 500
    assert await response.json() == {"error": "服务器内部错误，请稍后再试"}

    response = await client.get("/redirect", allow_redirects=False)
    assert (response.status, response.headers["Location"]) == (302, "/elsewhere")


async def test_405_keeps_the_allow_header(gateway: Any) -> None:
    response = await gateway.get("/api/chat")
    assert response.status == 405
    assert response.headers["Allow"] == "POST"
