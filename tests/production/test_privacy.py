"""Personal data in production mode (scripts/run_production.sh: PostgreSQL, Redis, 2 Rasa processes,
2 action servers): masked in the tracker store and the app database on PostgreSQL, the files and the
exports; the callback number sealed on its ticket and shown to hotline staff; no raw value anywhere in
PostgreSQL's data directory (table files and WAL) nor in the backup production mode made at start, also
after an erasure; Rasa's HTTP API and the action servers refuse callers without the token / shared
secret; the daily purge ran at start."""

from __future__ import annotations

import json
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from app_store import engine_for
from app_store.retention import Retention, purge
from app_store.settings import internal_token
from app_store.tracker import tracker_engine
from harness.production import SECRET, ProductionStack, production_stack
from tests.privacy_checks import (
    LOOPBACK,
    PHONE,
    SECRETS,
    analyst_session,
    database_cells,
    exports,
    file_texts,
    found_in,
    listening_addresses,
    run_conversation,
    staff_callback_numbers,
)

RASA_TOKEN = internal_token("rasa", {"APP_SECRET": SECRET})
ACTION_TOKEN = internal_token("action", {"APP_SECRET": SECRET})


@pytest.fixture(scope="module")
def production(pg_url: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProductionStack]:
    with production_stack(
        tmp_path_factory.mktemp("production-privacy"), pg_url, redis_url, rasa_processes=2, action_processes=2
    ) as stack:
        yield stack


def status_of(url: str, headers: dict[str, str] | None = None) -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_no_store_holds_the_personal_data_and_staff_see_the_callback_number(
    production: ProductionStack, pg_url: str
) -> None:
    sender = f"prod-privacy-{uuid.uuid4().hex[:8]}"
    bodies = run_conversation(production.chat, sender)
    assert "会尽快回电" in "".join(r.get("text", "") for r in bodies[-1]["replies"])
    deadline = time.monotonic() + 15
    while True:
        app_cells = database_cells(production.app_db_url)
        logged = sum(1 for table, column, _ in app_cells if table == "question_log" and column == "id")
        tickets = [value for table, column, value in app_cells if (table, column) == ("handoff_tickets", "id")]
        if (logged >= 4 and tickets) or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert logged >= 4 and tickets

    tracker_cells = database_cells(production.tracker_db_url)
    assert any(value == sender for _, column, value in tracker_cells if column == "sender_id")
    assert any("138****5678" in value for _, column, value in tracker_cells if column == "data")
    assert [cell for cell in tracker_cells if found_in(cell[2])] == []
    assert [cell for cell in app_cells if found_in(cell[2])] == []  # the ticket's number is sealed
    assert PHONE in staff_callback_numbers(production.url, production.app_db_url)

    session = analyst_session(production.url, production.app_db_url)
    for name, content in exports(session, production.url).items():
        assert found_in(content) == [], name
    for path, content in file_texts(production.workdir).items():
        assert found_in(content, SECRETS) == [], path
    # PostgreSQL's own files, every byte of its data directory (table files, WAL) after a checkpoint.
    assert _data_directory_leaks(pg_url, SECRETS) == []
    # The backup production mode made at start (BACKUP_EVERY_HOURS), read as the SQL it restores.
    [made] = [path for path in (production.workdir / "backups").iterdir() if path.is_dir()]
    for dump in sorted(made.glob("*.dump")):
        sql = subprocess.run(["pg_restore", "-f", "-", str(dump)], capture_output=True, check=True).stdout
        assert found_in(sql.decode("utf-8", "replace")) == [], dump


def test_an_erasure_on_postgresql_leaves_nothing_in_the_table_files(production: ProductionStack, pg_url: str) -> None:
    sender = f"prod-erase-{uuid.uuid4().hex[:8]}"
    bodies = run_conversation(production.chat, sender)
    marker = f"zqx{uuid.uuid4().hex[:10]}"
    production.texts(sender, f"研发补助 {marker}")
    time.sleep(1)
    files_before = _table_files(production.app_db_url)
    session = analyst_session(production.url, production.app_db_url, f"eraser-{uuid.uuid4().hex[:6]}")
    started = time.monotonic()
    response = session.post(
        f"{production.url}/staff/api/erase", json={"reference": bodies[0]["conversation_id"]}, timeout=60
    )
    took = time.monotonic() - started
    assert response.status_code == 200 and response.json()["tickets"] == 1, response.text
    # VACUUM FULL wrote the tables it deleted from anew (a new file each) and dropped the old files.
    files_after = _table_files(production.app_db_url)
    assert files_after["question_log"] != files_before["question_log"]
    assert files_after["handoff_tickets"] != files_before["handoff_tickets"]
    assert _data_directory_leaks(pg_url, SECRETS) == []
    # The conversation's own word is gone from the table files; PostgreSQL's WAL keeps it until it
    # recycles the segment.
    in_files = [path for path, _ in _data_directory_leaks(pg_url, (marker,)) if not path.startswith("pg_wal/")]
    assert in_files == [], in_files
    print(f"erasure with VACUUM FULL answered in {took:.2f} s")


def test_after_a_purge_no_raw_value_is_in_postgresql_files(production: ProductionStack, pg_url: str) -> None:
    # As if a year had passed: everything the earlier tests wrote goes (the later ones need none of it).
    report = purge(
        engine_for(production.app_db_url),
        tracker_engine(production.tracker_db_url),
        Retention(),
        now=datetime.now(timezone.utc) + timedelta(days=400),
    )
    assert report.tracker_events > 0 and report.question_texts > 0
    assert _data_directory_leaks(pg_url, SECRETS) == []
    assert [cell for cell in database_cells(production.app_db_url) if found_in(cell[2])] == []


def _table_files(url: str) -> dict[str, str]:
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT relname, pg_relation_filepath(relid) FROM pg_stat_user_tables")).all()
    engine.dispose()
    return {name: path for name, path in rows}


def _data_directory_leaks(pg_url: str, values: tuple[str, ...]) -> list[tuple[str, str]]:
    """(file, value) for every value found in the bytes of the cluster's data directory after a CHECKPOINT."""
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("CHECKPOINT"))
        data = Path(connection.execute(text("SHOW data_directory")).scalar_one())
    admin.dispose()
    leaks = []
    for path in sorted(p for p in data.rglob("*") if p.is_file()):
        content = path.read_bytes()
        leaks += [(str(path.relative_to(data)), value) for value in values if value.encode() in content]
    return leaks


def test_rasa_api_wants_the_token_and_the_action_servers_the_secret(production: ProductionStack) -> None:
    for rasa in production.rasa_urls:
        assert status_of(f"{rasa}/status") == 401
        assert status_of(f"{rasa}/status?token=wrong") == 401
        assert status_of(f"{rasa}/conversations/anyone/tracker") == 401
        assert status_of(f"{rasa}/status?token={RASA_TOKEN}") == 200
    for action in production.action_urls:
        port = int(action.rsplit(":", 1)[1])
        assert listening_addresses(port) and listening_addresses(port) <= LOOPBACK
        assert status_of(f"{action}/actions") == 401
        assert status_of(f"{action}/actions", {"X-Action-Token": "wrong"}) == 401
        assert status_of(f"{action}/actions", {"X-Action-Token": ACTION_TOKEN}) == 200
        request = urllib.request.Request(
            f"{action}/webhook",
            method="POST",
            headers={"Content-Type": "application/json"},
            data=json.dumps({"next_action": "action_handoff"}).encode(),
        )
        try:
            urllib.request.urlopen(request, timeout=10)
            raise AssertionError("the webhook ran an action without the secret")
        except urllib.error.HTTPError as error:
            assert error.code == 401
    # The gateway has the token: its health check (Rasa's /status on every process) is green.
    assert status_of(f"{production.url}/healthz") == 200
    # Neither secret is written into the generated supervisord configuration (only the variable's name).
    config = production.conf.read_text()
    assert "--auth-token '%(ENV_RASA_TOKEN)s'" in config and RASA_TOKEN not in config


def test_production_mode_purges_at_start_and_daily(production: ProductionStack) -> None:
    # each gateway copy logs to its own file under the run directory (supervisord)
    logs = "".join(
        path.read_text(errors="replace") for path in sorted((production.workdir / "log").glob("gateway*.log"))
    )
    assert "privacy purge: {" in logs, production.log_tail(name="gateway1")
