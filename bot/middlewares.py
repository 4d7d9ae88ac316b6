"""Every error leaves the gateway as JSON with a Chinese sentence, never aiohttp's English text page."""

from __future__ import annotations

import logging

from aiohttp import web
from aiohttp.typedefs import Handler

from bot import errors

log = logging.getLogger(__name__)


@web.middleware
async def json_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise  # redirects and the like are not errors
        headers = {"Allow": exc.headers["Allow"]} if "Allow" in exc.headers else None
        return errors.json_error(exc.status, errors.message_for_status(exc.status), headers)
    except Exception:
        # A bug: keep the traceback for us, give the user a sentence instead of a stack trace.
        log.exception("unhandled error in %s %s", request.method, request.path)
        return errors.json_error(500, errors.INTERNAL)


def setup_middlewares(app: web.Application) -> None:
    app.middlewares.append(json_errors)
