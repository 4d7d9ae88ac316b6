"""Where the app database is and the key that pseudonymises senders: what the gateway and the action
server (which records hand-off tickets) both need, read from the environment in one place."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Mapping
from pathlib import Path

VAR_DIR = Path(__file__).resolve().parent.parent / "var"
SECRET_FILE_NAME = "secret.key"


class SettingsError(ValueError):
    """An environment variable holds a value the gateway cannot use."""


def app_db_url(env: Mapping[str, str] | None = None, var: Path = VAR_DIR) -> str:
    """APP_DB_URL, or a SQLite file in var/."""
    env = os.environ if env is None else env
    return env.get("APP_DB_URL") or default_db_url(var)


def app_secret(env: Mapping[str, str] | None = None, var: Path = VAR_DIR) -> str:
    """APP_SECRET, or the key kept in var/secret.key."""
    env = os.environ if env is None else env
    return env.get("APP_SECRET") or read_or_create_secret(var / SECRET_FILE_NAME)


def read_or_create_secret(path: Path) -> str:
    """The key in `path`, created with a random value (mode 600) on first use.

    The gateway and the action server may start at the same moment and must end up with the same key
    (both pseudonymise the same senders), so the file is written under a temporary name and linked into
    place: the link fails if the other process won, and then its key is read.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(secrets.token_hex(32) + "\n")
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
    secret = path.read_text(encoding="ascii").strip()
    if not secret:
        raise SettingsError(f"{path} is empty; delete it to have a new key generated, or set APP_SECRET")
    return secret


def default_db_url(var: Path = VAR_DIR) -> str:
    """SQLite file in var/, which is created if missing."""
    var.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{var / 'app.db'}"


