"""The KB entity tests run on the real data file loaded into a real SQLite database."""

from __future__ import annotations

import pytest

from policy_kb.query import KnowledgeBase
from policy_kb.store import engine_for, load_into, read_document
from tests.policy_kb.helpers import DATA_FILE, sqlite_url


@pytest.fixture(scope="session")
def kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    engine = engine_for(sqlite_url(tmp_path_factory.mktemp("kb") / "policy.db"))
    load_into(engine, DATA_FILE)
    data, version = read_document(engine)
    return KnowledgeBase(data, version)
