"""What every staff JSON handler reads first, in one place: a JSON object body, the analytics filters and
the knowledge base, each either the value or the Chinese error response to return as it is."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from bot import errors
from bot.staff import messages
from bot.staff.analytics import FilterError, Filters, parse_filters
from bot.staff.keys import KB
from policy_kb.query import KnowledgeBase


async def json_object(request: web.Request) -> dict[str, Any] | web.Response:
    try:
        body = json.loads((await request.read()).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return errors.json_error(400, messages.BAD_JSON)
    if not isinstance(body, dict):
        return errors.json_error(400, messages.BAD_JSON)
    return body


async def knowledge_base(request: web.Request) -> KnowledgeBase | web.Response:
    kb = await request.app[KB].get()
    if kb is None:
        return errors.json_error(503, messages.KB_UNAVAILABLE)
    return kb


async def filters_and_kb(request: web.Request) -> tuple[Filters, KnowledgeBase] | web.Response:
    """The query's filters (400 when malformed) and the KB (503 while it cannot be read)."""
    try:
        filters = parse_filters(request.query)
    except FilterError as exc:
        return errors.json_error(400, str(exc))
    kb = await knowledge_base(request)
    return kb if isinstance(kb, web.Response) else (filters, kb)
