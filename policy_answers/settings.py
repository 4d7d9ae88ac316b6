"""Settings the answer engine needs, from the environment (the gateway reads the same variable)."""

from __future__ import annotations

import os

DEFAULT_HOTLINE = "12345"


def hotline() -> str:
    """The public hotline offered when the bot cannot help (HOTLINE)."""
    return os.environ.get("HOTLINE") or DEFAULT_HOTLINE
