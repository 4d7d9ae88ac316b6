"""The action server as rasa_sdk runs it, with two closed doors: it listens on loopback unless
ACTION_HOST says otherwise (a multi-machine deployment), and it answers /webhook and /actions only to a
caller that sends the shared secret (header X-Action-Token, which Rasa sends from endpoints*.yml).

    python -m actions.server --actions actions --port 5055      # the same flags as python -m rasa_sdk

rasa_sdk itself has no authentication: anything that reached its port could run the custom actions
(open hand-off tickets, read the knowledge base as the bot does) without the gateway's limits or masking.
/health stays open: it says nothing but "ok", and the gateway's health check reads it.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from typing import Any

from rasa_sdk import utils
from rasa_sdk.constants import APPLICATION_ROOT_LOGGER_NAME
from rasa_sdk.endpoint import create_app, create_argument_parser, create_ssl_context
from rasa_sdk.plugin import plugin_manager
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from app_store.settings import internal_token
from infra.settings import get
from policy_answers.engine import Context, Question, decide
from policy_kb.query import get_kb

TOKEN_HEADER = "X-Action-Token"
OPEN_PATHS = frozenset({"/health"})

log = logging.getLogger(__name__)


def require_token(app: Sanic, token: str) -> None:
    """Refuse every request but OPEN_PATHS that lacks `token` in TOKEN_HEADER (401, nothing run)."""
    if not token:
        raise ValueError("the action server needs a non-empty shared secret (ACTION_TOKEN)")
    expected = token.encode("utf-8")

    @app.on_request
    async def check_token(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS:
            return None
        sent = (request.headers.get(TOKEN_HEADER) or "").encode("utf-8")
        if hmac.compare_digest(sent, expected):
            return None
        log.warning("refused %s %s: no valid %s", request.method, request.path, TOKEN_HEADER)
        return response.json({"error": "unauthorized"}, status=401)


def close_connections_when_stopping(app: Sanic) -> None:
    """Answer with `Connection: close` once the server is stopping.

    Rasa keeps its connections to the action server open (policy_rasa.speedups). Sanic 21.12, stopping,
    closes idle connections and then goes on serving busy ones until they are idle or 15 s have passed;
    under load a kept connection is never idle, so a stopped action server went on answering for up to
    15 s (measured 8.7 s). Closing each connection after its current answer lets it stop at once.
    """
    stopping = False

    async def stop(_app: Sanic, _loop: asyncio.AbstractEventLoop) -> None:
        nonlocal stopping
        stopping = True

    async def close(request: Request, _response: HTTPResponse) -> None:
        if stopping and request.stream is not None:
            request.stream.keep_alive = False

    app.before_server_stop(stop)
    app.on_response(close)


WARM_UP_QUESTION = Question(
    "研发补助最多能拿多少", "ask_amount", ("ask_amount",), ({"entity": "measure", "value": "rd_subsidy"},)
)


async def warm_up(_app: Sanic, _loop: asyncio.AbstractEventLoop) -> None:
    """Load the knowledge base, its indexes, the segmenter and the reply templates before the first user
    waits for them (measured: the first real questions took up to 1.5 s, the action server's first
    decision about 1 s of CPU). A KB that cannot be read yet is read on the first turn instead."""
    try:
        kb = await get_kb()
        await asyncio.to_thread(decide, WARM_UP_QUESTION, Context(), kb)
    except Exception:
        log.exception("could not warm the answer engine up; the first turn will")


def main(argv: list[str] | None = None) -> None:
    args: Any = create_argument_parser().parse_args(argv)
    # As rasa_sdk's own __main__ sets logging up.
    logging.getLogger("matplotlib").setLevel(logging.WARN)
    utils.configure_colored_logging(args.loglevel)
    utils.configure_file_logging(
        logging.getLogger(APPLICATION_ROOT_LOGGER_NAME), args.log_file, args.loglevel, args.logging_config_file
    )
    utils.update_sanic_log_level()

    app = create_app(args.actions, cors_origins=args.cors, auto_reload=args.auto_reload)
    require_token(app, internal_token("action"))
    app.before_server_start(warm_up)
    close_connections_when_stopping(app)
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    ssl_context = create_ssl_context(args.ssl_certificate, args.ssl_keyfile, args.ssl_password)
    host = get("ACTION_HOST")
    log.info(
        "Action server on %s://%s:%s (shared secret required)", "https" if ssl_context else "http", host, args.port
    )
    app.run(host, args.port, ssl=ssl_context, workers=utils.number_of_sanic_workers())


if __name__ == "__main__":
    main()
