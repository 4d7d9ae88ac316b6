"""The same knowledge base from PostgreSQL as from SQLite: counts, a cost split, search and verdicts.

Uses the session's throwaway PostgreSQL (`pg_url`, tests/conftest.py) with a database of its own, so
that other tests using the server see nothing of it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from policy_kb.query import KnowledgeBase, Profile
from policy_kb.store import document_codes, load_into, read_document
from tests.policy_kb.helpers import DATA_FILE

WAN = 10_000


@pytest.fixture()
def pg_engine(pg_url: str) -> Iterator[Engine]:
    name = f"policy_kb_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_url, future=True, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8'"))
    # not store.engine_for: its engines are cached for the process, and this database is dropped
    engine = create_engine(make_url(pg_url).set(database=name), future=True)
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def test_postgres_gives_the_same_answers_as_sqlite(pg_engine: Engine, kb: KnowledgeBase):
    from policy_kb.models import Base

    Base.metadata.create_all(pg_engine)
    _, changed = load_into(pg_engine, DATA_FILE)
    assert changed
    _, changed = load_into(pg_engine, DATA_FILE)
    assert not changed  # idempotent here too

    assert document_codes(pg_engine) == ["weihai-2018-32"]
    data, version = read_document(pg_engine)
    pg = KnowledgeBase(data, version)

    assert len(pg.data.clauses) == 21
    assert len(pg.measures) == len(kb.measures) >= 25
    assert len(pg.targets) == len(kb.targets) >= 12
    assert len(pg.data.units) == 22
    assert len(pg.districts) == 9
    assert pg.version == kb.version  # same content hash
    assert pg.data == kb.data  # every field, Chinese text and figures included

    for district in ("rongcheng", "huancui", None):
        for amount in (200 * WAN, 1500 * WAN, 333_333, None):
            expected = kb.cost_split("rd_subsidy", district, amount)
            assert pg.cost_split("rd_subsidy", district, amount) == expected
    split = pg.cost_split("rd_subsidy", "rongcheng", 200 * WAN)
    assert {s.level: s.yuan for s in split.shares} == {"province": 100 * WAN, "city": 0, "county": 100 * WAN}

    for query in ("荣成 研发 分担", "特派员 奖励", "创新卷", "技术交易额 目标", "一事一议 分校"):
        assert pg.search(query) == kb.search(query)
    assert pg.search("荣成 研发 分担")[0].clause == "二（六）"

    profile = Profile(applicant_type="high_tech_enterprise")
    expected_ids = [v.measure.id for v in kb.measures_for(profile)]
    assert [v.measure.id for v in pg.measures_for(profile)] == expected_ids
    assert pg.find_measure("俺们村想办个农科驿站，政府给钱不？").id == "xingchuang_nongke"


def test_cli_load_and_stats_on_postgres(pg_engine: Engine, cli):
    import json

    url = pg_engine.url.render_as_string(hide_password=False)
    loaded = cli("--url", url, "load", str(DATA_FILE))
    assert loaded.returncode == 0 and loaded.stdout.startswith("loaded"), loaded.stdout + loaded.stderr
    assert cli("--url", url, "load", str(DATA_FILE)).stdout.startswith("unchanged")
    stats = cli("--url", url, "stats")
    measures = len(read_document(pg_engine)[0].measures)
    assert json.loads(stats.stdout) == {
        "documents": 1,
        "clauses": 21,
        "measures": measures,
        "targets": 13,
        "units": 22,
        "districts": 9,
    }
