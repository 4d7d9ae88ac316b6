"""The HTML pages: login, console, analytics."""

from __future__ import annotations

import asyncio

from aiohttp import web
from aiohttp_session import get_session

from app_store.accounts import ANALYST, PASSWORD_MAX_CHARS, STAFF, Account, authenticate, normalise_username
from bot.appkeys import ENGINE, SETTINGS
from bot.limits import client_address
from bot.staff import messages
from bot.staff.analytics import CHANNEL_NAMES
from bot.staff.auth import LOGIN_PATH, csrf_token, current_account, public, roles, sign_in
from bot.staff.html import render
from bot.staff.keys import IP_LIMITER, USER_LIMITER

CONSOLE_PATH = "/staff"
ANALYTICS_PATH = "/staff/analytics"
REVIEW_PATH = "/staff/review"


@public
async def login_form(request: web.Request) -> web.Response:
    session = await get_session(request)
    return _login_page(request, csrf_token(session), next_path=_safe_next(request.query.get("next")))


@public
async def login(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    username = form.get("username")
    password = form.get("password")
    next_path = _safe_next(form.get("next") if isinstance(form.get("next"), str) else None)
    session = await get_session(request)
    csrf = csrf_token(session)
    if not isinstance(username, str) or not isinstance(password, str) or not username.strip() or not password:
        return _login_page(request, csrf, next_path=next_path, error=messages.LOGIN_EMPTY, status=400)
    name = normalise_username(username)[:64]
    address = client_address(request, request.app[SETTINGS].trusted_proxies)
    keys_user, keys_address = [f"user:{name}"], [f"addr:{address}"]
    user_limiter, address_limiter = request.app[USER_LIMITER], request.app[IP_LIMITER]
    if user_limiter.blocked(keys_user) or address_limiter.blocked(keys_address):
        message = messages.LOGIN_THROTTLED.format(minutes=round(user_limiter.window_s / 60))
        response = _login_page(request, csrf, next_path=next_path, error=message, status=429, username=name)
        response.headers["Retry-After"] = str(int(user_limiter.window_s))
        return response
    account = None
    if len(password) <= PASSWORD_MAX_CHARS:
        account = await asyncio.to_thread(authenticate, request.app[ENGINE], name, password)
    if account is None:
        user_limiter.failed(keys_user)
        address_limiter.failed(keys_address)
        return _login_page(request, csrf, next_path=next_path, error=messages.LOGIN_FAILED, status=401, username=name)
    user_limiter.succeeded(keys_user)
    sign_in(session, account)
    raise web.HTTPFound(next_path if next_path and _may_open(account, next_path) else _home(account))


async def logout(request: web.Request) -> web.StreamResponse:
    session = await get_session(request)
    session.invalidate()
    raise web.HTTPFound(LOGIN_PATH)


async def to_console(request: web.Request) -> web.StreamResponse:
    raise web.HTTPFound(CONSOLE_PATH)


@roles(STAFF, ANALYST)
async def console(request: web.Request) -> web.Response:
    session = await get_session(request)
    return render("console.html", account=current_account(request), csrf=csrf_token(session), page="console")


@roles(ANALYST)
async def analytics(request: web.Request) -> web.Response:
    session = await get_session(request)
    return render(
        "analytics.html",
        account=current_account(request),
        csrf=csrf_token(session),
        page="analytics",
        channels=CHANNEL_NAMES,
    )


def _login_page(
    request: web.Request,
    csrf: str,
    *,
    next_path: str | None,
    error: str | None = None,
    status: int = 200,
    username: str = "",
) -> web.Response:
    return render(
        "login.html",
        account=None,
        csrf=csrf,
        status=status,
        error=error,
        next_path=next_path or "",
        username=username,
        page="login",
    )


def _home(account: Account) -> str:
    return ANALYTICS_PATH if account.role == ANALYST else CONSOLE_PATH


def _may_open(account: Account, path: str) -> bool:
    return not path.startswith((ANALYTICS_PATH, REVIEW_PATH)) or account.role == ANALYST


def _safe_next(raw: str | None) -> str | None:
    """Only a path on this site under /staff: `next` must not send a signed-in user elsewhere."""
    if not raw or not (raw == "/staff" or raw.startswith(("/staff/", "/staff?"))) or "\\" in raw:
        return None
    if any(ord(ch) < 0x20 for ch in raw) or raw.startswith(LOGIN_PATH):
        return None
    return raw[:512]
