"""Where the app database is and the key that pseudonymises senders: what the gateway and the action
server (which records hand-off tickets) both need, read through infra.settings (deploy/defaults.env, then
the environment). Each function takes the environment to read (default: the process's)."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from sqlalchemy.engine import URL

from app_store.sealing import DataKeys, keys_from
from infra.settings import SettingsError as SettingsError  # raised here; the gateway and tests import it from here
from infra.settings import environment

REPO_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = REPO_ROOT / "var"
SECRET_FILE_NAME = "secret.key"


def app_db_url(env: Mapping[str, str] | None = None, var: Path = VAR_DIR) -> str:
    """APP_DB_URL, or a SQLite file in var/."""
    env = environment(env)
    return env.get("APP_DB_URL") or default_db_url(var)


def app_secret(env: Mapping[str, str] | None = None, var: Path = VAR_DIR) -> str:
    """APP_SECRET, or the key kept in var/secret.key."""
    env = environment(env)
    return env.get("APP_SECRET") or read_or_create_secret(var / SECRET_FILE_NAME)


def data_keys(env: Mapping[str, str] | None = None, var: Path = VAR_DIR) -> DataKeys:
    """The keys that seal and open the personal values kept on purpose (app_store.sealing): DATA_KEY, or
    one derived from APP_SECRET (HKDF) while it is unset; DATA_KEYS_RETIRED (comma-separated) open only."""
    env = environment(env)
    retired = [part for part in env["DATA_KEYS_RETIRED"].split(",") if part.strip()]
    try:
        return keys_from(app_secret(env, var), env["DATA_KEY"] or None, retired)
    except ValueError as error:
        raise SettingsError(str(error)) from None


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


def tracker_db_url(env: Mapping[str, str] | None = None) -> str:
    """Rasa's tracker store as a SQLAlchemy URL, from the variables endpoints*.yml give Rasa:
    TRACKER_DB_HOST/PORT/NAME/USER/PASSWORD (production, PostgreSQL), else TRACKER_DIALECT and TRACKER_DB
    (development: a SQLite file, relative to the repository like Rasa's working directory)."""
    env = environment(env)
    if env.get("TRACKER_DB_HOST"):
        url = URL.create(
            "postgresql+psycopg2",
            username=env.get("TRACKER_DB_USER") or None,
            password=env.get("TRACKER_DB_PASSWORD") or None,
            host=env["TRACKER_DB_HOST"],
            port=int(env["TRACKER_DB_PORT"]) if env.get("TRACKER_DB_PORT") else None,
            database=env.get("TRACKER_DB_NAME") or None,
        )
        return url.render_as_string(hide_password=False)
    dialect = env["TRACKER_DIALECT"]
    if dialect != "sqlite":
        raise SettingsError(f"TRACKER_DIALECT {dialect!r}: set TRACKER_DB_HOST and friends for PostgreSQL")
    path = Path(env["TRACKER_DB"])
    return f"sqlite:///{path if path.is_absolute() else REPO_ROOT / path}"


def internal_token(purpose: str, env: Mapping[str, str] | None = None, var: Path = VAR_DIR) -> str:
    """The shared secret for one internal hop, derived from APP_SECRET unless set outright.

    `purpose` is "action" (Rasa → action server, ACTION_TOKEN) or "rasa" (gateway → Rasa's HTTP API,
    RASA_TOKEN). Derived, so a machine that shares APP_SECRET already has them; scripts/env.sh exports
    them for Rasa, which reads them from its endpoint file and command line.
    """
    env = environment(env)
    name = {"action": "ACTION_TOKEN", "rasa": "RASA_TOKEN"}[purpose]
    if env.get(name):
        return env[name]
    key = app_secret(env, var).encode("utf-8")
    return hmac.new(key, f"internal-token:{purpose}".encode(), hashlib.sha256).hexdigest()[:40]


if __name__ == "__main__":  # python -m app_store.settings tokens: ACTION_TOKEN, RASA_TOKEN (scripts/env.sh)
    import sys

    if sys.argv[1:] != ["tokens"]:
        sys.exit("usage: python -m app_store.settings tokens")
    print(internal_token("action"))
    print(internal_token("rasa"))
