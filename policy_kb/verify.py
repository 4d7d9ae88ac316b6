"""Check a policy data file against its official text and against itself.

Every quote and clause text must be findable in the official text once whitespace is removed (the
text carries page-break line feeds and spaces around figures); every figure must be the one its
quote states; every reference (clause, unit, district, applicant type) must resolve. Each problem
names the field, so that whoever edits the file knows where to look.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from policy_kb.figures import (
    arabic_figures,
    chinese_to_int,
    find_money,
    parse_money,
    parse_percent,
    strip_space,
)
from policy_kb.schema import AmountKind, CostShares, Measure, PolicyData, Target

# Fields whose text must appear verbatim in the official text.
_VERBATIM_KEYS = {"quote", "text", "units_quote"}
# Fields of free text written by the editors: they may paraphrase, but any Arabic figure in them
# must still be a figure the document uses.
_NUMERIC_NUMBERS = re.compile(r"\d+(?:\.\d+)?|[零一二两三四五六七八九十百千万亿]+")


@dataclass(frozen=True)
class Problem:
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class KnowledgeBaseError(ValueError):
    """The data file does not agree with the official text (or with itself)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems[:5]))


def _walk(value: Any, path: str) -> Iterator[tuple[str, str, Any]]:
    """(path, key, value) for every leaf, with list items named by their id where they have one."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, f"{path}.{key}" if path else key)
            if not isinstance(item, (dict, list)):
                yield (f"{path}.{key}" if path else key, key, item)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            name = item.get("id", item.get("level", index)) if isinstance(item, dict) else index
            yield from _walk(item, f"{path}[{name}]")
            if not isinstance(item, (dict, list)):
                yield (f"{path}[{name}]", "", item)


def _numbers(text: str) -> set[Decimal]:
    found: set[Decimal] = set()
    for token in _NUMERIC_NUMBERS.findall(strip_space(text)):
        if token[0].isdigit():
            found.add(Decimal(token))
        elif (value := chinese_to_int(token)) is not None and token not in ("万", "亿"):
            found.add(Decimal(value))
    return found


def find_problems(data: PolicyData, source_text: str) -> list[Problem]:
    source = strip_space(source_text)
    source_figures = set(arabic_figures(source))
    source_money = {yuan for _, yuan in find_money(source)}
    problems: list[Problem] = []
    raw = data.dict()

    for path, key, value in _walk(raw, ""):
        if not isinstance(value, str):
            continue
        verbatim = key in _VERBATIM_KEYS and (key != "text" or path.startswith("clauses["))
        if verbatim and strip_space(value) not in source:
            problems.append(Problem(path, f"not found in the official text: {value[:40]!r}"))
        for figure in arabic_figures(value):
            if figure not in source_figures:
                problems.append(Problem(path, f"figure {figure} does not occur in the official text"))
        # an amount must be one the document states: '30 万元' is not, though 30 (个) is a figure of it,
        # and '两千万元' has no Arabic figure at all
        for surface, yuan in find_money(strip_space(value)):
            if yuan not in source_money:
                problems.append(Problem(path, f"amount {surface} does not occur in the official text"))

    doc = data.document
    for path, text in [
        ("document.number", doc.number),
        ("document.title", doc.title),
        ("document.issuer", doc.issuer),
        ("document.publication", doc.publication),
        ("document.addressees", doc.addressees),
        ("document.copied_to", doc.copied_to),
        ("document.purpose", doc.purpose),
        ("document.implements.number", doc.implements.number),
        ("document.implements.title", doc.implements.title),
        *[(f"document.refers_to[{i}].number", r.number) for i, r in enumerate(doc.refers_to)],
        *[(f"document.refers_to[{i}].title", r.title) for i, r in enumerate(doc.refers_to)],
    ]:
        if strip_space(text) not in source:
            problems.append(Problem(path, f"not found in the official text: {text!r}"))
    date_cn = f"{doc.issue_date.year}年{doc.issue_date.month}月{doc.issue_date.day}日"
    if date_cn not in source:
        problems.append(Problem("document.issue_date", f"{date_cn} not found in the official text"))

    problems += _figure_problems(data)
    problems += _reference_problems(data)
    return problems


def _figure_problems(data: PolicyData) -> list[Problem]:
    problems: list[Problem] = []
    for m in data.measures:
        problems += _measure_figure_problems(m)
    for t in data.targets:
        problems += _target_figure_problems(t)
    return problems


def _measure_figure_problems(m: Measure) -> list[Problem]:
    problems: list[Problem] = []
    base = f"measures[{m.id}]"
    if m.amount.value_yuan is not None:
        stated = parse_money(m.amount.quote)
        if stated != m.amount.value_yuan:
            problems.append(
                Problem(f"{base}.amount.value_yuan", f"{m.amount.value_yuan} but the quote states {stated}")
            )
    if m.amount.kind in (AmountKind.fixed, AmountKind.max, AmountKind.min) and m.amount.per is None:
        problems.append(Problem(f"{base}.amount.per", "a sum needs what it is per (每个企业…)"))
    for limit in m.limits:
        if parse_percent(limit.quote) not in (Decimal(limit.percent), None):
            problems.append(Problem(f"{base}.limits.percent", f"{limit.percent} differs from the quote"))
    if m.cost_shares:
        problems += _share_problems(base, m.cost_shares)
    if m.frequency and Decimal(m.frequency.per_year_min) not in _numbers(m.frequency.quote):
        problems.append(Problem(f"{base}.frequency.per_year_min", "differs from the quote"))
    return problems


def _share_problems(base: str, cost_shares: CostShares) -> list[Problem]:
    """Each stated (not derived) share against the percentage its quote states."""
    problems: list[Problem] = []
    groups = [("default", cost_shares.default)]
    groups += [(f"exceptions[{e.district}]", e.shares) for e in cost_shares.exceptions]
    for name, shares in groups:
        for share in shares:
            if share.derived:
                continue
            stated_pct = parse_percent(share.quote or "")
            if stated_pct != Decimal(share.percent):
                problems.append(
                    Problem(
                        f"{base}.cost_shares.{name}[{share.level}].percent",
                        f"{share.percent} but the quote states {stated_pct}",
                    )
                )
    return problems


def _target_figure_problems(t: Target) -> list[Problem]:
    problems: list[Problem] = []
    stated_numbers = _numbers(t.quote)
    money = parse_money(t.quote) if t.unit == "元" else None
    for name in ("value", "value_min", "value_max"):
        value = getattr(t, name)
        if value is None:
            continue
        if Decimal(str(value)) not in stated_numbers and (money is None or Decimal(money) != Decimal(str(value))):
            problems.append(Problem(f"targets[{t.id}].{name}", f"{value} is not stated in the quote"))
    return problems


def _reference_problems(data: PolicyData) -> list[Problem]:
    problems = _duplicate_id_problems(data)
    unit_ids = {u.id for u in data.units}
    for c in data.clauses:
        for unit in c.lead_units + c.responsible_units:
            if unit not in unit_ids:
                problems.append(Problem(f"clauses[{c.id}]", f"unknown unit {unit!r}"))
        if not c.text.startswith(f"（{c.id.split('（', 1)[1]}"):
            problems.append(Problem(f"clauses[{c.id}].text", "does not start with the clause's numeral"))
    # Every measure's names and aliases together: an alias may name one measure only.
    alias_owner: dict[str, str] = {}
    for m in data.measures:
        problems += _measure_reference_problems(data, m, alias_owner)
    clause_ids = {c.id for c in data.clauses}
    for t in data.targets:
        if t.clause not in clause_ids:
            problems.append(Problem(f"targets[{t.id}].clause", f"unknown clause {t.clause!r}"))
    return problems


def _duplicate_id_problems(data: PolicyData) -> list[Problem]:
    problems: list[Problem] = []
    for kind, ids in [
        ("clauses", [c.id for c in data.clauses]),
        ("measures", [m.id for m in data.measures]),
        ("targets", [t.id for t in data.targets]),
        ("units", [u.id for u in data.units]),
        ("districts", [d.id for d in data.districts]),
    ]:
        duplicates = {i for i in ids if ids.count(i) > 1}
        if duplicates:
            problems.append(Problem(kind, f"duplicate ids {sorted(duplicates)}"))
    return problems


def _measure_reference_problems(data: PolicyData, m: Measure, alias_owner: dict[str, str]) -> list[Problem]:
    """The clause, topic, applicant types and districts `m` names; its aliases are recorded in `alias_owner`."""
    problems: list[Problem] = []
    base = f"measures[{m.id}]"
    clause = next((c for c in data.clauses if c.id == m.clause), None)
    if clause is None:
        problems.append(Problem(f"{base}.clause", f"unknown clause {m.clause!r}"))
    elif strip_space(m.quote) not in strip_space(clause.text):
        problems.append(Problem(f"{base}.quote", f"not in the text of clause {m.clause}"))
    if m.topic not in {t.id for t in data.topics}:
        problems.append(Problem(f"{base}.topic", f"unknown topic {m.topic!r}"))
    applicant_ids = {a.id for a in data.applicant_types}
    for who in [*m.beneficiaries, *(t for maybe in m.maybe_for for t in maybe.applicant_types)]:
        if who not in applicant_ids:
            problems.append(Problem(f"{base}.beneficiaries", f"unknown applicant type {who!r}"))
    district_ids = {d.id for d in data.districts}
    for exception in m.cost_shares.exceptions if m.cost_shares else []:
        if exception.district not in district_ids:
            problems.append(Problem(f"{base}.cost_shares", f"unknown district {exception.district!r}"))
    for alias in [m.name, *m.aliases]:
        owner = alias_owner.setdefault(alias, m.id)
        if owner != m.id:
            problems.append(Problem(f"{base}.aliases", f"{alias!r} is already an alias of {owner}"))
    return problems
