"""`python -m bot`: migrate the app database, then serve the gateway on HOST:PORT."""

from __future__ import annotations

import asyncio
import logging
import os
import socket

import uvloop
from aiohttp import web

from bot.app import create_app
from bot.migrate import upgrade
from bot.settings import load_settings

# No remote address in the access log: it is personal data and not needed to run the service.
ACCESS_LOG_FORMAT = '"%r" %s %b %Tfs'


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = load_settings()
    # Idempotent and quick when already at head; saves a separate step when running the gateway alone.
    upgrade(settings.app_db_url)
    # uvloop's event loop and transports are written in C: the gateway's own cost per message fell from
    # ~7 ms to ~3 ms (docs/benchmark.md). It is already installed as a dependency of Rasa's Sanic.
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    # With several copies behind one socket, this line tells an operator (and the chaos test) which
    # process a log belongs to since when.
    logging.getLogger("bot").info("gateway process %d starting", os.getpid())
    if settings.listen_fd is not None:
        # The supervisor's socket (LISTEN_FD): it already listens on HOST:PORT.
        listening = socket.socket(fileno=settings.listen_fd)
        web.run_app(create_app(settings), sock=listening, access_log_format=ACCESS_LOG_FORMAT)
        return
    web.run_app(
        create_app(settings), host=settings.host, port=settings.port, access_log_format=ACCESS_LOG_FORMAT
    )


if __name__ == "__main__":
    main()
