"""The gateway application: `create_app(settings)` wires settings, database, Rasa client and routes."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web

from app_store import engine_for
from bot.appkeys import ENGINE, QUESTION_LOG, RASA, SETTINGS
from bot.backup import scheduled_backup
from bot.middlewares import setup_middlewares
from bot.privacy import scheduled_purge
from bot.question_log import QuestionLogWriter
from bot.rasa_client import RasaClient
from bot.routes import setup_routes
from bot.settings import Settings, load_settings

# A chat request is a few hundred bytes; anything near this size is a mistake or an attack.
MAX_BODY_BYTES = 64 * 1024


def create_app(settings: Settings | None = None) -> web.Application:
    """The gateway. The database must be migrated already (`python -m bot.migrate`)."""
    settings = settings or load_settings()
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app[SETTINGS] = settings
    app[ENGINE] = engine_for(settings.app_db_url)
    setup_middlewares(app)
    setup_routes(app)
    app.cleanup_ctx.append(_rasa_client)
    app.cleanup_ctx.append(_question_log)
    app.cleanup_ctx.append(scheduled_purge)
    app.cleanup_ctx.append(scheduled_backup)
    return app


async def _rasa_client(app: web.Application) -> AsyncIterator[None]:
    # One session for the app's lifetime: it pools the connections to Rasa and the action server.
    settings = app[SETTINGS]
    async with aiohttp.ClientSession() as session:
        client = RasaClient(
            session, settings.rasa_url, settings.action_url, settings.rasa_timeout_s, rasa_token=settings.rasa_token
        )
        app[RASA] = client
        # Which processes are up, probed every second (bot.upstreams).
        watcher = asyncio.create_task(client.watch(), name="upstream-watcher")
        yield
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher


async def _question_log(app: web.Application) -> AsyncIterator[None]:
    writer = QuestionLogWriter(app[ENGINE])
    app[QUESTION_LOG] = writer
    yield
    await writer.close()
