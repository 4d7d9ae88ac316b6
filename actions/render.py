"""Turn knowledge-base answers into what the user reads.

Every policy reply has the same shape: the short answer first, then the details that matter (who,
how much, shares, conditions as stated, lead unit), then the citation as its last line
(依据：威政办发〔2018〕32号 二（六）). Every figure comes from policy_kb, or is arithmetic on the
user's own figure; where the document is silent the reply says so and names the lead units.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from policy_kb.figures import format_yuan
from policy_kb.query import CostSplit, KnowledgeBase, LimitResult, Status, Verdict
from policy_kb.schema import AmountKind, Clause, Measure, Target
from policy_kb.search import sentences

HANDOFF_BUTTON = {"title": "转人工", "payload": "/handoff"}


def scope_text(document_number: str, title: str) -> str:
    return (f"我只解答{document_number}《{title}》的内容，"
            "比如研发补助、科技创新券、星创天地和农科驿站、科技特派员、创新型县（市）和乡镇奖励等。")


def cannot_help(kb: KnowledgeBase, opening: str, closing: str, buttons: list[dict[str, str]] | None = None) -> Reply:
    """Every "I can't answer that" says what the bot covers and offers a person (DESIGN.md)."""
    doc = kb.document
    return Reply(f"{opening}{scope_text(doc.number, doc.title)}{closing}", buttons=[*(buttons or []), HANDOFF_BUTTON])


@dataclass
class Reply:
    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)
    custom: dict[str, Any] | None = None


def _units(kb: KnowledgeBase, measure: Measure) -> str:
    return "、".join(u.name for u in kb.lead_units(measure.id))


def _who(kb: KnowledgeBase, measure: Measure) -> str:
    names = "、".join(kb.applicant_name(b) for b in measure.beneficiaries)
    if not measure.beneficiaries_stated:
        return f"文件未写明申请主体（与{names}相关）"
    return names or "文件未写明"


def dates_note(kb: KnowledgeBase, measure: Measure) -> str:
    doc = kb.document
    return (f"提示：本文件于{doc.issue_date.year}年印发，目标期至{doc.period.end_year}年，"
            f"现行申报时间和办法请向{_units(kb, measure)}确认。")


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
        "shares": [{"level": s.level_name, "percent": s.percent,
                    "yuan": s.yuan, "amount": format_yuan(s.yuan) if s.yuan is not None else None}
                   for s in shares],
        "lead_units": [u.name for u in kb.lead_units(measure.id)],
        "citation": kb.citation(measure.clause),
        "clause": measure.clause,
        "clause_title": clause.title,
        "clause_text": clause.text,
        "quote": measure.quote,
    }


def _silence(kb: KnowledgeBase, measure: Measure) -> str:
    if not measure.silent_on:
        return ""
    return f"文件未规定{'、'.join(measure.silent_on)}，请咨询{_units(kb, measure)}。"


def _amount_line(kb: KnowledgeBase, measure: Measure) -> str:
    amount = measure.amount
    if amount.kind in (AmountKind.fixed, AmountKind.max, AmountKind.min):
        return f"金额：{kb.amount_text(measure)}（原文：“{amount.quote}”）。"
    if amount.kind is AmountKind.case_by_case:
        return f"金额：文件未规定固定金额，{amount.quote}。"
    if amount.kind is AmountKind.by_other_document:
        return f"金额：文件未规定具体标准，按{'、'.join(amount.documents)}等规定执行。"
    if amount.kind is AmountKind.none:
        return "金额：这是一项政策措施，文件未规定资金金额。"
    return f"金额：文件只写明“{amount.quote}”，未规定具体金额或比例。"


def split_line(split: CostSplit) -> str:
    """'200万元按荣成市的比例分担：省级50% 100万元，市级不分担，县级50% 100万元。'"""
    where = split.district.name if split.district else None
    basis = format_yuan(split.basis_yuan) if split.basis_yuan is not None else ""
    if split.requested_yuan:
        head = f"{basis}按{where}的比例分担：" if where else f"{basis}按文件比例分担："
    else:
        head = f"最高{basis}，{where}分担：" if where else f"最高{basis}，分担："
    parts = []
    for share in split.shares:
        if share.derived and share.percent == 0:
            parts.append(f"{share.level_name}不分担")
        else:
            amount = f" {format_yuan(share.yuan)}" if share.yuan is not None else ""
            parts.append(f"{share.level_name}{share.percent}%{amount}")
    return head + "，".join(parts) + "。"


def over_cap_line(kb: KnowledgeBase, split: CostSplit) -> str | None:
    if not (split.over_cap and split.requested_yuan is not None):
        return None
    return (f"注意：您说的{format_yuan(split.requested_yuan)}超过了{kb.amount_text(split.measure)}的上限，"
            f"以下按上限{format_yuan(split.basis_yuan or 0)}计算。")


def cost_share(kb: KnowledgeBase, measure: Measure, district: str | None, amount_yuan: int | None) -> Reply:
    if measure.cost_shares is None:
        text = [f"{measure.name}：文件未规定省、市、县各级的分担比例。", _amount_line(kb, measure)]
        text += [f"牵头单位：{_units(kb, measure)}。", kb.citation(measure.clause)]
        return Reply("\n".join(text), custom=card(kb, measure))
    split = kb.cost_split(measure.id, district, amount_yuan)
    lines = [f"{measure.name}：文件规定“{measure.cost_shares.quote}”。", over_cap_line(kb, split), split_line(split),
             split.exception_note]
    if district is None:
        # no district given: show the regional exceptions too, so the answer holds for everyone
        for exception in measure.cost_shares.exceptions:
            other = kb.cost_split(measure.id, exception.district, amount_yuan)
            lines += [f"其中{split_line(other)}", other.exception_note]
        lines.append("告诉我您所在的区市，可以为您单独核算。")
    lines += [f"牵头单位：{_units(kb, measure)}。", kb.citation(measure.clause)]
    return Reply("\n".join(line for line in lines if line), custom=card(kb, measure, split))


def measure_answer(kb: KnowledgeBase, measure: Measure, aspect: str, *, district: str | None = None,
                   amount_yuan: int | None = None, verdict: Verdict | None = None,
                   limits: list[LimitResult] | None = None, question: str = "") -> Reply:
    if aspect == "cost_share":
        return cost_share(kb, measure, district, amount_yuan)
    units = _units(kb, measure)
    lines: list[str] = []
    if aspect == "info":
        lines.append(f"{measure.name}：{measure.support}。")
        lines.append(f"对象：{_who(kb, measure)}。")
        lines.append(_amount_line(kb, measure))
    elif aspect == "amount":
        lines.append(f"{measure.name}：{_amount_line(kb, measure).removeprefix('金额：')}")
        lines.append(f"对象：{_who(kb, measure)}。")
        if measure.cost_shares:
            split = kb.cost_split(measure.id, district, None)
            lines += [split_line(split), split.exception_note]
            if district is None and measure.cost_shares.exceptions:
                names = "、".join(kb.district(e.district).name for e in measure.cost_shares.exceptions)
                lines.append(f"{names}的分担比例不同，可以问我“{names}怎么分担”。")
    elif aspect == "eligibility":
        lines.append(f"{measure.name}的对象：{_who(kb, measure)}。")
        if measure.conditions:
            lines.append("文件写明的条件：" + "；".join(f"“{c.quote}”" for c in measure.conditions) + "。")
        lines.append(_amount_line(kb, measure))
        if verdict is not None:
            lines += verdict_lines(verdict)
    elif aspect == "conditions":
        if measure.conditions:
            lines.append(f"{measure.name}，文件写明的条件：" + "；".join(f"“{c.quote}”" for c in measure.conditions)
                         + "。")
        else:
            lines.append(f"{measure.name}：文件未规定申请条件。")
        lines.append(f"对象：{_who(kb, measure)}。")
    elif aspect == "how_to_apply":
        lines.append(f"{measure.name}：文件未规定申报程序、材料和时间，请向牵头单位{units}咨询。")
        if measure.conditions:
            lines.append("文件写明的条件：" + "；".join(f"“{c.quote}”" for c in measure.conditions) + "。")
    elif aspect == "lead_unit":
        lines.append(f"{measure.name}的牵头单位：{units}。")
        responsible = "、".join(u.name for u in kb.responsible_units(measure.id))
        if responsible:
            lines.append(f"责任单位：{responsible}。")
    for limit in limits or []:
        capped = f"，且不超过{kb.amount_text(measure)}" if measure.amount.kind is AmountKind.max else ""
        lines.append(f"按“{limit.quote}”{capped}：您说的{limit.label}为{format_yuan(limit.user_yuan)}，"
                     f"对应最多{format_yuan(limit.limit_yuan)}。")
    # the document's own sentence closest to the question: it answers the detail asked about
    # ('科技特派员从哪招' → 招募高校院所的科研人员、在校学生…) that the summary lines leave out
    sentence = kb.relevant_sentence(measure.clause, question) if question else None
    if not sentence and aspect in ("info", "amount", "eligibility"):
        sentence = measure.quote
    if sentence and aspect != "lead_unit" and _plain(sentence) not in _plain("".join(filter(None, lines))):
        lines.append(f"原文：“{sentence}”")
    if aspect not in ("lead_unit", "how_to_apply"):
        lines.append(f"牵头单位：{units}。")
    silence = _silence(kb, measure)
    if silence and aspect in ("amount", "conditions", "eligibility", "how_to_apply", "info"):
        lines.append(silence)
    if aspect in ("how_to_apply", "eligibility", "amount", "conditions"):
        lines.append(dates_note(kb, measure))
    lines.append(kb.citation(measure.clause))
    return Reply("\n".join(line for line in lines if line), custom=card(kb, measure))


def _plain(text: str) -> str:
    return "".join(text.split())


def clause_answer(kb: KnowledgeBase, clause: Clause, question: str, aspect: str, whole: bool = False) -> Reply:
    """A question about a clause that is no single measure (二（一）, 一（二）…): its own words; the
    sentence closest to the question, or the whole clause when it was asked about by its title."""
    lines = [f"{clause.id}“{clause.title}”："]
    sentence = None if whole else kb.relevant_sentence(clause.id, question)
    if aspect != "lead_unit" or not clause.lead_units:
        lines += [sentence] if sentence else sentences(clause.text)[: None if whole else 2]
    if clause.units_quote:
        lines.append(f"{clause.units_quote}。")  # the document's own wording of who leads
    lines.append(kb.citation(clause.id))
    return Reply("\n".join(lines))


def verdict_lines(verdict: Verdict) -> list[str]:
    status = verdict.status
    head = {Status.met: "按您说的情况，文件写明的条件都符合。",
            Status.not_met: "按您说的情况，不符合以下条件：",
            Status.unknown: "按您说的情况，还有条件需要确认："}[status]
    lines = [head]
    for condition in verdict.of(Status.not_met):
        lines.append(f"✗ {condition.label}")
    if status is not Status.not_met:
        for condition in verdict.of(Status.unknown):
            lines.append(f"? {condition.label}" + (f"（{condition.ask}）" if condition.ask else ""))
    return lines


def calculator(kb: KnowledgeBase, verdicts: list[Verdict], applicant_name: str, district_name: str | None) -> Reply:
    if not verdicts:
        return Reply(f"按{applicant_name}的身份，文件中没有直接对应的支持措施。可拨打热线或转人工咨询。")
    where = f"{district_name}的" if district_name else ""
    lines = [f"按文件，{where}{applicant_name}可以关注这些措施（有资金支持的在前）："]
    for verdict in verdicts[:8]:
        m = verdict.measure
        lines.append(f"· {m.name}：{kb.amount_text(m) if m.amount.kind is not AmountKind.none else '政策支持'}"
                     f"（{kb.citation(m.clause).removeprefix('依据：')}）")
    if len(verdicts) > 8:
        lines.append("还有其他措施，可以直接问我某一项。")
    lines.append("是否符合还要看文件写明的条件，点一项可查看详情。")
    if district_name is None and any(v.measure.cost_shares for v in verdicts):
        lines.append("告诉我您所在的区市，可以核算各级分担。")
    lines.append(f"依据：{kb.document.number} " + "、".join(dict.fromkeys(v.measure.clause for v in verdicts)))
    buttons = [{"title": v.measure.name, "payload": f'/ask_eligibility{{"measure":"{v.measure.id}"}}'}
               for v in verdicts[:5]]
    return Reply("\n".join(lines), buttons=buttons)


def target_text(target: Target) -> str:
    return f"{target.indicator}：{target.quote}"


def targets(kb: KnowledgeBase, chosen: list[Target]) -> Reply:
    doc = kb.document
    if chosen:
        lines = [target_text(t) + "。" for t in chosen]
    else:
        lines = [f"文件的主要目标（{doc.period.quote}，即{doc.period.end_year}年）："]
        lines += [f"· {t.quote}" for t in kb.targets]
    clauses = "、".join(dict.fromkeys(t.clause for t in (chosen or kb.targets)))
    lines.append(f"依据：{doc.number} {clauses}")
    return Reply("\n".join(lines))


def document(kb: KnowledgeBase) -> Reply:
    doc = kb.document
    refs = "、".join(f"《{r.title}》（{r.number}）" for r in doc.refers_to)
    lines = [
        f"《{doc.title}》，文号{doc.number}，由{doc.issuer}于{doc.issue_date.year}年{doc.issue_date.month}月"
        f"{doc.issue_date.day}日印发（{doc.publication}）。",
        f"它根据《{doc.implements.title}》（{doc.implements.number}）制定。",
        f"主送：{doc.addressees}。抄送：{doc.copied_to}。",
        f"文中引用的文件：{refs}。",
        doc.period.note,
        f"依据：{doc.number}",
    ]
    return Reply("\n".join(lines))


def ask_which(kb: KnowledgeBase, candidates: list[Measure], aspect: str) -> Reply:
    intent = f"ask_{aspect}" if aspect != "info" else "ask_measure_info"
    buttons = [{"title": m.name, "payload": f'/{intent}{{"measure":"{m.id}"}}'} for m in candidates[:4]]
    return Reply("您是想问哪一项政策？", buttons=buttons)
