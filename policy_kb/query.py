"""The query API shared by the bot's actions, the staff console and the analytics.

A `KnowledgeBase` is an immutable snapshot of one document read from the database; every answer it
gives is built from that document's data: nothing here knows a figure or a unit by heart.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.engine import Engine

from policy_kb.details import Detail, SentenceIndex
from policy_kb.figures import format_yuan
from policy_kb.passages import Passage, passages, squeezed_texts
from policy_kb.schema import (
    LEVEL_NAMES,
    AmountKind,
    Clause,
    Condition,
    District,
    Measure,
    PolicyData,
    Share,
    Target,
    Unit,
)
from policy_kb.search import SearchHit, SearchIndex
from policy_kb.settings import database_url
from policy_kb.store import engine_for, read_document
from policy_kb.terms import TermHit, TermIndex, warm_segmenter

WORDING_FILE = Path(__file__).resolve().parent / "wording.yml"


@cache
def _wording() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(WORDING_FILE.read_text(encoding="utf-8"))
    return loaded


def wording(*path: str, **fields: Any) -> str:
    """The knowledge base's words at `path` of wording.yml, with their fields."""
    node: Any = _wording()
    for key in path:
        node = node[key]
    text: str = node.format(**fields)
    return text


class Status(str, Enum):
    met = "met"
    not_met = "not_met"
    unknown = "unknown"


@dataclass(frozen=True)
class ConditionVerdict:
    label: str
    status: Status
    quote: str | None = None
    ask: str | None = None  # what to ask the user (or whom to ask) when unknown


@dataclass(frozen=True)
class Verdict:
    measure: Measure
    conditions: list[ConditionVerdict]

    @property
    def status(self) -> Status:
        statuses = {c.status for c in self.conditions}
        if Status.not_met in statuses:
            return Status.not_met
        return Status.unknown if Status.unknown in statuses else Status.met

    def of(self, status: Status) -> list[ConditionVerdict]:
        return [c for c in self.conditions if c.status is status]


@dataclass(frozen=True)
class Profile:
    """What a user told us about themselves; None means not said."""

    applicant_type: str | None = None
    district: str | None = None
    topic: str | None = None
    facts: dict[str, bool] = field(default_factory=dict)


@dataclass(frozen=True)
class ShareAmount:
    level: str
    level_name: str
    percent: int
    yuan: int | None
    derived: bool


@dataclass(frozen=True)
class CostSplit:
    measure: Measure
    district: District | None
    shares: list[ShareAmount]
    basis_yuan: int | None  # the amount split: the user's figure (capped) or the measure's cap
    requested_yuan: int | None  # the user's own figure, if any
    over_cap: bool
    exception_note: str | None
    quote: str


@dataclass(frozen=True)
class LimitResult:
    label: str
    user_yuan: int
    limit_yuan: int
    quote: str


class UnknownMeasureError(LookupError):
    pass


class KnowledgeBase:
    def __init__(self, data: PolicyData, version: str = "") -> None:
        self.data = data
        self.version = version
        self.document = data.document
        self._measures = {m.id: m for m in data.measures}
        self._clauses = {c.id: c for c in data.clauses}
        self._units = {u.id: u for u in data.units}
        self._districts = {d.id: d for d in data.districts}
        self._targets = {t.id: t for t in data.targets}
        self._applicants = {a.id: a for a in data.applicant_types}
        self.warmed = False  # see warm()

    # --- lookup by id -------------------------------------------------------------------------
    @property
    def measures(self) -> list[Measure]:
        return list(self.data.measures)

    def measure(self, measure_id: str) -> Measure:
        try:
            return self._measures[measure_id]
        except KeyError:
            raise UnknownMeasureError(measure_id) from None

    def clause(self, clause_id: str) -> Clause:
        return self._clauses[clause_id]

    def unit(self, unit_id: str) -> Unit:
        return self._units[unit_id]

    def district(self, district_id: str) -> District:
        return self._districts[district_id]

    def target(self, target_id: str) -> Target:
        return self._targets[target_id]

    @property
    def targets(self) -> list[Target]:
        return list(self.data.targets)

    @property
    def districts(self) -> list[District]:
        return list(self.data.districts)

    def applicant_name(self, type_id: str) -> str:
        return self._applicants[type_id].name

    def citation(self, *clause_ids: str) -> str:
        """The citation every policy answer ends with, e.g. 依据：威政办发〔2018〕32号 二（六）; several clauses
        each once, in order ('二（二）、二（三）'); none for a reply about the document as a whole."""
        clauses = "、".join(dict.fromkeys(c for c in clause_ids if c))
        if clauses:
            return wording("citation", number=self.document.number, clauses=clauses)
        return wording("citation_document", number=self.document.number)

    def lead_units(self, measure_or_clause: str) -> list[Unit]:
        clause_id = (
            self._measures[measure_or_clause].clause if measure_or_clause in self._measures else measure_or_clause
        )
        return [self._units[u] for u in self._clauses[clause_id].lead_units]

    def responsible_units(self, measure_or_clause: str) -> list[Unit]:
        clause_id = (
            self._measures[measure_or_clause].clause if measure_or_clause in self._measures else measure_or_clause
        )
        return [self._units[u] for u in self._clauses[clause_id].responsible_units]

    def measures_in_clause(self, clause_id: str) -> list[Measure]:
        return [m for m in self.data.measures if m.clause == clause_id]

    def warm(self) -> None:
        """Build the lazily built indexes now (term lookup, search, the word segmenter the typo check
        uses), so no user waits for them: the first question with a typo window loaded jieba's
        dictionary (about a second of CPU) inside a user's turn."""
        for index in (
            self._measure_terms,
            self._district_terms,
            self._applicant_terms,
            self._unit_terms,
            self._target_terms,
            self._clause_titles,
        ):
            index.find("预热")
        self.search("预热")
        warm_segmenter()
        self.warmed = True

    # --- finding things in text ---------------------------------------------------------------
    @cached_property
    def _measure_terms(self) -> TermIndex:
        return TermIndex((alias, m.id) for m in self.data.measures for alias in (m.name, *m.aliases))

    @cached_property
    def _district_terms(self) -> TermIndex:
        return TermIndex((alias, d.id) for d in self.data.districts for alias in (d.name, *d.aliases))

    @cached_property
    def _applicant_terms(self) -> TermIndex:
        return TermIndex((alias, a.id) for a in self.data.applicant_types for alias in (a.name, *a.aliases))

    @cached_property
    def _unit_terms(self) -> TermIndex:
        return TermIndex((alias, u.id) for u in self.data.units for alias in (u.name, u.full_name, *u.aliases))

    @cached_property
    def _target_terms(self) -> TermIndex:
        return TermIndex((alias, t.id) for t in self.data.targets for alias in (t.indicator, *t.aliases))

    def find_measures(self, text: str, fuzzy: bool = True) -> list[TermHit]:
        """Measures named in `text` by name, alias or a one-character typo of one, in order."""
        return self._measure_terms.find(text, fuzzy=fuzzy)

    def find_shorthand(self, text: str) -> list[TermHit]:
        """Measures typed short ('研补 封顶', '驿站'), for the console's keyword search."""
        return self._measure_terms.shorthand(text, [False] * len(text), self._document_text, words=False)

    @cached_property
    def _document_text(self) -> str:
        return "".join("".join(c.text.split()) for c in self.data.clauses)

    def find_measure(self, text: str) -> Measure | None:
        """The measure `text` names; when it names several, the longest name wins."""
        hits = self.find_measures(text)
        if not hits:
            return None
        best = max(hits, key=lambda h: (not h.fuzzy, h.end - h.start))
        return self._measures[best.key]

    def find_districts(self, text: str) -> list[TermHit]:
        return self._district_terms.find(text, fuzzy=False)

    def find_district(self, text: str) -> District | None:
        hits = self.find_districts(text)
        return self._districts[hits[0].key] if hits else None

    def find_applicant_types(self, text: str) -> list[TermHit]:
        return self._applicant_terms.find(text, fuzzy=False)

    def find_applicant_type(self, text: str) -> str | None:
        hits = self.find_applicant_types(text)
        if not hits:
            return None
        # '高新技术企业' is more telling than '企业'
        return max(hits, key=lambda h: h.end - h.start).key

    def find_units(self, text: str) -> list[TermHit]:
        return self._unit_terms.find(text, fuzzy=False)

    def find_targets(self, text: str) -> list[TermHit]:
        """Targets named in `text`, spelt right or typed with a pinyin keyboard's homophone ('创新平态')."""
        return self._target_terms.find(text, fuzzy=False, sounds=True)

    def term_lists(self) -> dict[str, dict[str, list[str]]]:
        """Every name and alias by entity type and id: what the NLU dictionary is built from."""
        return {
            "measure": {m.id: list(dict.fromkeys([m.name, *m.aliases])) for m in self.data.measures},
            "district": {d.id: list(dict.fromkeys([d.name, *d.aliases])) for d in self.data.districts},
            "applicant_type": {a.id: list(dict.fromkeys([a.name, *a.aliases])) for a in self.data.applicant_types},
            "unit": {u.id: list(dict.fromkeys([u.name, u.full_name, *u.aliases])) for u in self.data.units},
            "target": {t.id: list(dict.fromkeys([t.indicator, *t.aliases])) for t in self.data.targets},
        }

    # --- eligibility and the policy calculator ------------------------------------------------
    def applicant_covers(self, beneficiary: str, applicant_type: str) -> bool:
        """Does a measure for `beneficiary` reach `applicant_type`? (高新技术企业 is an 企业.)"""
        current: str | None = applicant_type
        while current is not None:
            if current == beneficiary:
                return True
            current = self._applicants[current].is_a if current in self._applicants else None
        return False

    def verdict(self, measure_id: str, profile: Profile) -> Verdict:
        measure = self.measure(measure_id)
        checks: list[ConditionVerdict] = []
        who = "、".join(self.applicant_name(b) for b in measure.beneficiaries) or wording("not_stated")
        if not measure.beneficiaries_stated or not measure.beneficiaries:
            checks.append(
                ConditionVerdict(
                    wording("applicant_unstated", who=who), Status.unknown, ask=self._ask_lead_unit(measure)
                )
            )
        elif profile.applicant_type is None:
            checks.append(
                ConditionVerdict(
                    wording("applicant_is", who=who),
                    Status.unknown,
                    ask=wording("ask_applicant"),
                )
            )
        else:
            applicant = profile.applicant_type
            fits = any(self.applicant_covers(b, applicant) for b in measure.beneficiaries)
            maybe = next(
                (m for m in measure.maybe_for if any(self.applicant_covers(t, applicant) for t in m.applicant_types)),
                None,
            )
            if fits or maybe is None:
                checks.append(
                    ConditionVerdict(wording("applicant_is", who=who), Status.met if fits else Status.not_met)
                )
            else:  # a university asking about 科技特派员: its 科研人员 and 在校学生 are whom the clause recruits
                checks.append(
                    ConditionVerdict(
                        wording("applicant_maybe", who=who, quote=maybe.quote),
                        Status.unknown,
                        maybe.quote,
                        self._ask_lead_unit(measure),
                    )
                )
        for condition in measure.conditions:
            checks.append(self._condition(condition, measure, profile))
        return Verdict(measure, checks)

    def _condition(self, condition: Condition, measure: Measure, profile: Profile) -> ConditionVerdict:
        if condition.judged_by_authority:
            return ConditionVerdict(condition.label, Status.unknown, condition.quote, self._ask_lead_unit(measure))
        answer = profile.facts.get(condition.id)
        if answer is None:
            return ConditionVerdict(condition.label, Status.unknown, condition.quote, condition.ask)
        return ConditionVerdict(condition.label, Status.met if answer else Status.not_met, condition.quote)

    def _ask_lead_unit(self, measure: Measure) -> str:
        return wording("lead_unit_decides", units="、".join(u.name for u in self.lead_units(measure.id)))

    def measures_for(self, profile: Profile) -> list[Verdict]:
        """The policy calculator: measures for this profile, ones with money first, not-met dropped."""
        verdicts = []
        for measure in self.data.measures:
            if profile.topic and measure.topic != profile.topic:
                continue
            if (
                profile.applicant_type
                and measure.beneficiaries_stated
                and not any(self.applicant_covers(b, profile.applicant_type) for b in measure.beneficiaries)
            ):
                continue
            if not profile.applicant_type and not profile.topic:
                continue
            verdict = self.verdict(measure.id, profile)
            if verdict.status is not Status.not_met:
                verdicts.append(verdict)
        # by position in the document (ids, not models: comparing pydantic models field by field is slow)
        position = {m.id: i for i, m in enumerate(self.data.measures)}
        return sorted(verdicts, key=lambda v: (_money_rank(v.measure), position[v.measure.id]))

    # --- amounts and cost shares --------------------------------------------------------------
    def cost_split(self, measure_id: str, district_id: str | None = None, amount_yuan: int | None = None) -> CostSplit:
        """Split `amount_yuan` (or, without it, the measure's cap) between the levels of government.

        The cap is enforced: a larger figure is split at the cap and flagged. The district decides
        which shares apply (荣成市's county share is 50%)."""
        measure = self.measure(measure_id)
        if measure.cost_shares is None:
            raise ValueError(wording("no_shares", name=measure.name))
        shares: list[Share] = measure.cost_shares.default
        note, quote = None, measure.cost_shares.quote
        for exception in measure.cost_shares.exceptions:
            if exception.district == district_id:
                shares, note = exception.shares, exception.note
        cap = measure.amount.value_yuan if measure.amount.kind is AmountKind.max else None
        over_cap = amount_yuan is not None and cap is not None and amount_yuan > cap
        basis = min(amount_yuan, cap) if (amount_yuan is not None and cap is not None) else (amount_yuan or cap)
        order = list(LEVEL_NAMES)
        shares = sorted(shares, key=lambda s: order.index(s.level))
        amounts: list[int | None] = [None] * len(shares)
        if basis is not None:
            amounts = list(_split_exactly(basis, [s.percent for s in shares]))
        return CostSplit(
            measure=measure,
            district=self._districts.get(district_id) if district_id else None,
            shares=[
                ShareAmount(s.level, LEVEL_NAMES[s.level], s.percent, yuan, s.derived)
                for s, yuan in zip(shares, amounts, strict=True)
            ],
            basis_yuan=basis,
            requested_yuan=amount_yuan,
            over_cap=over_cap,
            exception_note=note,
            quote=quote,
        )

    def limits_for(self, measure_id: str, user_yuan: int) -> list[LimitResult]:
        """Caps relative to the user's own figure, e.g. ≤20% of the county's S&T special funds,
        combined with the measure's absolute cap."""
        measure = self.measure(measure_id)
        results = []
        for limit in measure.limits:
            value = _percent_of(user_yuan, limit.percent)
            if measure.amount.kind is AmountKind.max and measure.amount.value_yuan is not None:
                value = min(value, measure.amount.value_yuan)
            results.append(LimitResult(limit.of, user_yuan, value, limit.quote))
        return results

    def amount_text(self, measure: Measure) -> str:
        """How much, as the document states it."""
        amount = measure.amount
        per = amount.per or ""
        if amount.kind in (AmountKind.fixed, AmountKind.max, AmountKind.min):
            return wording("amount", amount.kind.value, per=per, amount=format_yuan(amount.value_yuan or 0))
        return amount.quote

    # --- search -------------------------------------------------------------------------------
    @cached_property
    def _search_index(self) -> SearchIndex:
        return SearchIndex(self)

    def search(self, query: str, limit: int = 5) -> list[SearchHit]:
        """Short keyword queries ('特派员 奖励') over measures and clauses, best first."""
        return self._search_index.search(query, limit)

    def clear_hit(self, query: str, min_score: float = 10.0) -> SearchHit | None:
        """The search hit a question is plainly about: strong, and ahead of any hit from another clause."""
        hits = self.search(query, 4)
        if not hits or hits[0].score < min_score:
            return None
        rivals = [h for h in hits[1:] if h.clause != hits[0].clause]
        if rivals and rivals[0].score > 0.8 * hits[0].score:
            return None
        return hits[0]

    def relevant_sentence(self, clause_id: str, question: str) -> str | None:
        """The clause's sentence that best answers `question`, verbatim."""
        return self._search_index.best_sentence(self.clause(clause_id).text, question)

    @cached_property
    def _squeezed_clauses(self) -> dict[str, str]:
        return squeezed_texts(self.data.clauses)

    def passages(self, question: str, edges: str, particular: Callable[[str], bool]) -> list[Passage]:
        """Where the document says the longest phrase of `question` that only one or two clauses hold,
        verbatim; `edges` are the particles a match may glue on ('在', '的'); a phrase that is not
        `particular` ('补助政策') points nowhere."""
        return passages(self.data.clauses, self._squeezed_clauses, question, edges, particular)

    @cached_property
    def _sentence_index(self) -> SentenceIndex:
        return SentenceIndex(self.data.clauses)

    def details(self, question: str, clause_ids: tuple[str, ...] = ()) -> list[Detail]:
        """The document's sentences (of `clause_ids`, or all) that share telling words with `question`,
        best first; each clause's lead-unit note is one of them."""
        return self._sentence_index.ranked(question, clause_ids)

    def relevant_phrase(self, clause_id: str, question: str, listing: bool = False) -> str | None:
        """The part of the clause's best sentence that answers `question`, verbatim and short (the part
        that lists, when a list is asked for)."""
        sentence = self.relevant_sentence(clause_id, question)
        return self._search_index.best_phrase(sentence, question, listing=listing) if sentence else None

    @cached_property
    def _clause_titles(self) -> TermIndex:
        return TermIndex((c.title, c.id) for c in self.data.clauses)

    def find_clause_by_title(self, text: str) -> Clause | None:
        """'实施全域统筹重点突破由谁牵头' names clause 二（一） by its title."""
        hits = self._clause_titles.find(text, fuzzy=False)
        return self._clauses[max(hits, key=lambda h: h.end - h.start).key] if hits else None


def _percent_of(yuan: int, percent: int) -> int:
    return int((Decimal(yuan) * percent / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _split_exactly(yuan: int, percents: list[int]) -> list[int]:
    """Whole-yuan shares that add up to `yuan`: each rounded, the last non-zero share takes what the
    rounding left over (333,333 at 50/0/50 is 166,667 + 0 + 166,666, not 166,667 twice)."""
    amounts = [_percent_of(yuan, percent) for percent in percents]
    last = max((i for i, percent in enumerate(percents) if percent), default=None)
    if last is not None:
        amounts[last] = yuan - sum(a for i, a in enumerate(amounts) if i != last)
    return amounts


def _money_rank(measure: Measure) -> int:
    kinds = [
        AmountKind.fixed,
        AmountKind.max,
        AmountKind.min,
        AmountKind.proportion,
        AmountKind.case_by_case,
        AmountKind.by_other_document,
        AmountKind.unspecified,
        AmountKind.none,
    ]
    return kinds.index(measure.amount.kind)


_cache_lock = threading.Lock()
# The one cache of knowledge bases in a process: load_kb fills it, get_kb reads it.
_cache: dict[str, KnowledgeBase] = {}


def load_kb(url: str | None = None, code: str | None = None, engine: Engine | None = None) -> KnowledgeBase:
    """The knowledge base from the database, read once per process and URL (it changes only on
    `python -m policy_kb load`, after which services are restarted)."""
    if engine is None:
        # Resolved here, not in engine_for(None), which would remember the first call's environment.
        url = url or database_url()
    key = _key(url, code, engine)
    with _cache_lock:
        if key not in _cache:
            data, version = read_document(engine or engine_for(url), code)
            _cache[key] = KnowledgeBase(data, version)
        return _cache[key]


async def get_kb(url: str | None = None, code: str | None = None) -> KnowledgeBase:
    """`load_kb` for code on an event loop (the action server, the gateway's staff pages): the first call
    reads the database and builds the indexes (terms, search) in a thread, not in a user's turn or on the
    first keypress; later calls return the cached one at once. A failed read raises and is tried again
    on the next call."""
    kb = _cache.get(_key(url, code, None))
    if kb is None or not kb.warmed:
        kb = await asyncio.to_thread(_load_warm, url, code)
    return kb


def _load_warm(url: str | None, code: str | None) -> KnowledgeBase:
    kb = load_kb(url, code)
    kb.warm()
    return kb


def _key(url: str | None, code: str | None, engine: Engine | None) -> str:
    # Without creating the engine: get_kb looks up the cache on the event loop.
    return f"{engine.url if engine is not None else url or database_url()}|{code}"
