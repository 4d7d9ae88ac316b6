"""Replies planned from a frame where no single measure's card answers: the document as a subject, arithmetic
on the document's figures with every input shown, what the document leaves undecided, what it does not cover.
Every figure is the KB's (or arithmetic on it); the words are in templates/frames.yml."""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal

from policy_answers.frames import numeral
from policy_answers.proofread import Finding
from policy_answers.render import HANDOFF_BUTTON, Reply, card, document, open_line
from policy_answers.templates import fill, lines, say, templates, words
from policy_kb.figures import format_yuan
from policy_kb.passages import Passage
from policy_kb.query import KnowledgeBase
from policy_kb.schema import AmountKind, Clause, Measure, Target, TargetKind

_MONEY = (AmountKind.fixed, AmountKind.max, AmountKind.min)
_PART_NUMERALS = ("一", "二", "三")


def _cite(kb: KnowledgeBase, clauses: list[str] | None = None) -> str:
    return kb.citation(*(clauses or []))


def _date(kb: KnowledgeBase) -> str:
    day = kb.document.issue_date
    return f"{day.year}年{day.month}月{day.day}日"


def _parts(kb: KnowledgeBase) -> list[tuple[str, str, list[str]]]:
    """(numeral, part title, clause titles) in the document's order."""
    parts: dict[str, tuple[str, list[str]]] = {}
    for clause in kb.data.clauses:
        parts.setdefault(clause.part, (clause.part_title, []))[1].append(clause.title)
    return [(numeral, title, titles) for numeral, (title, titles) in parts.items()]


def money_measures(kb: KnowledgeBase) -> list[Measure]:
    return [m for m in kb.measures if m.amount.kind in _MONEY and m.amount.value_yuan]


def _money_items(kb: KnowledgeBase) -> list[str]:
    return [
        say("frames", "arithmetic", "input", name=m.name, amount=kb.amount_text(m), clause=m.clause)
        for m in money_measures(kb)
    ]


def clause_money(kb: KnowledgeBase, clause_id: str) -> Reply:
    """'第二部分第三条 奖励标准': each sum the clause states, one line each (the county's 500万元 and the
    township's 100万元 are one sentence apart in the text)."""
    clause = kb.clause(clause_id)
    items = [
        say("frames", "arithmetic", "input", name=m.name, amount=kb.amount_text(m), clause=m.clause)
        for m in money_measures(kb)
        if m.clause == clause_id
    ]
    head = say("frames", "clause_money", clause=clause.id, title=clause.title)
    return Reply("\n".join([head, *items, _cite(kb, [clause_id])]))


# A department named in many clauses: the first few, and how many more.
UNIT_ROLE_LINES = 5


def unit_role(kb: KnowledgeBase, unit: str, clause_ids: list[str]) -> Reply:
    """'统计局在这条里是啥角色': each clause that names the department, with the document's own words on who
    leads and who is responsible there."""
    shown = clause_ids[:UNIT_ROLE_LINES]
    items = [
        say("frames", "unit_role", "item", clause=c.id, title=c.title, units=c.units_quote)
        for c in (kb.clause(i) for i in shown)
    ]
    more = len(clause_ids) - len(shown)
    tail = [say("frames", "unit_role", "many", more=more, unit=unit)] if more else []
    head = say("frames", "unit_role", "head", unit=unit)
    return Reply("\n".join([head, *items, *tail, _cite(kb, shown)]))


def _main_lead_unit(kb: KnowledgeBase) -> str:
    counts = Counter(u for c in kb.data.clauses for u in c.lead_units)
    return kb.unit(counts.most_common(1)[0][0]).name if counts else ""


def document_answer(kb: KnowledgeBase, aspect: str, part: str | None = None) -> Reply:
    """'这个文件有几条', '还管用吗', '讲讲这个文件', '哪些措施有钱': the document's own facts; an aspect
    not told apart gets them all (number, issuer, date, basis, addressees, cited documents)."""
    if aspect not in _DOCUMENT_PARTS:
        return document(kb)
    doc = kb.document
    parts = [p for p in _parts(kb) if part is None or p[0] == part]
    refs = "、".join(f"《{r.title}》（{r.number}）" for r in doc.refers_to)
    fields = {
        "title": doc.title,
        "number": doc.number,
        "issuer": doc.issuer,
        "date": _date(kb),
        "publication": doc.publication,
        "addressees": doc.addressees,
        "copied_to": doc.copied_to,
        "purpose": doc.purpose + "。" if doc.purpose else "",
        "period": doc.period.quote.removeprefix("到"),
        "end_year": doc.period.end_year,
        "unit": _main_lead_unit(kb),
        "refs": refs,
        "implements_title": doc.implements.title,
        "implements_number": doc.implements.number,
        "parts": "；".join(
            say("frames", "document", "part", numeral=n, title=t, count=numeral(len(ts)), titles="、".join(ts))
            for n, t, ts in parts
        ),
        "parts_short": "、".join(
            say("frames", "document", "part_short", numeral=n, title=t, count=numeral(len(ts))) for n, t, ts in parts
        ),
        "money": "；".join(f"{m.name}{kb.amount_text(m)}（{m.clause}）" for m in money_measures(kb)),
        "items": "\n".join(_money_items(kb)),
        "intro": "" if part else say("frames", "document", "intro", count=numeral(len(parts))),
    }
    clauses = [m.clause for m in money_measures(kb)] if aspect in ("figures", "summary") else None
    body = _document_lines(aspect, fields)
    return Reply("\n".join([*body, _cite(kb, clauses)]))


_DOCUMENT_PARTS = ("structure", "summary", "validity", "figures", "issuer", "date", "basis", "cited")


def _document_lines(aspect: str, fields: dict[str, object]) -> list[str]:
    part = aspect
    return [line for line in (fill(t, fields) for t in templates("frames")["document"][part]) if line]


# --- arithmetic ------------------------------------------------------------------------------------


def add(kb: KnowledgeBase, measures: list[Measure], counts: dict[str, int] | None = None) -> Reply | None:
    """'县奖励和乡镇奖励加一块多少' (and '一个县和两个镇'): the sum of the document's figures, each input with
    its clause; None when a measure has no figure to add."""
    counts = counts or {}
    if any(m.amount.kind not in _MONEY or not m.amount.value_yuan for m in measures):
        return None
    total = sum((m.amount.value_yuan or 0) * counts.get(m.id, 1) for m in measures)
    terms = " + ".join(
        (f"{counts[m.id]} × " if counts.get(m.id, 1) > 1 else "") + format_yuan(m.amount.value_yuan or 0)
        for m in measures
    )
    inputs = [
        say("frames", "arithmetic", "input", name=m.name, amount=kb.amount_text(m), clause=m.clause) for m in measures
    ]
    kinds = {m.amount.kind for m in measures}
    if {AmountKind.min, AmountKind.max} <= kinds:  # a ceiling and a floor do not add up to anything
        head = say("frames", "arithmetic", "add_mixed")
        return Reply("\n".join([head, *inputs, _cite(kb, [m.clause for m in measures])]), custom=card(kb, measures[0]))
    key = "add_floor" if AmountKind.min in kinds else "add"
    note = "；".join(sorted({kb.amount_text(m) for m in measures if m.amount.kind is AmountKind.min}))
    head = say("frames", "arithmetic", key, terms=terms, total=format_yuan(total), note=note)
    if AmountKind.max in kinds:
        head = head.replace(words("sums", "total"), words("sums", "total_ceiling"), 1)
    return Reply("\n".join([head, *inputs, _cite(kb, [m.clause for m in measures])]), custom=card(kb, measures[0]))


def multiply(
    kb: KnowledgeBase, measure: Measure, count: int, level: str | None = None, district: str | None = None
) -> Reply | None:
    """'两名特派员至少一共多少': a per-head or per-place figure times the user's count; with a level named
    ('两家企业都拿到最高额，区级一共要拿出多少'), that level's share of each, times the count."""
    amount = measure.amount
    if amount.kind not in _MONEY or not amount.value_yuan:
        return None
    if level and measure.cost_shares:
        share = next((sh for sh in kb.cost_split(measure.id, district, None).shares if sh.level == level), None)
        if share is None or not share.percent:
            return None  # a level that shares nothing there (荣成市's 市级): the split itself says so
        if share.yuan is not None:
            head = say(
                "frames",
                "arithmetic",
                "multiply_share",
                count=count,
                per=amount.per or "",
                amount=kb.amount_text(measure),
                level=share.level_name,
                percent=share.percent,
                share=format_yuan(share.yuan),
                total=format_yuan(share.yuan * count),
            )
            return Reply("\n".join([head, _cite(kb, [measure.clause])]), custom=card(kb, measure))
    total = format_yuan(amount.value_yuan * count)
    key = "multiply_floor" if amount.kind is AmountKind.min else "multiply"
    head = say(
        "frames",
        "arithmetic",
        key,
        count=count,
        per=amount.per or "",
        amount=format_yuan(amount.value_yuan),
        total=total,
        quote=amount.quote.replace(" ", ""),
    )
    if amount.kind is AmountKind.max:
        head = head.replace(words("sums", "count"), words("sums", "count_ceiling"), 1)
    item = say(
        "frames", "arithmetic", "input", name=measure.name, amount=kb.amount_text(measure), clause=measure.clause
    )
    return Reply("\n".join([head, item, _cite(kb, [measure.clause])]), custom=card(kb, measure))


def where_quoted(kb: KnowledgeBase, words: str, places: list[tuple[Clause, str]], units: bool) -> Reply:
    """'“一事一议”出现在哪几条': each clause that says the words, with the sentence that says them; with
    `units` (who leads was asked too, or there is one place), the clause's own line of who leads."""
    body = [say("frames", "where_quoted", "head", words=words, count=numeral(len(places)))]
    for clause, sentence in places:
        body.append(say("frames", "where_quoted", "place", clause=clause.id, title=clause.title, sentence=sentence))
        if units and clause.units_quote:
            body.append(f"{clause.units_quote}。")  # the document's words: who leads and who is responsible
    return Reply("\n".join([*body, _cite(kb, [c.id for c, _ in places])]))


def multiply_own(
    kb: KnowledgeBase, measure: Measure, count: int, yuan: int, level: str, district: str | None
) -> Reply | None:
    """'4家企业各拿到400万元，市级合计出多少': that level's share of each sum, times the count."""
    if not measure.cost_shares:
        return None
    split = kb.cost_split(measure.id, district, yuan)
    share = next((sh for sh in split.shares if sh.level == level), None)
    if share is None or share.yuan is None or not share.percent:
        return None
    head = say(
        "frames",
        "arithmetic",
        "multiply_own",
        count=count,
        amount=format_yuan(yuan),
        level=share.level_name,
        percent=share.percent,
        share=format_yuan(share.yuan),
        total=format_yuan(share.yuan * count),
    )
    return Reply("\n".join([head, _cite(kb, [measure.clause])]), custom=card(kb, measure))


def multiply_target(kb: KnowledgeBase, target: Target, count: int) -> Reply | None:
    """'年均增长1.5个百分点，三年一共多少': an annual target times the user's years."""
    if target.value is None or target.kind is not TargetKind.annual_increase_points:
        return None
    total = (Decimal(str(target.value)) * count).normalize()
    head = say(
        "frames",
        "arithmetic",
        "multiply_target",
        target=target.indicator,
        quote=target.quote.replace(" ", ""),
        count=count,
        value=f"{Decimal(str(target.value)).normalize():f}",
        unit=target.unit,
        total=f"{total:f}",
    )
    return Reply("\n".join([head, _cite(kb, [target.clause])]))


def between_targets(kb: KnowledgeBase, first: Target, second: Target, operation: str) -> Reply | None:
    """Two level targets, the second taken from the first (330 − 30 个) or the first shared over the second
    (1000 名 ÷ 100 家); each input quoted with its clause."""
    if first.value is None or second.value is None or second.value == 0:
        return None
    values = Decimal(str(first.value)), Decimal(str(second.value))
    fields = {
        "year": first.year,
        "first": first.indicator,
        "second": second.indicator,
        "first_value": f"{values[0].normalize():f}",
        "second_value": f"{values[1].normalize():f}",
        "first_unit": first.unit,
        "second_unit": second.unit,
    }
    if operation == "subtract":
        if first.unit != second.unit:
            cited = _cite(kb, list(dict.fromkeys([first.clause, second.clause])))
            return Reply("\n".join([say("frames", "arithmetic", "targets_differ", **fields), cited]))
        result = (values[0] - values[1]).normalize()
    else:
        result = (values[0] / values[1]).quantize(Decimal("0.01")).normalize()
    head = say("frames", "arithmetic", operation, result=f"{result:f}", **fields)
    quotes = [f"{t.indicator}：“{t.quote.replace(' ', '')}”（{t.clause}）" for t in (first, second)]
    return Reply("\n".join([head, *quotes, _cite(kb, list(dict.fromkeys([first.clause, second.clause])))]))


def compare(kb: KnowledgeBase, first: Measure, second: Measure) -> Reply | None:
    values = [m.amount.value_yuan for m in (first, second)]
    if any(m.amount.kind not in _MONEY or not m.amount.value_yuan for m in (first, second)):
        return None
    high, low = (first, second) if (values[0] or 0) >= (values[1] or 0) else (second, first)
    difference = (high.amount.value_yuan or 0) - (low.amount.value_yuan or 0)
    head = say(
        "frames",
        "arithmetic",
        "compare",
        first=high.name,
        second=low.name,
        difference=format_yuan(difference),
        first_amount=format_yuan(high.amount.value_yuan or 0),
        second_amount=format_yuan(low.amount.value_yuan or 0),
    )
    inputs = [
        say("frames", "arithmetic", "input", name=m.name, amount=kb.amount_text(m), clause=m.clause)
        for m in (first, second)
    ]
    return Reply("\n".join([head, *inputs, _cite(kb, [first.clause, second.clause])]), custom=card(kb, first))


# --- what the document does not decide or cover ----------------------------------------------------


def _amount_brief(kb: KnowledgeBase, measure: Measure) -> str:
    if measure.amount.kind in _MONEY:
        return kb.amount_text(measure) + "。"
    return measure.support + "。"


def undecided(kb: KnowledgeBase, measure: Measure, what: str, year: int | None = None) -> Reply:
    """A yes/no question the document does not answer: no 是/不是, the measure's facts and its lead unit."""
    units = "、".join(u.name for u in kb.lead_units(measure.id))
    doc = kb.document
    if year is not None:
        body = lines(
            "frames",
            "undecided_year",
            year=year,
            issue_year=doc.issue_date.year,
            end_year=doc.period.end_year,
            name=measure.name,
            amount=_amount_brief(kb, measure),
            units=units,
        )
    else:
        body = lines(
            "frames", "undecided", what=what, name=measure.name, amount=_amount_brief(kb, measure), units=units
        )
    return Reply("\n".join([*body, _cite(kb, [measure.clause])]), custom=card(kb, measure))


def not_covered(kb: KnowledgeBase, word: str, nearby: Measure | None, hotline: str) -> Reply:
    """'高新技术企业认定需要什么条件': the document does not cover it; what it says nearby, where to ask."""
    near = say("frames", "nearby", name=nearby.name, clause=nearby.clause, support=nearby.support) if nearby else ""
    where = "、".join(u.name for u in kb.lead_units(nearby.id)) if nearby else say("frames", "where_default")
    body = lines("frames", "not_covered", word=word, nearby=near, where=where, hotline=hotline)
    return Reply(
        "\n".join([*body, _cite(kb, [nearby.clause])]) if nearby else "\n".join(body), buttons=[HANDOFF_BUTTON]
    )


def technique(kb: KnowledgeBase, product: str, nearby: Measure, hotline: str) -> Reply:
    """'海参冬天池子里怎么养才不死': no technique in the document; what it says about the product."""
    near = say("frames", "nearby", name=nearby.name, clause=nearby.clause, support=nearby.support)
    body = lines("frames", "technique", product=product, nearby=near, hotline=hotline)
    return Reply("\n".join([*body, _cite(kb, [nearby.clause])]), buttons=[HANDOFF_BUTTON])


def draft_checked(kb: KnowledgeBase, found: list[Finding]) -> Reply:
    """'请帮我核对这段草稿': what differs from the document first, with the document's words, then what agrees."""
    ordered = sorted(found, key=lambda f: f.right)
    body = [say("frames", "draft_checked", "head", number=kb.document.number)]
    for f in ordered:
        kind = "right" if f.right else "wrong"
        body.append(say("frames", "draft_checked", kind, said=f.said, stated=f.stated, clause=f.clause))
    body.append(say("frames", "draft_checked", "tail"))
    return Reply("\n".join([*body, _cite(kb, list(dict.fromkeys(f.clause for f in ordered)))]))


_CITED = re.compile(r"《[^》]+》（[^）]*号\s*）")


def basis(kb: KnowledgeBase, measure: Measure) -> Reply:
    """The documents a measure's clause says it follows ('全面落实《…》（威政发〔2017〕20 号）'), or that it
    names none beyond this document."""
    cited = list(dict.fromkeys(m.group(0).replace(" ", "") for m in _CITED.finditer(kb.clause(measure.clause).text)))
    part = "basis_cited" if cited else "basis_none"
    body = lines("frames", part, name=measure.name, documents="、".join(cited), number=kb.document.number)
    return Reply("\n".join([*body, _cite(kb, [measure.clause])]), custom=card(kb, measure))


def passage(kb: KnowledgeBase, found: list[Passage], aspect: str) -> Reply:
    """'农技协在文件里干啥': each place the document says the user's words, verbatim, with who leads there;
    what the sentence leaves open is said as open, not guessed."""
    body: list[str] = []
    for place in found:
        clause = kb.clause(place.clause)
        units = "、".join(u.name for u in kb.lead_units(clause.id))
        body += [
            say("frames", "passage", "head", clause=clause.id, title=clause.title, phrase=place.phrase),
            say("frames", "passage", "quote", sentence=place.sentence),
        ]
        left_open = open_line(kb, clause.id, aspect, place.sentence)
        body += [left_open] if left_open else []
        if clause.units_quote:
            body.append(f"{clause.units_quote}。")  # the document's words: who leads and who is responsible
        elif units:
            body.append(say("frames", "passage", "units", units=units))
    return Reply("\n".join([*body, _cite(kb, [p.clause for p in found])]))


def detail(kb: KnowledgeBase, clause: Clause, sentence: str, units: bool, silent_on: str = "info") -> Reply:
    """'会上干什么': the sentence of a clause that answers it, verbatim; who leads and who is responsible
    there when a department is asked about; what it leaves open when a figure is asked and it has none."""
    body = [say("frames", "detail", clause=clause.id, title=clause.title, sentence="".join(sentence.split()))]
    left_open = open_line(kb, clause.id, silent_on, sentence)
    if left_open:
        body.append(left_open)
    elif units and clause.units_quote and sentence != clause.units_quote:
        body.append(f"{clause.units_quote}。")
    return Reply("\n".join([*body, kb.citation(clause.id)]))
