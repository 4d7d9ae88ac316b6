"""Analytics JSON and its Excel/CSV exports, from seeded questions; no personal data anywhere."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from openpyxl import load_workbook
from sqlalchemy import text

from app_store import QuestionRecord, create_ticket, engine_for, log_questions
from bot.staff.analytics import CHINA, FilterError, Filters, normalise, parse_filters
from tests.bot.conftest import KEYS

DAY = date(2026, 11, 16)  # a Monday
PERIOD = {"from": "2026-11-16", "to": "2026-11-29"}
PHONE = "13912345678"


def _at(day: int, hour: int = 10) -> datetime:
    return datetime.combine(DAY + timedelta(days=day), datetime.min.time(), CHINA).replace(hour=hour)


def _question(
    when: datetime,
    text: str,
    outcome: str = "answered",
    *,
    measure: str | None = None,
    district: str | None = None,
    confidence: float | None = 0.9,
    channel: str = "web",
    conversation: str = "a1b2c3d4e5f60718",
) -> QuestionRecord:
    entities: list[dict[str, Any]] = []
    if measure:
        entities.append({"entity": "measure", "value": measure, "text": "x"})
    if district:
        entities.append({"entity": "district", "value": district, "text": "荣成"})
    return QuestionRecord(
        created_at=when,
        channel=channel,
        conversation=conversation,
        text=text,
        outcome=outcome,
        latency_ms=30,
        intent="ask_amount",
        confidence=confidence,
        entities=entities,
        measure=measure,
    )


@pytest.fixture
def seeded(app_db_url: str) -> str:
    engine = engine_for(app_db_url)
    log_questions(
        engine,
        [
            _question(_at(0), "研发补助最多多少？", measure="rd_subsidy", district="rongcheng"),
            _question(_at(0, 11), "研发补助 最多多少", measure="rd_subsidy", district="rongcheng"),
            _question(_at(1), "荣成研发补助怎么分担", measure="rd_subsidy", district="rongcheng", channel="staff"),
            _question(_at(2), "文登的创新券补多少", measure="innovation_voucher", district="wendeng"),
            _question(_at(3), "特派员有啥奖励", measure="tech_commissioner", confidence=0.52),
            _question(_at(8), "办营业执照去哪", "out_of_scope", confidence=0.81),
            _question(_at(8, 12), "办营业执照去哪？", "out_of_scope", confidence=0.77),
            _question(_at(9), "俺们村想搞个那啥", "fallback", confidence=0.31),
            _question(_at(9, 15), "我的电话是" + PHONE + "请回电", "handoff", confidence=0.95),
            # outside the period: before and after
            _question(_at(-1), "创新券", measure="innovation_voucher"),
            _question(_at(14), "创新券", measure="innovation_voucher"),
        ],
    )
    # A row written around the masking (by hand, an old version, a bug) must not leak either.
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO question_log (created_at, channel, conversation, text, entities, outcome, answered,"
                " latency_ms) VALUES (:at, 'web', 'ffffeeeeddddcccc', :text, '[]', 'fallback', 0, 5)"
            ),
            {"at": _at(10).astimezone(timezone.utc).replace(tzinfo=None), "text": f"回电{PHONE}谢谢"},
        )
    create_ticket(engine, conversation="a1b2c3d4e5f60718", question="研发补助", callback_phone="13700001111", keys=KEYS)
    return app_db_url


async def _report(client: TestClient, **params: str) -> dict[str, Any]:
    response = await client.get("/staff/api/analytics", params={**PERIOD, **params})
    assert response.status == 200, await response.text()
    return await response.json()


async def test_summary_counts_the_period_only(analyst: TestClient, seeded: str) -> None:
    report = await _report(analyst)
    assert report["filters"] == {"from": "2026-11-16", "to": "2026-11-29", "channel": ""}
    summary = report["summary"]
    assert summary["total"] == 10
    assert summary["answered"] == 5
    assert summary["unanswered"] == 4  # two out of scope, two not understood
    assert summary["low_confidence"] == 2  # 0.52 and 0.31
    assert summary["handoff"] == 1
    assert summary["answer_rate"] == 0.5
    assert summary["conversations"] == 2


async def test_most_asked_measures_and_questions(analyst: TestClient, seeded: str) -> None:
    report = await _report(analyst)
    assert [(m["measure"], m["count"]) for m in report["measures"]] == [
        ("rd_subsidy", 3),
        ("innovation_voucher", 1),
        ("tech_commissioner", 1),
    ]
    assert report["measures"][0]["name"] == "企业研究开发财政补助"
    top = report["questions"][:2]
    # "研发补助最多多少？" and "研发补助 最多多少" are one question; of two equally frequent, the latest first
    assert [(q["text"], q["count"], q["nearest_measure"], q["nearest_clause"]) for q in top] == [
        ("办营业执照去哪", 2, None, None),
        ("研发补助最多多少？", 2, "rd_subsidy", "二（六）"),
    ]


async def test_unanswered_and_low_confidence_questions_are_grouped_with_the_nearest_measure(
    analyst: TestClient, seeded: str
) -> None:
    groups = {g["text"]: g for g in (await _report(analyst))["unanswered"]}
    licence = groups["办营业执照去哪？"] if "办营业执照去哪？" in groups else groups["办营业执照去哪"]
    assert (licence["count"], licence["unanswered"], licence["low_confidence"]) == (2, 2, 0)
    assert licence["avg_confidence"] == 0.79
    commissioner = groups["特派员有啥奖励"]
    assert (commissioner["unanswered"], commissioner["low_confidence"]) == (0, 1)
    assert commissioner["nearest_measure"] == "tech_commissioner"
    assert "研发补助最多多少？" not in groups


async def test_demand_by_district_and_measure(analyst: TestClient, seeded: str) -> None:
    districts = (await _report(analyst))["districts"]
    assert [(c["district_name"], c["measure_name"], c["count"]) for c in districts["cells"]] == [
        ("荣成市", "企业研究开发财政补助", 3),
        ("文登区", "科技创新券", 1),
    ]
    assert [d["name"] for d in districts["districts"]] == ["文登区", "荣成市"]  # the KB's order


async def test_trend_by_day_and_week(analyst: TestClient, seeded: str) -> None:
    report = await _report(analyst)
    daily = report["daily"]
    assert len(daily) == 14 and daily[0]["date"] == "2026-11-16" and daily[-1]["date"] == "2026-11-29"
    assert [d["total"] for d in daily[:4]] == [2, 1, 1, 1]
    assert daily[4]["total"] == 0  # days without questions are there, as zero
    assert [(w["week"], w["week_start"], w["total"]) for w in report["weekly"]] == [
        ("2026-W47", "2026-11-16", 5),
        ("2026-W48", "2026-11-23", 5),
    ]


async def test_days_are_counted_in_china_time(analyst: TestClient, app_db_url: str) -> None:
    # 23:30 on the 16th in Weihai is 15:30 UTC; 00:30 on the 17th is 16:30 UTC on the 16th.
    log_questions(
        engine_for(app_db_url),
        [_question(_at(0, 23).replace(minute=30), "创新券"), _question(_at(1, 0).replace(minute=30), "创新券")],
    )
    daily = (await _report(analyst))["daily"]
    assert [d["total"] for d in daily[:2]] == [1, 1]


async def test_channel_filter(analyst: TestClient, seeded: str) -> None:
    report = await _report(analyst, channel="staff")
    assert report["summary"]["total"] == 1
    assert report["measures"][0]["measure"] == "rd_subsidy"


async def test_wechat_channel_filter(analyst: TestClient, seeded: str) -> None:
    question = _question(_at(2, 9), "研发补助最多多少钱", measure="rd_subsidy", channel="wechat")
    log_questions(engine_for(seeded), [question])
    report = await _report(analyst, channel="wechat")
    assert report["summary"]["total"] == 1 and report["measures"][0]["measure"] == "rd_subsidy"
    assert report["filters"]["channel"] == "wechat"
    page = await analyst.get("/staff/analytics")
    assert '<option value="wechat">微信公众号</option>' in await page.text()


async def test_feedback_is_reported_as_unavailable_without_its_table(analyst: TestClient, seeded: str) -> None:
    # A database from before the widget's feedback (migration 0002), or one where it was dropped.
    with engine_for(seeded).begin() as connection:
        connection.execute(text("DROP TABLE feedback"))
    feedback = (await _report(analyst))["feedback"]
    assert feedback == {"available": False, "up": 0, "down": 0, "ratio": None, "reasons": []}
    xlsx = load_workbook(io.BytesIO(await (await analyst.get("/staff/analytics/export.xlsx", params=PERIOD)).read()))
    rows = list(xlsx["用户反馈"].iter_rows(values_only=True))
    assert rows == [("项目", "数值"), ("反馈数据", "暂无（反馈功能尚未启用）")]


@pytest.mark.parametrize(
    "params, message",
    [
        ({"from": "2026-13-01"}, "日期格式不正确，请用 年-月-日（例如 2026-11-01）"),
        ({"from": "昨天"}, "日期格式不正确，请用 年-月-日（例如 2026-11-01）"),
        ({"from": "2026-11-20", "to": "2026-11-01"}, "开始日期不能晚于结束日期"),
        ({"from": "2020-01-01", "to": "2026-11-01"}, "时间范围太长，最多1098天"),
        ({"channel": "weibo"}, "渠道不正确，可选：web、wechat、staff、api"),
    ],
)
async def test_bad_filters_are_a_400_in_chinese(analyst: TestClient, params: dict[str, str], message: str) -> None:
    for path in ("/staff/api/analytics", "/staff/analytics/export.xlsx", "/staff/analytics/export.csv"):
        response = await analyst.get(path, params=params)
        assert (response.status, await response.json()) == (400, {"error": message}), path


def test_default_period_is_the_last_30_days() -> None:
    filters = parse_filters({}, today=date(2026, 11, 28))
    assert filters == Filters(date(2026, 10, 30), date(2026, 11, 28), None)
    with pytest.raises(FilterError):
        parse_filters({"to": "0001-01-01"})


def test_grouping_key_ignores_spaces_punctuation_and_width() -> None:
    assert normalise("研发补助 最多多少？") == normalise("研发补助最多多少?") == "研发补助最多多少"
    assert normalise("ＡＢＣ创新券！") == "abc创新券"


async def test_xlsx_export_has_chinese_sheets_headers_and_the_seeded_rows(analyst: TestClient, seeded: str) -> None:
    response = await analyst.get("/staff/analytics/export.xlsx", params=PERIOD)
    assert response.status == 200
    assert response.headers["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    disposition = response.headers["Content-Disposition"]
    assert 'filename="policy-analytics_2026-11-16_2026-11-29.xlsx"' in disposition
    assert "filename*=UTF-8''%E6%94%BF%E7%AD%96" in disposition  # 政策问答分析_…
    workbook = load_workbook(io.BytesIO(await response.read()))
    assert workbook.sheetnames == [
        "概览",
        "热门措施",
        "热门问题",
        "未答与低置信问题",
        "区市与措施",
        "按日趋势",
        "按周趋势",
        "用户反馈",
        "按模型版本",
        "政策空白报告",
        "问题明细",
    ]
    detail = [[cell.value for cell in row] for row in workbook["问题明细"].iter_rows()]
    assert detail[0] == ["时间", "渠道", "问题（已脱敏）", "意图", "置信度", "措施", "区市", "结果"]
    assert len(detail) == 1 + 10  # the nine seeded questions of the period and the hand-written row
    assert detail[1] == [
        "2026-11-16 10:00:00",
        "网站",
        "研发补助最多多少？",
        "ask_amount",
        0.9,
        "企业研究开发财政补助",
        "荣成市",
        "已回答",
    ]
    measures = [[cell.value for cell in row] for row in workbook["热门措施"].iter_rows()]
    assert measures[0] == ["排名", "措施", "条款", "提问次数", "已回答"]
    assert measures[1] == [1, "企业研究开发财政补助", "二（六）", 3, 3]
    summary = dict(workbook["概览"].iter_rows(min_row=2, values_only=True))
    assert (summary["问题总数"], summary["回答率"]) == (10, "50.0%")


async def test_csv_export_is_utf8_with_bom_and_holds_the_seeded_rows(analyst: TestClient, seeded: str) -> None:
    response = await analyst.get("/staff/analytics/export.csv", params={**PERIOD, "section": "detail"})
    assert response.status == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    raw = await response.read()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["时间", "渠道", "问题（已脱敏）", "意图", "置信度", "措施", "区市", "结果"]
    assert len(rows) == 11
    assert [
        "2026-11-17 10:00:00",
        "热线坐席",
        "荣成研发补助怎么分担",
        "ask_amount",
        "0.9",
        "企业研究开发财政补助",
        "荣成市",
        "已回答",
    ] in rows


async def test_csv_export_of_everything_stacks_titled_tables(analyst: TestClient, seeded: str) -> None:
    raw = await (await analyst.get("/staff/analytics/export.csv", params=PERIOD)).read()
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    titles = [row[0] for row in rows if row and row[0].startswith("【")]
    assert titles == [
        f"【{title}】"
        for title in (
            "概览",
            "热门措施",
            "热门问题",
            "未答与低置信问题",
            "区市与措施",
            "按日趋势",
            "按周趋势",
            "用户反馈",
            "按模型版本",
            "政策空白报告",
            "问题明细",
        )
    ]
    bad = await analyst.get("/staff/analytics/export.csv", params={"section": "phones"})
    assert bad.status == 400


async def test_texts_that_look_like_formulas_stay_text(analyst: TestClient, app_db_url: str) -> None:
    log_questions(engine_for(app_db_url), [_question(_at(2), '=HYPERLINK("http://x","点我")')])
    xlsx = await (await analyst.get("/staff/analytics/export.xlsx", params=PERIOD)).read()
    sheet = load_workbook(io.BytesIO(xlsx))["问题明细"]
    cell = sheet.cell(row=2, column=3)
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")
    raw = await (await analyst.get("/staff/analytics/export.csv", params={**PERIOD, "section": "detail"})).read()
    assert "'=HYPERLINK" in raw.decode("utf-8-sig")


_PHONE_LIKE = re.compile(r"1[3-9]\d{9}")


async def test_no_phone_numbers_or_conversation_ids_in_analytics_or_exports(analyst: TestClient, seeded: str) -> None:
    page = await (await analyst.get("/staff/analytics")).text()
    data = await (await analyst.get("/staff/api/analytics", params=PERIOD)).text()
    xlsx = load_workbook(io.BytesIO(await (await analyst.get("/staff/analytics/export.xlsx", params=PERIOD)).read()))
    cells = " ".join(str(cell.value) for sheet in xlsx for row in sheet.iter_rows() for cell in row)
    csv_text = (await (await analyst.get("/staff/analytics/export.csv", params=PERIOD)).read()).decode("utf-8-sig")
    for name, content in {"page": page, "json": data, "xlsx": cells, "csv": csv_text}.items():
        assert not _PHONE_LIKE.search(content), name
        assert "13700001111" not in content, name  # the ticket's callback phone
        assert "a1b2c3d4e5f60718" not in content and "ffffeeeeddddcccc" not in content, name
        assert "139****5678" in content or name == "page", name  # masked, still recognisable as a phone


async def test_feedback_votes_and_reasons(analyst: TestClient, app_db_url: str) -> None:
    from app_store import record_feedback  # the widget's feedback (migration 0002)

    engine = engine_for(app_db_url)
    records = [replace(_question(_at(n), f"问题{n}"), public_id=f"pub{n}") for n in range(5)]
    records.append(replace(_question(_at(-3), "期外的问题"), public_id="before"))
    log_questions(engine, records)
    for public_id, vote, reason in [
        ("pub0", 1, None),
        ("pub1", 1, None),
        ("pub2", 1, None),
        ("pub3", -1, "没回答我的问题"),
        ("pub4", -1, f"回电{PHONE}"),
        ("before", -1, "没回答我的问题"),
    ]:
        record_feedback(engine, public_id, vote, reason)
    feedback = (await _report(analyst))["feedback"]
    assert feedback == {
        "available": True,
        "up": 3,
        "down": 2,
        "ratio": 0.6,
        "reasons": [{"reason": "没回答我的问题", "count": 1}, {"reason": "回电139****5678", "count": 1}],
    }
    xlsx = load_workbook(io.BytesIO(await (await analyst.get("/staff/analytics/export.xlsx", params=PERIOD)).read()))
    rows = list(xlsx["用户反馈"].iter_rows(values_only=True))
    assert rows[:4] == [("项目", "数值"), ("有帮助（赞）", 3), ("没帮助（踩）", 2), ("好评率", "60.0%")]
