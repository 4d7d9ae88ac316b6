"""Settings the answer engine needs (the gateway reads the same variable), through infra.settings."""

from __future__ import annotations

from infra.settings import default, get

# The engine's keyword default (engine.py) when no hotline is handed in: deploy/defaults.env's.
DEFAULT_HOTLINE = default("HOTLINE")


def hotline() -> str:
    """The public hotline offered when the bot cannot help (HOTLINE)."""
    return get("HOTLINE")
