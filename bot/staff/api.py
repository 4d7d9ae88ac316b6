"""The JSON behind the console and the analytics page, and the two exports."""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

from aiohttp import web

from app_store import close_ticket, open_tickets
from app_store.accounts import ANALYST, STAFF
from app_store.tickets import LINE_MAX_CHARS
from bot import errors
from bot.appkeys import ENGINE, SETTINGS
from bot.chat_input import ChatInputError, parse_chat_request
from bot.privacy import erase as erase_conversation
from bot.review.queue import gap_report
from bot.staff import messages
from bot.staff.analytics import Report, build_report
from bot.staff.auth import roles
from bot.staff.export import SECTIONS, tables, to_csv, to_xlsx
from bot.staff.inputs import filters_and_kb, json_object, knowledge_base
from bot.staff.spoken import card_text, clause_text
from bot.views.chat import answer
from policy_answers import render as answer_render
from policy_kb.query import KnowledgeBase

QUERY_MAX_CHARS = 100
SEARCH_LIMIT = 6
STAFF_CHANNEL = "staff"
dumps = errors.dumps


# --- knowledge-base search --------------------------------------------------------------------------


@roles(STAFF, ANALYST)
async def search(request: web.Request) -> web.Response:
    query = request.query.get("q", "").strip()
    if len(query) > QUERY_MAX_CHARS:
        return errors.json_error(400, messages.QUERY_TOO_LONG.format(limit=QUERY_MAX_CHARS))
    kb = await knowledge_base(request)
    if isinstance(kb, web.Response):
        return kb
    started = time.perf_counter()
    # In-process and about a millisecond: no thread hop, which would cost more than the search.
    results = [_result(kb, hit.kind, hit.id) for hit in kb.search(query, SEARCH_LIMIT)] if query else []
    elapsed_ms = round((time.perf_counter() - started) * 1000, 2)
    return web.json_response({"query": query, "results": results, "elapsed_ms": elapsed_ms}, dumps=dumps)


def _result(kb: KnowledgeBase, kind: str, item_id: str) -> dict[str, Any]:
    if kind == "measure":
        card = answer_render.card(kb, kb.measure(item_id))
        return {
            "kind": "measure",
            "id": item_id,
            "title": card["title"],
            "clause": card["clause"],
            "card": card,
            "plain_text": card_text(card),
        }
    clause = kb.clause(item_id)
    lead_units = [unit.name for unit in kb.lead_units(clause.id)]
    measures = kb.measures_in_clause(clause.id)
    citation = kb.citation(clause.id)
    title = f"{clause.id} {clause.title}"
    return {
        "kind": "clause",
        "id": clause.id,
        "title": title,
        "clause": clause.id,
        "card": {
            "type": "clause_card",
            "title": title,
            "clause": clause.id,
            "clause_title": clause.title,
            "clause_text": clause.text,
            "lead_units": lead_units,
            "measures": [{"id": m.id, "name": m.name} for m in measures],
            "citation": citation,
        },
        "plain_text": clause_text(title, lead_units, [m.name for m in measures], citation),
    }


# --- ask the bot ------------------------------------------------------------------------------------


@roles(STAFF, ANALYST)
async def ask(request: web.Request) -> web.Response:
    """One question in a fresh conversation, answered and logged exactly as /api/chat would.

    A new random sender per question: a caller's question must not inherit the previous caller's
    slots, and a short tracker keeps Rasa fast (a long one replays every turn)."""
    started = time.perf_counter()
    received_at = datetime.now(timezone.utc)
    body = await json_object(request)
    if isinstance(body, web.Response):
        return body
    payload = {"sender": f"staff-{secrets.token_hex(12)}", "message": body.get("message"), "channel": STAFF_CHANNEL}
    try:
        # The chat API's own checks and cleaning, so both ways in accept the same questions.
        chat_request = parse_chat_request(json.dumps(payload).encode("utf-8"), request.app[SETTINGS].max_message_chars)
    except ChatInputError as exc:
        message = messages.QUESTION_EMPTY if exc.message == errors.EMPTY_MESSAGE else exc.message
        return errors.json_error(exc.status, message)
    return await answer(request, chat_request, started=started, received_at=received_at)


# --- hand-off tickets -------------------------------------------------------------------------------


@roles(STAFF)
async def tickets(request: web.Request) -> web.Response:
    rows = await asyncio.to_thread(open_tickets, request.app[ENGINE], keys=request.app[SETTINGS].data_keys)
    return web.json_response(
        {
            "tickets": [
                {
                    "id": ticket.id,
                    "created_at": ticket.created_at.isoformat(),
                    "question": ticket.question,
                    "transcript": ticket.transcript,
                    # Staff call back on this number; it is shown here and nowhere else.
                    "callback_phone": ticket.callback_phone,
                }
                for ticket in rows
            ]
        },
        dumps=dumps,
    )


@roles(STAFF)
async def close(request: web.Request) -> web.Response:
    try:
        ticket_id = int(request.match_info["ticket_id"])
    except ValueError:
        return errors.json_error(400, messages.BAD_TICKET_ID)
    if not 0 < ticket_id < 2**31:
        return errors.json_error(400, messages.BAD_TICKET_ID)
    body = await json_object(request)
    if isinstance(body, web.Response):
        return body
    note = body.get("note", "")
    if note is None:
        note = ""
    if not isinstance(note, str):
        return errors.json_error(400, messages.NOTE_NOT_TEXT)
    note = note.strip()
    if len(note) > LINE_MAX_CHARS:
        return errors.json_error(413, messages.NOTE_TOO_LONG.format(limit=LINE_MAX_CHARS))
    closed = await asyncio.to_thread(close_ticket, request.app[ENGINE], ticket_id, note)
    if not closed:
        return errors.json_error(404, messages.TICKET_NOT_FOUND)
    return web.json_response({"id": ticket_id, "status": "done"}, dumps=dumps)


# --- erasure ---------------------------------------------------------------------------------------

ERASE_REFERENCE_MAX_CHARS = 128


@roles(ANALYST)
async def erase(request: web.Request) -> web.Response:
    """Delete one conversation from every store: {"reference": conversation id | message id}.

    The answer says how much went from each store and never what it was."""
    body = await json_object(request)
    if isinstance(body, web.Response):
        return body
    reference = body.get("reference")
    if not isinstance(reference, str) or not reference.strip() or len(reference) > ERASE_REFERENCE_MAX_CHARS:
        return errors.json_error(400, messages.ERASE_REFERENCE)
    report = await asyncio.to_thread(erase_conversation, request.app[SETTINGS], reference.strip())
    if report is None or not report.found:
        return errors.json_error(404, messages.ERASE_NOT_FOUND)
    return web.json_response(report.as_dict(), dumps=dumps)


# --- analytics --------------------------------------------------------------------------------------


@roles(ANALYST)
async def analytics(request: web.Request) -> web.Response:
    reported = await _report(request)
    if isinstance(reported, web.Response):
        return reported
    return web.json_response(reported[0].to_json(), dumps=dumps)


@roles(ANALYST)
async def export_xlsx(request: web.Request) -> web.Response:
    return await _export(request, "xlsx")


@roles(ANALYST)
async def export_csv(request: web.Request) -> web.Response:
    return await _export(request, "csv")


async def _export(request: web.Request, kind: str) -> web.Response:
    section = request.query.get("section") or "all"
    if section != "all" and section not in SECTIONS:
        return errors.json_error(400, messages.BAD_SECTION.format(sections="、".join(["all", *SECTIONS])))
    reported = await _report(request)
    if isinstance(reported, web.Response):
        return reported
    report, kb = reported

    def build() -> bytes:
        chosen = [t for t in tables(report, kb) if section in ("all", t.key)]
        return to_xlsx(chosen) if kind == "xlsx" else to_csv(chosen)

    body = await asyncio.to_thread(build)
    f = report.filters
    stem = f"{f.start.isoformat()}_{f.end.isoformat()}" + ("" if section == "all" else f"_{section}")
    chinese = f"政策问答分析_{stem}.{kind}"
    content_type = (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        if kind == "xlsx"
        else "text/csv; charset=utf-8"
    )
    return web.Response(
        body=body,
        headers={
            "Content-Type": content_type,
            # An ASCII name for old clients, the Chinese one (RFC 5987) for the rest.
            "Content-Disposition": f'attachment; filename="policy-analytics_{stem}.{kind}"; '
            f"filename*=UTF-8''{quote(chinese)}",
        },
    )


async def _report(request: web.Request) -> tuple[Report, KnowledgeBase] | web.Response:
    read = await filters_and_kb(request)
    if isinstance(read, web.Response):
        return read
    filters, kb = read

    def build() -> Report:
        report = build_report(request.app[ENGINE], kb, filters)
        report.gaps = gap_report(request.app[ENGINE], kb, filters)
        return report

    return await asyncio.to_thread(build), kb
