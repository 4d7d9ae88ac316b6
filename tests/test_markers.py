"""tests/conftest.py marks every test by what it needs; a `unit` test (what `make test-fast` runs with
`-m unit`) starts no service. Checked on the tests of the running session, so under `make test-fast` it
covers exactly the tests that ran, and under `make test` every test's mark."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import NEEDS

# Every fixture that starts a service or builds something, by name, including the ones built on another
# (their closure names that one too, but a rename there should not hide them here).
SERVICE_FIXTURES = {"stack", "reliability_stack", "fresh_stack", "production", "pg_url", "pg_app_url",
                    "pg_tracker_url", "pg_engine", "redis_url", "browser", "widget_dist"}
# What starts a process of the product or a server without a fixture, read from a module's source: a
# second opinion that does not rely on the marks tests/conftest.py reads.
STARTS_A_SERVICE = re.compile(r"running_stack\(|production_stack\(|postgres_server\(|redis_server\(|"
                              r"sync_playwright\(|\"-m\", \"bot\"\]|\"scripts/run\.sh\"\]")
REPO = Path(__file__).resolve().parent.parent


def _unit_items(session: pytest.Session) -> list[pytest.Item]:
    return [item for item in session.items if item.get_closest_marker("unit") is not None]


def test_every_test_is_unit_or_names_what_it_needs(request: pytest.FixtureRequest) -> None:
    for item in request.session.items:
        needs = {mark.name for mark in item.iter_markers() if mark.name in NEEDS}
        assert (item.get_closest_marker("unit") is None) == bool(needs), item.nodeid


def test_no_unit_test_uses_a_service_fixture(request: pytest.FixtureRequest) -> None:
    for item in _unit_items(request.session):
        assert not SERVICE_FIXTURES & set(getattr(item, "fixturenames", ())), item.nodeid
        callspec = getattr(item, "callspec", None)
        # migrated_url and the tracker's db fixture ask for PostgreSQL by name in their "postgresql" case.
        assert callspec is None or "postgresql" not in callspec.params.values(), item.nodeid


def test_no_unit_test_module_starts_a_service_itself(request: pytest.FixtureRequest) -> None:
    sources = {Path(str(item.fspath)) for item in _unit_items(request.session)}
    starting = [path.relative_to(REPO) for path in sorted(sources)
                if STARTS_A_SERVICE.search(path.read_text(encoding="utf-8"))]
    assert starting == []


@pytest.mark.parametrize(("path", "need"), [
    ("tests/e2e/test_chat.py", "stack"),
    ("tests/bot/test_serve.py", "stack"),
    ("tests/reliability/test_supervised_run.py", "stack"),
    ("tests/test_pg_fixture.py", "postgres"),
    ("tests/test_redis_fixture.py", "redis"),
])
def test_known_service_modules_are_never_unit(request: pytest.FixtureRequest, path: str, need: str) -> None:
    # Only meaningful when the session collected them (make test); under -m unit they are deselected.
    for item in request.session.items:
        if Path(str(item.fspath)) == REPO / path:
            assert item.get_closest_marker(need) is not None and item.get_closest_marker("unit") is None
