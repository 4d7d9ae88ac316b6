"""Production mode end to end: `scripts/run_production.sh` with 2 Rasa processes and 2 action servers on
a real PostgreSQL (tracker store, knowledge base, app database) and a real Redis (lock store), and the
gateway in front. Conversations must stay whole when consecutive messages reach different Rasa
processes, and long ones must keep their context."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

from app_store import QuestionLogRow
from app_store.privacy import pseudonym
from harness import wechat_server as wx
from harness.production import SECRET, ProductionStack, production_stack
from harness.stack import get_status
from tests.e2e.test_wechat import post

CITE = "依据：威政办发〔2018〕32号"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def production(pg_url: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProductionStack]:
    with production_stack(
        tmp_path_factory.mktemp("production"),
        pg_url,
        redis_url,
        rasa_processes=2,
        action_processes=2,
        window_turns=10,
        extra={"WECHAT_TOKEN": wx.TOKEN, "WECHAT_APPID": wx.APPID},
    ) as stack:
        yield stack


def sender() -> str:
    return f"prod-{uuid.uuid4().hex[:8]}"


def question_log_count(stack: ProductionStack, who: str, expected: int, timeout: float = 15) -> int:
    """Rows of `who`'s conversation; the gateway writes them just after replying."""
    engine = create_engine(stack.app_db_url)
    conversation = pseudonym(SECRET, who)
    deadline = time.monotonic() + timeout
    try:
        while True:
            with Session(engine) as session:
                count = session.execute(
                    select(func.count()).select_from(QuestionLogRow).where(QuestionLogRow.conversation == conversation)
                ).scalar_one()
            if count >= expected or time.monotonic() > deadline:
                return count
            time.sleep(0.2)
    finally:
        engine.dispose()


def test_every_process_runs_and_health_is_green(production: ProductionStack) -> None:
    assert get_status(f"{production.url}/healthz") == 200
    assert get_status(f"{production.url}/readyz") == 200
    everything = {"rasa1", "rasa2", "actions1", "actions2", "gateway1", "gateway2"}
    # supervisord calls a Rasa process RUNNING once it has stayed up for its startsecs (30 s).
    deadline = time.monotonic() + 60
    while set(pids := production.pids()) != everything and time.monotonic() < deadline:
        time.sleep(0.5)
    assert set(pids) == everything, production.log_tail()
    assert len(set(pids.values())) == 6
    assert production.conf.read_text().count("endpoints.production.yml") == 2
    # Each process logs to its own file.
    assert {path.stem for path in (production.workdir / "log").glob("*.log")} >= {
        "rasa1",
        "rasa2",
        "actions1",
        "actions2",
        "gateway1",
        "gateway2",
    }


def test_a_conversation_alternating_between_processes_stays_whole(production: ProductionStack) -> None:
    who = sender()
    first = production.rasa_texts(0, who, "我们拿到200万研发补助，省市县各出多少？")
    assert "省级50% 100万元" in first and "市级25% 50万元" in first
    # The follow-up reaches the other process: it must know the measure and the amount of turn 1.
    second = production.rasa_texts(1, who, "那荣成呢")
    assert "荣成市" in second and "县级50% 100万元" in second and "市级不分担" in second
    third = production.rasa_texts(0, who, "找哪个部门")
    assert "市科技局" in third and third.endswith(f"{CITE} 二（六）")
    # Forms whose question and answer reach different processes.
    who = sender()
    assert "哪类主体" in production.rasa_texts(1, who, "我能享受哪些政策")
    assert "高新技术企业可以关注这些措施" in production.rasa_texts(0, who, "我们是高新技术企业")
    who = sender()
    production.rasa_texts(0, who, "创新券什么时候申报")
    assert "电话号码" in production.rasa_texts(1, who, "转人工")
    assert "已为您转人工" in production.rasa_texts(0, who, "我的电话是13800138000")


def test_gateway_round_robin_keeps_follow_ups_and_logs_every_question(production: ProductionStack) -> None:
    who = sender()
    # One client, one message after the other: the gateway sends each to the next Rasa process.
    first = production.texts(who, "我们拿到200万研发补助，省市县各出多少？")
    assert "省级50% 100万元" in first
    second = production.texts(who, "那荣成呢")
    assert "荣成市" in second and "县级50% 100万元" in second
    third = production.texts(who, "那文登区呢")
    assert "文登区" in third and "200万元" in third
    fourth = production.texts(who, "找哪个部门")
    assert "市科技局" in fourth and fourth.endswith(f"{CITE} 二（六）")
    assert question_log_count(production, who, 4) == 4


def test_sixty_turns_later_a_follow_up_still_uses_the_measure(production: ProductionStack) -> None:
    who = sender()
    assert "省级50% 100万元" in production.texts(who, "我们拿到200万研发补助，省市县各出多少？")
    for number in range(58):
        production.texts(who, "谢谢" if number % 2 else "你好")
    follow_up = production.texts(who, "那荣成呢")
    assert "荣成市" in follow_up and "县级50% 100万元" in follow_up and "市级不分担" in follow_up
    assert question_log_count(production, who, 60) == 60
    # Rasa was handed a window, not the 60 turns: the checkpoint exists, and every event is stored.
    engine = create_engine(production.tracker_db_url)
    with engine.connect() as connection:
        window = connection.execute(
            text("SELECT first_event_id FROM tracker_windows WHERE sender_id = :s"), {"s": who}
        ).scalar()
        users = connection.execute(
            text("SELECT count(*) FROM events WHERE sender_id = :s AND type_name = 'user'"), {"s": who}
        ).scalar()
        after = connection.execute(
            text("SELECT count(*) FROM events WHERE sender_id = :s AND type_name = 'user' AND id >= :w"),
            {"s": who, "w": window},
        ).scalar()
    engine.dispose()
    assert window is not None and users == 60
    assert 10 <= after <= 16


def test_after_a_long_conversation_fallback_and_expiry_behave_as_in_a_new_one(production: ProductionStack) -> None:
    long, fresh = sender(), sender()
    production.texts(long, "研发补助最多能拿多少")
    for number in range(30):  # the window has moved (checkpoint) by now
        production.texts(long, "谢谢" if number % 2 else "你好")
    # The two-stage fallback: suggestions, then a request to rephrase, then the rephrased question.
    for who in (fresh, long):
        first = production.texts(who, "咋整")
        assert "您是想问" in first
        assert "换个说法" in production.texts(who, "咋整")
        assert "1000万元" in production.texts(who, "研发补助最多多少")
    assert production.texts(long, "那荣成呢") == production.texts(fresh, "那荣成呢")
    # Session expiry: an hour of silence (timestamps moved back) starts a new session without the slots.
    engine = create_engine(production.tracker_db_url)
    with engine.begin() as connection:
        for who in (long, fresh):
            # Both the column and the event's own JSON (which is what Rasa reads).
            connection.execute(
                text(
                    "UPDATE events SET timestamp = timestamp - 7200, data = jsonb_set(data::jsonb, '{timestamp}', "
                    "to_jsonb((data::jsonb->>'timestamp')::float - 7200))::text WHERE sender_id = :s"
                ),
                {"s": who},
            )
            moved = connection.execute(
                text("UPDATE tracker_windows SET session_started_at = session_started_at - 7200 WHERE sender_id = :s"),
                {"s": who},
            ).rowcount
            assert moved == (1 if who == long else 0)  # the long conversation is windowed, the fresh one not
    after_long, after_fresh = production.texts(long, "那荣成呢"), production.texts(fresh, "那荣成呢")
    assert after_long == after_fresh
    with engine.connect() as connection:
        for who in (long, fresh):
            sessions = connection.execute(
                text("SELECT count(*) FROM events WHERE sender_id = :s AND type_name = 'session_started'"), {"s": who}
            ).scalar()
            assert sessions == 2
            slots = (
                connection.execute(
                    text(
                        "SELECT data FROM events WHERE sender_id = :s AND type_name = 'slot' "
                        "AND id > (SELECT max(id) FROM events WHERE sender_id = :s AND "
                        "type_name = 'session_started')"
                    ),
                    {"s": who},
                )
                .scalars()
                .all()
            )
            # Nothing carried over: the new session's slots come from its own message only.
            assert not any('"amount"' in slot for slot in slots)
    engine.dispose()


def test_wechat_retries_reaching_either_gateway_copy_get_one_answer(production: ProductionStack) -> None:
    """The two gateway copies share one socket, so WeChat's retries of a message land on either; they
    share their claims and replies through the app database (PostgreSQL here)."""
    questions = ["创新券补给谁", "研发补助最多多少钱", "农科驿站补多少", "星创天地有什么支持"]
    openids = [wx.new_openid() for _ in questions]
    messages = [wx.text_message(openid, question) for openid, question in zip(openids, questions, strict=True)]
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda xml: post(production.url, xml), [xml for xml in messages for _ in range(4)]))
    for index, openid in enumerate(openids):
        retries = answers[4 * index : 4 * index + 4]
        assert retries[0][0] == 200 and all(answer == retries[0] for answer in retries), retries
        assert CITE in wx.read_reply(retries[0][1]).content
        assert question_log_count(production, f"wechat:{openid}", expected=2, timeout=3) == 1
    served = {name: production.log_tail(5000, name).count('"POST /wechat') for name in ("gateway1", "gateway2")}
    assert sum(served.values()) == len(answers) and all(served.values()), served


def test_the_profile_file_is_documented() -> None:
    example = (REPO / "deploy" / "production.env.example").read_text()
    settings = [
        line
        for line in (REPO / "endpoints.production.yml").read_text().splitlines()
        if not line.lstrip().startswith("#")
    ]
    names = set(re.findall(r"\$\{(\w+)\}", "\n".join(settings)))
    assert "TRACKER_DB_HOST" in names and "LOCK_REDIS_HOST" in names
    # ACTION_ENDPOINT_URL is set per Rasa process by run_production.sh.
    for name in names - {"ACTION_ENDPOINT_URL"}:
        assert re.search(rf"^{name}=", example, re.M), f"{name} is not in deploy/production.env.example"
