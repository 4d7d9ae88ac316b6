"""Serving the gateway: `aiohttp.web.run_app` with one change, so that requests aiohttp refuses before
the app sees them (a URL or a header over its 8 KiB limits, a request line that is no HTTP) get the
gateway's JSON error with a Chinese sentence like every other bad request, not aiohttp's English
"400 Bad Request" text.

aiohttp answers those from its connection handler (`RequestHandler.handle_error`), where no middleware
runs; the runner here gives each connection a handler whose error replies are ours.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from typing import Any

from aiohttp import web
from aiohttp.http_exceptions import LineTooLong
from aiohttp.web_protocol import RequestHandler
from aiohttp.web_request import BaseRequest

from bot import errors

log = logging.getLogger(__name__)


def error_for(status: int, exc: BaseException | None) -> tuple[int, str]:
    """The status and the sentence for an error aiohttp raised before the app."""
    if isinstance(exc, LineTooLong):
        # The C and the Python parser both name the part: "Status line is too long" is the request line,
        # i.e. the URL; anything else is a header.
        if "Status line" in str(exc):
            return 414, errors.URL_TOO_LONG
        return 431, errors.HEADERS_TOO_LARGE
    if status >= 500:
        return status, errors.INTERNAL
    return status, errors.BAD_REQUEST


class JsonErrorHandler(RequestHandler):
    def handle_error(
        self, request: BaseRequest, status: int = 500, exc: BaseException | None = None, message: str | None = None
    ) -> web.StreamResponse:
        if status >= 500:
            super().handle_error(request, status, exc, message)  # aiohttp's checks, and the traceback logged
        elif request.writer.output_size > 0:
            raise ConnectionError("Response is sent already, cannot send another response with the error message")
        else:
            # The client's mistake: one line, not aiohttp's traceback for each (and no request content).
            log.info("refused before the app: %s", type(exc).__name__ if exc else status)
        status, sentence = error_for(status, exc)
        response = errors.json_error(status, sentence)
        response.force_close()  # the rest of the connection's bytes cannot be trusted
        return response


class JsonErrorServer(web.Server):
    def __call__(self) -> RequestHandler:
        return JsonErrorHandler(self, loop=self._loop, **self._kwargs)


class GatewayRunner(web.AppRunner):
    async def _make_server(self) -> web.Server:
        server = await super()._make_server()
        return JsonErrorServer(
            server.request_handler,
            request_factory=server.request_factory,
            handler_cancellation=server.handler_cancellation,
            loop=server._loop,
            **server._kwargs,
        )


def run(app: web.Application, *, host: str, port: int, sock: socket.socket | None = None, **runner_kwargs: Any) -> None:
    """Serve `app` until SIGINT or SIGTERM, then shut it down cleanly (the app's cleanup writes the
    question log's last rows), as `web.run_app` does."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    runner = GatewayRunner(app, handle_signals=True, **runner_kwargs)
    try:
        loop.run_until_complete(runner.setup())
        # a socket handed over by the supervisor (LISTEN_FD) already listens on HOST:PORT
        site = web.SockSite(runner, sock) if sock is not None else web.TCPSite(runner, host, port)
        loop.run_until_complete(site.start())
        log.info("gateway on http://%s:%d", host, port)
        loop.run_forever()
    except (web.GracefulExit, KeyboardInterrupt):
        pass
    finally:
        loop.run_until_complete(runner.cleanup())
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()
