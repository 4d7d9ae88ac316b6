"""Write a validated document into the database and read it back.

Loading is idempotent: a document whose data file and source text are unchanged (same content hash)
is left alone; a changed one is replaced inside one transaction, so readers never see half a document.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from infra.sqlite import use_sqlite_pragmas
from policy_kb.loader import load_file
from policy_kb.models import (
    ApplicantTypeRow,
    Base,
    BeneficiaryRow,
    ClauseRow,
    DistrictRow,
    DocumentRow,
    MeasureAliasRow,
    MeasureRow,
    TargetRow,
    TopicRow,
    UnitRow,
)
from policy_kb.schema import ApplicantType, Clause, District, Document, Measure, PolicyData, Target, Topic, Unit
from policy_kb.settings import database_url


@lru_cache(maxsize=8)
def engine_for(url: str | None = None) -> Engine:
    url = url or database_url()
    engine = create_engine(url, future=True, pool_pre_ping=True)
    # Read by every service while `python -m policy_kb load` may write; the schema's foreign keys hold.
    use_sqlite_pragmas(engine, wal=False, foreign_keys=True)
    Base.metadata.create_all(engine)
    return engine


def content_hash(path: Path, data: PolicyData) -> str:
    digest = hashlib.sha256(path.read_bytes())
    digest.update((path.parent / data.document.source).read_bytes())
    return digest.hexdigest()


def load_into(engine: Engine, path: Path) -> tuple[PolicyData, bool]:
    """Check `path` against its official text and write it; returns (data, whether rows changed)."""
    data = load_file(path)
    digest = content_hash(path, data)
    with Session(engine) as session, session.begin():
        existing = session.execute(
            select(DocumentRow).where(DocumentRow.code == data.document.code)
        ).scalar_one_or_none()
        if existing is not None and existing.content_hash == digest:
            return data, False
        if existing is not None:
            for table in (
                ClauseRow,
                UnitRow,
                DistrictRow,
                ApplicantTypeRow,
                TopicRow,
                MeasureRow,
                MeasureAliasRow,
                BeneficiaryRow,
                TargetRow,
            ):
                session.execute(delete(table).where(table.document_id == existing.id))
            session.delete(existing)
            session.flush()
        _insert(session, data, digest)
    return data, True


def _insert(session: Session, data: PolicyData, digest: str) -> None:
    doc = data.document
    row = DocumentRow(
        code=doc.code,
        number=doc.number,
        title=doc.title,
        issuer=doc.issuer,
        issue_date=doc.issue_date,
        content_hash=digest,
        payload=doc.dict(exclude={"issue_date"}),
    )
    session.add(row)
    session.flush()
    doc_id = row.id
    for position, clause in enumerate(data.clauses):
        session.add(
            ClauseRow(
                document_id=doc_id,
                position=position,
                clause_id=clause.id,
                part_title=clause.part_title,
                title=clause.title,
                text=clause.text,
                units_quote=clause.units_quote,
                lead_units=clause.lead_units,
                responsible_units=clause.responsible_units,
            )
        )
    for unit in data.units:
        session.add(
            UnitRow(document_id=doc_id, unit_id=unit.id, name=unit.name, full_name=unit.full_name, aliases=unit.aliases)
        )
    for district in data.districts:
        session.add(
            DistrictRow(
                document_id=doc_id,
                district_id=district.id,
                name=district.name,
                kind=district.kind,
                aliases=district.aliases,
                reference=district.reference,
                in_document=district.in_document,
            )
        )
    for applicant in data.applicant_types:
        session.add(
            ApplicantTypeRow(
                document_id=doc_id,
                type_id=applicant.id,
                name=applicant.name,
                aliases=applicant.aliases,
                is_a=applicant.is_a,
            )
        )
    for topic in data.topics:
        session.add(TopicRow(document_id=doc_id, topic_id=topic.id, name=topic.name))
    for position, measure in enumerate(data.measures):
        session.add(
            MeasureRow(
                document_id=doc_id,
                position=position,
                measure_id=measure.id,
                name=measure.name,
                topic=measure.topic,
                clause_id=measure.clause,
                amount_kind=measure.amount.kind.value,
                amount_yuan=measure.amount.value_yuan,
                quote=measure.quote,
                payload=measure.dict(),
            )
        )
        for alias in dict.fromkeys([measure.name, *measure.aliases]):
            session.add(MeasureAliasRow(document_id=doc_id, measure_id=measure.id, alias=alias))
        for who in measure.beneficiaries:
            session.add(BeneficiaryRow(document_id=doc_id, measure_id=measure.id, type_id=who))
    for position, target in enumerate(data.targets):
        session.add(
            TargetRow(
                document_id=doc_id,
                position=position,
                target_id=target.id,
                indicator=target.indicator,
                clause_id=target.clause,
                value=target.value,
                unit=target.unit,
                year=target.year,
                quote=target.quote,
                payload=target.dict(),
            )
        )


def document_codes(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return list(session.execute(select(DocumentRow.code).order_by(DocumentRow.id)).scalars())


def read_document(engine: Engine, code: str | None = None) -> tuple[PolicyData, str]:
    """The document `code` (or the only/first one) as validated models, with its content hash."""
    with Session(engine) as session:
        query = select(DocumentRow).order_by(DocumentRow.id)
        if code:
            query = query.where(DocumentRow.code == code)
        row = session.execute(query.limit(1)).scalar_one_or_none()
        if row is None:
            raise LookupError("知识库为空：请先运行 python -m policy_kb load")
        doc_id = row.id

        def rows(table: Any, order: Any = None) -> Sequence[Any]:
            query = select(table).where(table.document_id == doc_id)
            if order is not None:
                query = query.order_by(order)
            return session.execute(query).scalars().all()

        payload = dict(row.payload, issue_date=row.issue_date)
        data = PolicyData(
            document=Document.parse_obj(payload),
            applicant_types=[
                ApplicantType(id=r.type_id, name=r.name, aliases=r.aliases, is_a=r.is_a)
                for r in rows(ApplicantTypeRow, ApplicantTypeRow.id)
            ],
            topics=[Topic(id=r.topic_id, name=r.name) for r in rows(TopicRow, TopicRow.id)],
            units=[
                Unit(id=r.unit_id, name=r.name, full_name=r.full_name, aliases=r.aliases)
                for r in rows(UnitRow, UnitRow.id)
            ],
            districts=[
                District(
                    id=r.district_id,
                    name=r.name,
                    kind=r.kind,
                    aliases=r.aliases,
                    reference=r.reference,
                    in_document=r.in_document,
                )
                for r in rows(DistrictRow, DistrictRow.id)
            ],
            measures=[Measure.parse_obj(r.payload) for r in rows(MeasureRow, MeasureRow.position)],
            targets=[Target.parse_obj(r.payload) for r in rows(TargetRow, TargetRow.position)],
            clauses=[
                Clause(
                    id=r.clause_id,
                    part_title=r.part_title,
                    title=r.title,
                    text=r.text,
                    units_quote=r.units_quote,
                    lead_units=r.lead_units,
                    responsible_units=r.responsible_units,
                )
                for r in rows(ClauseRow, ClauseRow.position)
            ],
        )
        return data, row.content_hash
