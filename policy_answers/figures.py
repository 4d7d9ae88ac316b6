"""The user's figures and the role each plays in the question.

A subsidy received or approved ('批了200万') is split between the levels; the user's own spending,
revenue or investment ('研发投入了800万') is never split or multiplied, since the document sets no rate
on it; a county's own science funds go through the allocation rule; a figure put forward to be checked
('是不是奖50万？') is compared with the document's figure, never split.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from policy_answers.language import Language
from policy_kb.figures import chinese_to_int, money_spans, parse_percent

_WINDOW = 10  # characters before a figure that say what it is ('去年研发投入了' 800万)


class Role(str, Enum):
    subsidy = "subsidy"
    spending = "spending"
    county_fund = "county_fund"
    claim = "claim"


@dataclass(frozen=True)
class Figure:
    yuan: int
    role: Role
    text: str


@dataclass(frozen=True)
class ShareClaim:
    """'县里出一半吧': a level and the percent the user believes it pays."""

    level: str
    percent: int


def read_figures(text: str, lang: Language) -> list[Figure]:
    figures = []
    for start, end, surface, yuan in money_spans(text):
        figures.append(Figure(int(yuan), _role(text, start, end, lang), surface))
    return figures


def _role(text: str, start: int, end: int, lang: Language) -> Role:
    before = text[max(0, start - _WINDOW) : start]
    # the nearest cue before the figure decides ('拿到补助后又投入了500万' is spending)
    nearest: tuple[int, Role] | None = None
    for name in ("county_fund", "spending", "subsidy"):
        for match in lang.figure_roles[name].finditer(before):
            if nearest is None or match.end() > nearest[0] or (match.end() == nearest[0] and name == "county_fund"):
                nearest = (match.end(), Role(name))
    if nearest is not None and nearest[1] is not Role.subsidy:
        return nearest[1]
    after = text[end:]
    asked_before = re.search(r"是不是|是否", text[max(0, start - 6) : start])  # '最高是不是500万'
    if nearest is None and (lang.is_yes_no(after) or asked_before) and _claims(text[:start], lang):
        return Role.claim  # '创新型乡镇是不是奖50万？'
    return nearest[1] if nearest else Role.subsidy


def _claims(before: str, lang: Language) -> bool:
    tail = before[-6:]
    return bool(lang.claim_verbs.search(tail) or re.search(r"是不是|是否|不是", tail))


# A count the user states: '3个区市', '两次', '一千人', '50亿', '30%'
_COUNT = re.compile(r"(\d+(?:\.\d+)?|[零一二两三四五六七八九十百千万]+)\s*(?=个百分点|个|家|名|人|次|亿|万|倍|%|％)")


def counts(text: str) -> list[Decimal]:
    """Every stated count in `text`, as numbers ('千人规模' is 1000, '1—2 个' is 1 and 2)."""
    found = []
    for match in _COUNT.finditer(text):
        raw = match.group(1)
        value = Decimal(raw) if raw[0].isdigit() else chinese_to_int(raw)
        if value is not None:
            found.append(Decimal(value))
    for number in re.findall(r"\d+(?:\.\d+)?", text):
        found.append(Decimal(number))
    return list(dict.fromkeys(found))


def count_claim(text: str, lang: Language, years: frozenset[int] = frozenset()) -> list[Decimal]:
    """The counts a yes/no question puts forward to be checked ('目标是50亿吗' → [50]); `years` (the
    document's target year) are when, not how much."""
    if not lang.is_yes_no(text):
        return []
    return [c for c in counts(text) if c not in years]


def read_share_claim(text: str, lang: Language) -> ShareClaim | None:
    """A level and a share the user puts forward in a yes/no question."""
    if not lang.is_yes_no(text):
        return None
    for level, cue in lang.levels.items():
        for match in cue.finditer(text):
            rest = text[match.end() : match.end() + 12]
            percent = _share_percent(rest, lang)
            if percent is not None:
                return ShareClaim(level, percent)
    return None


def _share_percent(text: str, lang: Language) -> int | None:
    for word, percent in lang.share_words.items():
        if word in text and percent is not None:
            return percent
    spoken = re.search(r"百分之([零一二三四五六七八九十百]+)", text)
    if spoken:
        return chinese_to_int(spoken.group(1))
    value = parse_percent(text)
    return int(value) if value is not None else None
