"""Settings of the action server, from the environment."""

from __future__ import annotations

import os


def hotline() -> str:
    """The public hotline offered when the bot cannot help (12345 unless configured)."""
    return os.environ.get("HOTLINE", "12345")
