"""Wiring of the staff console and the analytics pages into the gateway: `setup_staff(app)`.

The pages live under /staff on the gateway's own router. (aiohttp sub-applications would be the
natural fit, but aiohttp 3.9.5's sub-app resolver reads `request.url`, which raises with the yarl the
rasa pins resolve to, so every /staff middleware here checks the path instead.)
"""

from __future__ import annotations

import functools
from pathlib import Path

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from bot.appkeys import SETTINGS
from bot.errors import json_error
from bot.staff import api, messages, pages, reviews
from bot.staff.auth import LoginLimiter, public, staff_middlewares
from bot.staff.kb import KnowledgeBaseHolder
from bot.staff.keys import IP_LIMITER, KB, USER_LIMITER

STAFF_DIR = Path(__file__).resolve().parent
STATIC_DIR = STAFF_DIR / "static"
ECHARTS = STAFF_DIR / "node_modules" / "echarts" / "dist" / "echarts.min.js"
PREFIX = "/staff"

# Failed logins allowed per window: per username, and per client address (an office behind one NAT
# address shares the second, so it is larger).
LOGIN_WINDOW_S = 5 * 60
LOGIN_FAILURES_PER_USER = 5
LOGIN_FAILURES_PER_ADDRESS = 20

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


def setup_staff(app: web.Application) -> None:
    settings = app[SETTINGS]
    app[KB] = KnowledgeBaseHolder()
    app[USER_LIMITER] = LoginLimiter(LOGIN_FAILURES_PER_USER, LOGIN_WINDOW_S)
    app[IP_LIMITER] = LoginLimiter(LOGIN_FAILURES_PER_ADDRESS, LOGIN_WINDOW_S)
    app.middlewares.append(
        _only_under_staff(
            [security_headers, *staff_middlewares(settings.app_secret, secure_cookie=settings.staff_cookie_secure)]
        )
    )
    app.on_startup.append(_warm_kb)

    router = app.router
    router.add_get(PREFIX, pages.console, name="staff_console")
    router.add_get(PREFIX + "/", pages.to_console)
    router.add_get(PREFIX + "/login", pages.login_form, name="staff_login")
    router.add_post(PREFIX + "/login", pages.login)
    router.add_post(PREFIX + "/logout", pages.logout, name="staff_logout")
    router.add_get(PREFIX + "/analytics", pages.analytics, name="staff_analytics")
    router.add_get(PREFIX + "/analytics/export.xlsx", api.export_xlsx, name="staff_export_xlsx")
    router.add_get(PREFIX + "/analytics/export.csv", api.export_csv, name="staff_export_csv")
    router.add_get(PREFIX + "/api/search", api.search, name="staff_search")
    router.add_post(PREFIX + "/api/ask", api.ask, name="staff_ask")
    router.add_get(PREFIX + "/api/tickets", api.tickets, name="staff_tickets")
    router.add_post(PREFIX + "/api/tickets/{ticket_id}/close", api.close, name="staff_ticket_close")
    router.add_get(PREFIX + "/api/analytics", api.analytics, name="staff_analytics_data")
    router.add_post(PREFIX + "/api/erase", api.erase, name="staff_erase")
    router.add_get(PREFIX + "/review", reviews.page, name="staff_review")
    router.add_get(PREFIX + "/api/reviews", reviews.items, name="staff_review_items")
    router.add_post(PREFIX + "/api/reviews", reviews.save, name="staff_review_save")
    router.add_get(PREFIX + "/api/kb-items", reviews.kb_search, name="staff_kb_items")
    router.add_get(PREFIX + "/vendor/echarts.min.js", echarts, name="staff_echarts")
    router.add_static(PREFIX + "/static", STATIC_DIR, name="staff_static")


async def _warm_kb(app: web.Application) -> None:
    await app[KB].get()


def _only_under_staff(chain: list[Middleware]) -> Middleware:
    """One gateway middleware running `chain` (outermost first) for /staff paths only."""

    @web.middleware
    async def staff_only(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path != PREFIX and not request.path.startswith(PREFIX + "/"):
            return await handler(request)
        wrapped = handler
        for middleware in reversed(chain):
            wrapped = functools.partial(middleware, handler=wrapped)
        return await wrapped(request)

    return staff_only


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        response = await handler(request)
    except web.HTTPException as exc:  # redirects
        _harden(request, exc)
        raise
    _harden(request, response)
    return response


def _harden(request: web.Request, response: web.StreamResponse) -> None:
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    if not request.path.startswith((PREFIX + "/static/", PREFIX + "/vendor/")):
        # Pages and data hold callers' questions and phone numbers: not for any cache.
        headers["Cache-Control"] = "no-store"


@public
async def echarts(request: web.Request) -> web.StreamResponse:
    """Apache ECharts from the npm package installed by `make assets` (no CDN)."""
    if not ECHARTS.is_file():
        return json_error(503, messages.ECHARTS_MISSING)
    return web.FileResponse(ECHARTS, headers={"Content-Type": "application/javascript; charset=utf-8"})
