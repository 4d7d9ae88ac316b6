"""Fixtures for the widget: the gateway against the stand-in Rasa (API and file serving), and a real
headless Chromium driven by Playwright against the real stack (`stack` from tests/conftest.py)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.app import create_app
from bot.settings import Settings
from bot.views.widget import WIDGET_DIST
from harness.services import in_ci
from harness.stack import SCREENSHOTS  # noqa: F401  (the widget tests import it from here)

# The gateway's fixtures (migrated SQLite app DB, stand-in Rasa, settings), shared rather than copied.
from tests.bot.conftest import app_db_url, settings, stub_rasa  # noqa: F401

REPO = Path(__file__).resolve().parents[2]
DIST = REPO / "widget" / "dist"
CHROMIUM = Path("/usr/bin/chromium")
# Debian's Chromium, as root, on a machine without network: no sandbox, no background connections.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STORAGE_KEY = "weihai-policy-widget:v1"


@pytest.fixture
def make_gateway(aiohttp_client: Any, settings: Settings) -> Callable[..., Any]:  # noqa: F811
    """Start a gateway; `dist` serves another widget build, keyword arguments override settings."""

    async def start(dist: Path | None = None, **overrides: Any) -> TestClient:
        app = create_app(replace(settings, **overrides))
        if dist is not None:
            app[WIDGET_DIST] = dist
        return await aiohttp_client(app)

    return start


@pytest.fixture
async def gateway(make_gateway: Callable[..., Any]) -> TestClient:
    return await make_gateway()


@pytest.fixture(scope="session")
def widget_dist() -> Path:
    """The real build in widget/dist, brought up to date (a second or less when nothing changed)."""
    if shutil.which("npm") is None:
        _missing("npm is not installed, the widget cannot be built")
    subprocess.run(["bash", str(REPO / "scripts" / "build_widget.sh")], cwd=REPO, check=True)
    return DIST


# Module scope, not session: Playwright's sync API keeps an event loop running in this thread while it is
# started, and pytest-asyncio cannot run the async tests of later modules under it.
@pytest.fixture(scope="module")
def browser(widget_dist: Path) -> Iterator[Any]:
    if not CHROMIUM.exists():
        _missing(f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _missing(reason: str) -> None:
    # Skipped on a developer machine without it, but CI installs it: there a skip would hide a failure.
    if in_ci():
        pytest.fail(f"{reason}; CI is set, so this is an error, not a skip", pytrace=False)
    pytest.skip(reason)
