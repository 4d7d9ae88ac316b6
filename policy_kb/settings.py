"""Where the knowledge base lives: any SQLAlchemy URL via POLICY_KB_DB_URL, SQLite in the checkout's var/
by default (a path, so it is built here rather than written in deploy/defaults.env)."""

from __future__ import annotations

from pathlib import Path

from infra.settings import optional

REPO_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = REPO_ROOT / "var"


def database_url() -> str:
    url = optional("POLICY_KB_DB_URL")
    if url:
        return url
    VAR_DIR.mkdir(exist_ok=True)
    return f"sqlite:///{VAR_DIR / 'policy.db'}"
