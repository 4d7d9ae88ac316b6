"""Error replies: always JSON {"error": "<Chinese sentence>"}, the widget shows the sentence as is."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import partial

from aiohttp import web

BAD_FORMAT = "请求格式不正确，请以 JSON 对象发送会话标识（sender）和问题（message）"
BAD_SENDER = "会话标识（sender）不正确：应为 1 到 128 个字符的文字"
BAD_CHANNEL = "渠道（channel）不正确，可选：{channels}"
EMPTY_MESSAGE = "请输入问题"
MESSAGE_TOO_LONG = "问题太长了，请精简后再问，不超过{limit}个字"
BODY_TOO_LARGE = "请求内容太大，请精简后再试"
NOT_FOUND = "页面不存在"
METHOD_NOT_ALLOWED = "不支持该请求方式"
INTERNAL = "服务器内部错误，请稍后再试"
REQUEST_FAILED = "请求无法处理，请检查后再试"
# Refused before the app (bot/serve.py): aiohttp's limits are 8 KiB for the request line and each header.
BAD_REQUEST = "请求格式不正确，无法处理，请检查后再试"
URL_TOO_LONG = "网址太长了，请检查链接后再试"
HEADERS_TOO_LARGE = "请求头太大了，请清除本网站的 Cookie 后再试"
RASA_UNAVAILABLE = "智能助手暂时不可用，请稍后再试，或拨打{hotline}"
RASA_TIMEOUT = "智能助手响应超时，请稍后再试，或拨打{hotline}"
RASA_FAILED = "智能助手出现故障，请稍后再试，或拨打{hotline}"
# Rasa answered with nothing: an action it runs failed (the action server is down, or a bug).
NO_ANSWER = "抱歉，系统暂时无法回答这个问题，请稍后再试，或拨打{hotline}"
RATE_LIMITED = "提问太频繁，请稍后再试"
ORIGIN_NOT_ALLOWED = "该网站未获准调用智能助手"

_STATUS_MESSAGES = {
    400: BAD_FORMAT,
    404: NOT_FOUND,
    405: METHOD_NOT_ALLOWED,
    413: BODY_TOO_LARGE,
    429: RATE_LIMITED,
}

# Chinese stays readable in the body instead of \uXXXX escapes.
dumps = partial(json.dumps, ensure_ascii=False)


def json_error(status: int, message: str, headers: Mapping[str, str] | None = None) -> web.Response:
    return web.json_response({"error": message}, status=status, headers=headers, dumps=dumps)


def message_for_status(status: int) -> str:
    """The sentence for an HTTP error raised by aiohttp itself (unknown route, wrong method, body too big)."""
    if status in _STATUS_MESSAGES:
        return _STATUS_MESSAGES[status]
    return INTERNAL if status >= 500 else REQUEST_FAILED
