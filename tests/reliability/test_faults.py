"""Parts of the product fail under the users' feet: the action server dies mid-load, Rasa stops, the app
database is locked. Users get a clear Chinese sentence quickly, answers come back with the part, and no
question is lost from the log."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
import time
import urllib.error
import urllib.request

import aiohttp
from sqlalchemy import select
from sqlalchemy.orm import Session

from app_store import HandoffTicketRow, engine_for
from app_store.privacy import pseudonym
from harness.stack import Stack, get_status, start_action_server, start_rasa, stop, wait_healthy
from tests.reliability.traffic import APOLOGY, CHINESE, CITATION, Traffic, send, summary, users, wait_logged

POLICY_QUESTION = "我们公司在荣成，研发补助最多能拿多少？"
# What the user may wait, at most, for a sentence when a part is down.
CLEAR_MESSAGE_WITHIN_S = 3.0
# Turns of tests/conversations that open a form (hand-off, eligibility). A form whose last step failed
# during the outage is still open afterwards and takes the next question as its answer (the hand-off form
# asks for a phone number again) until the user says 算了: that is the conversation's behaviour, not the
# outage's, so the "answers are back" check uses users who never opened one.
# What the gateway logs when a question-log write fails and the rows wait for a retry (bot.question_log).
WRITER_FAILED = "question log: database unavailable"
FORM_OPENERS = {"转人工", "我要找真人客服", "俺是农民能有啥补贴", "我能享受哪些政策"}


def healthz(stack: Stack) -> tuple[int, dict[str, str]]:
    try:
        with urllib.request.urlopen(f"{stack.url}/healthz", timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while get_status(url) != 200:
        assert time.monotonic() < deadline, f"{url} did not come back"
        time.sleep(0.2)


async def ask(stack: Stack, sender: str, message: str = POLICY_QUESTION) -> tuple[int, dict, float]:
    async with aiohttp.ClientSession() as session:
        reply = await send(session, stack.url, sender, message)
    return reply.status, reply.body, reply.latency


HANDOFF_SENDER = "db-locked-handoff"


async def ask_for_a_person(stack: Stack, sender: str) -> str:
    """A question, 转人工, a callback number: the reply to the last one."""
    async with aiohttp.ClientSession() as session:
        for message in (POLICY_QUESTION, "转人工", "我的电话是13800138000"):
            reply = await send(session, stack.url, sender, message)
            assert reply.status == 200
    return "".join(reply.texts)


def tickets_of(stack: Stack, sender: str) -> list[HandoffTicketRow]:
    with Session(engine_for(stack.app_db_url)) as session:
        return list(
            session.execute(
                select(HandoffTicketRow).where(
                    HandoffTicketRow.conversation == pseudonym(stack.env["APP_SECRET"], sender)[:16]
                )
            ).scalars()
        )


async def test_action_server_killed_mid_load(fresh_stack: Stack) -> None:
    plan = users("actions-down", 60, 8, seed=11)
    traffic = Traffic(fresh_stack.url, 10)
    load = asyncio.create_task(traffic.run(plan))
    while len(traffic.replies) < 60:
        await asyncio.sleep(0.05)

    await asyncio.to_thread(stop, fresh_stack, "actions")
    killed_at = time.monotonic()
    await asyncio.sleep(4)  # the outage, while the load goes on
    status, health = await asyncio.to_thread(healthz, fresh_stack)
    assert (status, health["actions"], health["rasa"]) == (503, "down", "ok")
    during = await ask(fresh_stack, "actions-down-probe")
    start_action_server(fresh_stack)
    await asyncio.to_thread(wait_for, f"{fresh_stack.action_url}/health")
    back_at = time.monotonic()
    # More senders once it is back, so the load goes on after the restart however quickly the first
    # plan got through the outage (apologies are fast, and the action server warms up before serving).
    again = Traffic(fresh_stack.url, 10)
    await asyncio.gather(load, again.run(users("actions-back", 20, 4, seed=12)))
    print(summary(traffic.replies, time.monotonic() - killed_at))

    # A policy question during the outage: the apology with the hotline, at once.
    status, body, latency = during
    assert status == 200 and body["replies"][0]["text"].startswith(APOLOGY) and "12345" in body["replies"][0]["text"]
    assert latency < CLEAR_MESSAGE_WITHIN_S

    problems = [(reply.status, reply.body) for reply in traffic.replies if reply.problem()]
    assert not problems
    in_outage = [reply for reply in traffic.replies if reply.started >= killed_at and reply.finished <= back_at]
    apologies = [reply for reply in in_outage if any(text.startswith(APOLOGY) for text in reply.texts)]
    assert apologies, "policy questions during the outage must get the apology"
    first_apology = min(reply.finished for reply in apologies) - killed_at
    latencies = sorted(reply.latency for reply in in_outage)
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    print(
        f"first apology {first_apology:.2f} s after the kill; during the outage {len(in_outage)} answers, "
        f"{len(apologies)} apologies, p95 {p95:.2f} s, slowest {latencies[-1]:.2f} s"
    )
    assert first_apology < CLEAR_MESSAGE_WITHIN_S
    # Under load on 2 shared cores a few answers queue behind others; none may reach the 10 s timeout.
    assert p95 < CLEAR_MESSAGE_WITHIN_S and latencies[-1] < 10

    # Every message is logged once; the apologised ones as errors, with what Rasa understood.
    rows = wait_logged(fresh_stack, [*plan, "actions-down-probe"], len(traffic.replies) + 1)
    assert len(rows) == len(traffic.replies) + 1
    by_id = {row.public_id: row for row in rows}
    for reply in apologies:
        row = by_id[reply.body["message_id"]]
        assert (row.outcome, row.answered) == ("error", False) and row.intent

    # Back: the users get real answers again. Not checked here: users who were in a form, or whose
    # question hit the fallback during the outage (see test_fallback_during_outage_leaves_no_stuck_user).
    assert (await asyncio.to_thread(healthz, fresh_stack))[0] == 200
    fell_back = {row.conversation for row in rows if row.intent == "nlu_fallback" and row.outcome == "error"}
    affected = sorted(
        {reply.sender for reply in apologies if not FORM_OPENERS & set(plan[reply.sender])}
        - {sender for sender in plan if pseudonym(fresh_stack.env["APP_SECRET"], sender) in fell_back}
    )[:5]
    assert affected
    after = [reply for reply in traffic.replies + again.replies if reply.started > back_at]
    assert not [(reply.status, reply.body) for reply in again.replies if reply.problem()]
    assert after and any(CITATION in text for reply in after for text in reply.texts), "answers under load again"
    for sender in [*affected, "actions-down-probe"]:
        status, body, _ = await ask(fresh_stack, sender)
        assert status == 200 and CITATION in body["replies"][0]["text"], (sender, body)


async def test_fallback_during_outage_leaves_no_stuck_user(fresh_stack: Stack) -> None:
    await asyncio.to_thread(stop, fresh_stack, "actions")
    # the payload form forces the fallback intent whatever the model makes of any one sentence
    status, body, latency = await ask(fresh_stack, "stuck-probe", "/nlu_fallback")
    assert status == 200 and body["replies"][0]["text"].startswith(APOLOGY) and latency < CLEAR_MESSAGE_WITHIN_S
    start_action_server(fresh_stack)
    await asyncio.to_thread(wait_for, f"{fresh_stack.action_url}/health")
    status, body, _ = await ask(fresh_stack, "stuck-probe")
    assert status == 200 and CITATION in body["replies"][0]["text"], body


async def test_rasa_stopped_then_back(fresh_stack: Stack) -> None:
    await asyncio.to_thread(stop, fresh_stack, "rasa")
    status, body, latency = await ask(fresh_stack, "rasa-down")
    assert status == 503
    assert body == {"error": "智能助手暂时不可用，请稍后再试，或拨打12345"}
    assert latency < CLEAR_MESSAGE_WITHIN_S
    status, health = await asyncio.to_thread(healthz, fresh_stack)
    assert (status, health["rasa"], health["actions"]) == (503, "down", "ok")

    start_rasa(fresh_stack)
    await asyncio.to_thread(wait_healthy, fresh_stack)
    status, body, _ = await ask(fresh_stack, "rasa-down")
    assert status == 200 and CITATION in body["replies"][0]["text"]
    rows = wait_logged(fresh_stack, ["rasa-down"], 2)
    assert [(row.outcome, row.answered) for row in sorted(rows, key=lambda row: row.id)] == [
        ("error", False),
        ("answered", True),
    ]


async def test_locked_app_database_loses_no_question(fresh_stack: Stack) -> None:
    """Another process holds the SQLite write lock for longer than the busy timeout (5 s): the gateway's
    writer fails, keeps the rows and retries; users notice nothing."""
    plan = users("db-locked", 20, 3, seed=13)
    db_path = fresh_stack.app_db_url.removeprefix("sqlite:///")
    failures_before = fresh_stack.log_tail("gateway", 100_000).count(WRITER_FAILED)
    locked, release = threading.Event(), threading.Event()

    def hold_lock() -> None:
        locker = sqlite3.connect(db_path, isolation_level=None, timeout=30)
        locker.execute("BEGIN EXCLUSIVE")
        locked.set()
        release.wait(60)
        locker.execute("COMMIT")
        locker.close()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    try:
        assert locked.wait(30)
        started = time.monotonic()
        # All answered while the lock is still held: the chat never waits for its log. (A bound in
        # seconds would also measure how busy the shared machine is.)
        replies, handoff = await asyncio.wait_for(
            asyncio.gather(Traffic(fresh_stack.url, 10).run(plan), ask_for_a_person(fresh_stack, HANDOFF_SENDER)), 45
        )
        answered_within = time.monotonic() - started
        assert not tickets_of(fresh_stack, HANDOFF_SENDER)  # the lock is still held
        # Past the writer's busy timeout, so at least one write attempt fails and is retried.
        await asyncio.sleep(max(0.0, 7 - answered_within))
    finally:
        release.set()
        holder.join()
    assert all(reply.status == 200 and CHINESE.search(reply.texts[0]) for reply in replies)
    print(f"{len(replies)} answered in {answered_within:.1f} s under the lock")
    # A hand-off is answered too: the action server's ticket write gives up after its busy timeout (5 s),
    # the ticket waits in the action server's queue, and the user is told it will be recorded.
    assert "稍后自动登记" in handoff
    deadline = time.monotonic() + 60
    while not tickets_of(fresh_stack, HANDOFF_SENDER):
        assert time.monotonic() < deadline, "the queued hand-off ticket never reached the database"
        await asyncio.sleep(0.5)
    [ticket] = tickets_of(fresh_stack, HANDOFF_SENDER)
    # The number typed while the database was locked could not be held (it is stored nowhere else, by
    # design: Rasa only sees it masked), so the ticket waits without it and the reply promised no call.
    assert ticket.callback_phone is None and ticket.question == POLICY_QUESTION
    assert "回电" not in handoff

    rows = wait_logged(fresh_stack, plan, len(replies), timeout=60)
    assert sorted(row.public_id for row in rows) == sorted(reply.body["message_id"] for reply in replies)
    assert fresh_stack.log_tail("gateway", 100_000).count(WRITER_FAILED) > failures_before
