"""Every URL the gateway serves."""

from __future__ import annotations

from aiohttp import web

from bot.calculator import setup_calculator
from bot.staff import setup_staff
from bot.views.chat import chat
from bot.views.feedback import feedback
from bot.views.health import healthz, readyz
from bot.views.widget import setup_widget_routes
from bot.wechat import setup_wechat


def setup_routes(app: web.Application) -> None:
    app.router.add_post("/api/chat", chat, name="chat")
    app.router.add_get("/healthz", healthz, name="healthz")
    app.router.add_get("/readyz", readyz, name="readyz")
    app.router.add_post("/api/feedback", feedback, name="feedback")
    setup_widget_routes(app)  # / (demo page) and /widget/...
    setup_staff(app)  # /staff: hotline console, analytics, login
    setup_calculator(app)  # /calculator, /api/calculator: public, after setup_staff (its knowledge base)
    setup_wechat(app)  # /wechat: the Official Account's server URL, when WECHAT_TOKEN is set
