"""Backup and restore in production mode (PostgreSQL): a conversation with a hand-off, `python -m bot.backup
backup` (pg_dump), production stopped and its three databases dropped and made again empty, `restore`
(pg_restore), production started on them: every table's count and checksum as in the manifest, the
conversation goes on where it was, and hotline staff read the restored ticket's number."""

from __future__ import annotations

import json
import subprocess
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.backup import MANIFEST, table_sums
from harness.production import ProductionStack, production_stack
from harness.stack import REPO, VENV_BIN
from tests.privacy_checks import PHONE, staff_callback_numbers


def _profile(stack: ProductionStack) -> dict[str, str]:
    """The environment run_production.sh gives its processes: the caller's, then the profile file."""
    env = dict(stack.env)
    env.pop("PRODUCTION_ENV", None)
    for line in (stack.workdir / "production.env").read_text().splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            env[key] = value
    return env


def _backup_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(VENV_BIN / "python"), "-m", "bot.backup", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _recreate(pg_url: str, *databases: str) -> None:
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        for name in databases:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def test_backup_drop_restore_and_the_conversation_goes_on(pg_url: str, redis_url: str, tmp_path: Path) -> None:
    sender = f"pg-restore-{uuid.uuid4().hex[:8]}"
    for run in ("first", "second"):
        (tmp_path / run).mkdir()
    with production_stack(tmp_path / "first", pg_url, redis_url, rasa_processes=1, action_processes=1) as first:
        assert "创新券" in first.texts(sender, "科技创新券最多补多少")
        assert "电话号码" in first.texts(sender, "转人工")
        assert "已为您转人工" in first.texts(sender, f"我的电话是{PHONE}")
        env = _profile(first)
        started = time.monotonic()
        made = _backup_cli(env, "backup", str(tmp_path / "backup"))
        took = time.monotonic() - started
        assert made.returncode == 0, made.stderr
        # production mode made its own at start, into BACKUP_DIR
        assert [path.name for path in (first.workdir / "backups").glob("*/" + MANIFEST)] == [MANIFEST]
    urls = {"app": env["APP_DB_URL"], "tracker": first.tracker_db_url, "kb": env["POLICY_KB_DB_URL"]}
    manifest = json.loads((tmp_path / "backup" / MANIFEST).read_text())
    assert set(manifest["stores"]) == set(urls)
    assert manifest["stores"]["app"]["tables"]["handoff_tickets"]["rows"] == 1

    _recreate(pg_url, *(str(make_url(url).database) for url in urls.values()))
    assert table_sums(urls["app"]) == {}
    started = time.monotonic()
    restored = _backup_cli(env, "restore", str(tmp_path / "backup"))
    assert restored.returncode == 0, restored.stderr
    size = sum(path.stat().st_size for path in (tmp_path / "backup").iterdir())
    print(f"PostgreSQL backup {took:.2f} s, restore {time.monotonic() - started:.2f} s, {size} bytes")
    for name, url in urls.items():
        assert table_sums(url) == manifest["stores"][name]["tables"], name

    on_restored = {
        "APP_DB_URL": urls["app"],
        "POLICY_KB_DB_URL": urls["kb"],
        "TRACKER_DB_NAME": str(make_url(urls["tracker"]).database),
    }
    with production_stack(
        tmp_path / "second", pg_url, redis_url, rasa_processes=1, action_processes=1, extra=on_restored
    ) as second:
        follow_up = second.texts(sender, "怎么申请")
        assert "创新券" in follow_up, follow_up
        assert PHONE in staff_callback_numbers(second.url, urls["app"])
