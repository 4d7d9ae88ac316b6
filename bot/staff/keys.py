"""Typed keys for what setup_staff stores on the gateway application."""

from __future__ import annotations

from aiohttp import web

from bot.staff.auth import LoginLimiter
from bot.staff.kb import KnowledgeBaseHolder

KB = web.AppKey("staff_kb", KnowledgeBaseHolder)
USER_LIMITER = web.AppKey("staff_login_user_limiter", LoginLimiter)
IP_LIMITER = web.AppKey("staff_login_ip_limiter", LoginLimiter)
