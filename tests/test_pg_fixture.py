"""The pg_url fixture gives a working, writable PostgreSQL database."""

from sqlalchemy import Column, Integer, MetaData, Table, Text, create_engine, insert, select


def test_pg_url_round_trips_rows(pg_url):
    assert pg_url.startswith("postgresql+psycopg2://")
    engine = create_engine(pg_url, future=True)
    metadata = MetaData()
    measures = Table("measures", metadata, Column("id", Integer, primary_key=True), Column("name", Text))
    try:
        metadata.create_all(engine)
        with engine.begin() as connection:
            connection.execute(insert(measures), [{"name": "科技创新券"}, {"name": "农科驿站"}])
        with engine.connect() as connection:
            names = connection.execute(select(measures.c.name).order_by(measures.c.id)).scalars().all()
        assert names == ["科技创新券", "农科驿站"]
    finally:
        metadata.drop_all(engine)
        engine.dispose()
