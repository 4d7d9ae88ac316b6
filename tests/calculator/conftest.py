"""The calculator's fixtures: the staff pages' gateway with the real knowledge base (tests/staff/conftest.py)."""

from __future__ import annotations

from tests.bot.conftest import app_db_url, settings, stub_rasa  # noqa: F401
from tests.staff.conftest import kb, make_staff_gateway  # noqa: F401
