"""Fixtures for the knowledge-base tests: the real data file loaded into a real SQLite database, and
the command line as the bureau's staff run it (`python -m policy_kb ...`)."""

from __future__ import annotations

import subprocess
from collections.abc import Callable

import pytest

from policy_kb.query import KnowledgeBase
from policy_kb.store import engine_for, load_into, read_document
from tests.policy_kb.helpers import DATA_FILE, run_cli, sqlite_url


@pytest.fixture(scope="session")
def kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    """The real data file loaded into a real SQLite file and read back, as the bot reads it."""
    engine = engine_for(sqlite_url(tmp_path_factory.mktemp("kb") / "policy.db"))
    _, changed = load_into(engine, DATA_FILE)
    assert changed
    data, version = read_document(engine)
    return KnowledgeBase(data, version)


@pytest.fixture()
def cli() -> Callable[..., subprocess.CompletedProcess[str]]:
    return run_cli
