"""Alembic environment for the app database (question log, hand-off tickets).

The URL comes from `bot.migrate` (config attribute "database_url"); run any other way, it falls back to
APP_DB_URL and then to the default SQLite file, like the gateway does.
"""

from __future__ import annotations

from alembic import context

from app_store.engine import engine_for
from app_store.models import Base
from app_store.settings import app_db_url

config = context.config
url = config.attributes.get("database_url") or app_db_url()

if context.is_offline_mode():
    context.configure(url=url, target_metadata=Base.metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    # The shared engine brings the SQLite pragmas (WAL, busy timeout) the gateway and actions rely on.
    with engine_for(url).connect() as connection:
        # Batch mode lets later revisions alter columns on SQLite, which has no ALTER COLUMN.
        context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
