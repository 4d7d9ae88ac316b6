"""Settings of the action server, from the environment."""

from __future__ import annotations

import os

from bot.settings import DEFAULT_HOTLINE


def hotline() -> str:
    """The public hotline offered when the bot cannot help (HOTLINE, as the gateway reads it)."""
    return os.environ.get("HOTLINE") or DEFAULT_HOTLINE
