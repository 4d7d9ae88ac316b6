"""The review queue and the policy-gap report (see bot.review)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import MetaData, Table, inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from app_store.models import QuestionLogRow
from app_store.privacy import mask
from app_store.reviews import Review, reviews
from bot.period import CHINA, LOW_CONFIDENCE, OUTCOME_NAMES, Filters, normalise, question_conditions
from bot.review.aspects import ASPECTS, VERDICT_NAMES
from infra.outcome import Outcome
from policy_kb.query import KnowledgeBase

# Turns the queue shows first: the bot did not answer, asked back, or the user said it did not help.
DOUBTFUL_OUTCOMES = frozenset(
    {Outcome.fallback.value, Outcome.clarify.value, Outcome.out_of_scope.value, Outcome.error.value}
)
CONTEXT_TURNS = 2
QUEUE_LIMIT = 200


@dataclass(frozen=True)
class Logged:
    id: int
    public_id: str | None
    asked_at: datetime
    conversation: str
    text: str
    reply: str | None
    outcome: str
    intent: str | None
    confidence: float | None
    measure: str | None
    model_version: str | None


def _load(engine: Engine, filters: Filters) -> list[Logged]:
    c = QuestionLogRow
    query = (
        select(
            c.id,
            c.public_id,
            c.created_at,
            c.conversation,
            c.text,
            c.reply,
            c.outcome,
            c.intent,
            c.confidence,
            c.measure,
            c.model_version,
        )
        .where(*question_conditions(filters))
        .order_by(c.created_at, c.id)
    )
    with Session(engine) as session:
        rows = session.execute(query).all()
    return [
        Logged(
            row[0],
            row[1],
            row[2].astimezone(CHINA),
            row[3],
            mask(row[4] or ""),
            mask(row[5]) if row[5] else None,
            *row[6:],
        )
        for row in rows
    ]


def thumbs_down(engine: Engine) -> dict[str, str]:
    """public_id -> the 👎 reason ('' when none given); empty on a database without the feedback table."""
    try:
        if not inspect(engine).has_table("feedback"):
            return {}
        feedback = Table("feedback", MetaData(), autoload_with=engine)
        with engine.connect() as connection:
            rows = connection.execute(
                select(feedback.c.question_public_id, feedback.c.reason).where(feedback.c.vote < 0)
            ).all()
    except SQLAlchemyError:
        return {}
    return {public_id: mask(reason or "") for public_id, reason in rows}


def queue(
    engine: Engine, kb: KnowledgeBase, filters: Filters, *, include_reviewed: bool = True, contains: str = ""
) -> dict[str, Any]:
    """The review queue of the period: doubtful groups first (most asked first), then the rest.
    `contains`: only groups whose (normalised) question contains these words."""
    logged = _load(engine, filters)
    wanted = normalise(contains)
    down = thumbs_down(engine)
    by_conversation: dict[str, list[Logged]] = defaultdict(list)
    for question in logged:
        by_conversation[question.conversation].append(question)
    groups: dict[str, list[Logged]] = defaultdict(list)
    for question in logged:
        key = normalise(question.text)
        if key:
            groups[key].append(question)
    done = reviews(engine, [q.id for q in logged]) if logged else {}

    def doubtful(q: Logged) -> bool:
        low = q.confidence is not None and q.confidence < LOW_CONFIDENCE
        return q.outcome in DOUBTFUL_OUTCOMES or low or q.public_id in down

    items = []
    for key, members in groups.items():
        if wanted and wanted not in key:
            continue
        latest = members[-1]
        review = next((done[m.id] for m in reversed(members) if m.id in done), None)
        if review is not None and not include_reviewed:
            continue
        items.append(
            (
                not any(doubtful(m) for m in members),
                -len(members),
                -latest.asked_at.timestamp(),
                key,
                _item(kb, latest, members, by_conversation[latest.conversation], down, review),
            )
        )
    items.sort(key=lambda entry: entry[:4])
    chosen = [entry[4] for entry in items[:QUEUE_LIMIT]]
    return {
        "items": chosen,
        "total": len(items),
        "aspects": {k: name for k, (_, name) in ASPECTS.items()},
        "verdicts": VERDICT_NAMES,
    }


def _item(
    kb: KnowledgeBase,
    question: Logged,
    members: list[Logged],
    conversation: list[Logged],
    down: dict[str, str],
    review: Review | None,
) -> dict[str, Any]:
    at = next(i for i, q in enumerate(conversation) if q.id == question.id)
    around = conversation[max(0, at - CONTEXT_TURNS) : at + CONTEXT_TURNS + 1]
    reasons = [down[m.public_id] for m in members if m.public_id in down]
    return {
        "question_id": question.id,
        "question_ids": [m.id for m in members],
        "text": question.text,
        "count": len(members),
        "asked_at": question.asked_at.strftime("%Y-%m-%d %H:%M"),
        "outcome": question.outcome,
        "outcome_name": OUTCOME_NAMES.get(question.outcome, question.outcome),
        "measure": question.measure,
        "measure_name": _measure_name(kb, question.measure),
        "intent": question.intent,
        "confidence": round(question.confidence, 3) if question.confidence is not None else None,
        "model_version": question.model_version,
        "thumbs_down": len(reasons),
        "feedback_reasons": [r for r in reasons if r],
        "context": [{"text": q.text, "reply": q.reply, "current": q.id == question.id} for q in around],
        "review": _review_json(kb, review),
    }


def _measure_name(kb: KnowledgeBase, measure_id: str | None) -> str | None:
    try:
        return kb.measure(measure_id).name if measure_id else None
    except LookupError:
        return None


def target_name(kb: KnowledgeBase, kind: str | None, item_id: str | None) -> str | None:
    """The Chinese name of a KB item a reviewer picked; None when it is not (or no longer) in the KB."""
    if not kind or not item_id:
        return None
    try:
        if kind == "measure":
            return kb.measure(item_id).name
        if kind == "clause":
            return f"{item_id} {kb.clause(item_id).title}"
        if kind == "target":
            return kb.target(item_id).indicator
    except LookupError:
        return None
    return None


def _review_json(kb: KnowledgeBase, review: Review | None) -> dict[str, Any] | None:
    if review is None:
        return None
    return {
        "verdict": review.verdict,
        "verdict_name": VERDICT_NAMES.get(review.verdict, review.verdict),
        "target_kind": review.target_kind,
        "target_id": review.target_id,
        "target_name": target_name(kb, review.target_kind, review.target_id),
        "aspect": review.aspect,
        "note": review.note,
        "alias": review.alias,
        "reviewer": review.reviewer,
        "reviewed_at": review.reviewed_at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M"),
    }


def kb_items(kb: KnowledgeBase, query: str, limit: int = 30) -> list[dict[str, str]]:
    """Measures, clauses and targets whose id, name or alias contains the query (all when it is empty)."""
    key = normalise(query)
    items: list[dict[str, str]] = []
    for m in kb.measures:
        items.append(
            {
                "kind": "measure",
                "id": m.id,
                "name": m.name,
                "clause": m.clause,
                "_terms": " ".join([m.id, m.name, *m.aliases]),
            }
        )
    for clause in kb.data.clauses:
        items.append(
            {
                "kind": "clause",
                "id": clause.id,
                "name": f"{clause.id} {clause.title}",
                "clause": clause.id,
                "_terms": f"{clause.id} {clause.title}",
            }
        )
    for t in kb.targets:
        items.append(
            {
                "kind": "target",
                "id": t.id,
                "name": t.indicator,
                "clause": t.clause,
                "_terms": " ".join([t.id, t.indicator, *t.aliases]),
            }
        )
    found = [i for i in items if not key or key in normalise(i["_terms"]) or key in i["_terms"].lower()]
    return [{k: v for k, v in i.items() if k != "_terms"} for i in found[:limit]]


def theme_of(kb: KnowledgeBase, review: Review, text: str) -> str:
    """The policy theme a gap falls under: the topic of the measure the reviewer named, else of the
    nearest measure in the KB, else 未归类."""
    topics = {topic.id: topic.name for topic in kb.data.topics}
    measure_id = review.target_id if review.target_kind == "measure" else None
    if review.target_kind == "clause" and review.target_id:
        known = review.target_id in {c.id for c in kb.data.clauses}
        in_clause = kb.measures_in_clause(review.target_id) if known else []
        measure_id = in_clause[0].id if in_clause else None
    if measure_id is None:
        hit = next((h for h in kb.search(text, 5) if h.kind == "measure"), None)
        measure_id = hit.id if hit else None
    try:
        return topics.get(kb.measure(measure_id).topic, "未归类") if measure_id else "未归类"
    except LookupError:
        return "未归类"


def gap_report(engine: Engine, kb: KnowledgeBase, filters: Filters) -> list[dict[str, Any]]:
    """政策空白 and out-of-scope verdicts of the period's questions, by verdict and theme, most first."""
    logged = {q.id: q for q in _load(engine, filters)}
    done = reviews(engine, list(logged)) if logged else {}
    districts_of = _districts(engine, kb, list(logged))
    groups: dict[tuple[str, str], list[tuple[Logged, Review]]] = defaultdict(list)
    for question_id, review in done.items():
        if review.verdict in ("policy_gap", "out_of_scope"):
            question = logged[question_id]
            groups[(review.verdict, theme_of(kb, review, question.text))].append((question, review))
    result = []
    for (verdict, theme), members in groups.items():
        dates = sorted(q.asked_at for q, _ in members)
        districts = Counter(d for q, _ in members for d in districts_of.get(q.id, ()))
        result.append(
            {
                "verdict": verdict,
                "verdict_name": VERDICT_NAMES[verdict],
                "theme": theme,
                "count": len(members),
                "districts": [{"name": name, "count": n} for name, n in districts.most_common()],
                "first": dates[0].strftime("%Y-%m-%d"),
                "last": dates[-1].strftime("%Y-%m-%d"),
                "questions": sorted({q.text for q, _ in members}),
                "notes": sorted({r.note for _, r in members if r.note}),
            }
        )
    result.sort(key=lambda g: (g["verdict"] != "policy_gap", -g["count"], g["theme"]))
    return result


def _districts(engine: Engine, kb: KnowledgeBase, ids: list[int]) -> dict[int, tuple[str, ...]]:
    if not ids:
        return {}
    with Session(engine) as session:
        rows = session.execute(
            select(QuestionLogRow.id, QuestionLogRow.entities).where(QuestionLogRow.id.in_(ids))
        ).all()
    names = {d.id: d.name for d in kb.districts}
    found: dict[int, tuple[str, ...]] = {}
    for question_id, entities in rows:
        values = [e.get("value") for e in entities or [] if isinstance(e, dict) and e.get("entity") == "district"]
        found[question_id] = tuple(dict.fromkeys(names[v] for v in values if v in names))
    return found
