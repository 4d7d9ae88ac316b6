"""The review queue page and its JSON: what the analysts read and their verdicts (bot.review)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from aiohttp import web
from aiohttp_session import get_session

from app_store.accounts import ANALYST
from app_store.privacy import mask
from app_store.reviews import (
    ALIAS_MAX_CHARS,
    NOTE_MAX_CHARS,
    TARGET_KINDS,
    VERDICTS,
    AliasNotInQuestionError,
    Review,
    save_review,
)
from bot import errors
from bot.appkeys import ENGINE
from bot.review.aspects import ASPECTS
from bot.review.queue import kb_items, queue, target_name
from bot.staff import messages
from bot.staff.auth import csrf_token, current_account, roles
from bot.staff.html import render
from bot.staff.inputs import filters_and_kb, json_object, knowledge_base

MAX_IDS = 500
KB_QUERY_MAX_CHARS = 50


@roles(ANALYST)
async def page(request: web.Request) -> web.Response:
    session = await get_session(request)
    return render("review.html", account=current_account(request), csrf=csrf_token(session), page="review")


@roles(ANALYST)
async def items(request: web.Request) -> web.Response:
    read = await filters_and_kb(request)
    if isinstance(read, web.Response):
        return read
    filters, kb = read
    pending_only = request.query.get("pending") == "1"
    contains = request.query.get("q", "").strip()
    if len(contains) > KB_QUERY_MAX_CHARS:
        return errors.json_error(400, messages.QUERY_TOO_LONG.format(limit=KB_QUERY_MAX_CHARS))
    body = await asyncio.to_thread(
        queue, request.app[ENGINE], kb, filters, include_reviewed=not pending_only, contains=contains
    )
    return web.json_response(body, dumps=errors.dumps)


@roles(ANALYST)
async def kb_search(request: web.Request) -> web.Response:
    query = request.query.get("q", "").strip()
    if len(query) > KB_QUERY_MAX_CHARS:
        return errors.json_error(400, messages.QUERY_TOO_LONG.format(limit=KB_QUERY_MAX_CHARS))
    kb = await knowledge_base(request)
    if isinstance(kb, web.Response):
        return kb
    return web.json_response({"query": query, "items": kb_items(kb, query)}, dumps=errors.dumps)


@roles(ANALYST)
async def save(request: web.Request) -> web.Response:
    """{"question_ids": [..], "verdict", "target_kind", "target_id", "aspect", "note", "alias"}: one verdict
    for a group of identical questions (the queue's item), replacing an earlier one."""
    body = await json_object(request)
    if isinstance(body, web.Response):
        return body
    kb = await knowledge_base(request)
    if isinstance(kb, web.Response):
        return kb
    checked = _check(body, kb)
    if isinstance(checked, str):
        return errors.json_error(400, checked)
    reviewer = current_account(request).username
    now = datetime.now(timezone.utc)

    def store() -> int:
        return sum(
            save_review(
                request.app[ENGINE],
                Review(
                    question_id=i,
                    verdict=checked.verdict,
                    target_kind=checked.kind,
                    target_id=checked.target,
                    aspect=checked.aspect,
                    note=checked.note,
                    reviewer=reviewer,
                    reviewed_at=now,
                    alias=checked.alias,
                ),
            )
            for i in checked.ids
        )

    try:
        saved = await asyncio.to_thread(store)
    except AliasNotInQuestionError as exc:
        return errors.json_error(400, messages.REVIEW_ALIAS_NOT_IN_QUESTION.format(alias=exc.args[0]))
    if not saved:
        return errors.json_error(404, messages.REVIEW_NOT_FOUND)
    return web.json_response(
        {"saved": saved, "verdict": checked.verdict, "target_name": target_name(kb, checked.kind, checked.target)},
        dumps=errors.dumps,
    )


@dataclass(frozen=True)
class Checked:
    ids: list[int]
    verdict: str
    kind: str | None
    target: str | None
    aspect: str | None
    note: str | None
    alias: str | None


def _check(body: dict[str, Any], kb: Any) -> Checked | str:
    ids = body.get("question_ids")
    if (
        not isinstance(ids, list)
        or not ids
        or len(ids) > MAX_IDS
        or not all(isinstance(i, int) and not isinstance(i, bool) and 0 < i < 2**31 for i in ids)
    ):
        return messages.REVIEW_IDS
    verdict = body.get("verdict")
    if verdict not in VERDICTS:
        return messages.REVIEW_VERDICT
    kind, target = body.get("target_kind") or None, body.get("target_id") or None
    if (kind is None) != (target is None) or (kind is not None and kind not in TARGET_KINDS):
        return messages.REVIEW_TARGET
    if kind is not None and (not isinstance(target, str) or target_name(kb, kind, target) is None):
        return messages.REVIEW_TARGET
    if verdict == "wrong" and kind is None:
        return messages.REVIEW_WRONG_NEEDS_TARGET
    aspect = body.get("aspect") or None
    if aspect is not None and aspect not in ASPECTS:
        return messages.REVIEW_ASPECT.format(aspects="、".join(name for _, name in ASPECTS.values()))
    note = body.get("note") or None
    if note is not None and not isinstance(note, str):
        return messages.NOTE_NOT_TEXT
    if note is not None and len(note.strip()) > NOTE_MAX_CHARS:
        return messages.NOTE_TOO_LONG.format(limit=NOTE_MAX_CHARS)
    if verdict == "policy_gap" and not (note and note.strip()):
        return messages.REVIEW_GAP_NEEDS_NOTE
    alias = body.get("alias") or None
    if alias is not None:
        # A word for a measure only: the KB has aliases for measures, and an answer is about one.
        if (
            not isinstance(alias, str)
            or not 0 < len(alias.strip()) <= ALIAS_MAX_CHARS
            or kind != "measure"
            or verdict not in ("correct", "wrong")
            or mask(alias.strip()) != alias.strip()
        ):
            return messages.REVIEW_ALIAS.format(limit=ALIAS_MAX_CHARS)
        alias = alias.strip()
    return Checked(ids, verdict, kind, target, aspect, note.strip() if note else None, alias)
