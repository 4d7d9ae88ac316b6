"""The gateway's access log: method, path, status, size and time, and nothing personal.

No remote address, and no query string: it carries the WeChat follower's OpenID (/wechat?openid=…) and
what hotline staff type into the console's search (/staff/api/search?q=…).
"""

from __future__ import annotations

from aiohttp.abc import AbstractAccessLogger
from aiohttp.web import BaseRequest, StreamResponse


class AccessLogger(AbstractAccessLogger):
    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        self.logger.info(
            '"%s %s" %s %s %.6fs', request.method, request.path, response.status, response.body_length, time
        )
