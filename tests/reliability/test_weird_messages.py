"""Valid but weird messages through the real stack (gateway, Rasa, action server): emoji, markup, SQL,
other scripts, control characters, 500-character walls. Each gets a Chinese answer or a Chinese 4xx, never
a 5xx; each taken is logged once, and the rows already in the log stay as they were."""

from __future__ import annotations

import time
from collections import Counter

import hypothesis
from hypothesis import HealthCheck, given
from hypothesis import strategies as st
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from app_store import QuestionLogRow
from harness.stack import Stack, post_json
from tests.reliability.inputs import SAMPLES, weird_text
from tests.reliability.traffic import CHINESE, wait_logged

MESSAGES = 300
# RATE_PER_SENDER is 20 a minute on this stack: enough senders that none comes near it.
SENDERS = 60


def snapshot(stack: Stack) -> dict[int, tuple[str | None, str, str]]:
    engine = create_engine(stack.app_db_url)
    try:
        with Session(engine) as session:
            return {
                row.id: (row.public_id, row.text, row.outcome)
                for row in session.execute(select(QuestionLogRow)).scalars()
            }
    finally:
        engine.dispose()


def test_weird_messages_through_the_real_stack(reliability_stack: Stack) -> None:
    stack = reliability_stack
    # Some ordinary questions first, so that the log holds rows from before the fuzzing.
    seeded = []
    for question in ["研发补助最多多少", "创新券补给谁"]:
        status, body = stack.chat("weird-before", question)
        assert status == 200
        seeded.append(body["message_id"])
    wait_logged(stack, ["weird-before"], len(seeded))  # the log is written just after the reply
    before = snapshot(stack)
    assert set(seeded) <= {public_id for public_id, _, _ in before.values()}
    accepted: list[str] = []
    statuses: Counter[int] = Counter()

    @hypothesis.settings(
        max_examples=MESSAGES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(sender=st.integers(0, SENDERS - 1), message=st.one_of(st.sampled_from(SAMPLES), weird_text))
    def send(sender: int, message: str) -> None:
        status, body = post_json(f"{stack.url}/api/chat", {"sender": f"weird-{sender}", "message": message})
        statuses[status] += 1
        assert status in (200, 400, 413), (status, body, message[:100])
        if status == 200:
            accepted.append(body["message_id"])
            assert any(CHINESE.search(reply.get("text") or "") for reply in body["replies"]), (message[:100], body)
        else:
            assert CHINESE.search(body["error"]), body

    send()

    print(f"statuses {dict(statuses)}")
    assert statuses[200] >= MESSAGES // 2  # most are questions Rasa has to answer, not rejections

    limit = time.monotonic() + 60
    while len(after := snapshot(stack)) < len(before) + len(accepted) and time.monotonic() < limit:
        time.sleep(0.5)
    assert all(after.get(row_id) == row for row_id, row in before.items()), "rows logged earlier changed"
    new = {public_id: (text, outcome) for row_id, (public_id, text, outcome) in after.items() if row_id not in before}
    assert len(new) == len(accepted) and set(new) == set(accepted), (
        [new[i] for i in set(new) - set(accepted)],
        len(set(accepted) - set(new)),
    )
