"""The analytics report as an Excel workbook (one sheet per table) or CSV (UTF-8 with BOM).

Both carry Chinese headers. Question texts come from users: a text starting with = + - @ would be run
as a formula by Excel, so xlsx cells are written as plain strings and CSV cells get a leading
apostrophe (OWASP's advice for CSV injection).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from bot.staff.analytics import CHANNEL_NAMES, OUTCOME_NAMES, Report
from policy_kb.query import KnowledgeBase

BUREAU_BLUE = "1D5FA8"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    headers: list[str]
    rows: list[list[Any]]


SECTIONS = {
    "summary": "概览",
    "measures": "热门措施",
    "questions": "热门问题",
    "unanswered": "未答与低置信问题",
    "districts": "区市与措施",
    "daily": "按日趋势",
    "weekly": "按周趋势",
    "feedback": "用户反馈",
    "models": "按模型版本",
    "gaps": "政策空白报告",
    "detail": "问题明细",
}


def tables(report: Report, kb: KnowledgeBase) -> list[Table]:
    """Every table of the report, in the order of the page."""
    return [
        _summary(report),
        _table(
            "measures",
            ["排名", "措施", "条款", "提问次数", "已回答"],
            [[rank, m["name"], m["clause"], m["count"], m["answered"]] for rank, m in enumerate(report.measures, 1)],
        ),
        _table(
            "questions",
            ["排名", *_GROUP_HEADERS],
            [[rank, *_group_row(q)] for rank, q in enumerate(report.questions, 1)],
        ),
        _table("unanswered", _GROUP_HEADERS, [_group_row(q) for q in report.unanswered]),
        _table(
            "districts",
            ["区市", "措施", "提问次数"],
            [[c["district_name"], c["measure_name"], c["count"]] for c in report.districts["cells"]],
        ),
        _table(
            "daily",
            ["日期", "问题数", "已回答", "未回答"],
            [[d["date"], d["total"], d["answered"], d["unanswered"]] for d in report.daily],
        ),
        _table(
            "weekly",
            ["周", "周一日期", "问题数", "已回答", "未回答"],
            [[w["week"], w["week_start"], w["total"], w["answered"], w["unanswered"]] for w in report.weekly],
        ),
        _feedback(report),
        _table(
            "models",
            ["模型版本", "首次使用", "最后使用", "问题数", "已回答", "回答率", "赞", "踩", "踩的比例"],
            [
                [
                    m["name"],
                    m["first"],
                    m["last"],
                    m["total"],
                    m["answered"],
                    _percent(m["answer_rate"]),
                    m["up"],
                    m["down"],
                    _percent(m["down_rate"]),
                ]
                for m in report.models
            ],
        ),
        _table(
            "gaps",
            ["类别", "主题", "次数", "区市", "首次", "最近", "问题（已脱敏）", "备注"],
            [
                [
                    g["verdict_name"],
                    g["theme"],
                    g["count"],
                    "、".join(f"{d['name']}（{d['count']}）" for d in g["districts"]) or "—",
                    g["first"],
                    g["last"],
                    "；".join(g["questions"]),
                    "；".join(g["notes"]) or "—",
                ]
                for g in report.gaps
            ],
        ),
        _table(
            "detail",
            _DETAIL_HEADERS,
            [
                [
                    q.asked_at.strftime("%Y-%m-%d %H:%M:%S"),
                    CHANNEL_NAMES.get(q.channel, q.channel),
                    q.text,
                    q.intent or "—",
                    round(q.confidence, 3) if q.confidence is not None else "—",
                    kb.measure(q.measure).name if q.measure else "—",
                    "、".join(kb.district(d).name for d in q.districts) or "—",
                    OUTCOME_NAMES.get(q.outcome, q.outcome),
                ]
                for q in report.detail
            ],
        ),
    ]


_GROUP_HEADERS = [
    "问题（已脱敏）",
    "次数",
    "已回答",
    "未回答",
    "低置信度",
    "平均置信度",
    "最接近的措施",
    "条款",
    "最近提问",
]
_DETAIL_HEADERS = ["时间", "渠道", "问题（已脱敏）", "意图", "置信度", "措施", "区市", "结果"]


def _table(key: str, headers: list[str], rows: list[list[Any]]) -> Table:
    return Table(key, SECTIONS[key], headers, rows)


def _group_row(group: dict[str, Any]) -> list[Any]:
    return [
        group["text"],
        group["count"],
        group["answered"],
        group["unanswered"],
        group["low_confidence"],
        group["avg_confidence"] if group["avg_confidence"] is not None else "—",
        group["nearest_measure_name"] or "—",
        group["nearest_clause"] or "—",
        group["last_asked"],
    ]


def _percent(rate: float | None) -> str:
    return f"{rate * 100:.1f}%" if rate is not None else "—"


def _summary(report: Report) -> Table:
    s, f = report.summary, report.filters
    rate = f"{s['answer_rate'] * 100:.1f}%" if s["answer_rate"] is not None else "—"
    return _table(
        "summary",
        ["指标", "数值"],
        [
            ["开始日期", f.start.isoformat()],
            ["结束日期", f.end.isoformat()],
            ["渠道", CHANNEL_NAMES.get(f.channel or "", "全部渠道")],
            ["问题总数", s["total"]],
            ["已回答", s["answered"]],
            ["未回答", s["unanswered"]],
            ["低置信度", s["low_confidence"]],
            ["转人工", s["handoff"]],
            ["回答率", rate],
            ["会话数", s["conversations"]],
        ],
    )


def _feedback(report: Report) -> Table:
    feedback = report.feedback
    if not feedback.get("available"):
        return _table("feedback", ["项目", "数值"], [["反馈数据", "暂无（反馈功能尚未启用）"]])
    ratio = f"{feedback['ratio'] * 100:.1f}%" if feedback["ratio"] is not None else "—"
    rows: list[list[Any]] = [
        ["有帮助（赞）", feedback["up"]],
        ["没帮助（踩）", feedback["down"]],
        ["好评率", ratio],
    ]
    rows += [[f"原因：{r['reason']}", r["count"]] for r in feedback["reasons"]]
    return _table("feedback", ["项目", "数值"], rows)


def to_xlsx(all_tables: list[Table]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor=BUREAU_BLUE)
    for table in all_tables:
        sheet = workbook.create_sheet(table.title)
        sheet.append(table.headers)
        for cell in sheet[1]:
            cell.font = header_font
            cell.fill = header_fill
            cell.alignment = Alignment(vertical="center")
        for number, row in enumerate(table.rows, start=2):
            sheet.append(row)
            for column, value in enumerate(row, start=1):
                if isinstance(value, str):
                    # never a formula, whatever the text starts with; the cell by its address, since
                    # sheet.max_row scans every cell and made a long question log quadratic
                    sheet.cell(row=number, column=column).data_type = "s"
        sheet.freeze_panes = "A2"
        for index, header in enumerate(table.headers, 1):
            values = [header, *(row[index - 1] for row in table.rows[:500])]
            width = max(_display_width(str(v)) for v in values)
            sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 8), 60)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def to_csv(all_tables: list[Table]) -> bytes:
    """One table as it is; several stacked, each under a 【title】 line and separated by a blank line."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for index, table in enumerate(all_tables):
        if len(all_tables) > 1:
            if index:
                writer.writerow([])
            writer.writerow([f"【{table.title}】"])
        writer.writerow(table.headers)
        writer.writerows([_csv_cell(value) for value in row] for row in table.rows)
    # The BOM makes Excel read the file as UTF-8 instead of the local code page (GBK on Chinese Windows).
    return buffer.getvalue().encode("utf-8-sig")


def _csv_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _display_width(text: str) -> int:
    # CJK characters take two columns in Excel's default font.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
