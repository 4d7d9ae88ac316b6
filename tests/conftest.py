"""Shared fixtures: throwaway PostgreSQL and Redis servers (see harness/services.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack

import pytest

from harness.services import ServiceNotInstalledError, in_ci, postgres_server, redis_server
from harness.stack import Stack, running_stack


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
