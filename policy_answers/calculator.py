"""The policy calculator: who the user is (and where) → every measure they may use, with amounts.

One code path for both surfaces: the bot's "我们是…有什么政策" (`engine.calculator`) and the gateway's
/calculator page call `profile_measures`, so the two list the same measures in the same order
(tests/bot/test_calculator_page.py asks the running bot for every applicant type × district). The page adds
arithmetic on the user's own figures only: an approved subsidy split by the district's shares, a county's
science fund against the allocation's 20% / cap. Every other figure is the knowledge base's.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from policy_answers.render import card
from policy_answers.templates import words as reply_words
from policy_kb.figures import format_yuan, money_spans
from policy_kb.query import KnowledgeBase, Profile, Status, Verdict
from policy_kb.schema import AmountKind, Limit, Measure

# The amount kinds that state a sum (a fixed sum, a cap, a floor): those cards come first and show it.
MONEY_KINDS = (AmountKind.fixed, AmountKind.max, AmountKind.min)
NOT_STATED = reply_words("calculator_page", "not_stated")
# The figure the county-fund field is checked against: a limit's `of` in the knowledge base (二（二）'s
# allocation, 不超过县级财政科技专项资金的 20%). A test fails if the data file stops naming it.
COUNTY_FUND = "县级财政科技专项资金"
MAX_YUAN = 10**12  # a sum beyond any county's budget is a typo, not a question
MAX_WORDS = 50
STATUS_NAMES = {status: reply_words("calculator_page", "status", status.value) for status in Status}


class CalculatorInputError(ValueError):
    """Input the page cannot use; the message is the Chinese sentence shown to the user."""


@dataclass(frozen=True)
class CalculatorQuery:
    applicant: str
    district: str | None = None
    approved_yuan: int | None = None  # a subsidy already approved: split by the district's shares
    county_fund_yuan: int | None = None  # the county's S&T special fund: the allocation's 20% / cap
    words: str = ""  # industry words, e.g. 海参养殖: the measures they match are marked


def profile_measures(kb: KnowledgeBase, applicant: str, district: str | None) -> list[Verdict]:
    """The measures for this applicant type (and district), ones with money first, those it cannot meet left out."""
    return kb.measures_for(Profile(applicant_type=applicant, district=district))


def read_query(kb: KnowledgeBase, raw: dict[str, str]) -> CalculatorQuery:
    """The page's GET query (applicant, district, approved, fund, words) checked, or a Chinese error."""
    applicant = (raw.get("applicant") or "").strip()
    kinds = {a.id for a in kb.data.applicant_types}
    if not applicant:
        raise CalculatorInputError(reply_words("calculator_page", "no_applicant"))
    if applicant not in kinds:
        raise CalculatorInputError(reply_words("calculator_page", "unknown_applicant"))
    district = (raw.get("district") or "").strip() or None
    if district is not None and district not in {d.id for d in kb.districts}:
        raise CalculatorInputError(reply_words("calculator_page", "unknown_district"))
    words = (raw.get("words") or "").strip()
    if len(words) > MAX_WORDS:
        raise CalculatorInputError(reply_words("calculator_page", "too_many_words", most=MAX_WORDS))
    return CalculatorQuery(
        applicant=applicant,
        district=district,
        approved_yuan=read_yuan(raw.get("approved"), reply_words("calculator_page", "approved_label")),
        county_fund_yuan=read_yuan(raw.get("fund"), COUNTY_FUND),
        words=words,
    )


def read_yuan(raw: str | None, label: str) -> int | None:
    """'500000', '500,000', '50万', '50万元' → yuan; empty → None; anything else a Chinese error."""
    text = unicodedata.normalize("NFKC", raw or "").strip().replace(",", "").replace("，", "")  # ５０万 is 50万
    if not text:
        return None
    if text.startswith(("-", "－", "负")):  # parse_money reads the figure and drops the sign
        raise CalculatorInputError(reply_words("calculator_page", "bad_amount", label=label))
    yuan = (
        int(text) if text.isascii() and text.isdigit() else _whole_money(text if text.endswith("元") else text + "元")
    )
    if yuan is None or not 0 < yuan <= MAX_YUAN:
        raise CalculatorInputError(reply_words("calculator_page", "bad_amount", label=label))
    return yuan


def _whole_money(text: str) -> int | None:
    """The sum when the whole text is one ('50万元', '五十万元'); None for '1e9元' or 'abc12元', where a
    figure found inside would be a guess."""
    spans = money_spans(text)
    if len(spans) != 1 or (spans[0][0], spans[0][1]) != (0, len(text)):
        return None
    return spans[0][3]


def calculate(kb: KnowledgeBase, query: CalculatorQuery) -> dict[str, Any]:
    """The page's answer as JSON: the profile as said, and one card per measure, in the bot's order."""
    verdicts = profile_measures(kb, query.applicant, query.district)
    related = _related(kb, query.words)
    cards = [_card(kb, v, query, v.measure.id in related) for v in verdicts]
    district = kb.district(query.district) if query.district else None
    return {
        "applicant": query.applicant,
        "applicant_name": kb.applicant_name(query.applicant),
        "district": query.district,
        "district_name": district.name if district else None,
        "document": kb.document.number,
        "count": len(cards),
        "with_money": sum(1 for c in cards if c["has_money"]),
        "measures": cards,
    }


def chat_message(kb: KnowledgeBase, query: CalculatorQuery) -> str:
    """What the page's 问政策助手 button says for the user: the bot's calculator question, profile included."""
    where = kb.district(query.district).name if query.district else ""
    # The name without its bracketed examples: '个人（科研人员、人才、科技特派员）' would name measures too.
    who = kb.applicant_name(query.applicant).split("（")[0]
    return (
        reply_words("calculator_page", "ask_in", where=where, who=who)
        if where
        else reply_words("calculator_page", "ask", who=who)
    )


def _related(kb: KnowledgeBase, words: str) -> set[str]:
    """Measures the industry words find (search over names, aliases and the clause text)."""
    if not words:
        return set()
    return {h.id for h in kb.search(words, 8) if h.kind == "measure"}


def _card(kb: KnowledgeBase, verdict: Verdict, query: CalculatorQuery, related: bool) -> dict[str, Any]:
    measure = verdict.measure
    split = (
        kb.cost_split(measure.id, query.district, query.approved_yuan)
        if measure.cost_shares and query.approved_yuan is not None
        else None
    )
    base = card(kb, measure, split) if split else card(kb, measure)
    money = measure.amount.kind in MONEY_KINDS
    return {
        **base,
        "has_money": money,
        "amount": base["amount"] if money else NOT_STATED,
        "amount_quote": measure.amount.quote,  # what the document says instead of a figure
        "shares_quote": measure.cost_shares.quote if measure.cost_shares else None,
        "related": related,
        "status": verdict.status.value,
        "conditions": [
            {"label": c.label, "status": c.status.value, "status_name": STATUS_NAMES[c.status], "quote": c.quote}
            for c in verdict.conditions
        ],
        "split": _split(split, query) if split else None,
        "allocation": _allocation(kb, measure, query.county_fund_yuan),
    }


def _split(split: Any, query: CalculatorQuery) -> dict[str, Any]:
    return {
        "requested": format_yuan(query.approved_yuan or 0),
        "basis": format_yuan(split.basis_yuan or 0),
        "over_cap": split.over_cap,
        "note": split.exception_note,
        "quote": split.quote,
    }


def _allocation(kb: KnowledgeBase, measure: Measure, fund_yuan: int | None) -> dict[str, Any] | None:
    """The county fund's allocation: the limit's percent of the user's figure, at most the measure's cap."""
    limit = _county_fund_limit(measure)
    if limit is None or fund_yuan is None:
        return None
    [result] = [r for r in kb.limits_for(measure.id, fund_yuan) if r.label == limit.of]
    return {
        "of": limit.of,
        "percent": limit.percent,
        "fund": format_yuan(fund_yuan),
        "at_most": format_yuan(result.limit_yuan),
        "quote": result.quote,
        "cap_quote": measure.amount.quote,
    }


def _county_fund_limit(measure: Measure) -> Limit | None:
    return next((limit for limit in measure.limits if limit.of == COUNTY_FUND), None)
