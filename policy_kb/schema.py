"""The shape of a policy document's data file, validated with pydantic (v1, as Rasa 3.6 pins it).

These models are also the in-memory form the query API works on, whether read from the YAML file
or back from the database, so there is one definition of every field.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Any

from pydantic import BaseModel, Extra, Field, root_validator, validator

LEVEL_NAMES = {"province": "省级", "city": "市级", "county": "县级"}


class Strict(BaseModel):
    class Config:
        extra = Extra.forbid
        allow_mutation = False


class DocumentRef(Strict):
    number: str
    title: str


class Period(Strict):
    end_year: int
    quote: str
    note: str


class Document(Strict):
    number: str
    code: str
    title: str
    issuer: str
    issue_date: dt.date
    source: str
    publication: str
    city: str
    other_places: list[str] = []  # reference data: other cities, whose policies this document is not
    addressees: str  # 主送, verbatim
    copied_to: str  # 抄送, verbatim
    implements: DocumentRef
    refers_to: list[DocumentRef]
    period: Period
    purpose: str = ""  # why the document was issued, verbatim (its preamble)


class ApplicantType(Strict):
    id: str
    name: str
    aliases: list[str] = []
    is_a: str | None = None


class Topic(Strict):
    id: str
    name: str


class Unit(Strict):
    id: str
    name: str
    full_name: str
    aliases: list[str] = []


class District(Strict):
    id: str
    name: str
    kind: str
    aliases: list[str] = []
    reference: bool = False
    in_document: bool = False


class AmountKind(str, Enum):
    fixed = "fixed"  # a stated sum, e.g. 500万元奖励
    max = "max"  # a cap, e.g. 最高1000万元
    min = "min"  # a floor, e.g. 不低于10万元
    proportion = "proportion"  # a proportion the document does not quantify
    case_by_case = "case_by_case"  # 一事一议
    by_other_document = "by_other_document"  # set by another document
    unspecified = "unspecified"  # support is promised, its size is not stated
    none = "none"  # a policy or an activity, not money


class Amount(Strict):
    kind: AmountKind
    quote: str
    value_yuan: int | None = None
    per: str | None = None
    documents: list[str] = []

    @root_validator(skip_on_failure=True)
    def _value_matches_kind(cls, values: dict[str, Any]) -> dict[str, Any]:  # noqa: N805 - pydantic validator
        needs_value = values["kind"] in (AmountKind.fixed, AmountKind.max, AmountKind.min)
        if needs_value != (values.get("value_yuan") is not None):
            raise ValueError("value_yuan is required exactly for fixed, max and min amounts")
        return values


class Limit(Strict):
    """A cap relative to a figure the user supplies (e.g. ≤20% of the county's S&T funds)."""

    kind: str = Field(regex="^share_of_user_figure$")
    percent: int
    of: str
    quote: str


class Share(Strict):
    level: str
    percent: int
    quote: str | None = None
    derived: bool = False  # not stated: the remainder once the stated shares are applied

    @validator("level")
    def _known_level(cls, level: str) -> str:  # noqa: N805
        if level not in LEVEL_NAMES:
            raise ValueError(f"unknown level {level!r}")
        return level

    @root_validator(skip_on_failure=True)
    def _stated_or_derived(cls, values: dict[str, Any]) -> dict[str, Any]:  # noqa: N805
        if not values.get("derived") and not values.get("quote"):
            raise ValueError("a stated share needs a quote")
        return values


def _shares_total_100(shares: list[Share]) -> list[Share]:
    if sum(share.percent for share in shares) != 100:
        raise ValueError("shares must add up to 100")
    return shares


class ShareException(Strict):
    district: str
    quote: str
    shares: list[Share]
    note: str

    _total = validator("shares", allow_reuse=True)(_shares_total_100)


class CostShares(Strict):
    quote: str
    default: list[Share]
    exceptions: list[ShareException] = []

    _total = validator("default", allow_reuse=True)(_shares_total_100)


class Condition(Strict):
    id: str
    label: str  # the condition in a few words; `quote` is the document's wording
    quote: str
    ask: str
    judged_by_authority: bool = False  # 择优 / 成效突出: decided by the lead unit, never by the user


class Frequency(Strict):
    per_year_min: int
    quote: str


class MaybeFor(Strict):
    applicant_types: list[str]
    quote: str  # the document's words naming those people, verbatim


class Measure(Strict):
    id: str
    name: str
    aliases: list[str]
    topic: str
    clause: str
    beneficiaries: list[str]
    beneficiaries_stated: bool = True
    # applicants the document neither names nor rules out, because the people it names may be among them
    # ('高校院所的科研人员、在校学生' may be a university's): never a sure ✗ for them, the lead unit decides
    maybe_for: list[MaybeFor] = []
    support: str
    amount: Amount
    limits: list[Limit] = []
    cost_shares: CostShares | None = None
    conditions: list[Condition]
    quote: str
    silent_on: list[str]
    products: list[str] = []
    frequency: Frequency | None = None


class TargetKind(str, Enum):
    count_range = "count_range"
    annual_increase_points = "annual_increase_points"
    doubling = "doubling"
    level = "level"


class Target(Strict):
    id: str
    indicator: str
    aliases: list[str] = []
    clause: str
    scope: str
    kind: TargetKind
    value: float | None = None
    value_min: int | None = None
    value_max: int | None = None
    unit: str
    year: int
    quote: str


class Clause(Strict):
    id: str
    part_title: str
    title: str
    text: str
    units_quote: str | None = None
    lead_units: list[str]
    responsible_units: list[str]

    @property
    def part(self) -> str:
        return self.id.split("（", 1)[0]


class PolicyData(Strict):
    document: Document
    applicant_types: list[ApplicantType]
    topics: list[Topic]
    units: list[Unit]
    districts: list[District]
    measures: list[Measure]
    targets: list[Target]
    clauses: list[Clause]
