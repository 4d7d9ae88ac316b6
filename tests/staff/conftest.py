"""Fixtures for the staff pages: a gateway (stand-in Rasa) with the real knowledge base, accounts,
and a client that logs in the way a browser does (login page, CSRF field, cookie)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from argon2 import PasswordHasher

from app_store import accounts as account_store
from app_store import engine_for
from bot.app import create_app
from bot.settings import Settings
from bot.staff.kb import KnowledgeBaseHolder
from bot.staff.keys import KB
from policy_kb.loader import DEFAULT_DATA_FILE
from policy_kb.query import KnowledgeBase
from policy_kb.store import engine_for as kb_engine_for
from policy_kb.store import load_into, read_document

# The gateway's fixtures (migrated SQLite app DB, stand-in Rasa, settings), shared rather than copied.
from tests.bot.conftest import app_db_url, settings, stub_rasa  # noqa: F401

PASSWORD = "correct horse battery"
_CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # argon2's default (64 MiB, 3 passes) is right for production and slow for a hundred test logins.
    monkeypatch.setattr(account_store, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    account_store._dummy_hash.cache_clear()
    yield
    account_store._dummy_hash.cache_clear()


@pytest.fixture(scope="session")
def kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    """The real data file, loaded into a SQLite file of its own and read back."""
    engine = kb_engine_for(f"sqlite:///{tmp_path_factory.mktemp('staff-kb') / 'policy.db'}")
    load_into(engine, DEFAULT_DATA_FILE)
    data, version = read_document(engine)
    return KnowledgeBase(data, version)


@pytest.fixture
def accounts(app_db_url: str) -> dict[str, str]:  # noqa: F811
    engine = engine_for(app_db_url)
    account_store.create_account(engine, "staff1", "staff", PASSWORD)
    account_store.create_account(engine, "analyst1", "analyst", PASSWORD)
    return {"staff": "staff1", "analyst": "analyst1"}


@pytest.fixture
def make_staff_gateway(aiohttp_client: Any, settings: Settings, kb: KnowledgeBase) -> Callable[..., Any]:  # noqa: F811
    async def start(**overrides: Any) -> TestClient:
        app = create_app(replace(settings, **overrides))
        app[KB] = KnowledgeBaseHolder(kb)
        return await aiohttp_client(app)

    return start


@pytest.fixture
async def gateway(make_staff_gateway: Callable[..., Any], accounts: dict[str, str]) -> TestClient:
    return await make_staff_gateway()


async def csrf_of(client: TestClient, path: str) -> str:
    response = await client.get(path)
    assert response.status == 200, (path, response.status)
    match = _CSRF_META.search(await response.text())
    assert match, "no CSRF token on the page"
    return match.group(1)


async def log_in(client: TestClient, username: str, password: str = PASSWORD, **extra: str) -> Any:
    token = await csrf_of(client, "/staff/login")
    form = {"csrf": token, "username": username, "password": password, **extra}
    return await client.post("/staff/login", data=form, allow_redirects=False)


@pytest.fixture
async def staff(gateway: TestClient) -> TestClient:
    """The gateway client, signed in as a hotline agent."""
    response = await log_in(gateway, "staff1")
    assert response.status == 302, await response.text()
    return gateway


@pytest.fixture
async def analyst(gateway: TestClient) -> TestClient:
    response = await log_in(gateway, "analyst1")
    assert response.status == 302, await response.text()
    return gateway


async def page_csrf(client: TestClient) -> str:
    """The CSRF token of the signed-in session, as the page's meta tag carries it."""
    return await csrf_of(client, "/staff")
