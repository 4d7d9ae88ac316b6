"""GET /healthz and GET /readyz: the state of every process the chat needs, as JSON.

/healthz is 200 while the chat can answer: the app database and at least one Rasa process with its
action server up (production runs several; one down is a degraded service, not an outage). /readyz is
200 only when every configured process is up. Both list each process: {"name": "rasa2", "kind": "rasa",
"state": "down", "for_s": 4.2}.
"""

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
    return await _answer(request, readiness=False)


async def readyz(request: web.Request) -> web.Response:
    return await _answer(request, readiness=True)


async def _answer(request: web.Request, *, readiness: bool) -> web.Response:
    rasa = request.app[RASA]
    # Concurrently, so the probe takes as long as the slowest part, not the sum.
    _, database_ok = await asyncio.gather(rasa.probe(), _database_ok(request.app[ENGINE]))
    upstreams = rasa.upstreams
    ok = database_ok and (upstreams.ready() if readiness else upstreams.healthy())
    state = "ok" if ok else "down"
    body = {
        "status": state,
        "rasa": "ok" if any(rasa.up for rasa in upstreams.rasa) else "down",
        "actions": "ok" if any(action.up for action in upstreams.actions) else "down",
        "database": "ok" if database_ok else "down",
        "processes": upstreams.report(),
    }
    return web.json_response(body, status=200 if ok else 503, dumps=dumps)


async def _database_ok(engine: Engine) -> bool:
    try:
        await asyncio.wait_for(asyncio.to_thread(ping, engine), HEALTH_TIMEOUT_S)
    except Exception as exc:
        log.warning("health: app database not ready: %r", exc)
        return False
    return True
