"""What every request goes through: CORS for the public API, the per-address rate limit, and errors as
JSON with a Chinese sentence, never aiohttp's English text page."""

from __future__ import annotations

import logging
import math

from aiohttp import web
from aiohttp.typedefs import Handler

from bot import errors
from bot.appkeys import IP_LIMITER, SENDER_LIMITER, SETTINGS
from bot.limits import RateLimiter, client_address, is_loopback

log = logging.getLogger(__name__)

# What other sites' pages may call (the widget itself runs in an iframe from this origin and needs none).
CORS_PATHS = frozenset({"/api/chat", "/api/feedback"})
# Browsers cache a preflight this long (Chrome caps it at 2 hours anyway).
PREFLIGHT_MAX_AGE_S = 600


@web.middleware
async def cors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Cross-origin calls from the origins in CORS_ORIGINS only. No credentials are ever allowed (the API
    needs no cookies), and the allowed origin is echoed, never "*"."""
    if request.path not in CORS_PATHS:
        return await handler(request)
    origin = request.headers.get("Origin")
    allowed = origin is not None and origin.lower() in request.app[SETTINGS].cors_origins
    if request.method == "OPTIONS" and origin is not None and "Access-Control-Request-Method" in request.headers:
        if not allowed:
            return errors.json_error(403, errors.ORIGIN_NOT_ALLOWED, {"Vary": "Origin"})
        return web.Response(
            status=204,
            headers={
                "Access-Control-Allow-Origin": origin,
                "Access-Control-Allow-Methods": "POST",
                "Access-Control-Allow-Headers": "Content-Type",
                "Access-Control-Max-Age": str(PREFLIGHT_MAX_AGE_S),
                "Vary": "Origin",
            },
        )
    response = await handler(request)
    # Errors too: the calling page must be able to read the Chinese sentence of a 413 or 429.
    if allowed:
        response.headers["Access-Control-Allow-Origin"] = origin
    response.headers.add("Vary", "Origin")
    return response


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


@web.middleware
async def address_rate_limit(request: web.Request, handler: Handler) -> web.StreamResponse:
    """RATE_PER_IP: checked before the body is read, so a flood costs little."""
    if request.method == "POST" and request.path.startswith("/api/"):
        address = client_address(request, request.app[SETTINGS].trusted_proxies)
        refused = rate_limited(request, IP_LIMITER, address)
        if refused is not None:
            return refused
    return await handler(request)


def rate_limited(request: web.Request, limiter: web.AppKey[RateLimiter], key: str) -> web.Response | None:
    """A 429 when `key` has used up its budget in `limiter`, else None (and one request is counted)."""
    settings = request.app[SETTINGS]
    if settings.rate_exempt_loopback and is_loopback(client_address(request, settings.trusted_proxies)):
        return None
    wait_s = request.app[limiter].acquire(key)
    if not wait_s:
        return None
    return errors.json_error(429, errors.RATE_LIMITED, {"Retry-After": str(math.ceil(wait_s))})


def setup_middlewares(app: web.Application) -> None:
    """CORS outermost, so that error answers carry its headers as well."""
    settings = app.get(SETTINGS)
    if settings is None:  # a bare app (tests of the error handling alone)
        app.middlewares.append(json_errors)
        return
    app[IP_LIMITER] = RateLimiter(settings.rate_per_ip)
    app[SENDER_LIMITER] = RateLimiter(settings.rate_per_sender)
    app.middlewares.extend([cors, json_errors, address_rate_limit])
