"""bot.backup on SQLite and PostgreSQL: backup, the databases deleted, restore; every table's count and
checksum equal, the ticket's number readable by staff, a damaged backup refused before anything is touched."""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import text

from app_store import create_ticket, engine_for, open_tickets, record_feedback
from app_store.privacy import pseudonym
from bot.backup import BackupError, backup, main, restore, scheduled, table_sums, verify
from bot.settings import Settings
from policy_kb.loader import DEFAULT_DATA_FILE
from policy_kb.store import engine_for as kb_engine_for
from policy_kb.store import load_into
from tests.bot.conftest import KEYS, SECRET
from tests.bot.test_retention import RECENT, Stores, converse, stores, tracker_texts

__all__ = ["stores"]  # the fixture, shared with the retention tests

PHONE = "13812345678"


@pytest.fixture
def kb_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'policy.db'}"
    load_into(kb_engine_for(url), DEFAULT_DATA_FILE)
    kb_engine_for(url).dispose()
    monkeypatch.setenv("POLICY_KB_DB_URL", url)
    return url


def _delete_everything(stores: Stores, kb_url: str) -> None:
    """What a lost disk or a dropped database leaves: nothing."""
    for engine in (stores.app, stores.tracker, kb_engine_for(kb_url)):
        engine.dispose()
    if stores.app_url.startswith("sqlite"):
        for url in (stores.app_url, stores.tracker_url, kb_url):
            path = Path(url.removeprefix("sqlite:///"))
            for file in path.parent.glob(path.name + "*"):
                file.unlink()
    else:
        with stores.app.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        for url in (kb_url,):
            Path(url.removeprefix("sqlite:///")).unlink()


def test_backup_delete_restore_brings_every_table_back(stores: Stores, kb_url: str, tmp_path: Path) -> None:
    message = converse(stores, "caller", RECENT, "研发补助最多多少")
    record_feedback(stores.app, message, -1, "没说清楚")
    create_ticket(
        stores.app, conversation=pseudonym(SECRET, "caller"), question="转人工", callback_phone=PHONE, keys=KEYS
    )
    settings = Settings(app_db_url=stores.app_url, app_secret=SECRET, tracker_db_url=stores.tracker_url)
    before = {"app": table_sums(stores.app_url), "kb": table_sums(kb_url)}

    manifest = backup(settings, tmp_path / "backup")
    entries = manifest["stores"]
    assert entries["app"]["tables"] == before["app"]
    assert entries["app"]["tables"]["handoff_tickets"]["rows"] == 1
    assert entries["app"]["tables"]["question_log"]["rows"] == 1
    assert entries["kb"]["tables"] == before["kb"]
    # PostgreSQL's tracker here shares the app's database: copied once.
    assert ("tracker" in entries) == stores.app_url.startswith("sqlite")
    assert PHONE.encode() not in b"".join(p.read_bytes() for p in (tmp_path / "backup").iterdir())

    _delete_everything(stores, kb_url)
    restored = restore(settings, tmp_path / "backup")

    assert {name: restored[name] for name in entries} == {name: entry["tables"] for name, entry in entries.items()}
    [ticket] = open_tickets(engine_for(stores.app_url), keys=KEYS)
    assert ticket.callback_phone == PHONE
    assert any("研发补助最多多少" in data for data in tracker_texts(stores, "caller"))


def test_a_damaged_backup_is_refused_before_anything_is_touched(stores: Stores, kb_url: str, tmp_path: Path) -> None:
    converse(stores, "caller", RECENT, "创新券怎么申请")
    settings = Settings(app_db_url=stores.app_url, app_secret=SECRET, tracker_db_url=stores.tracker_url)
    backup(settings, tmp_path / "good")
    assert verify(tmp_path / "good")

    damaged = tmp_path / "damaged"
    shutil.copytree(tmp_path / "good", damaged)
    manifest = json.loads((damaged / "manifest.json").read_text())
    app_file = damaged / manifest["stores"]["app"]["file"]
    app_file.write_bytes(app_file.read_bytes()[:-10] + b"x" * 10)
    with pytest.raises(BackupError, match="校验和"):
        restore(settings, damaged)
    assert table_sums(stores.app_url)["question_log"]["rows"] == 1  # untouched

    # A manifest that does not match what the files hold: found after restoring, table by table.
    shutil.copy(tmp_path / "good" / app_file.name, app_file)
    manifest["stores"]["app"]["tables"]["question_log"]["rows"] = 2
    (damaged / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(BackupError, match="question_log"):
        restore(settings, damaged)


def test_the_command_line_says_what_is_wrong_in_chinese(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["restore", str(tmp_path / "nowhere")]) == 1
    assert "不是本系统的备份" in capsys.readouterr().err
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    assert main(["backup", str(tmp_path / "full")]) == 1
    assert "不是空的" in capsys.readouterr().err


def test_production_backs_up_once_per_interval_and_keeps_the_newest(
    stores: Stores, kb_url: str, tmp_path: Path
) -> None:
    converse(stores, "caller", RECENT, "创新券怎么申请")
    settings = Settings(
        app_db_url=stores.app_url, app_secret=SECRET, tracker_db_url=stores.tracker_url, backup_every_hours=24
    )
    start = datetime(2026, 12, 7, 2, 0, tzinfo=timezone.utc)
    directory = tmp_path / "backups"
    made = [scheduled(settings, directory, 2, start + timedelta(hours=hours)) for hours in (0, 1, 25, 50)]
    # The second gateway copy (or a restart) an hour later finds a fresh backup and makes none.
    assert [path.name if path else None for path in made] == [
        "20261207T020000Z",
        None,
        "20261208T030000Z",
        "20261209T040000Z",
    ]
    assert sorted(path.name for path in directory.iterdir() if path.is_dir()) == [
        "20261208T030000Z",
        "20261209T040000Z",
    ]
    assert verify(directory / "20261209T040000Z")["stores"]["app"]["tables"]["question_log"]["rows"] == 1
