"""Backup and restore through the real stack (SQLite): a conversation with a hand-off, `python -m bot.backup
backup`, the stack stopped and its databases deleted, `restore`, the stack started again: every table's
count and checksum as in the manifest, the conversation goes on where it was, staff read the restored
ticket's number. Then the purge: what it removes is gone from the files' bytes too."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from app_store import engine_for
from app_store.retention import Retention, purge
from app_store.tracker import tracker_engine
from bot.backup import MANIFEST, table_sums
from harness.stack import REPO, VENV_BIN, Stack, running_stack
from tests.privacy_checks import PHONE, bytes_under, found_in, staff_callback_numbers, unpacked


def _cli(stack: Stack, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(VENV_BIN / "python"), "-m", *args], cwd=REPO, env=stack.env, capture_output=True, text=True, timeout=300
    )


def _databases(workdir: Path) -> list[Path]:
    return [path for path in workdir.iterdir() if path.name.startswith(("app.db", "tracker.db", "policy.db"))]


@pytest.mark.stack  # a stack of its own (running_stack), not the shared fixture's
def test_backup_delete_restore_and_the_conversation_goes_on(tmp_path: Path) -> None:
    workdir = tmp_path / "stack"
    workdir.mkdir()
    # The stack's own copy of the knowledge base: the restore writes it back, never the checkout's var/.
    shutil.copy(REPO / "var" / "policy.db", workdir / "policy.db")
    own = {"POLICY_KB_DB_URL": f"sqlite:///{workdir / 'policy.db'}"}
    sender = f"restore-{uuid.uuid4().hex[:8]}"
    with running_stack(workdir, own) as stack:
        assert "创新券" in stack.texts(sender, "科技创新券最多补多少")
        assert "电话号码" in stack.texts(sender, "转人工")
        assert "已为您转人工" in stack.texts(sender, f"我的电话是{PHONE}")
        started = time.monotonic()
        made = _cli(stack, "bot.backup", "backup", str(tmp_path / "backup"))
        took = time.monotonic() - started
        assert made.returncode == 0, made.stderr
    manifest = json.loads((tmp_path / "backup" / MANIFEST).read_text())
    assert set(manifest["stores"]) == {"app", "tracker", "kb"}
    assert manifest["stores"]["app"]["tables"]["handoff_tickets"]["rows"] >= 1
    assert found_in(b"".join(bytes_under(tmp_path / "backup").values()).decode("utf-8", "replace"), (PHONE,)) == []

    for engine in (engine_for(stack.app_db_url), tracker_engine(f"sqlite:///{workdir / 'tracker.db'}")):
        engine.dispose()
    for path in _databases(workdir):
        path.unlink()
    started = time.monotonic()
    restored = _cli(stack, "bot.backup", "restore", str(tmp_path / "backup"))
    assert restored.returncode == 0, restored.stderr
    size = sum(len(data) for data in bytes_under(tmp_path / "backup").values())
    print(f"SQLite backup {took:.2f} s, restore {time.monotonic() - started:.2f} s, {size} bytes")
    for name in ("app", "tracker", "kb"):
        assert table_sums(_url(workdir, name)) == manifest["stores"][name]["tables"], name

    with running_stack(workdir, own) as stack:
        # Where it was: the follow-up is read against the measure asked about before the backup.
        follow_up = stack.texts(sender, "怎么申请")
        assert "创新券" in follow_up, follow_up
        assert PHONE in staff_callback_numbers(stack.url, stack.app_db_url)

        # The purge (as if a year had passed): the texts it removes are gone from the files' bytes.
        marker = f"zqx{uuid.uuid4().hex[:10]}"
        stack.texts(sender, f"研发补助 {marker}")
        assert any(marker.encode() in data for data in bytes_under(workdir).values())
        report = purge(
            engine_for(stack.app_db_url),
            tracker_engine(f"sqlite:///{workdir / 'tracker.db'}"),
            Retention(),
            now=datetime.now(timezone.utc) + timedelta(days=400),
        )
        assert report.tracker_events > 0 and report.question_texts > 0
        assert [path for path, data in bytes_under(workdir).items() if marker.encode() in data] == []
        assert all(PHONE not in unpacked(data) for data in bytes_under(workdir).values())


def _url(workdir: Path, name: str) -> str:
    return f"sqlite:///{workdir / {'app': 'app.db', 'tracker': 'tracker.db', 'kb': 'policy.db'}[name]}"
