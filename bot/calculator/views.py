"""The calculator's routes. The knowledge base is the staff pages' holder (one cache per process)."""

from __future__ import annotations

import time
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web

from bot.appkeys import SETTINGS
from bot.errors import dumps, json_error
from bot.staff.keys import KB
from bot.views.widget import DEMO_CSP
from policy_answers.calculator import (
    COUNTY_FUND,
    CalculatorInputError,
    CalculatorQuery,
    calculate,
    chat_message,
    read_query,
)
from policy_kb.query import KnowledgeBase

HERE = Path(__file__).resolve().parent
KB_MISSING = "政策知识库暂时不可用，请稍后再试，或拨打{hotline}咨询。"
FIELDS = ("applicant", "district", "approved", "fund", "words")


def setup_calculator(app: web.Application) -> None:
    app.router.add_get("/calculator", page, name="calculator")
    app.router.add_get("/api/calculator", api, name="calculator_api")
    app.router.add_static("/calculator/static", HERE / "static", name="calculator_static")


async def api(request: web.Request) -> web.Response:
    kb = await request.app[KB].get()
    if kb is None:
        return json_error(503, KB_MISSING.format(hotline=request.app[SETTINGS].hotline))
    try:
        query = read_query(kb, dict(request.query))
    except CalculatorInputError as bad:
        return json_error(400, str(bad))
    started = time.perf_counter()
    result = calculate(kb, query)
    result["chat_message"] = chat_message(kb, query)
    headers = {"Server-Timing": f"calc;dur={(time.perf_counter() - started) * 1000:.2f}"}
    return web.json_response(result, dumps=dumps, headers=headers)


async def page(request: web.Request) -> web.Response:
    kb = await request.app[KB].get()
    hotline = request.app[SETTINGS].hotline
    if kb is None:
        return _render({"kb_missing": KB_MISSING.format(hotline=hotline), "hotline": hotline}, status=503)
    raw = {name: request.query.get(name, "") for name in FIELDS}
    context: dict[str, Any] = {
        "form": raw,
        "options": _options(kb),
        "county_fund": COUNTY_FUND,
        "hotline": hotline,
        "document": {"number": kb.document.number, "title": kb.document.title},
    }
    status = 200
    if any(raw.values()):
        try:
            query: CalculatorQuery = read_query(kb, raw)
        except CalculatorInputError as bad:
            context["error"], status = str(bad), 400
        else:
            context["result"] = calculate(kb, query)
            context["chat_message"] = chat_message(kb, query)
    return _render(context, status=status)


def _options(kb: KnowledgeBase) -> dict[str, list[tuple[str, str]]]:
    return {
        "applicants": [(a.id, a.name) for a in kb.data.applicant_types],
        "districts": [(d.id, d.name) for d in kb.districts],
    }


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _render(context: dict[str, Any], status: int) -> web.Response:
    defaults = {
        "form": {},
        "options": {"applicants": [], "districts": []},
        "county_fund": COUNTY_FUND,
        "document": None,
    }
    body = (
        _environment()
        .get_template("calculator.html")
        .render(**{"error": None, "result": None, "chat_message": "", "kb_missing": None, **defaults, **context})
    )
    response = web.Response(text=body, status=status, content_type="text/html", charset="utf-8")
    response.headers["Content-Security-Policy"] = DEMO_CSP  # the widget's iframe, from this origin only
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    return response
