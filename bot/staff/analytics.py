"""What the policy office reads: demand by measure, question and district, trend, feedback.

Plain functions over the app database and the knowledge base, no aiohttp: the page's JSON and both
exports are made from the same `Report`, so they cannot disagree. Aggregation happens in Python over
the rows of the chosen period: it is the same on SQLite and PostgreSQL (no dialect-specific date
functions), and a period of a few hundred thousand questions still takes well under a second.

Personal data: question texts are masked when logged and masked again here (masking is idempotent),
conversation ids and callback phones are never read.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from typing import Any

from sqlalchemy import MetaData, Table, func, inspect, null, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from app_store.models import QuestionLogRow
from app_store.privacy import mask

# CHINA, Filters, LOW_CONFIDENCE, OUTCOME_NAMES and normalise are shared with the review queue (bot.period);
# they stay importable from here for the pages, the exports and the tests.
from bot.period import CHINA, LOW_CONFIDENCE, OUTCOME_NAMES, Filters, normalise, question_conditions
from bot.staff import messages
from infra.outcome import UNANSWERED, Outcome
from policy_kb.query import KnowledgeBase

DEFAULT_DAYS = 30
MAX_DAYS = 3 * 366
UNANSWERED_OUTCOMES = frozenset(o.value for o in UNANSWERED)
CHANNEL_NAMES = {"web": "网站", "wechat": "微信公众号", "staff": "热线坐席", "api": "接口"}
TOP_QUESTIONS = 50
TOP_UNANSWERED = 100
DETAIL_MAX_ROWS = 100_000


class FilterError(ValueError):
    """A filter the user typed that cannot be used; the message is Chinese."""


def parse_filters(query: Mapping[str, str], today: date | None = None) -> Filters:
    """Filters from ?from=YYYY-MM-DD&to=YYYY-MM-DD&channel=web; missing dates: the last 30 days."""
    today = today or datetime.now(CHINA).date()
    end = _date(query.get("to")) or today
    start = _date(query.get("from")) or end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        raise FilterError(messages.DATE_ORDER)
    if (end - start).days + 1 > MAX_DAYS:
        raise FilterError(messages.RANGE_TOO_LONG.format(days=MAX_DAYS))
    channel = query.get("channel") or None
    if channel is not None and channel not in CHANNEL_NAMES:
        raise FilterError(messages.BAD_CHANNEL.format(channels="、".join(CHANNEL_NAMES)))
    return Filters(start, end, channel)


def _date(raw: str | None) -> date | None:
    if not raw:
        return None
    try:
        value = date.fromisoformat(raw.strip())
    except ValueError:
        raise FilterError(messages.BAD_DATE) from None
    if value.year < 2000 or value.year > 2100:
        raise FilterError(messages.BAD_DATE)
    return value


@dataclass(frozen=True)
class Question:
    """One logged question, as analytics may see it."""

    asked_at: datetime  # China time
    channel: str
    text: str  # masked
    intent: str | None
    confidence: float | None
    measure: str | None
    districts: tuple[str, ...]
    outcome: str

    @property
    def unanswered(self) -> bool:
        return self.outcome in UNANSWERED_OUTCOMES

    @property
    def low_confidence(self) -> bool:
        return self.confidence is not None and self.confidence < LOW_CONFIDENCE


@dataclass
class Report:
    filters: Filters
    summary: dict[str, Any]
    measures: list[dict[str, Any]]
    questions: list[dict[str, Any]]
    unanswered: list[dict[str, Any]]
    districts: dict[str, Any]
    daily: list[dict[str, Any]]
    weekly: list[dict[str, Any]]
    feedback: dict[str, Any]
    models: list[dict[str, Any]] = field(default_factory=list)
    # filled by the API from bot.review.gap_report (the reviews live there, analytics only reads them)
    gaps: list[dict[str, Any]] = field(default_factory=list)
    detail: list[Question] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "filters": {
                "from": self.filters.start.isoformat(),
                "to": self.filters.end.isoformat(),
                "channel": self.filters.channel or "",
            },
            "summary": self.summary,
            "measures": self.measures,
            "questions": self.questions,
            "unanswered": self.unanswered,
            "districts": self.districts,
            "daily": self.daily,
            "weekly": self.weekly,
            "feedback": self.feedback,
            "models": self.models,
            "gaps": self.gaps,
            "outcome_names": OUTCOME_NAMES,
        }


def build_report(engine: Engine, kb: KnowledgeBase, filters: Filters) -> Report:
    questions = load_questions(engine, kb, filters)
    nearest = _nearest_measure_finder(kb)
    doubtful = [q for q in questions if q.unanswered or q.low_confidence]
    answered = sum(1 for q in questions if q.outcome == Outcome.answered)
    unanswered = sum(1 for q in questions if q.unanswered)
    summary = {
        "total": len(questions),
        "answered": answered,
        "unanswered": unanswered,
        "low_confidence": sum(1 for q in questions if q.low_confidence),
        "handoff": sum(1 for q in questions if q.outcome == Outcome.handoff),
        "answer_rate": round(answered / len(questions), 4) if questions else None,
        "conversations": count_conversations(engine, filters),
    }
    return Report(
        filters=filters,
        summary=summary,
        measures=_measures(kb, questions),
        questions=_grouped(questions, nearest, TOP_QUESTIONS),
        unanswered=_grouped(doubtful, nearest, TOP_UNANSWERED),
        districts=_district_by_measure(kb, questions),
        daily=_daily(questions, filters),
        weekly=_weekly(questions, filters),
        feedback=load_feedback(engine, filters),
        models=by_model(engine, filters),
        detail=questions[:DETAIL_MAX_ROWS],
    )


def load_questions(engine: Engine, kb: KnowledgeBase, filters: Filters) -> list[Question]:
    """The period's questions, oldest first. The conversation column is not even selected."""
    columns = (
        QuestionLogRow.created_at,
        QuestionLogRow.channel,
        QuestionLogRow.text,
        QuestionLogRow.intent,
        QuestionLogRow.confidence,
        QuestionLogRow.entities,
        QuestionLogRow.measure,
        QuestionLogRow.outcome,
    )
    query = select(*columns).where(*question_conditions(filters)).order_by(QuestionLogRow.created_at, QuestionLogRow.id)
    known_measures = {m.id for m in kb.measures}
    with Session(engine) as session:
        rows = session.execute(query).all()
    questions = []
    for created_at, channel, text, intent, confidence, entities, measure, outcome in rows:
        entities = entities if isinstance(entities, list) else []
        if measure not in known_measures:
            named = (e.get("value") for e in entities if isinstance(e, dict) and e.get("entity") == "measure")
            measure = next((value for value in named if value in known_measures), None)
        questions.append(
            Question(
                asked_at=created_at.astimezone(CHINA),
                channel=channel,
                text=mask(text or ""),
                intent=intent,
                confidence=confidence,
                measure=measure,
                districts=_districts(kb, entities),
                outcome=outcome,
            )
        )
    return questions


def count_conversations(engine: Engine, filters: Filters) -> int:
    query = select(func.count(func.distinct(QuestionLogRow.conversation))).where(*question_conditions(filters))
    with Session(engine) as session:
        return int(session.execute(query).scalar() or 0)


def _districts(kb: KnowledgeBase, entities: list[Any]) -> tuple[str, ...]:
    """District ids named in a question's entities (values are KB ids; a raw name is looked up)."""
    ids = {d.id for d in kb.districts}
    found: list[str] = []
    for entity in entities:
        if not isinstance(entity, dict) or entity.get("entity") != "district":
            continue
        value = entity.get("value")
        if value not in ids:
            district = kb.find_district(str(value or entity.get("text") or ""))
            value = district.id if district else None
        if value and value not in found:
            found.append(value)
    return tuple(found)


def _nearest_measure_finder(kb: KnowledgeBase) -> Any:
    @lru_cache(maxsize=4096)
    def nearest(key: str) -> tuple[str | None, str | None, str | None]:
        for hit in kb.search(key, 5):
            if hit.kind == "measure":
                measure = kb.measure(hit.id)
                return measure.id, measure.name, measure.clause
        return None, None, None

    return nearest


def _grouped(questions: list[Question], nearest: Any, limit: int) -> list[dict[str, Any]]:
    groups: dict[str, list[Question]] = defaultdict(list)
    for question in questions:
        key = normalise(question.text)
        if key:
            groups[key].append(question)
    # most asked first; among equals the most recently asked
    ranked = sorted(groups.items(), key=lambda kv: (-len(kv[1]), -kv[1][-1].asked_at.timestamp(), kv[0]))
    result = []
    for key, members in ranked[:limit]:
        measure_id, measure_name, clause = nearest(key)
        confidences = [q.confidence for q in members if q.confidence is not None]
        result.append(
            {
                "text": Counter(q.text for q in members).most_common(1)[0][0],
                "count": len(members),
                "answered": sum(1 for q in members if q.outcome == Outcome.answered),
                "unanswered": sum(1 for q in members if q.unanswered),
                "low_confidence": sum(1 for q in members if q.low_confidence),
                "avg_confidence": round(sum(confidences) / len(confidences), 3) if confidences else None,
                "last_asked": members[-1].asked_at.strftime("%Y-%m-%d %H:%M"),
                "nearest_measure": measure_id,
                "nearest_measure_name": measure_name,
                "nearest_clause": clause,
            }
        )
    return result


def _measures(kb: KnowledgeBase, questions: list[Question]) -> list[dict[str, Any]]:
    counts = Counter(q.measure for q in questions if q.measure)
    answered = Counter(q.measure for q in questions if q.measure and q.outcome == Outcome.answered)
    result = []
    for measure_id, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        measure = kb.measure(measure_id)
        result.append(
            {
                "measure": measure_id,
                "name": measure.name,
                "clause": measure.clause,
                "count": count,
                "answered": answered[measure_id],
            }
        )
    return result


def _district_by_measure(kb: KnowledgeBase, questions: list[Question]) -> dict[str, Any]:
    cells: Counter[tuple[str, str]] = Counter()
    for question in questions:
        if question.measure:
            for district in question.districts:
                cells[(district, question.measure)] += 1
    district_order = [d.id for d in kb.districts if any(key[0] == d.id for key in cells)]
    measure_totals = Counter()
    for (_, measure), count in cells.items():
        measure_totals[measure] += count
    measure_order = [m for m, _ in sorted(measure_totals.items(), key=lambda item: (-item[1], item[0]))]
    return {
        "districts": [{"id": d, "name": kb.district(d).name} for d in district_order],
        "measures": [{"id": m, "name": kb.measure(m).name} for m in measure_order],
        "cells": [
            {
                "district": d,
                "district_name": kb.district(d).name,
                "measure": m,
                "measure_name": kb.measure(m).name,
                "count": count,
            }
            for (d, m), count in sorted(cells.items(), key=lambda item: (-item[1], item[0]))
        ],
    }


def _daily(questions: list[Question], filters: Filters) -> list[dict[str, Any]]:
    by_day: dict[date, list[Question]] = defaultdict(list)
    for question in questions:
        by_day[question.asked_at.date()].append(question)
    days = [filters.start + timedelta(days=n) for n in range(filters.days)]
    return [_counts({"date": day.isoformat()}, by_day.get(day, [])) for day in days]


def _weekly(questions: list[Question], filters: Filters) -> list[dict[str, Any]]:
    """ISO weeks (Monday first) touching the period; the first and last may be partial."""
    by_week: dict[date, list[Question]] = defaultdict(list)
    for question in questions:
        day = question.asked_at.date()
        by_week[day - timedelta(days=day.weekday())].append(question)
    first = filters.start - timedelta(days=filters.start.weekday())
    weeks = []
    monday = first
    while monday <= filters.end:
        year, week, _ = monday.isocalendar()
        weeks.append(
            _counts({"week": f"{year}-W{week:02d}", "week_start": monday.isoformat()}, by_week.get(monday, []))
        )
        monday += timedelta(days=7)
    return weeks


def _counts(head: dict[str, Any], questions: list[Question]) -> dict[str, Any]:
    return {
        **head,
        "total": len(questions),
        "answered": sum(1 for q in questions if q.outcome == Outcome.answered),
        "unanswered": sum(1 for q in questions if q.unanswered),
    }


def load_feedback(engine: Engine, filters: Filters) -> dict[str, Any]:
    """Votes on the period's answers, from the widget's feedback table (migration 0002).

    Read by reflection, so analytics keep working on a database without the table (or with a
    different shape of it): the section then says it is not available.
    """
    unavailable = {"available": False, "up": 0, "down": 0, "ratio": None, "reasons": []}
    try:
        if not inspect(engine).has_table("feedback"):
            return unavailable
        metadata = MetaData()
        feedback = Table("feedback", metadata, autoload_with=engine)
        log = Table("question_log", metadata, autoload_with=engine)
        if not {"question_public_id", "vote"} <= set(feedback.c.keys()) or "public_id" not in log.c:
            return unavailable
        start, end = (_naive_if_sqlite(engine, moment) for moment in filters.utc_bounds())
        reason = feedback.c.reason if "reason" in feedback.c else null()
        query = (
            select(feedback.c.vote, reason)
            .select_from(feedback.join(log, log.c.public_id == feedback.c.question_public_id))
            .where(log.c.created_at >= start, log.c.created_at < end)
        )
        if filters.channel:
            query = query.where(log.c.channel == filters.channel)
        with engine.connect() as connection:
            votes = connection.execute(query).all()
    except SQLAlchemyError:
        return unavailable
    up = sum(1 for vote, _ in votes if vote is not None and vote > 0)
    down = sum(1 for vote, _ in votes if vote is not None and vote < 0)
    reasons = Counter(mask(str(why)).strip() for vote, why in votes if vote is not None and vote < 0 and why)
    return {
        "available": True,
        "up": up,
        "down": down,
        "ratio": round(up / (up + down), 4) if up + down else None,
        "reasons": [{"reason": why, "count": count} for why, count in reasons.most_common() if why],
    }


def by_model(engine: Engine, filters: Filters) -> list[dict[str, Any]]:
    """Answer rate and 👎 rate per model version (Rasa's model_id), first used first: a retrain's effect.

    Questions logged before versions were recorded (migration 0005) are one row with no version."""
    try:
        metadata = MetaData()
        log = Table("question_log", metadata, autoload_with=engine)
        if "model_version" not in log.c:
            return []
        has_feedback = inspect(engine).has_table("feedback")
        start, end = (_naive_if_sqlite(engine, moment) for moment in filters.utc_bounds())
        if has_feedback:
            feedback = Table("feedback", metadata, autoload_with=engine)
            source = log.outerjoin(feedback, feedback.c.question_public_id == log.c.public_id)
            vote = feedback.c.vote
        else:
            source, vote = log, null()
        query = (
            select(log.c.model_version, log.c.created_at, log.c.outcome, vote)
            .select_from(source)
            .where(log.c.created_at >= start, log.c.created_at < end)
        )
        if filters.channel:
            query = query.where(log.c.channel == filters.channel)
        with engine.connect() as connection:
            rows = connection.execute(query).all()
    except SQLAlchemyError:
        return []
    versions: dict[str | None, dict[str, Any]] = {}
    for version, created_at, outcome, vote_value in rows:
        entry = versions.setdefault(
            version,
            {
                "model_version": version,
                "first": created_at,
                "last": created_at,
                "total": 0,
                "answered": 0,
                "up": 0,
                "down": 0,
            },
        )
        entry["first"], entry["last"] = min(entry["first"], created_at), max(entry["last"], created_at)
        entry["total"] += 1
        entry["answered"] += outcome == Outcome.answered.value
        entry["up"] += vote_value is not None and vote_value > 0
        entry["down"] += vote_value is not None and vote_value < 0
    result = []
    for entry in sorted(versions.values(), key=lambda e: e["first"]):
        votes = entry["up"] + entry["down"]
        result.append(
            {
                **entry,
                "name": entry["model_version"][:8] if entry["model_version"] else "未记录",
                "first": _china_day(entry["first"]),
                "last": _china_day(entry["last"]),
                "answer_rate": round(entry["answered"] / entry["total"], 4),
                "down_rate": round(entry["down"] / votes, 4) if votes else None,
            }
        )
    return result


def _china_day(moment: datetime) -> str:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return aware.astimezone(CHINA).strftime("%Y-%m-%d")


def _naive_if_sqlite(engine: Engine, moment: datetime) -> datetime:
    # Reflected columns are plain DateTime: SQLite stores UTC without an offset (see UTCDateTime).
    return moment.replace(tzinfo=None) if engine.dialect.name == "sqlite" else moment
