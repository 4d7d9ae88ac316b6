"""The app database on PostgreSQL goes away and comes back (the real stack's SQLite variant is in
test_faults.py): chat goes on, the question log keeps every row and writes them once it is back."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.appkeys import QUESTION_LOG
from bot.migrate import upgrade

# Fixtures of the gateway tests: stand-in Rasa, settings, a database of its own on the test cluster.
from tests.bot.conftest import app_db_url, make_gateway, pg_app_url, query_rows, settings, stub_rasa  # noqa: F401


def set_reachable(url: str, reachable: bool) -> None:
    """Open or close the database to new connections, and cut the open ones (as a restart would)."""
    database = make_url(url).database
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS {str(reachable).lower()}'))
        if not reachable:
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": database},
            )
    admin.dispose()


async def test_postgres_away_and_back_loses_no_question(make_gateway: Any, pg_app_url: str) -> None:  # noqa: F811
    upgrade(pg_app_url)
    client = await make_gateway(app_db_url=pg_app_url)
    writer = client.server.app[QUESTION_LOG]

    async def ask(sender: str) -> str:
        response = await client.post("/api/chat", json={"sender": sender, "message": "研发补助最多多少"})
        assert response.status == 200
        return (await response.json())["message_id"]

    before = [await ask("before") for _ in range(5)]
    await writer.drain(timeout=10)

    set_reachable(pg_app_url, False)
    try:
        started = time.monotonic()
        during = await asyncio.gather(*(ask(f"during-{i}") for i in range(30)))
        assert time.monotonic() - started < 5  # nobody waits for the log
        while writer.failed_attempts == 0:
            assert time.monotonic() - started < 15
            await asyncio.sleep(0.1)
        health = await client.get("/healthz")
        assert health.status == 503 and (await health.json())["database"] == "down"
        assert writer.pending == 30
    finally:
        set_reachable(pg_app_url, True)

    await writer.retry_now(timeout=30)
    assert sorted(row.public_id for row in query_rows(pg_app_url)) == sorted(before + during)
    assert (await client.get("/healthz")).status == 200
