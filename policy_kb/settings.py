"""Where the knowledge base lives: any SQLAlchemy URL via POLICY_KB_DB_URL, SQLite by default."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = REPO_ROOT / "var"


def database_url() -> str:
    url = os.environ.get("POLICY_KB_DB_URL")
    if url:
        return url
    VAR_DIR.mkdir(exist_ok=True)
    return f"sqlite:///{VAR_DIR / 'policy.db'}"
