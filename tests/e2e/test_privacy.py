"""Personal data through the real stack (action server, Rasa, gateway on SQLite): masked in every
store but the callback number on its ticket; one conversation erased everywhere; the action server
closed to callers without the shared secret."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from app_store import HandoffTicketRow
from app_store.privacy import pseudonym
from app_store.tracker import senders_of, tracker_engine
from harness.stack import ACTION_TOKEN, Stack
from tests.privacy_checks import (
    LOOPBACK,
    NOT_THE_PHONE,
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


def _ticket(stack: Stack, sender: str, timeout: float = 10) -> HandoffTicketRow:
    engine = create_engine(stack.app_db_url)
    deadline = time.monotonic() + timeout
    while True:
        with Session(engine) as session:
            ticket = session.execute(
                select(HandoffTicketRow).where(
                    HandoffTicketRow.conversation == pseudonym(stack.env["APP_SECRET"], sender)
                )
            ).scalar_one_or_none()
        if ticket is not None or time.monotonic() > deadline:
            assert ticket is not None
            return ticket
        time.sleep(0.2)


def _wait_for_question_log(stack: Stack, rows: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while (
        sum(1 for table, column, _ in database_cells(stack.app_db_url) if table == "question_log" and column == "id")
        < rows
    ):
        assert time.monotonic() < deadline, "question log not written"
        time.sleep(0.2)


def test_no_store_holds_the_personal_data_but_the_ticket_its_callback_number(stack: Stack) -> None:
    sender = f"privacy-{uuid.uuid4().hex[:8]}"
    bodies = run_conversation(stack.chat, sender)
    assert "已为您转人工" in "".join(r.get("text", "") for r in bodies[-1]["replies"])
    assert "会尽快回电" in "".join(r.get("text", "") for r in bodies[-1]["replies"])
    ticket = _ticket(stack, sender)
    assert ticket.callback_phone == PHONE  # the one value kept, for the hotline staff to call back
    assert "370************234" in json.dumps(ticket.transcript, ensure_ascii=False)
    _wait_for_question_log(stack, 4)

    # Rasa's tracker store (SQLite) and what Rasa's API hands out.
    tracker_cells = database_cells(f"sqlite:///{stack.env['TRACKER_DB']}")
    assert any(sender == value for _, column, value in tracker_cells if column == "sender_id")
    assert [cell for cell in tracker_cells if found_in(cell[2])] == []
    with urllib.request.urlopen(f"{stack.rasa_url}/conversations/{sender}/tracker", timeout=30) as response:
        tracker_json = response.read().decode()
    assert "138****5678" in tracker_json and found_in(tracker_json) == []

    # The app database: only the ticket's callback_phone holds the number; nothing holds the others.
    app_cells = database_cells(stack.app_db_url)
    leaks = [cell for cell in app_cells if found_in(cell[2])]
    assert leaks == [("handoff_tickets", "callback_phone", PHONE)]
    assert not any(table == "callback_holds" for table, _, _ in app_cells)  # taken by the ticket

    # The analytics exports.
    session = analyst_session(stack.url, stack.app_db_url, f"analyst-{uuid.uuid4().hex[:6]}")
    for name, content in exports(session, stack.url).items():
        assert found_in(content) == [], name

    # Every file the stack wrote: logs, the databases (their bytes, free pages and WAL included).
    for path, content in file_texts(stack.workdir).items():
        values = NOT_THE_PHONE if path.name.startswith("app.db") else SECRETS
        assert found_in(content, values) == [], path


def test_erasure_by_message_id_removes_the_conversation_everywhere(stack: Stack) -> None:
    leaving, staying = f"erase-{uuid.uuid4().hex[:8]}", f"keep-{uuid.uuid4().hex[:8]}"
    bodies = run_conversation(stack.chat, leaving)
    stack.texts(staying, "创新券怎么申请")
    _ticket(stack, leaving)
    secret = stack.env["APP_SECRET"]
    session = analyst_session(stack.url, stack.app_db_url, f"eraser-{uuid.uuid4().hex[:6]}")
    # The widget shows the conversation id; a message id names the conversation too.
    assert bodies[0]["conversation_id"] == pseudonym(secret, leaving)
    time.sleep(0.5)  # the question log is written just after the reply
    response = session.post(f"{stack.url}/staff/api/erase", json={"reference": bodies[1]["message_id"]}, timeout=60)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["questions"] == 4 and report["tickets"] == 1 and report["tracker_events"] > 0

    tracker = tracker_engine(f"sqlite:///{stack.env['TRACKER_DB']}")
    assert senders_of(tracker, secret, pseudonym(secret, leaving)) == []
    assert senders_of(tracker, secret, pseudonym(secret, staying)) == [staying]
    conversations = {value for table, column, value in database_cells(stack.app_db_url) if column == "conversation"}
    assert pseudonym(secret, leaving) not in conversations and pseudonym(secret, staying) in conversations
    # Again: nothing left to find, a Chinese sentence and 404; a wrong role may not erase at all.
    again = session.post(f"{stack.url}/staff/api/erase", json={"reference": bodies[0]["conversation_id"]}, timeout=60)
    assert again.status_code == 404 and "没有找到" in again.json()["error"]


def test_the_action_server_listens_on_loopback_and_wants_the_secret(stack: Stack) -> None:
    port = int(stack.action_url.rsplit(":", 1)[1])
    assert listening_addresses(port) and listening_addresses(port) <= LOOPBACK
    call = {
        "next_action": "action_handoff",
        "sender_id": "intruder",
        "tracker": {"sender_id": "intruder"},
        "domain": {},
        "version": "3.6.21",
    }
    for headers in ({}, {"X-Action-Token": "wrong"}):
        for method, path, body in (("POST", "/webhook", call), ("GET", "/actions", None)):
            request = urllib.request.Request(
                f"{stack.action_url}{path}",
                method=method,
                headers={"Content-Type": "application/json", **headers},
                data=json.dumps(body).encode() if body else None,
            )
            try:
                urllib.request.urlopen(request, timeout=10)
                raise AssertionError(f"{method} {path} was answered without the secret")
            except urllib.error.HTTPError as error:
                assert error.code == 401
    request = urllib.request.Request(f"{stack.action_url}/actions", headers={"X-Action-Token": ACTION_TOKEN})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert any(action["name"] == "action_handoff" for action in json.loads(response.read()))
    with urllib.request.urlopen(f"{stack.action_url}/health", timeout=10) as response:
        assert response.status == 200  # the gateway's health check reads it
