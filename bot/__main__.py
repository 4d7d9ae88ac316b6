"""`python -m bot`: migrate the app database, then serve the gateway on HOST:PORT."""

from __future__ import annotations

import asyncio
import logging
import os
import socket

import uvloop

from bot import serve
from bot.access_log import AccessLogger
from bot.app import create_app
from bot.migrate import upgrade
from bot.settings import load_settings


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
    # The supervisor's socket (LISTEN_FD), when there is one: it already listens on HOST:PORT.
    listening = socket.socket(fileno=settings.listen_fd) if settings.listen_fd is not None else None
    # Like web.run_app, but aiohttp's own refusals (URL or header too long) are Chinese JSON too.
    serve.run(
        create_app(settings), host=settings.host, port=settings.port, sock=listening, access_log_class=AccessLogger
    )


if __name__ == "__main__":
    main()
