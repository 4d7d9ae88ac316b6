"""Who is signed in, what they may open, and the guards around it.

- Sessions: aiohttp-session's EncryptedCookieStorage (Fernet, key derived from APP_SECRET), cookie
  HttpOnly, SameSite=Lax, path /staff, 8 hours; Secure when STAFF_COOKIE_SECURE=1 (behind HTTPS).
  The cookie holds the account id and a stamp of its password hash; the account is read from the
  database on every request, so disabling it or changing its password ends its sessions at once, and
  the role always comes from the database, never from the cookie.
- Default deny: every route of the staff app needs a signed-in account unless marked `@public`;
  pages redirect to the login page, APIs answer 401 JSON. `@roles(...)` narrows a route further.
- CSRF: every POST must carry the session's token (form field `csrf` or header X-CSRF-Token) and, when
  the browser sends one, an Origin of this host.
- Login attempts: failures are counted per username and per client address in a sliding window.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from typing import Any
from urllib.parse import urlencode, urlsplit

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware
from aiohttp_session import Session, get_session, session_middleware
from aiohttp_session.cookie_storage import EncryptedCookieStorage

from app_store.accounts import Account, get_account
from bot.appkeys import ENGINE
from bot.errors import json_error
from bot.staff import messages
from bot.staff.html import render

COOKIE_NAME = "weihai_staff"
SESSION_MAX_AGE_S = 8 * 3600  # one shift
CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"
USER_KEY = "staff_account"
LOGIN_PATH = "/staff/login"
API_PREFIX = "/staff/api/"
_UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

StaffHandler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def session_key(app_secret: str) -> bytes:
    """32 bytes for Fernet, derived from APP_SECRET so the cookie key is not the pseudonym key itself."""
    return hmac.new(app_secret.encode("utf-8"), b"weihai staff session cookie v1", hashlib.sha256).digest()


def session_storage(app_secret: str, *, secure_cookie: bool) -> EncryptedCookieStorage:
    return EncryptedCookieStorage(
        session_key(app_secret),
        cookie_name=COOKIE_NAME,
        path="/staff",
        max_age=SESSION_MAX_AGE_S,
        httponly=True,
        samesite="Lax",
        secure=secure_cookie,
    )


def staff_middlewares(app_secret: str, *, secure_cookie: bool) -> list[Middleware]:
    """Outermost first: the session, then the login check, then CSRF."""
    return [session_middleware(session_storage(app_secret, secure_cookie=secure_cookie)), require_login, check_csrf]


# --- marking routes -----------------------------------------------------------------------------------


def public(handler: StaffHandler) -> StaffHandler:
    """A route anyone may open (the login page)."""
    handler._staff_public = True  # type: ignore[attr-defined]
    return handler


def roles(*allowed: str) -> Callable[[StaffHandler], StaffHandler]:
    """A route only these roles may open; the others get 403 (a page, or JSON for /staff/api/)."""

    def mark(handler: StaffHandler) -> StaffHandler:
        handler._staff_roles = frozenset(allowed)  # type: ignore[attr-defined]
        return handler

    return mark


def current_account(request: web.Request) -> Account:
    return request[USER_KEY]


# --- middlewares ------------------------------------------------------------------------------------


@web.middleware
async def require_login(request: web.Request, handler: Handler) -> web.StreamResponse:
    route_handler = _route_handler(request)
    if getattr(route_handler, "_staff_public", False) or _is_static(request):
        return await handler(request)
    session = await get_session(request)
    account = await _signed_in_account(request, session)
    if account is None:
        if is_api(request):
            return json_error(401, messages.LOGIN_REQUIRED)
        raise web.HTTPFound(LOGIN_PATH + "?" + urlencode({"next": request.path_qs}))
    allowed = getattr(route_handler, "_staff_roles", None)
    if allowed is not None and account.role not in allowed:
        if is_api(request):
            return json_error(403, messages.FORBIDDEN_API)
        return render("forbidden.html", account=account, csrf=csrf_token(session), status=403, page="forbidden")
    request[USER_KEY] = account
    return await handler(request)


@web.middleware
async def check_csrf(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.method not in _UNSAFE_METHODS:
        return await handler(request)
    session = await get_session(request)
    expected = session.get(CSRF_FIELD)
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        sent = (await request.post()).get(CSRF_FIELD)
    if not (isinstance(expected, str) and isinstance(sent, str) and hmac.compare_digest(expected, sent)):
        return _csrf_refused(request)
    origin = request.headers.get("Origin")
    if origin is not None and urlsplit(origin).netloc != request.host:
        return _csrf_refused(request)
    return await handler(request)


def _csrf_refused(request: web.Request) -> web.StreamResponse:
    if is_api(request):
        return json_error(403, messages.CSRF_FAILED)
    return web.Response(status=403, text=messages.CSRF_FAILED, content_type="text/plain", charset="utf-8")


def csrf_token(session: Session) -> str:
    """The session's CSRF token, created on first use."""
    token = session.get(CSRF_FIELD)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session[CSRF_FIELD] = token
    return token


def sign_in(session: Session, account: Account) -> None:
    """A fresh session for `account`: whatever the anonymous session held (a planted id) is dropped."""
    session.invalidate()
    session["uid"] = account.id
    session["stamp"] = account.password_stamp
    session[CSRF_FIELD] = secrets.token_urlsafe(32)


def is_api(request: web.Request) -> bool:
    return request.path.startswith(API_PREFIX)


async def _signed_in_account(request: web.Request, session: Session) -> Account | None:
    uid, stamp = session.get("uid"), session.get("stamp")
    if not isinstance(uid, int) or not isinstance(stamp, str):
        return None
    account = await asyncio.to_thread(get_account, request.config_dict[ENGINE], uid)
    if account is None or account.disabled or not hmac.compare_digest(account.password_stamp, stamp):
        session.invalidate()
        return None
    return account


def _route_handler(request: web.Request) -> Any:
    match = request.match_info
    return getattr(match, "handler", None)


def _is_static(request: web.Request) -> bool:
    route = request.match_info.route
    return isinstance(getattr(route, "resource", None), web.StaticResource)


# --- login throttling ---------------------------------------------------------------------------------


class LoginLimiter:
    """Failed logins per key (a username, a client address) in a sliding window.

    In memory: the gateway is one process. Run several and each counts its own failures, which still
    bounds guessing to `limit` × processes per window.
    """

    def __init__(self, limit: int, window_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window_s = window_s
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}

    def blocked(self, keys: Iterable[str]) -> bool:
        now = self._clock()
        return any(len(self._recent(key, now)) >= self.limit for key in keys)

    def failed(self, keys: Iterable[str]) -> None:
        now = self._clock()
        for key in keys:
            self._recent(key, now).append(now)

    def succeeded(self, keys: Iterable[str]) -> None:
        for key in keys:
            self._failures.pop(key, None)

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        while times and now - times[0] >= self.window_s:
            times.popleft()
        if len(self._failures) > 100_000:  # a flood of made-up usernames must not grow memory forever
            self._failures = {k: v for k, v in self._failures.items() if v and now - v[-1] < self.window_s}
            self._failures.setdefault(key, times)
        return times
