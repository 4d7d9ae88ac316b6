"""Shared fixtures: throwaway PostgreSQL and Redis servers (see harness/services.py); every test marked by
what it needs (`unit` when nothing), so `make test-fast` runs `pytest -m unit` without starting a service."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack

import pytest

from harness.services import ServiceNotInstalledError, in_ci, postgres_server, redis_server
from harness.stack import Stack, running_stack

# What a test needs beyond the Python in this checkout (registered in pyproject.toml). A test is marked by
# the fixtures it uses (their whole closure, so a fixture built on `pg_url` counts as `pg_url`) and by the
# marks its module sets itself where it starts a process without a fixture (tests/bot/test_serve.py);
# every test with none of these is `unit`. The fixtures, not directories, decide: tests/production holds
# in-process tests too (test_gateway_spread.py), tests/bot PostgreSQL ones.
NEEDS = ("stack", "browser", "postgres", "redis", "built")
SERVICE_FIXTURES = {
    "stack": "stack",  # action server, Rasa and gateway (harness.stack.running_stack)
    "reliability_stack": "stack",  # tests/reliability/conftest.py, a stack of its own
    "production": "stack",  # production mode (harness.production), which also takes pg_url and redis_url
    "pg_url": "postgres",
    "redis_url": "redis",
    "browser": "browser",  # Chromium (tests/widget/conftest.py, tests/staff/test_browser.py)
    "widget_dist": "built",  # runs scripts/build_widget.sh (npm)
}
# A parametrized fixture whose "postgresql" case asks for a PostgreSQL fixture by name at run time
# (request.getfixturevalue), which the fixture closure cannot show: tests/bot/conftest.py's migrated_url,
# tests/production/test_tracker_window.py's db.
POSTGRES_PARAM = "postgresql"


def needs_of(item: pytest.Item) -> set[str]:
    """The marks of NEEDS that `item` gets: from its fixtures, its parameters and the marks it already has."""
    needs = {SERVICE_FIXTURES[name] for name in getattr(item, "fixturenames", ()) if name in SERVICE_FIXTURES}
    callspec = getattr(item, "callspec", None)
    if callspec is not None and POSTGRES_PARAM in callspec.params.values():
        needs.add("postgres")
    needs.update(mark.name for mark in item.iter_markers() if mark.name in NEEDS)
    return needs


# tryfirst: before pytest's own hook deselects by `-m`, which must see these marks.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        needs = needs_of(item)
        for need in sorted(needs):
            item.add_marker(need)
        if not needs:
            item.add_marker("unit")


def _serve(server: Callable[[], AbstractContextManager[str]]) -> Iterator[str]:
    with ExitStack() as stack:
        try:
            url = stack.enter_context(server())
        except ServiceNotInstalledError as missing:
            # Skip on a developer machine without the package, but fail in CI, where .ci/run installs
            # it: a silently skipped suite would pass for the wrong reason.
            if in_ci():
                pytest.fail(f"{missing}; CI is set, so this is an error, not a skip", pytrace=False)
            pytest.skip(str(missing))
        yield url


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """SQLAlchemy URL (postgresql+psycopg2://...) of an empty database on a private PostgreSQL cluster."""
    yield from _serve(postgres_server)


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """URL (redis://127.0.0.1:<port>/0) of a private, non-persistent Redis server."""
    yield from _serve(redis_server)


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The real action server, Rasa server and gateway, started once for the session."""
    with running_stack(tmp_path_factory.mktemp("stack")) as running:
        yield running
