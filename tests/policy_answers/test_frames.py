"""The frame reader and the answer engine against a table of what messages mean (frames_table.yml).

`singles`: one message read on its own (`frames.read` and `frames.is_partial`), checked field by field.
`follow_ups`: two turns through `decide`, the second with the memory of the first, checked on the second
answer. `misreads`: rows of either kind whose expectation is right by the document but which the reader or
the engine still gets wrong; they run as non-strict xfails so they stay in sight until the mechanism is fixed.

Entities come from the KB's own extractor (policy_rasa.kb_entities, no Rasa, no TensorFlow), as in
test_engine.py."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from policy_answers import frames
from policy_answers.clean import clean
from policy_answers.engine import Answer, Context, Question, decide
from policy_answers.frames import Frame
from policy_answers.language import language
from policy_kb.query import KnowledgeBase
from policy_kb.terms import TermIndex
from policy_rasa.kb_entities import extract_entities, ruler_patterns, term_indexes

TABLE_FILE = Path(__file__).with_name("frames_table.yml")
REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_INTENT = "ask_measure_info"

SINGLE_KEYS = frozenset(
    {
        "text",
        "intent",
        "subject",
        "measures",
        "clause",
        "aspect",
        "doc_aspect",
        "operation",
        "count",
        "year",
        "correction",
        "brevity",
        "partial",
        "note",
    }
)
FOLLOW_UP_KEYS = frozenset({"previous", "text", "intent", "expect", "note"})
EXPECT_KEYS = frozenset({"topic", "measures", "clause", "aspect", "holds", "lacks"})
Row = dict[str, Any]


def _load() -> dict[str, list[Row]]:
    data = yaml.safe_load(TABLE_FILE.read_text(encoding="utf-8"))
    return {section: list(data.get(section) or []) for section in ("singles", "follow_ups", "misreads")}


TABLE = _load()
SINGLES = TABLE["singles"]
FOLLOW_UPS = TABLE["follow_ups"]
MISREADS = TABLE["misreads"]


def _is_follow_up(row: Row) -> bool:
    return "previous" in row


def _row_id(row: Row) -> str:
    return f"{row['previous']['text']} → {row['text']}" if _is_follow_up(row) else str(row["text"])


class _NoEnts:
    ents: tuple[()] = ()  # the character matcher alone finds every KB term


@pytest.fixture(scope="module")
def terms(kb: KnowledgeBase) -> dict[str, TermIndex]:
    products = frozenset(p for m in kb.measures for p in m.products)
    return term_indexes(ruler_patterns(kb.term_lists(), products))


def _entities(text: str, terms: dict[str, TermIndex]) -> tuple[dict[str, Any], ...]:
    return tuple(extract_entities(clean(text), _NoEnts(), terms))


def _ask(kb: KnowledgeBase, terms: dict[str, TermIndex], text: str, intent: str, context: Context) -> Answer:
    return decide(Question(text, intent, (intent,), _entities(text, terms)), context, kb)


def _text_of(answer: Answer) -> str:
    return "\n".join(r.text or r.response or "" for r in answer.replies)


def _squeezed(text: str) -> str:
    return "".join(text.split())


# --- single messages -------------------------------------------------------------------------------


def _read(kb: KnowledgeBase, terms: dict[str, TermIndex], row: Row) -> tuple[Frame, bool]:
    """The frame the message says on its own, and whether it leans on the last one (as `decide` reads it)."""
    lang = language()
    text = clean(row["text"])
    entities = _entities(row["text"], terms)
    frame = frames.read(text, entities, kb, lang, row.get("intent"))
    named = tuple(e["text"] for e in entities if e.get("entity") != "measure" and e.get("text"))
    return frame, frames.is_partial(frame, text, lang, named)


def _single_mismatches(frame: Frame, partial: bool, row: Row) -> list[str]:
    got: dict[str, Any] = {
        "subject": frame.subject.value,
        "measures": list(frame.measures),
        "clause": frame.clause,
        "aspect": frame.aspect,
        "doc_aspect": frame.doc_aspect,
        "operation": frame.operation.value,
        "count": frame.count,
        "year": frame.year,
        "correction": frame.correction,
        "brevity": frame.brevity,
        "partial": partial,
    }
    return [
        f"{key}: expected {row[key]!r}, got {value!r}" for key, value in got.items() if key in row and row[key] != value
    ]


def check_single(kb: KnowledgeBase, terms: dict[str, TermIndex], row: Row) -> None:
    frame, partial = _read(kb, terms, row)
    mismatches = _single_mismatches(frame, partial, row)
    assert not mismatches, "\n".join([*mismatches, f"frame: {frame}", f"partial: {partial}"])


# --- follow-ups ------------------------------------------------------------------------------------


def _follow_up_mismatches(answer: Answer, expect: Row) -> list[str]:
    text = _text_of(answer)
    found: list[str] = []
    if "topic" in expect and answer.topic.value != expect["topic"]:
        found.append(f"topic: expected {expect['topic']!r}, got {answer.topic.value!r}")
    if "measures" in expect and answer.measures != tuple(expect["measures"]):
        found.append(f"measures: expected {tuple(expect['measures'])!r}, got {answer.measures!r}")
    for key in ("clause", "aspect"):
        if key in expect and getattr(answer, key) != expect[key]:
            found.append(f"{key}: expected {expect[key]!r}, got {getattr(answer, key)!r}")
    found += [f"holds: {part!r} missing" for part in expect.get("holds", []) if _squeezed(part) not in _squeezed(text)]
    found += [f"lacks: {part!r} present" for part in expect.get("lacks", []) if _squeezed(part) in _squeezed(text)]
    return found


def check_follow_up(kb: KnowledgeBase, terms: dict[str, TermIndex], row: Row) -> None:
    previous = row["previous"]
    first = _ask(kb, terms, previous["text"], previous.get("intent", DEFAULT_INTENT), Context())
    second = _ask(kb, terms, row["text"], row.get("intent", DEFAULT_INTENT), Context(**first.memory))
    mismatches = _follow_up_mismatches(second, row["expect"])
    assert not mismatches, "\n".join(
        [
            *mismatches,
            f"first: {first.topic.value} {first.measures} {first.clause} {first.aspect}: {_text_of(first)}",
            f"second: {second.topic.value} {second.measures} {second.clause} {second.aspect}: {_text_of(second)}",
        ]
    )


def check_row(kb: KnowledgeBase, terms: dict[str, TermIndex], row: Row) -> None:
    if _is_follow_up(row):
        check_follow_up(kb, terms, row)
    else:
        check_single(kb, terms, row)


# --- the tests -------------------------------------------------------------------------------------


@pytest.mark.parametrize("row", SINGLES, ids=[_row_id(r) for r in SINGLES])
def test_single_message_frame(kb: KnowledgeBase, terms: dict[str, TermIndex], row: Row) -> None:
    check_single(kb, terms, row)


@pytest.mark.parametrize("row", FOLLOW_UPS, ids=[_row_id(r) for r in FOLLOW_UPS])
def test_follow_up_answer(kb: KnowledgeBase, terms: dict[str, TermIndex], row: Row) -> None:
    check_follow_up(kb, terms, row)


@pytest.mark.parametrize(
    "row",
    [
        pytest.param(r, id=_row_id(r), marks=pytest.mark.xfail(reason=str(r.get("note", "misread")), strict=False))
        for r in MISREADS
    ],
)
def test_misreads_are_tracked(kb: KnowledgeBase, terms: dict[str, TermIndex], row: Row) -> None:
    check_row(kb, terms, row)


def test_the_table_is_large_enough() -> None:
    assert len(SINGLES) >= 300, len(SINGLES)
    assert len(FOLLOW_UPS) >= 80, len(FOLLOW_UPS)


def test_the_table_names_only_what_the_kb_knows(kb: KnowledgeBase) -> None:
    """Every row in a known shape, every measure id and clause a real one of the KB."""
    measure_ids = {m.id for m in kb.measures}
    clause_ids = {c.id for c in kb.data.clauses}
    problems: list[str] = []
    for row in [*SINGLES, *FOLLOW_UPS, *MISREADS]:
        if _is_follow_up(row):
            keys, expect = FOLLOW_UP_KEYS, row.get("expect", {})
            problems += [f"{_row_id(row)}: expect key {k}" for k in set(expect) - EXPECT_KEYS]
        else:
            keys, expect = SINGLE_KEYS, row
        problems += [f"{_row_id(row)}: key {k}" for k in set(row) - keys]
        problems += [f"{_row_id(row)}: measure {m}" for m in expect.get("measures") or [] if m not in measure_ids]
        if expect.get("clause") is not None and expect["clause"] not in clause_ids:
            problems.append(f"{_row_id(row)}: clause {expect['clause']}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("module", ["policy_answers.frames", "policy_answers.engine"])
def test_importing_does_not_load_tensorflow(module: str) -> None:
    code = f"import sys\nimport {module}\nprint('tensorflow' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False", result.stdout
