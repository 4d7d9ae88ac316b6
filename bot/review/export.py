"""Reviewed questions as Rasa NLU training data, and alias suggestions for the KB.

Which verdicts teach what:
- 答对了 / 答错了 with an aspect (or, for 答对了, the intent the bot already read): an example of that
  aspect's intent. The measure the reviewer named is annotated where the KB knows the user's word for
  it, or where the reviewer wrote that word down (`[小站子]{"entity": "measure", "value":
  "xingchuang_nongke"}`, the KB id as value, as the entity ruler reports it). DIET learns intents only
  (config.yml: entity_recognition false): the measure is found by the ruler built from the KB's aliases,
  so a word the KB does not know becomes an alias suggestion, for a person to accept into policy_kb/data
  (`python -m bot.review accept`, bot.review.aliases).
- 不在文件范围: an out_of_scope example. 政策空白 teaches nothing (the document has no answer): it goes
  to the gap report.

Deterministic: the same reviews give the same bytes (sorted, deduplicated on the masked text), and the
file is only rewritten when it changes, so `make model` retrains only when reviews changed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app_store.models import QuestionLogRow, ReviewRow
from app_store.privacy import mask
from bot.review.aspects import ASPECTS
from policy_kb.query import KnowledgeBase
from policy_rasa.nlu_examples import examples_by_intent

REPO = Path(__file__).resolve().parents[2]
DEFAULT_OUTPUT = REPO / "data" / "nlu" / "reviewed.yml"
# Not in data/: Rasa reads every file there as training data, and the model's input hash covers it.
DEFAULT_ALIASES = REPO / "build" / "review" / "aliases.txt"
HELD_OUT = REPO / "tests" / "nlu" / "test_nlu.yml"
OUT_OF_SCOPE_INTENT = "out_of_scope"
ASK_INTENTS = frozenset(intent for intent, _ in ASPECTS.values())


@dataclass(frozen=True)
class Suggestion:
    measure: str
    measure_name: str
    question: str
    word: str | None  # the reviewer's pick of the user's word; None: the reviewer gave none


@dataclass(frozen=True)
class Export:
    examples: dict[str, list[str]]  # intent -> examples, sorted
    suggestions: list[Suggestion]

    def yaml(self) -> str:
        lines = [
            'version: "3.1"',
            "# Written by python -m bot.review export from the analysts' reviews; do not edit by hand.",
            "nlu:",
        ]
        for intent, texts in sorted(self.examples.items()):
            lines += [f"- intent: {intent}", "  examples: |"]
            lines += [f"    - {text}" for text in texts]
        if not self.examples:
            lines[-1] = "nlu: []"
        return "\n".join(lines) + "\n"

    def suggestions_text(self) -> str:
        if not self.suggestions:
            return "别名建议：无（复核过的问题里，措施的叫法知识库都认识）\n"
        lines = ["别名建议（请人工确认后运行 python -m bot.review accept 把叫法加入知识库，再运行 make model）："]
        for s in self.suggestions:
            word = f"“{s.word}”" if s.word else "（复核时未填用户的叫法，请在问题复核页补上）"
            lines.append(f"- {s.measure}（{s.measure_name}）← {word}：用户问“{s.question}”")
        return "\n".join(lines) + "\n"

    def words(self) -> list[tuple[str, str]]:
        """(measure id, word) of every suggestion with a word, deduplicated, in order."""
        return sorted({(s.measure, s.word) for s in self.suggestions if s.word})


def known_texts(output: Path) -> set[str]:
    """Texts the training data already holds by hand, and the held-out test set's: a reviewed copy of
    the first adds nothing, of the second would make the held-out scores lie."""
    paths = [p for p in sorted((REPO / "data" / "nlu").glob("*.yml")) if p.resolve() != output.resolve()]
    return set().union(*examples_by_intent([*paths, HELD_OUT]).values())


def build(engine: Engine, kb: KnowledgeBase, skip: set[str] | frozenset[str] = frozenset()) -> Export:
    query = select(
        QuestionLogRow.text,
        QuestionLogRow.intent,
        ReviewRow.verdict,
        ReviewRow.target_kind,
        ReviewRow.target_id,
        ReviewRow.aspect,
        ReviewRow.alias,
    ).join(ReviewRow, ReviewRow.question_id == QuestionLogRow.id)
    with Session(engine) as session:
        rows = session.execute(query).all()
    examples: dict[str, set[str]] = {}
    seen: dict[str, str] = {}  # text -> intent: one masked text teaches one intent
    suggestions: dict[tuple[str, str], Suggestion] = {}
    for text, logged_intent, verdict, kind, target, aspect, alias in sorted(rows, key=lambda r: tuple(map(str, r))):
        text = " ".join(mask(text or "").split())
        if not text or text in skip:
            continue
        if verdict == "out_of_scope":
            intent = OUT_OF_SCOPE_INTENT
        elif verdict in ("correct", "wrong") and aspect in ASPECTS:
            intent = ASPECTS[aspect][0]
        elif verdict == "correct" and logged_intent in ASK_INTENTS:
            intent = logged_intent
        else:
            continue  # 政策空白, or a wrong answer without the aspect it asked about
        measure = target if kind == "measure" and intent != OUT_OF_SCOPE_INTENT else None
        example = text
        if measure:
            word = alias if alias and alias in text else None
            known = _known_span(kb, text, measure)
            if known is None and not (word and _knows(kb, word, measure)):
                suggestions[(measure, text)] = Suggestion(measure, kb.measure(measure).name, text, word)
            span = known or (_span(text, word) if word else None)
            if span is not None:
                example = _annotated(text, span, measure)
        if seen.setdefault(text, intent) != intent:
            continue  # two reviews disagree on the same words: the first (sorted) one stands
        examples.setdefault(intent, set()).add(example)
    return Export(
        {intent: sorted(texts) for intent, texts in examples.items()},
        sorted(suggestions.values(), key=lambda s: (s.measure, s.question)),
    )


def _known_span(kb: KnowledgeBase, text: str, measure: str) -> tuple[int, int] | None:
    """Where the KB finds `measure` in `text` by one of its names (no typos), or None."""
    hit = next(
        (h for h in kb.find_measures(text, fuzzy=False) if h.key == measure and text[h.start : h.end] == h.text), None
    )
    return (hit.start, hit.end) if hit else None


def _knows(kb: KnowledgeBase, word: str, measure: str) -> bool:
    return _known_span(kb, word, measure) == (0, len(word))


def _span(text: str, word: str) -> tuple[int, int]:
    start = text.index(word)
    return start, start + len(word)


def _annotated(text: str, span: tuple[int, int], measure: str) -> str:
    """The text with span annotated as the measure, the KB id as the value."""
    start, end = span
    entity = json.dumps({"entity": "measure", "value": measure}, ensure_ascii=False)
    return f"{text[:start]}[{text[start:end]}]{entity}{text[end:]}"


def write(export: Export, output: Path, aliases: Path = DEFAULT_ALIASES) -> bool:
    """Write the YAML and the alias suggestions; False when the YAML already says exactly this."""
    text = export.yaml()
    changed = not output.exists() or output.read_text(encoding="utf-8") != text
    if changed:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    aliases.parent.mkdir(parents=True, exist_ok=True)
    aliases.write_text(export.suggestions_text(), encoding="utf-8")
    return changed
