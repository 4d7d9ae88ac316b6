"""Server-side HTML of the staff pages: thin shells, the data comes from the JSON APIs.

Jinja2 with autoescaping (every value is escaped unless marked safe, and nothing is). Scripts are
files under /staff/static, never inline, so the Content-Security-Policy can forbid inline script.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web

from app_store.accounts import ANALYST, ROLE_NAMES, STAFF, Account

TEMPLATES = Path(__file__).resolve().parent / "templates"


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(name: str, *, account: Account | None, csrf: str, status: int = 200, **context: Any) -> web.Response:
    template = _environment().get_template(name)
    body = template.render(
        account=account,
        role_name=ROLE_NAMES.get(account.role, account.role) if account else "",
        can_console=account is not None and account.role in (STAFF, ANALYST),
        can_tickets=account is not None and account.role == STAFF,
        can_analytics=account is not None and account.role == ANALYST,
        csrf=csrf,
        **context,
    )
    return web.Response(text=body, status=status, content_type="text/html", charset="utf-8")
