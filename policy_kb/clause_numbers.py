"""Clause numbers as people type them: the document numbers its clauses 二（八） (part, then the item in
full-width parentheses); users write 二(8), 第二部分第八条, 重点任务第八条, （八）. One place for the forms:
the answer engine's frame reader and the staff console's search both read them here."""

from __future__ import annotations

import re
from collections.abc import Iterable

from policy_kb.figures import chinese_to_int
from policy_kb.schema import Clause

_NUM = r"[一二三四五六七八九十]{1,3}|\d{1,2}"
_PART_NUM = {"一": 1, "二": 2, "三": 3}
CLAUSE_FORMS = [
    # 二（八）, 二(8), 2（8）
    re.compile(rf"(?<![\d.])(?P<part>[一二三]|[123])\s*[、.]?\s*[（(]\s*(?P<item>{_NUM})\s*[)）]"),
    # 第二部分第八条, 第2部分（8）, 第二部分第(八)项
    re.compile(
        rf"第\s*(?P<part>[一二三]|[123])\s*(?:部分|大部分|大项|章)\s*(?:的|中|里)?\s*第?\s*[（(]?\s*(?P<item>{_NUM})"
        r"\s*[)）]?\s*[条项款点]?"
    ),
    # 重点任务第八条, 保障措施（二）, 总体要求第三项 (a part's title: checked against the KB's)
    re.compile(
        rf"(?P<title>[\u4e00-\u9fff]{{4}})\s*(?:的|中|里)?\s*(?:第\s*(?P<item>{_NUM})\s*[条项款点]?"
        rf"|[（(]\s*(?P<item2>{_NUM})\s*[)）]|(?P<item3>{_NUM})\s*[条项款点])"
    ),
    # 第八条, 第十二项: the numbered items of the document are the fourteen tasks (二)
    re.compile(rf"(?<![部分])第\s*(?P<item>{_NUM})\s*[条项](?!件)"),
    # 二6, 二-6, 二.6, 2-6 (hotline shorthand): a part's numeral right before an item's digits, not a figure
    re.compile(
        r"(?<![\u4e00-\u9fff\d.])(?P<part>[一二三])\s*[-—.、]?\s*(?P<item>\d{1,2})(?![\d.%万元亿个名家人年])"
        r"|(?<![\d.])(?P<part2>[123])\s*[-—]\s*(?P<item4>\d{1,2})(?![\d.%万元亿个名家人年])"
    ),
    # 2.2条, 2.12项: digits with a dot are a clause only with the word for one after them (0.1个百分点 is not)
    re.compile(r"(?<![\d.])(?P<part3>[123])\s*\.\s*(?P<item5>\d{1,2})\s*[条项款](?!件)"),
    # （十二） alone
    re.compile(r"(?<![一二三四五六七八九十\d])[（(]\s*(?P<item>[一二三四五六七八九十]{1,3})\s*[)）]"),
]
_CN_PARTS = {1: "一", 2: "二", 3: "三"}


def numeral_value(value: str) -> int | None:
    """'八' → 8, '12' → 12."""
    return int(value) if value.isdigit() else chinese_to_int(value)


def numeral(number: int) -> str:
    """14 → 十四: counts of the document's own parts are written the way the document numbers them."""
    return _cn(number)


def _cn(number: int) -> str:
    digits = "一二三四五六七八九"
    if number < 10:
        return digits[number - 1]
    tens, ones = divmod(number, 10)
    return ("" if tens == 1 else digits[tens - 1]) + "十" + (digits[ones - 1] if ones else "")


def part_titles(clauses: Iterable[Clause]) -> dict[str, str]:
    """The document's parts by title: 重点任务 → 二."""
    return {c.part_title: c.part for c in clauses}


def clause_refs(text: str, clauses: Iterable[Clause], default_part: str = "二") -> list[str]:
    """The clauses a message names by number, in every form people type them ('二（八）', '二(8)',
    '第二部分第八条', '重点任务第八条', '32号文 二（十二）', '（十二）'), checked against the KB's clauses."""
    clauses = list(clauses)
    known = {c.id for c in clauses}
    titles = part_titles(clauses)
    found: list[str] = []
    taken: list[tuple[int, int]] = []
    for form in CLAUSE_FORMS:
        for match in form.finditer(text):
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            groups = match.groupdict()
            item = numeral_value(next(groups[g] for g in ("item", "item2", "item3", "item4", "item5") if groups.get(g)))
            if groups.get("title"):
                if groups["title"] not in titles:
                    continue
                part = titles[groups["title"]]
            elif groups.get("part") or groups.get("part2") or groups.get("part3"):
                said = groups.get("part") or groups.get("part2") or groups["part3"]
                number = numeral_value(said) if said.isdigit() else _PART_NUM[said]
                part = _CN_PARTS.get(number or 0, "")
            else:
                part = default_part  # '第八条': the fourteen tasks, unless the conversation is about another part
            clause = f"{part}（{_cn(item)}）" if item else ""
            if clause in known:
                found.append(clause)
                taken.append((match.start(), match.end()))
    return list(dict.fromkeys(found))
