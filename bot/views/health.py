"""GET /healthz: 200 only when every part the chat needs answers."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web
from sqlalchemy.engine import Engine

from app_store import ping
from bot.appkeys import ENGINE, RASA
from bot.errors import dumps
from bot.rasa_client import HEALTH_TIMEOUT_S

log = logging.getLogger(__name__)


async def healthz(request: web.Request) -> web.Response:
    rasa = request.app[RASA]
    # Concurrently, so the probe takes as long as the slowest part, not the sum.
    rasa_ok, actions_ok, database_ok = await asyncio.gather(
        rasa.rasa_status(), rasa.action_health(), _database_ok(request.app[ENGINE])
    )
    parts = {"rasa": rasa_ok, "actions": actions_ok, "database": database_ok}
    healthy = all(parts.values())
    states = {name: "ok" if ok else "down" for name, ok in parts.items()}
    body = {"status": "ok" if healthy else "down", **states}
    return web.json_response(body, status=200 if healthy else 503, dumps=dumps)


async def _database_ok(engine: Engine) -> bool:
    try:
        await asyncio.wait_for(asyncio.to_thread(ping, engine), HEALTH_TIMEOUT_S)
    except Exception as exc:
        log.warning("health: app database not ready: %r", exc)
        return False
    return True
