"""The review queue and verdicts over a real (migrated SQLite) app database and the real KB."""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from app_store import QuestionRecord, engine_for, log_questions, record_feedback
from app_store.models import ReviewRow
from infra.outcome import Outcome
from tests.staff.conftest import page_csrf

PHONE = "13912345678"
NOW = datetime.now(timezone.utc) - timedelta(hours=1)


def _q(
    minutes: int,
    text: str,
    outcome: str = "answered",
    *,
    conversation: str = "c0nversation0001",
    confidence: float | None = 0.9,
    measure: str | None = None,
    public_id: str | None = None,
    model: str | None = "model-a",
    district: str | None = None,
) -> QuestionRecord:
    entities = [{"entity": "district", "value": district, "text": "荣成"}] if district else []
    return QuestionRecord(
        created_at=NOW + timedelta(minutes=minutes),
        channel="web",
        conversation=conversation,
        text=text,
        outcome=outcome,
        latency_ms=10,
        intent="ask_amount",
        confidence=confidence,
        measure=measure,
        reply=f"答复{minutes}",
        public_id=public_id,
        model_version=model,
        entities=entities,
    )


@pytest.fixture
def seeded(app_db_url: str) -> dict[str, int]:
    engine = engine_for(app_db_url)
    ids = log_questions(
        engine,
        [
            _q(0, "你好"),
            _q(1, "研发补助最多多少", measure="rd_subsidy", public_id="p" * 32),
            _q(2, f"俺村想建冷库，电话{PHONE}", "fallback", confidence=0.3, district="rongcheng"),
            _q(3, "谢谢"),
            _q(4, "研发补助最多多少？", measure="rd_subsidy", conversation="other00000000001", model="model-b"),
            _q(5, "办营业执照去哪", "out_of_scope", conversation="other00000000002", model="model-b"),
        ],
    )
    record_feedback(engine, "p" * 32, -1, f"没说清楚 {PHONE}")
    return {"hello": ids[0], "rd": ids[1], "cold": ids[2], "thanks": ids[3], "rd2": ids[4], "licence": ids[5]}


async def _queue(client: TestClient, **params: str) -> dict[str, Any]:
    response = await client.get("/staff/api/reviews", params=params)
    assert response.status == 200, await response.text()
    return await response.json()


async def test_queue_puts_doubtful_questions_first_with_their_masked_context(
    analyst: TestClient, seeded: dict[str, int]
) -> None:
    body = await _queue(analyst)
    texts = [item["text"] for item in body["items"]]
    # fallback, out of scope and the 👎'd group first; greetings last
    assert set(texts[:3]) == {"俺村想建冷库，电话139****5678", "办营业执照去哪", "研发补助最多多少？"}
    assert PHONE not in str(body)
    rd = next(item for item in body["items"] if item["text"].startswith("研发补助"))
    assert sorted(rd["question_ids"]) == sorted([seeded["rd"], seeded["rd2"]])  # grouped as analytics groups
    assert rd["feedback_reasons"] == ["没说清楚 139****5678"]
    cold = body["items"][[i["question_id"] for i in body["items"]].index(seeded["cold"])]
    assert (cold["outcome_name"], cold["confidence"], cold["model_version"]) == ("未理解", 0.3, "model-a")
    assert [turn["text"] for turn in cold["context"]] == ["你好", "研发补助最多多少", cold["text"], "谢谢"]
    assert "conversation" not in str(cold)
    only = await _queue(analyst, q="研发 补助")
    assert [item["text"] for item in only["items"]] == ["研发补助最多多少？"]


async def test_verdicts_are_stored_edited_and_checked(
    analyst: TestClient, seeded: dict[str, int], app_db_url: str
) -> None:
    csrf = await page_csrf(analyst)
    headers = {"X-CSRF-Token": csrf}
    bad = [
        ({"question_ids": [seeded["rd"]], "verdict": "maybe"}, "请选择判断"),
        ({"question_ids": [seeded["rd"]], "verdict": "wrong"}, "答错了的问题"),
        (
            {"question_ids": [seeded["rd"]], "verdict": "wrong", "target_kind": "measure", "target_id": "nope"},
            "请从知识库中选择",
        ),
        ({"question_ids": [seeded["cold"]], "verdict": "policy_gap"}, "政策空白请写一句备注"),
        ({"question_ids": "1", "verdict": "correct"}, "请选择要标注的问题"),
        ({"question_ids": [999999], "verdict": "correct"}, "没有找到这些问题"),
        ({"question_ids": [seeded["rd"]], "verdict": "correct", "aspect": "colour"}, "问的方面不正确"),
    ]
    for body, error in bad:
        response = await analyst.post("/staff/api/reviews", json=body, headers=headers)
        assert 400 <= response.status < 500, body
        assert error in (await response.json())["error"]
    response = await analyst.post("/staff/api/reviews", data="[", headers=headers)
    assert response.status == 400
    assert (await analyst.post("/staff/api/reviews", json={"question_ids": [1], "verdict": "correct"})).status == 403

    ok = await analyst.post(
        "/staff/api/reviews",
        headers=headers,
        json={
            "question_ids": [seeded["cold"]],
            "verdict": "wrong",
            "target_kind": "measure",
            "target_id": "xingchuang_nongke",
            "aspect": "amount",
        },
    )
    assert ok.status == 200
    assert (await ok.json())["target_name"]
    # edited: a second verdict replaces the first
    again = await analyst.post(
        "/staff/api/reviews",
        headers=headers,
        json={"question_ids": [seeded["cold"]], "verdict": "policy_gap", "note": f"冷库建设补助 回电{PHONE}"},
    )
    assert again.status == 200
    with Session(engine_for(app_db_url)) as session:
        [row] = session.execute(select(ReviewRow)).scalars().all()
    assert (row.question_id, row.verdict, row.target_id, row.reviewer) == (
        seeded["cold"],
        "policy_gap",
        None,
        "analyst1",
    )
    assert row.note == "冷库建设补助 回电139****5678"
    queued = await _queue(analyst)
    cold = next(item for item in queued["items"] if item["question_id"] == seeded["cold"])
    assert cold["review"]["verdict_name"] == "政策空白"
    assert all(item["question_id"] != seeded["cold"] for item in (await _queue(analyst, pending="1"))["items"])


async def test_staff_role_may_not_review(staff: TestClient, seeded: dict[str, int]) -> None:
    response = await staff.get("/staff/api/reviews")
    assert response.status == 403
    assert (await response.json())["error"] == "您的账号无权执行此操作"
    page = await staff.get("/staff/review")
    assert page.status == 403


async def test_kb_picker_finds_measures_clauses_and_targets(analyst: TestClient) -> None:
    response = await analyst.get("/staff/api/kb-items", params={"q": "驿站"})
    items = (await response.json())["items"]
    assert any(item["kind"] == "measure" and item["id"] == "xingchuang_nongke" for item in items)
    for query, kind, item_id in (("rd_intensity", "target", "rd_intensity"), ("二（六）", "clause", "二（六）")):
        found = (await (await analyst.get("/staff/api/kb-items", params={"q": query})).json())["items"]
        assert any(item["kind"] == kind and item["id"] == item_id for item in found), (query, found)
    too_long = await analyst.get("/staff/api/kb-items", params={"q": "x" * 51})
    assert too_long.status == 400


async def test_gap_report_and_model_rates_on_the_analytics_page_and_in_the_export(
    analyst: TestClient, seeded: dict[str, int]
) -> None:
    csrf = await page_csrf(analyst)
    marks = (([seeded["cold"]], "policy_gap", "冷库建设补助"), ([seeded["licence"]], "out_of_scope", None))
    for ids, verdict, note in marks:
        response = await analyst.post(
            "/staff/api/reviews",
            headers={"X-CSRF-Token": csrf},
            json={"question_ids": ids, "verdict": verdict, "note": note},
        )
        assert response.status == 200, await response.text()
    report = await (await analyst.get("/staff/api/analytics")).json()
    [gap, out] = report["gaps"]
    assert (gap["verdict_name"], gap["count"], gap["notes"]) == ("政策空白", 1, ["冷库建设补助"])
    assert gap["districts"] == [{"name": "荣成市", "count": 1}]
    assert gap["questions"] == ["俺村想建冷库，电话139****5678"]
    assert out["verdict_name"] == "不在文件范围"
    models = {m["model_version"]: m for m in report["models"]}
    assert (models["model-a"]["total"], models["model-a"]["answered"], models["model-a"]["down"]) == (4, 3, 1)
    assert models["model-a"]["down_rate"] == 1.0
    assert (models["model-b"]["answer_rate"], models["model-b"]["down_rate"]) == (0.5, None)
    # every outcome the bot logs has a Chinese label (the detail sheet and the queue use them)
    assert set(report["outcome_names"]) == {outcome.value for outcome in Outcome}
    assert all(name and name.isascii() is False for name in report["outcome_names"].values())
    assert report["outcome_names"]["unknown"] == "结果未记录"
    assert report["outcome_names"]["smalltalk"] == "寒暄闲聊"

    export = await analyst.get("/staff/analytics/export.xlsx")
    workbook = load_workbook(io.BytesIO(await export.read()))
    sheet = workbook["政策空白报告"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert any(row[0] == "政策空白" and "冷库" in str(row[6]) and "荣成市" in str(row[3]) for row in rows)
    assert PHONE not in str(rows)
    versions = [[cell.value for cell in row] for row in workbook["按模型版本"].iter_rows()]
    assert any(row[0] == "model-a" and row[5] == "75.0%" for row in versions)


async def test_the_users_word_for_the_measure_is_checked_and_stored(
    analyst: TestClient, seeded: dict[str, int], app_db_url: str
) -> None:
    headers = {"X-CSRF-Token": await page_csrf(analyst)}
    pointed = {
        "question_ids": [seeded["cold"]],
        "verdict": "wrong",
        "target_kind": "measure",
        "target_id": "xingchuang_nongke",
        "aspect": "amount",
    }
    bad = [
        ({**pointed, "alias": "小站子"}, "不在这条问题里"),  # not the user's words
        ({**pointed, "alias": "冷" * 21}, "用户的叫法请填问题里的原词"),
        ({**pointed, "alias": PHONE}, "用户的叫法请填问题里的原词"),  # a number is never a measure's name
        ({**pointed, "alias": 7}, "用户的叫法请填问题里的原词"),
        ({**pointed, "verdict": "out_of_scope", "alias": "冷库"}, "用户的叫法请填问题里的原词"),
        ({**pointed, "target_kind": "clause", "target_id": "二（六）", "alias": "冷库"}, "用户的叫法请填问题里的原词"),
    ]
    for body, error in bad:
        response = await analyst.post("/staff/api/reviews", json=body, headers=headers)
        assert response.status == 400, body
        assert error in (await response.json())["error"], body
    with Session(engine_for(app_db_url)) as session:
        assert session.execute(select(ReviewRow)).scalars().all() == []  # nothing half-stored

    ok = await analyst.post("/staff/api/reviews", headers=headers, json={**pointed, "alias": " 冷库 "})
    assert ok.status == 200, await ok.text()
    with Session(engine_for(app_db_url)) as session:
        [row] = session.execute(select(ReviewRow)).scalars().all()
    assert (row.target_id, row.alias) == ("xingchuang_nongke", "冷库")
    cold = next(item for item in (await _queue(analyst))["items"] if item["question_id"] == seeded["cold"])
    assert cold["review"]["alias"] == "冷库"
