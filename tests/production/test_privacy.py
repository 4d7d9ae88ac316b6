"""Personal data in production mode (scripts/run_production.sh: PostgreSQL, Redis, 2 Rasa processes,
2 action servers): masked in the tracker store and the app database on PostgreSQL, the files and the
exports, except the callback number on its ticket; Rasa's HTTP API and the action servers refuse
callers without the token / shared secret; the daily purge ran at start."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator

import pytest

from app_store.settings import internal_token
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


def test_no_store_holds_the_personal_data_but_the_ticket_its_callback_number(production: ProductionStack) -> None:
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
    assert [cell for cell in app_cells if found_in(cell[2])] == [("handoff_tickets", "callback_phone", PHONE)]

    session = analyst_session(production.url, production.app_db_url)
    for name, content in exports(session, production.url).items():
        assert found_in(content) == [], name
    for path, content in file_texts(production.workdir).items():
        assert found_in(content, SECRETS) == [], path


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
