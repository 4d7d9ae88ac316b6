"""The WeChat Official Account (公众号) channel: GET/POST /wechat, on when WECHAT_TOKEN is set."""

from __future__ import annotations

from aiohttp import web

from bot.appkeys import SETTINGS
from bot.wechat.channel import setup_memory
from bot.wechat.view import receive, verify

PATH = "/wechat"


def setup_wechat(app: web.Application) -> None:
    if not app[SETTINGS].wechat_token:
        return  # channel off: /wechat is an unknown page like any other
    setup_memory(app)
    app.router.add_get(PATH, verify, name="wechat_verify")
    app.router.add_post(PATH, receive, name="wechat_receive")
