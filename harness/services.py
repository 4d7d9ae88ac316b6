"""Throwaway PostgreSQL and Redis servers for tests.

Each server runs from Debian's packages on 127.0.0.1, on a free port, with its files in a temp dir
that is removed afterwards; nothing touches the machine's own clusters. The pytest fixtures live in
tests/conftest.py; these context managers can also be used on their own.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path


class ServiceNotInstalledError(RuntimeError):
    """The server's binaries (or the OS user it needs) are not installed here."""


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited with code {process.returncode} before listening on {port}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listening on 127.0.0.1:{port} after {timeout} s")


def postgres_bin_dir() -> Path:
    """The newest /usr/lib/postgresql/<version>/bin that has initdb and pg_ctl."""
    candidates = [
        Path(path).parent
        for path in glob.glob("/usr/lib/postgresql/*/bin/initdb")
        if Path(path).with_name("pg_ctl").exists()
    ]
    if not candidates:
        raise ServiceNotInstalledError(
            "PostgreSQL server binaries not found in /usr/lib/postgresql/*/bin (apt-get install postgresql)"
        )
    return max(candidates, key=lambda path: int(path.parent.name.split(".")[0]))


def _as_user(cmd: list[str], user: str | None) -> list[str]:
    return cmd if user is None else ["runuser", "-u", user, "--", *cmd]


def _run(cmd: list[str], *, as_user: str | None) -> subprocess.CompletedProcess[str]:
    cmd = _as_user(cmd, as_user)
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    return result


@contextlib.contextmanager
def postgres_server(database: str = "test") -> Iterator[str]:
    """Start a private PostgreSQL cluster and yield a SQLAlchemy URL for a fresh `database`."""
    bin_dir = postgres_bin_dir()
    # PostgreSQL refuses to run as root: as root, run it as the `postgres` user and give that user the
    # temp dir.
    as_user = None
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            raise ServiceNotInstalledError("running as root but there is no `postgres` OS user") from None
        as_user = owner.pw_name
    root = Path(tempfile.mkdtemp(prefix="pytest-pg-"))
    try:
        if as_user is not None:
            os.chown(root, owner.pw_uid, owner.pw_gid)
        data, log = root / "data", root / "server.log"
        port = free_port()
        initdb = [str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"]
        _run([*initdb, "-E", "UTF8", "--locale=C", "--no-sync"], as_user=as_user)
        # Durability is irrelevant for a throwaway cluster; turning it off makes tests faster.
        options = f"-h 127.0.0.1 -p {port} -k {root} -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        pg_ctl = [str(bin_dir / "pg_ctl"), "-D", str(data)]
        try:
            _run([*pg_ctl, "-l", str(log), "-o", options, "-w", "-t", "60", "start"], as_user=as_user)
        except RuntimeError as error:
            server_log = log.read_text(errors="replace") if log.exists() else "(no log)"
            raise RuntimeError(f"{error}\nserver log:\n{server_log}") from None
        try:
            createdb = [str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres"]
            _run([*createdb, database], as_user=None)
            yield f"postgresql+psycopg2://postgres@127.0.0.1:{port}/{database}"
        finally:
            stop = [*pg_ctl, "-m", "immediate", "-w", "stop"]
            subprocess.run(_as_user(stop, as_user), capture_output=True, check=False)
    finally:
        shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    """Start a private, non-persistent Redis server and yield its URL (database 0)."""
    executable = shutil.which("redis-server")
    if executable is None:
        raise ServiceNotInstalledError("redis-server not found on PATH (apt-get install redis-server)")
    root = Path(tempfile.mkdtemp(prefix="pytest-redis-"))
    port = free_port()
    log = root / "server.log"
    process = subprocess.Popen(
        [
            executable,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(root),
            "--logfile",
            str(log),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        try:
            wait_for_port(port, timeout=20, process=process)
        except (RuntimeError, TimeoutError) as error:
            server_log = log.read_text(errors="replace") if log.exists() else "(no log)"
            raise RuntimeError(f"redis-server did not start: {error}\nserver log:\n{server_log}") from None
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(root, ignore_errors=True)
