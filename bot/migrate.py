"""Bring the app database to the current schema with Alembic.

    python -m bot.migrate                 # upgrade APP_DB_URL (or the default SQLite file) to head
    python -m bot.migrate --url URL       # another database
    python -m bot.migrate current         # print the revision the database is at
    python -m bot.migrate downgrade REV   # e.g. base

There is no alembic.ini: the configuration is built here, so the same code serves the CLI, `make run`
and tests. A new revision is a new file in migrations/versions (copy 0001_initial.py, set
down_revision); tests check that the models and the migrated schema agree.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from alembic import command
from alembic.config import Config

from app_store.engine import engine_for
from app_store.models import SEALED_COLUMNS
from app_store.scrub import scrub
from app_store.settings import app_db_url

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # Passed as an attribute, not as sqlalchemy.url: the ini parser would choke on a "%" in a password.
    config.attributes["database_url"] = url
    return config


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)
    # 0008 sealed the numbers stored before it: no plain copy may stay in a free page or the WAL.
    scrub(engine_for(url), {column.table.name for column in SEALED_COLUMNS})


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.migrate", description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="SQLAlchemy URL (default: APP_DB_URL or var/app.db)")
    parser.add_argument("action", nargs="?", default="upgrade", choices=["upgrade", "downgrade", "current"])
    parser.add_argument("revision", nargs="?", default=None)
    args = parser.parse_args(argv)
    url = args.url or _default_url()
    if args.action == "upgrade":
        upgrade(url, args.revision or "head")
    elif args.action == "downgrade":
        if not args.revision:
            parser.error("downgrade needs a revision, e.g. base")
        downgrade(url, args.revision)
    else:
        command.current(alembic_config(url))


def _default_url() -> str:
    # Not load_settings(): migrating needs only the URL, not a secret key created as a side effect.
    return app_db_url()


if __name__ == "__main__":
    main()
