"""Turn knowledge-base answers into what the user reads.

Every policy reply has the same shape: the short answer first, then the details that matter (who,
how much, shares, conditions as stated, lead unit), then the citation as its last line
(依据：威政办发〔2018〕32号 二（六）). Every figure comes from policy_kb, or is arithmetic on the
user's own figure; where the document is silent the reply says so and names the lead units.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from policy_answers.language import language
from policy_answers.templates import lines, say, templates, words
from policy_kb.figures import format_yuan, money_spans
from policy_kb.query import CostSplit, KnowledgeBase, LimitResult, Status, Verdict
from policy_kb.schema import LEVEL_NAMES, AmountKind, Clause, Measure, Target
from policy_kb.search import sentences

HANDOFF_BUTTON = {"title": words("handoff_button"), "payload": "/handoff"}  # the one button with no entity
BRIEF_UNITS = 3  # lead units named in a reply about something else than who leads
CALCULATOR_LINES = 6  # measures listed in the text; the buttons and "还有N项" lead to the rest
NEW_TEXT = 0.3  # a quoted sentence is shown when at least 30% of it is not in the reply already


@dataclass
class Reply:
    """What the user reads: policy text built here, or a fixed reply of the domain (`response`, with
    `variables` to fill in), plus buttons and the answer card."""

    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)
    custom: dict[str, Any] | None = None
    response: str | None = None
    variables: dict[str, str] = field(default_factory=dict)


def fixed(response: str, buttons: list[dict[str, str]] | None = None, **variables: str) -> Reply:
    return Reply("", buttons=buttons or [], response=response, variables=variables)


def cannot_help(
    kb: KnowledgeBase, response: str, hotline: str, buttons: list[dict[str, str]] | None = None, **variables: str
) -> Reply:
    """Every "I can't answer that" says what the bot covers and offers a person (DESIGN.md)."""
    return fixed(
        response,
        [*(buttons or []), HANDOFF_BUTTON],
        document_number=kb.document.number,
        document_title=kb.document.title,
        hotline=hotline,
        **variables,
    )


# How the document's lead-unit note introduces the responsible units ('（牵头单位：…；责任单位：…）').
RESPONSIBLE_MARK = "责任单位："


def _units(kb: KnowledgeBase, measure: Measure) -> str:
    return "、".join(u.name for u in kb.lead_units(measure.id))


def _responsible(kb: KnowledgeBase, measure: Measure) -> str:
    """The responsible units in the document's own words: its note for 二（十一） says 各区政府〔管委〕 where
    others say 各区市政府〔管委〕, and the KB keeps one unit for both."""
    note = kb.clause(measure.clause).units_quote or ""
    said = note.partition(RESPONSIBLE_MARK)[2].strip("；;。 ")
    return said or "、".join(u.name for u in kb.responsible_units(measure.id))


def _units_in_brief(kb: KnowledgeBase, measure: Measure) -> str:
    """The lead units where they are not what was asked: the first few and how many (the card lists all)."""
    units = kb.lead_units(measure.id)
    if len(units) <= BRIEF_UNITS:
        return _units(kb, measure)
    return say("measure", "pieces", "units_brief", first="、".join(u.name for u in units[:BRIEF_UNITS]))


def _who(kb: KnowledgeBase, measure: Measure) -> str:
    names = "、".join(kb.applicant_name(b) for b in measure.beneficiaries)
    if not measure.beneficiaries_stated:
        return words("who_unstated", names=names)
    return names or words("who_none")


def card(kb: KnowledgeBase, measure: Measure, split: CostSplit | None = None) -> dict[str, Any]:
    """The structured answer card the widget and the staff console draw."""
    clause = kb.clause(measure.clause)
    shares = split.shares if split else (kb.cost_split(measure.id).shares if measure.cost_shares else [])
    return {
        "type": "policy_card",
        "measure": measure.id,
        "title": measure.name,
        "support": measure.support,
        "who": _who(kb, measure),
        "amount": kb.amount_text(measure),
        "shares": [
            {
                "level": s.level_name,
                "percent": s.percent,
                "yuan": s.yuan,
                "amount": format_yuan(s.yuan) if s.yuan is not None else None,
            }
            for s in shares
        ],
        "lead_units": [u.name for u in kb.lead_units(measure.id)],
        "citation": kb.citation(measure.clause),
        "clause": measure.clause,
        "clause_title": clause.title,
        "clause_text": clause.text,
        "quote": measure.quote,
    }


# Amount kinds whose sentence already says the document sets no figure ('未规定具体金额或比例').
_NO_FIGURE = (AmountKind.none, AmountKind.unspecified, AmountKind.proportion, AmountKind.case_by_case)
_FIGURE_WORDS = ("金额", "比例")


def _units_line(measure: Measure, units: str, all_units: str) -> str:
    """Who leads, named once, with what the document leaves open. Where the amount sentence already
    says there is no figure, the open points about sums are not said a second time. Where the document
    is silent on something, every lead unit is named: the user has to ask one of them, and the one that
    answers ('标准' → 市质监局) may be the last of seven."""
    open_points = [
        point
        for point in measure.silent_on
        if not (measure.amount.kind in _NO_FIGURE and any(w in point for w in _FIGURE_WORDS))
    ]
    if not open_points:
        silent = measure.amount.kind in _NO_FIGURE
        return say("measure", "pieces", "units_only", units=all_units if silent else units)
    return say("measure", "pieces", "silence", silent_on="、".join(open_points), units=all_units)


def _adds_to(sentence: str, body: str) -> bool:
    """Whether the document's sentence tells the reader more than the reply's lines: the share of its
    character pairs the lines do not contain (a summary of the same sentence adds nothing)."""
    plain, said = _plain(sentence), _plain(body)
    pairs = {plain[i : i + 2] for i in range(len(plain) - 1)}
    return bool(pairs) and sum(p not in said for p in pairs) / len(pairs) >= NEW_TEXT


def _amount_sentence(kb: KnowledgeBase, measure: Measure) -> str:
    """How much, as a sentence: '单个企业最高1000万元。', '文件未规定固定金额，按“一事一议”方式给予奖补。'"""
    amount = measure.amount
    if amount.kind in (AmountKind.fixed, AmountKind.max, AmountKind.min):
        return say("measure", "pieces", "amount_fixed", amount=kb.amount_text(measure))
    return say(
        "measure", "pieces", f"amount_{amount.kind.value}", quote=amount.quote, documents="、".join(amount.documents)
    )


def _amount_line(kb: KnowledgeBase, measure: Measure) -> str:
    return words("amount_line", sentence=_amount_sentence(kb, measure))


def split_line(split: CostSplit) -> str:
    """'200万元按荣成市的比例分担：省级50% 100万元，市级不分担，县级50% 100万元。'"""
    where = split.district.name if split.district else None
    basis = format_yuan(split.basis_yuan) if split.basis_yuan is not None else ""
    head = words(
        "split", ("asked" if split.requested_yuan else "ceiling") + ("_in" if where else ""), basis=basis, where=where
    )
    parts = []
    for share in split.shares:
        if share.derived and share.percent == 0:
            parts.append(words("split", "level_none", level=share.level_name))
        else:
            amount = f" {format_yuan(share.yuan)}" if share.yuan is not None else ""
            parts.append(words("split", "level", level=share.level_name, percent=share.percent, amount=amount))
    return head + "，".join(parts) + "。"


def over_cap_line(kb: KnowledgeBase, split: CostSplit) -> str | None:
    if not (split.over_cap and split.requested_yuan is not None):
        return None
    return say(
        "measure",
        "pieces",
        "over_cap",
        requested=format_yuan(split.requested_yuan),
        amount=kb.amount_text(split.measure),
        basis=format_yuan(split.basis_yuan or 0),
    )


def _cited(kb: KnowledgeBase, measure: Measure, body: list[str], custom: dict[str, Any]) -> Reply:
    return Reply("\n".join([*body, kb.citation(measure.clause)]), custom=custom)


def cost_share(kb: KnowledgeBase, measure: Measure, district: str | None, amount_yuan: int | None) -> Reply:
    units = _units_in_brief(kb, measure)
    if measure.cost_shares is None:
        body = lines("measure", "no_cost_share", name=measure.name, amount_line=_amount_line(kb, measure), units=units)
        return _cited(kb, measure, body, card(kb, measure))
    split = kb.cost_split(measure.id, district, amount_yuan)
    others: list[str] = []
    if district is None:
        # no district given: show the regional exceptions too, so the answer holds for everyone
        for exception in measure.cost_shares.exceptions:
            other = kb.cost_split(measure.id, exception.district, amount_yuan)
            others += [say("measure", "pieces", "other_split", split=split_line(other)), other.exception_note or ""]
    body = lines(
        "measure",
        "cost_share",
        name=measure.name,
        over_cap=over_cap_line(kb, split),
        split=split_line(split),
        exception_note=split.exception_note,
        other_splits="\n".join(o for o in others if o),
        ask_district=say("measure", "pieces", "ask_district") if district is None else "",
        units=units,
    )
    return _cited(kb, measure, body, card(kb, measure, split))


def _conditions(measure: Measure) -> str:
    return "；".join(f"“{c.quote}”" for c in measure.conditions)


def measure_answer(
    kb: KnowledgeBase,
    measure: Measure,
    aspect: str,
    *,
    district: str | None = None,
    amount_yuan: int | None = None,
    verdict: Verdict | None = None,
    limits: list[LimitResult] | None = None,
    question: str = "",
) -> Reply:
    if aspect == "cost_share":
        return cost_share(kb, measure, district, amount_yuan)
    doc = kb.document
    fields: dict[str, Any] = {
        "name": measure.name,
        "support": measure.support,
        "who": _who(kb, measure),
        "amount_line": _amount_sentence(kb, measure),
        "units": _units(kb, measure) if aspect in ("lead_unit", "how_to_apply") else _units_in_brief(kb, measure),
        "responsible": _responsible(kb, measure),
        "conditions": _conditions(measure),
        "conditions_if_any": _conditions(measure),
        "who_if_no_conditions": "" if measure.conditions else _who(kb, measure),
        "dates": say("measure", "pieces", "dates", issue_year=doc.issue_date.year, end_year=doc.period.end_year),
        "verdict": "\n".join(verdict_lines(verdict)) if verdict is not None else "",
        "limits": "\n".join(_limit_line(kb, measure, limit) for limit in limits or []),
        # '按什么比例算' with no figure of the user's: the rule itself ('不超过县级财政科技专项资金的 20%')
        "limit_rule": ""
        if limits
        else "\n".join(
            say("measure", "pieces", "limit_rule", quote=limit.quote, amount=kb.amount_text(measure))
            for limit in measure.limits
        ),
    }
    fields["units_line"] = _units_line(measure, fields["units"], _units(kb, measure))
    if aspect == "lead_unit" and language().aspects["how_to_apply"].search(question):
        fields["how_if_asked"] = say("measure", "pieces", "how_open")
    if aspect == "amount" and measure.cost_shares:
        split = kb.cost_split(measure.id, district, None)
        fields["shares"] = "\n".join(line for line in (split_line(split), split.exception_note) if line)
        if district is None and measure.cost_shares.exceptions:
            places = "、".join(kb.district(e.district).name for e in measure.cost_shares.exceptions)
            fields["exception_hint"] = say("measure", "pieces", "exception_hint", places=places)
    # the document's own sentence closest to the question, when it answers a detail the lines above
    # leave out ('科技特派员从哪招' → 招募高校院所的科研人员、在校学生…); without one, the quote is in the card
    # the document's phrases for the user's everyday words count too ('研究生' is where it says 在校学生,
    # '海参' where it says 海珍品)
    plain = language().frames.document_words(question)
    product = next((p for p in measure.products if p in question or p in plain), None)  # '俺是种苹果的'
    # the words that name the measure say which measure, the rest which detail ('社会事业…土壤修复'); a
    # question with no other words ('科技特派员从哪招') is matched whole
    asked = product or f"{question} {plain}"
    detail = f"{_without_names(question, measure)} {plain}"  # '种西洋参的企业想做康养旅游': 康养, not 西洋参
    listing = bool(language().frames.list_asked.search(question))  # '那些特色农产品都有哪些'
    sentence = _relevant(kb, measure.clause, detail, asked, listing) if question else None
    said = _alias_sentence(kb, measure, question)
    if said is not None:  # '那个“农业+”具体指的是啥': the sentence that says the word the user quotes
        sentence = said
    body = lines("measure", aspect, **fields)
    if sentence and aspect != "lead_unit" and _adds_to(sentence, "".join(body)):
        body = lines("measure", aspect, **fields, sentence=say("measure", "pieces", "sentence", sentence=sentence))
    return _cited(kb, measure, body, card(kb, measure))


def _relevant(kb: KnowledgeBase, clause: str, detail: str, asked: str, listing: bool) -> str | None:
    """The phrase of the clause the question's detail words point at, when they point at another sentence
    than the whole question does and say something that sentence does not ('社会事业…土壤修复' → 土壤污染防治);
    otherwise the whole question's ('国家创新型乡镇的市级奖励' stays with the 乡镇 sentence)."""
    whole = kb.relevant_sentence(clause, asked)
    part = kb.relevant_sentence(clause, detail)
    if part is not None and part != whole and (whole is None or _says_more(part, whole, detail)):
        return kb.relevant_phrase(clause, detail, listing)
    return kb.relevant_phrase(clause, asked, listing)


def _says_more(part: str, whole: str, words: str) -> bool:
    """Whether `part` holds a pair of the question's characters that `whole` does not."""
    pairs = {words[i : i + 2] for i in range(len(words) - 1)}
    part, whole = "".join(part.split()), "".join(whole.split())
    return any(p in part and p not in whole for p in pairs if all("\u4e00" <= c <= "\u9fff" for c in p))


def _without_names(question: str, measure: Measure) -> str:
    """The question without the words that name the measure ('社会事业'): the rest asks the detail
    ('土壤修复技术…有没有提到')."""
    for name in sorted([measure.name, *measure.aliases], key=len, reverse=True):
        if len(name) >= 2:
            question = question.replace(name, " ")
    return question


def _alias_sentence(kb: KnowledgeBase, measure: Measure, question: str) -> str | None:
    """The clause's sentence holding a word the user named the measure by, when that word is the
    document's own and not the measure's name ('农业+' of 二（七）)."""
    words = [
        a
        for a in measure.aliases
        if len(a) >= 3 and a in question and a not in measure.name and a not in measure.products
    ]
    for word in sorted(words, key=len, reverse=True):
        found = next((s for s in sentences(kb.clause(measure.clause).text) if word in "".join(s.split())), None)
        if found is not None:
            return found
    return None


def _limit_line(kb: KnowledgeBase, measure: Measure, limit: LimitResult) -> str:
    capped = (
        say("measure", "pieces", "limit_capped", amount=kb.amount_text(measure))
        if measure.amount.kind is AmountKind.max
        else ""
    )
    return say(
        "measure",
        "pieces",
        "limit",
        quote=limit.quote,
        capped=capped,
        label=limit.label,
        user=format_yuan(limit.user_yuan),
        limit=format_yuan(limit.limit_yuan),
    )


def _plain(text: str) -> str:
    return "".join(text.split())


def open_line(kb: KnowledgeBase, clause_id: str, aspect: str, said: str) -> str | None:
    """'这里未规定具体金额或比例，请咨询牵头单位…': what the document's words `said` leave open of the
    aspect asked, when they state no sum or share, with who to ask; None when the aspect is not one of
    those or they state one."""
    what = templates("frames")["passage"]["silent_on"].get(aspect)
    if what is None or money_spans(said) or "%" in said:
        return None
    units = "、".join(u.name for u in kb.lead_units(clause_id))
    return say("frames", "passage", "silent", what=what, units=units)


def clause_answer(kb: KnowledgeBase, clause: Clause, question: str, aspect: str, whole: bool = False) -> Reply:
    """A question about a clause that is no single measure (二（一）, 一（二）…): its own words; the
    sentence closest to the question, or the whole clause when it was asked about by its title."""
    lines = [f"{clause.id}“{clause.title}”："]
    sentence = None if whole else kb.relevant_sentence(clause.id, question)
    if aspect != "lead_unit" or not clause.lead_units:
        lines += [sentence] if sentence else sentences(clause.text)[: None if whole else 2]
    left_open = open_line(kb, clause.id, aspect, clause.text)  # '具体补多少钱' of a clause with no figure
    lines += [left_open] if left_open else []
    if clause.units_quote:
        lines.append(f"{clause.units_quote}。")  # the document's own wording of who leads
    lines.append(kb.citation(clause.id))
    return Reply("\n".join(lines))


def verdict_lines(verdict: Verdict) -> list[str]:
    status = verdict.status
    head = words("verdict", status.value)
    if status is Status.unknown and verdict.conditions and verdict.conditions[0].status is Status.unknown:
        head = words("verdict", "all_open")  # who may apply is not settled either
    lines = [head]
    for condition in verdict.of(Status.not_met):
        lines.append(words("verdict", "failed", label=condition.label))
    if status is not Status.not_met:
        for condition in verdict.of(Status.unknown):
            # no question the bot could not take the answer to: the lead unit judges what stays open
            lines.append(words("verdict", "open", label=condition.label))
    return lines


def calculator(
    kb: KnowledgeBase, verdicts: list[Verdict], applicant_name: str, district_name: str | None, hotline: str
) -> Reply:
    if not verdicts:
        return fixed("utter_no_measure_for_applicant", applicant=applicant_name, hotline=hotline)
    shown = verdicts[:CALCULATOR_LINES]
    where = words("calculator_where", district=district_name) if district_name else ""
    lines = [say("calculator", "head", where=where, applicant=applicant_name)]
    lines += [_item(kb, v.measure) for v in shown]
    if len(verdicts) > len(shown):
        lines.append(say("calculator", "more", count=len(verdicts) - len(shown)))
    lines.append(say("calculator", "check"))
    if district_name is None and any(v.measure.cost_shares for v in shown):
        lines.append(say("calculator", "ask_district"))
    lines.append(_cite(kb, [v.measure.clause for v in shown]))
    buttons = [measure_button(v.measure, "ask_eligibility") for v in verdicts[:5]]
    return Reply("\n".join(lines), buttons=buttons)


def _item(kb: KnowledgeBase, m: Measure) -> str:
    """One measure's line in a list: a stated sum, cap or floor, else the name (its own answer says more)."""
    money = m.amount.kind in (AmountKind.fixed, AmountKind.max, AmountKind.min)
    return say(
        "calculator",
        "item" if money else "item_no_sum",
        name=m.name,
        support=kb.amount_text(m) if money else "",
        clause=m.clause,
    )


def _cite(kb: KnowledgeBase, clauses: list[str]) -> str:
    """The citation of a reply drawn from several clauses, each once, in order."""
    return kb.citation(*clauses)


def button(title: str, intent: str, **entities: str) -> dict[str, str]:
    """A button that asks the bot again as Rasa reads it: '/ask_amount{"measure":"rd_subsidy"}'."""
    payload = f"/{intent}" + (json.dumps(entities, ensure_ascii=False, separators=(",", ":")) if entities else "")
    return {"title": title, "payload": payload}


def measure_button(measure: Measure, intent: str = "ask_measure_info") -> dict[str, str]:
    return button(measure.name, intent, measure=measure.id)


def theme(kb: KnowledgeBase, name: str, measures: list[Measure]) -> Reply:
    """The measures of one theme of the document, each with its sum or support and clause."""
    body = [say("theme", "head", theme=name), *(_item(kb, m) for m in measures)]
    clauses = list(dict.fromkeys(m.clause for m in measures))
    if len(clauses) == 1:  # one clause, one set of lead units for all of them
        body.append(say("theme", "units", units="、".join(u.name for u in kb.lead_units(clauses[0]))))
    body += [say("theme", "check"), _cite(kb, clauses)]
    buttons = [measure_button(m) for m in measures[:5]]
    return Reply("\n".join(body), buttons=buttons)


def target_text(target: Target) -> str:
    """The target in the document's words, with its year where the sentence leaves it to the clause's
    opening ('到“十三五”末')."""
    year = "" if str(target.year) in target.quote else say("measure", "pieces", "target_year", year=target.year)
    return f"{target.indicator}：{target.quote}{year}"


def targets(kb: KnowledgeBase, chosen: list[Target]) -> Reply:
    doc = kb.document
    if chosen:
        lines = [target_text(t) + "。" for t in chosen]
    else:
        lines = [words("targets", "head", period=doc.period.quote, end_year=doc.period.end_year)]
        lines += [words("targets", "item", quote=t.quote) for t in kb.targets]
    lines.append(kb.citation(*(t.clause for t in (chosen or kb.targets))))
    return Reply("\n".join(lines))


def document(kb: KnowledgeBase) -> Reply:
    doc = kb.document
    refs = "、".join(words("document", "ref", title=r.title, number=r.number) for r in doc.refers_to)
    date = doc.issue_date
    lines = [
        words(
            "document",
            "issued",
            title=doc.title,
            number=doc.number,
            issuer=doc.issuer,
            year=date.year,
            month=date.month,
            day=date.day,
            publication=doc.publication,
        ),
        words("document", "basis", title=doc.implements.title, number=doc.implements.number),
        words("document", "addressed", addressees=doc.addressees, copied_to=doc.copied_to),
        words("document", "cites", refs=refs),
        doc.period.note,
        kb.citation(),
    ]
    return Reply("\n".join(lines))


def ask_which(kb: KnowledgeBase, candidates: list[Measure], aspect: str) -> Reply:
    intent = f"ask_{aspect}" if aspect != "info" else "ask_measure_info"
    buttons = [measure_button(m, intent) for m in candidates[:4]]
    return fixed("utter_which_measure", buttons)


def _shares_summary(kb: KnowledgeBase, measure: Measure, district: str | None) -> list[str]:
    if not measure.cost_shares:
        return []
    split = kb.cost_split(measure.id, district, None)
    lines = [split_line(split), split.exception_note]
    if district is None:
        lines += [
            words("split", "besides", line=split_line(kb.cost_split(measure.id, e.district, None)))
            for e in measure.cost_shares.exceptions
        ]
    return [line for line in lines if line]


def amount_claim(kb: KnowledgeBase, measure: Measure, claimed_yuan: int, bound: str | None = None) -> Reply:
    """'创新型乡镇是不是奖50万？': 是/不是 first, then the document's figure. `bound` is how the user
    qualified the figure ('ceiling' for 最多, 'floor' for 至少), if they did."""
    amount = measure.amount
    fields = {
        "name": measure.name,
        "stated": kb.amount_text(measure),
        "claimed": format_yuan(claimed_yuan),
        "amount_line": _amount_line(kb, measure),
    }
    value = amount.value_yuan
    if amount.kind is AmountKind.min and bound == "ceiling":
        key = "floor_called_ceiling"
    elif amount.kind is AmountKind.max and bound == "floor":
        key = "ceiling_called_floor"
    elif value is None:
        key = "no_amount"
    elif amount.kind is AmountKind.fixed:
        key = "fixed_yes" if claimed_yuan == value else "fixed_no"
    elif amount.kind is AmountKind.max:
        below = "max_not_the_ceiling" if bound == "ceiling" else "max_below"  # '最多500万是吧' names a ceiling
        key = "max_yes" if claimed_yuan == value else "max_above" if claimed_yuan > value else below
    else:
        key = "min_yes" if claimed_yuan == value else "min_below" if claimed_yuan < value else "min_above"
    selected = [c.quote for c in measure.conditions if c.judged_by_authority and c.quote]
    if key in ("min_yes", "fixed_yes") and selected:  # a ceiling holds for all; a floor only for the chosen
        key, fields["selected"] = "selected_yes", "；".join(selected)
    body = [
        say("claims", "amount", key, **fields),
        *_shares_summary(kb, measure, None),
        words("lead_units", units=_units(kb, measure)),
    ]
    return _cited(kb, measure, body, card(kb, measure))


def share_claim(kb: KnowledgeBase, measure: Measure, district: str | None, level: str, percent: int) -> Reply:
    """'研发补助县里出一半吧': 是/不是 first for the level asked about, then every level's share."""
    split = kb.cost_split(measure.id, district, None)
    share = next((s for s in split.shares if s.level == level), None)
    stated = share.percent if share else 0
    where = split.district.name if split.district else say("claims", "share", "default_where")
    head = say(
        "claims", "share", "yes" if stated == percent else "no", where=where, level=LEVEL_NAMES[level], percent=stated
    )
    body = [head, *_shares_summary(kb, measure, district), words("lead_units", units=_units(kb, measure))]
    return _cited(kb, measure, body, card(kb, measure, split))


def own_spending(kb: KnowledgeBase, measure: Measure, spent_yuan: int, district: str | None) -> Reply:
    """'去年研发投入了800万，能补多少': the document sets no rate on what the user spent; never split it."""
    body = lines(
        "claims",
        "own_spending",
        spent=format_yuan(spent_yuan),
        name=measure.name,
        amount=kb.amount_text(measure),
        units=_units(kb, measure),
    )
    return _cited(kb, measure, [*body, *_shares_summary(kb, measure, district)], card(kb, measure))


def verdict_first(reply: Reply, agrees: bool) -> Reply:
    """A yes/no question's reply: 是的/不是 on the first line, then the document's answer."""
    return Reply(say("claims", "verdict", "yes" if agrees else "no") + "\n" + reply.text, reply.buttons, reply.custom)


def shorter(reply: Reply) -> Reply:
    """'说简单点': the answer's first line (or the first that states a figure, when the first states none) and
    its citation; the card keeps the rest."""
    parts = [line for line in reply.text.split("\n") if line.strip()]
    if len(parts) <= 2:
        return reply
    body = parts[:-1]
    kept = (
        body[0]
        if any(c.isdigit() for c in body[0])
        else next((b for b in body if any(c.isdigit() for c in b)), body[0])
    )
    return Reply("\n".join([kept, parts[-1]]), reply.buttons, reply.custom, reply.response, reply.variables)


def with_sentences(reply: Reply, said: list[str]) -> Reply:
    """The reply with the document's sentences quoted before its citation (its last line)."""
    quoted = [say("measure", "pieces", "sentence", sentence=s) for s in said]
    quoted = [q for q in quoted if q not in reply.text]
    if not quoted or not reply.text:
        return reply
    parts = reply.text.split("\n")
    return Reply(
        "\n".join([*parts[:-1], *quoted, parts[-1]]), reply.buttons, reply.custom, reply.response, reply.variables
    )


def longer(kb: KnowledgeBase, reply: Reply, measures: tuple[str, ...], clause: str | None) -> Reply:
    """'详细点': the answer with the document's own words of its clause before the citation."""
    clause_id = kb.measure(measures[0]).clause if measures else clause
    if not clause_id or not reply.text:
        return reply
    parts = reply.text.split("\n")
    whole = say("measure", "pieces", "sentence", sentence="".join(sentences(kb.clause(clause_id).text)))
    if whole in reply.text:
        return reply
    return Reply(
        "\n".join([*parts[:-1], whole, parts[-1]]), reply.buttons, reply.custom, reply.response, reply.variables
    )
