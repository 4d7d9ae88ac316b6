"""SQLAlchemy tables of the knowledge base.

Searchable and listable things (documents, clauses, units, districts, measures, their aliases,
targets) are rows; the nested parts of a measure that are always read whole with it (amount, limits,
cost shares, conditions) are JSON columns, written from and read back into the same pydantic models.
"""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class DocumentRow(Base):
    __tablename__ = "kb_documents"
    id = Column(Integer, primary_key=True)
    code = Column(String(64), unique=True, nullable=False)
    number = Column(String(64), unique=True, nullable=False)
    title = Column(Text, nullable=False)
    issuer = Column(Text, nullable=False)
    issue_date = Column(Date, nullable=False)
    content_hash = Column(String(64), nullable=False)  # of the data file and its source text
    payload = Column(JSON, nullable=False)  # document-level fields: implements, refers_to, period …


class ClauseRow(Base):
    __tablename__ = "kb_clauses"
    __table_args__ = (UniqueConstraint("document_id", "clause_id"),)
    id = Column(Integer, primary_key=True)
    document_id = Column(Integer, ForeignKey("kb_documents.id", ondelete="CASCADE"), nullable=False)
    position = Column(Integer, nullable=False)
    clause_id = Column(String(16), nullable=False)
    part_title = Column(Text, nullable=False)
    title = Column(Text, nullable=False)
    text = Column(Text, nullable=False)
    units_quote = Column(Text)
    lead_units = Column(JSON, nullable=False)
    responsible_units = Column(JSON, nullable=False)


class UnitRow(Base):
    __tablename__ = "kb_units"
    __table_args__ = (UniqueConstraint("document_id", "unit_id"),)
    id = Column(Integer, primary_key=True)
    document_id = Column(Integer, ForeignKey("kb_documents.id", ondelete="CASCADE"), nullable=False)
    unit_id = Column(String(32), nullable=False)
    name = Column(Text, nullable=False)
    full_name = Column(Text, nullable=False)
    aliases = Column(JSON, nullable=False)


class DistrictRow(Base):
    __tablename__ = "kb_districts"
    __table_args__ = (UniqueConstraint("document_id", "district_id"),)
    id = Column(Integer, primary_key=True)
    document_id = Column(Integer, ForeignKey("kb_documents.id", ondelete="CASCADE"), nullable=False)
    district_id = Column(String(32), nullable=False)
    name = Column(Text, nullable=False)
    kind = Column(Text, nullable=False)
    aliases = Column(JSON, nullable=False)
    reference = Column(Boolean, nullable=False)
    in_document = Column(Boolean, nullable=False)


class ApplicantTypeRow(Base):
    __tablename__ = "kb_applicant_types"
    __table_args__ = (UniqueConstraint("document_id", "type_id"),)
    id = Column(Integer, primary_key=True)
    document_id = Column(Integer, ForeignKey("kb_documents.id", ondelete="CASCADE"), nullable=False)
    type_id = Column(String(32), nullable=False)
    name = Column(Text, nullable=False)
    aliases = Column(JSON, nullable=False)
    is_a = Column(String(32))


class TopicRow(Base):
    __tablename__ = "kb_topics"
    __table_args__ = (UniqueConstraint("document_id", "topic_id"),)
    id = Column(Integer, primary_key=True)
    document_id = Column(Integer, ForeignKey("kb_documents.id", ondelete="CASCADE"), nullable=False)
    topic_id = Column(String(32), nullable=False)
    name = Column(Text, nullable=False)


class MeasureRow(Base):
    __tablename__ = "kb_measures"
    __table_args__ = (UniqueConstraint("document_id", "measure_id"),)
    id = Column(Integer, primary_key=True)
    document_id = Column(Integer, ForeignKey("kb_documents.id", ondelete="CASCADE"), nullable=False)
    position = Column(Integer, nullable=False)
    measure_id = Column(String(64), nullable=False)
    name = Column(Text, nullable=False)
    topic = Column(String(32), nullable=False)
    clause_id = Column(String(16), nullable=False)
    amount_kind = Column(String(32), nullable=False)
    amount_yuan = Column(Integer)  # fixed / max / min amounts, for listing and sorting
    quote = Column(Text, nullable=False)
    payload = Column(JSON, nullable=False)  # the whole measure as validated


class MeasureAliasRow(Base):
    __tablename__ = "kb_measure_aliases"
    __table_args__ = (UniqueConstraint("document_id", "alias"),)
    id = Column(Integer, primary_key=True)
    document_id = Column(Integer, ForeignKey("kb_documents.id", ondelete="CASCADE"), nullable=False)
    measure_id = Column(String(64), nullable=False)
    alias = Column(String(64), nullable=False, index=True)


class BeneficiaryRow(Base):
    __tablename__ = "kb_beneficiaries"
    __table_args__ = (UniqueConstraint("document_id", "measure_id", "type_id"),)
    id = Column(Integer, primary_key=True)
    document_id = Column(Integer, ForeignKey("kb_documents.id", ondelete="CASCADE"), nullable=False)
    measure_id = Column(String(64), nullable=False, index=True)
    type_id = Column(String(32), nullable=False)


class TargetRow(Base):
    __tablename__ = "kb_targets"
    __table_args__ = (UniqueConstraint("document_id", "target_id"),)
    id = Column(Integer, primary_key=True)
    document_id = Column(Integer, ForeignKey("kb_documents.id", ondelete="CASCADE"), nullable=False)
    position = Column(Integer, nullable=False)
    target_id = Column(String(64), nullable=False)
    indicator = Column(Text, nullable=False)
    clause_id = Column(String(16), nullable=False)
    value = Column(Float)
    unit = Column(String(16), nullable=False)
    year = Column(Integer, nullable=False)
    quote = Column(Text, nullable=False)
    payload = Column(JSON, nullable=False)
