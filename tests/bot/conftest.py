"""Fixtures for the gateway: a migrated SQLite app database, the stand-in Rasa, a gateway client."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app_store import QuestionLogRow, engine_for
from app_store.sealing import keys_from
from bot.app import create_app
from bot.appkeys import QUESTION_LOG, SETTINGS
from bot.migrate import upgrade
from bot.settings import Settings
from tests.bot.stub_rasa import StubRasa

SECRET = "test-secret"
# The data keys of a gateway built with SECRET (Settings.data_keys): what tickets are sealed with in tests.
KEYS = keys_from(SECRET)


@pytest.fixture
def app_db_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(url)
    return url


@pytest.fixture
def pg_app_url(pg_url: str) -> Iterator[str]:
    """An empty database of its own on the shared PostgreSQL test cluster (skipped where there is none)."""
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("DROP DATABASE IF EXISTS bot_app_test WITH (FORCE)"))
        connection.execute(text("CREATE DATABASE bot_app_test"))
    url = make_url(pg_url).set(database="bot_app_test").render_as_string(hide_password=False)
    yield url
    engine_for(url).dispose()
    with admin.connect() as connection:
        connection.execute(text("DROP DATABASE IF EXISTS bot_app_test WITH (FORCE)"))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def migrated_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated app database, once on SQLite and once on PostgreSQL."""
    url = f"sqlite:///{tmp_path / 'store.db'}" if request.param == "sqlite" else request.getfixturevalue("pg_app_url")
    upgrade(url)
    return url


@pytest.fixture
async def stub_rasa(aiohttp_server: Any) -> StubRasa:
    stub = StubRasa()
    server = await aiohttp_server(stub.app())
    stub.url = str(server.make_url("")).rstrip("/")  # type: ignore[attr-defined]
    return stub


@pytest.fixture
def settings(app_db_url: str, stub_rasa: StubRasa) -> Settings:
    return Settings(
        app_db_url=app_db_url,
        app_secret=SECRET,
        rasa_url=stub_rasa.url,  # type: ignore[attr-defined]
        action_url=stub_rasa.url,  # type: ignore[attr-defined]
        rasa_timeout_s=2.0,
    )


@pytest.fixture
def make_gateway(aiohttp_client: Any, settings: Settings) -> Callable[..., Any]:
    """Start a gateway; keyword arguments override settings."""

    async def start(**overrides: Any) -> TestClient:
        return await aiohttp_client(create_app(replace(settings, **overrides)))

    return start


@pytest.fixture
async def gateway(make_gateway: Callable[..., Any]) -> TestClient:
    return await make_gateway()


async def logged_rows(client: TestClient) -> list[QuestionLogRow]:
    """The question log once every queued row is written."""
    app = client.server.app
    await app[QUESTION_LOG].drain(timeout=5)
    return query_rows(app[SETTINGS].app_db_url)


def query_rows(url: str) -> list[QuestionLogRow]:
    with Session(engine_for(url)) as session:
        rows = list(session.execute(select(QuestionLogRow).order_by(QuestionLogRow.id)).scalars())
        session.expunge_all()  # plain values, readable after the session closes
        return rows
