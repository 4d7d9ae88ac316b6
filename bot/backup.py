"""Backup and restore of the three databases: the app database, Rasa's tracker store and the knowledge base.

    python -m bot.backup backup DIR     # a consistent copy of each, and DIR/manifest.json
    python -m bot.backup restore DIR    # checks the files, restores them, checks every table against it
    python -m bot.backup verify DIR     # the files' checksums only

SQLite: the online backup API copies a consistent snapshot while the services run. PostgreSQL: pg_dump
(custom format) with the snapshot the manifest's counts were taken in, and pg_restore --clean into the
database the settings name, which must exist. The manifest lists, per database, its file's SHA-256 and
each table's row count and checksum (an order-free sum of the rows' hashes); restore refuses a file whose
checksum differs and reports every table that does not come back equal. Stop the services before a
restore. The callback numbers stay sealed in the copy: a restore needs the same DATA_KEY (or APP_SECRET),
which is not in the backup.

Production mode backs up every BACKUP_EVERY_HOURS into BACKUP_DIR/<UTC time>/ and keeps BACKUP_KEEP.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import decimal
import fcntl
import hashlib
import json
import logging
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web
from sqlalchemy import MetaData, create_engine, select, text
from sqlalchemy.engine import Connection, make_url

from bot.settings import REPO_ROOT, Settings, load_settings
from infra.settings import child_environment
from policy_kb.settings import database_url as kb_database_url

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
_CHUNK = 1 << 20


class BackupError(RuntimeError):
    """What went wrong, in Chinese, for the operator."""


@dataclass(frozen=True)
class Store:
    name: str  # "app", "tracker", "kb": the file's name in the backup
    url: str

    @property
    def sqlite_path(self) -> Path | None:
        parsed = make_url(self.url)
        if parsed.get_backend_name() != "sqlite" or not parsed.database:
            return None
        return Path(parsed.database)

    @property
    def file_name(self) -> str:
        return f"{self.name}.db" if self.sqlite_path else f"{self.name}.dump"


def stores(settings: Settings) -> list[Store]:
    """The databases the settings name, each once (a tracker sharing the app's database is not copied twice)."""
    found: list[Store] = []
    for name, url in (("app", settings.app_db_url), ("tracker", settings.tracker_db_url), ("kb", kb_database_url())):
        if url and all(store.url != url for store in found):
            found.append(Store(name, url))
    return found


# --- backup ------------------------------------------------------------------------------------------


def backup(settings: Settings, directory: Path) -> dict[str, Any]:
    """Copy every store into `directory` (created; must be empty) and write the manifest; returns it."""
    directory.mkdir(parents=True, exist_ok=True)
    if any(directory.iterdir()):
        raise BackupError(f"备份目录 {directory} 不是空的，请指定一个新目录")
    entries = {}
    for store in stores(settings):
        target = directory / store.file_name
        tables = _backup_sqlite(store, target) if store.sqlite_path else _backup_postgres(store, target)
        entries[store.name] = {
            "url": make_url(store.url).render_as_string(hide_password=True),
            "file": store.file_name,
            "sha256": file_sha256(target),
            "tables": tables,
        }
    manifest = {"created_at": dt.datetime.now(dt.timezone.utc).isoformat(), "stores": entries}
    (directory / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return manifest


def _backup_sqlite(store: Store, target: Path) -> dict[str, dict[str, Any]]:
    source_path = store.sqlite_path
    assert source_path is not None
    if not source_path.exists():
        raise BackupError(f"数据库文件 {source_path} 不存在")
    with (
        contextlib.closing(sqlite3.connect(source_path)) as source,
        contextlib.closing(sqlite3.connect(target)) as copy,
    ):
        source.backup(copy)
    # The copy's counts: the snapshot itself, whatever was written to the live file since.
    return table_sums(f"sqlite:///{target}")


def _backup_postgres(store: Store, target: Path) -> dict[str, dict[str, Any]]:
    engine = create_engine(store.url, future=True)
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            tables = _sums(connection)
            # pg_dump reads the snapshot this transaction holds open: the dump and the counts agree.
            _pg("pg_dump", store.url, "--format=custom", f"--snapshot={snapshot}", f"--file={target}")
    finally:
        engine.dispose()
    return tables


# --- restore -----------------------------------------------------------------------------------------


def verify(directory: Path) -> dict[str, Any]:
    """The manifest, once every file it lists has its checksum; BackupError otherwise."""
    path = directory / MANIFEST
    if not path.exists():
        raise BackupError(f"{directory} 中没有 {MANIFEST}，不是本系统的备份")
    manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    for name, entry in manifest["stores"].items():
        file = directory / entry["file"]
        if not file.exists():
            raise BackupError(f"备份不完整：缺少 {entry['file']}（{name}）")
        if file_sha256(file) != entry["sha256"]:
            raise BackupError(f"备份文件已损坏：{entry['file']} 的校验和与清单不符")
    return manifest


def restore(settings: Settings, directory: Path) -> dict[str, dict[str, Any]]:
    """Restore every store of the backup into the databases the settings name; returns each table's sums.
    Raises BackupError before touching anything when a file is damaged, and after restoring when a table
    does not match the manifest."""
    manifest = verify(directory)
    targets = {store.name: store for store in stores(settings)}
    missing = sorted(set(manifest["stores"]) - set(targets))
    if missing:
        raise BackupError(f"当前设置中没有与备份对应的数据库：{', '.join(missing)}")
    for name, entry in manifest["stores"].items():
        store = targets[name]
        if entry["file"] != store.file_name:
            raise BackupError(f"{name}：备份是 {entry['file']}，当前设置的数据库类型不同，无法恢复")
    restored = {}
    for name, entry in manifest["stores"].items():
        store = targets[name]
        if store.sqlite_path:
            _restore_sqlite(directory / entry["file"], store.sqlite_path)
        else:
            database = f"--dbname={make_url(store.url).database}"
            _pg(
                "pg_restore",
                store.url,
                "--clean",
                "--if-exists",
                "--no-owner",
                database,
                str(directory / entry["file"]),
            )
        restored[name] = table_sums(store.url)
        differing = [t for t, sums in entry["tables"].items() if restored[name].get(t) != sums]
        if differing:
            raise BackupError(f"恢复后 {name} 的这些表与备份清单不一致：{', '.join(sorted(differing))}")
    return restored


def _restore_sqlite(copy: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.closing(sqlite3.connect(copy)) as source, contextlib.closing(sqlite3.connect(target)) as live:
        source.backup(live)
        # The pages went through the target's WAL: copy them home and leave none of the replaced ones there.
        live.execute("PRAGMA wal_checkpoint(TRUNCATE)")


# --- checksums ---------------------------------------------------------------------------------------


def table_sums(url: str) -> dict[str, dict[str, Any]]:
    engine = create_engine(url, future=True)
    try:
        with engine.connect() as connection:
            return _sums(connection)
    finally:
        engine.dispose()


def _sums(connection: Connection) -> dict[str, dict[str, Any]]:
    """{table: {"rows": n, "checksum": hex}} of every table: the sum of each row's SHA-256 modulo 2**256,
    so the order rows come back in does not matter."""
    metadata = MetaData()
    metadata.reflect(connection)
    sums = {}
    for table in metadata.sorted_tables:
        rows, total = 0, 0
        for row in connection.execute(select(table)):
            canonical = json.dumps([_canonical(value) for value in row], ensure_ascii=False, sort_keys=True)
            total = (total + int.from_bytes(hashlib.sha256(canonical.encode("utf-8")).digest(), "big")) % (1 << 256)
            rows += 1
        sums[table.name] = {"rows": rows, "checksum": f"{total:064x}"}
    return sums


def _canonical(value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (bytes, memoryview)):
        return bytes(value).hex()
    if isinstance(value, (decimal.Decimal, float)):
        return repr(float(value))
    return value if isinstance(value, (str, int, bool, list, dict, type(None))) else str(value)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _pg(tool: str, url: str, *args: str) -> None:
    """Run pg_dump or pg_restore against `url`; the password goes in the environment, not on the command line."""
    parsed = make_url(url)
    env = child_environment(
        {
            "PGHOST": parsed.host or "",
            "PGPORT": str(parsed.port or 5432),
            "PGUSER": parsed.username or "",
            "PGDATABASE": parsed.database or "",
            "PGPASSWORD": parsed.password or "",
        }
    )
    executable = shutil.which(tool)
    if executable is None:
        raise BackupError(f"找不到 {tool}：请安装与服务器版本一致的 PostgreSQL 客户端（postgresql-client）")
    result = subprocess.run([executable, *args], env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{tool} 失败（{result.returncode}）：{result.stderr.strip()[-500:]}")


# --- production's schedule ---------------------------------------------------------------------------


def scheduled(settings: Settings, directory: Path, keep: int, now: dt.datetime | None = None) -> Path | None:
    """One backup into `directory`/<UTC time>/ unless another gateway copy made one in the last interval
    (they share the directory; a lock file keeps two from starting together); the oldest beyond `keep` go."""
    now = now or dt.datetime.now(dt.timezone.utc)
    directory.mkdir(parents=True, exist_ok=True)
    with _locked(directory / ".lock") as mine:
        if not mine or _recent(directory, now, settings.backup_every_hours):
            return None
        target = directory / now.strftime("%Y%m%dT%H%M%SZ")
        try:
            backup(settings, target)
        except Exception:
            shutil.rmtree(target, ignore_errors=True)  # never leave a half backup that looks whole
            raise
        for old in _backups(directory)[:-keep]:
            shutil.rmtree(old, ignore_errors=True)
        return target


def _backups(directory: Path) -> list[Path]:
    return sorted(path for path in directory.iterdir() if path.is_dir() and (path / MANIFEST).exists())


def _recent(directory: Path, now: dt.datetime, every_hours: int) -> bool:
    done = _backups(directory)
    if not done:
        return False
    newest = dt.datetime.strptime(done[-1].name, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.timezone.utc)
    return now - newest < dt.timedelta(hours=every_hours) * 0.9


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[bool]:
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


async def scheduled_backup(app: web.Application) -> AsyncIterator[None]:
    """The gateway's cleanup context: a backup every BACKUP_EVERY_HOURS (0: off), the first at start."""
    from bot.appkeys import SETTINGS  # not at the top: bot.appkeys imports the app's whole wiring

    settings = app[SETTINGS]
    if not settings.backup_every_hours:
        yield
        return
    task = asyncio.create_task(_backup_forever(settings), name="backup")
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _backup_forever(settings: Settings) -> None:
    directory = backup_dir(settings)
    while True:
        try:
            made = await asyncio.to_thread(scheduled, settings, directory, settings.backup_keep)
            if made is not None:
                log.info("backup written to %s", made)
        except Exception:
            log.exception("backup failed; next attempt in an hour")
            await asyncio.sleep(3600)
            continue
        await asyncio.sleep(settings.backup_every_hours * 3600.0)


def backup_dir(settings: Settings) -> Path:
    path = Path(settings.backup_dir)
    return path if path.is_absolute() else REPO_ROOT / path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.backup", description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["backup", "restore", "verify"])
    parser.add_argument("directory", type=Path)
    args = parser.parse_args(argv)
    settings = load_settings()
    try:
        if args.command == "backup":
            result: Any = backup(settings, args.directory)["stores"]
        elif args.command == "restore":
            result = restore(settings, args.directory)
        else:
            result = verify(args.directory)["stores"]
    except BackupError as error:
        print(f"{args.command}: {error}", file=sys.stderr)
        return 1
    print(json.dumps({name: {t: s["rows"] for t, s in _tables(entry).items()} for name, entry in result.items()}))
    return 0


def _tables(entry: dict[str, Any]) -> dict[str, Any]:
    tables: dict[str, Any] = entry.get("tables", entry)
    return tables


if __name__ == "__main__":
    sys.exit(main())
