"""Typed keys for what create_app stores on the application."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy.engine import Engine

from bot.limits import RateLimiter
from bot.question_log import QuestionLogWriter
from bot.rasa_client import RasaClient
from bot.settings import Settings

SETTINGS = web.AppKey("settings", Settings)
ENGINE = web.AppKey("engine", Engine)
RASA = web.AppKey("rasa", RasaClient)
QUESTION_LOG = web.AppKey("question_log", QuestionLogWriter)
# Token buckets of the public API (bot.limits): per client address and per chat sender.
IP_LIMITER = web.AppKey("ip_limiter", RateLimiter)
SENDER_LIMITER = web.AppKey("sender_limiter", RateLimiter)
