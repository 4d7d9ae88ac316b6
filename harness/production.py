"""Production mode for tests and the benchmark: `bash scripts/run_production.sh` itself, with a profile
file pointing at a throwaway PostgreSQL cluster and Redis server (harness/services.py), on free ports, and
supervisord's configuration, control socket and logs in the test's directory (RUN_DIR)."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from harness.services import free_port
from harness.stack import MODEL, REPO, get_status, post_json

SECRET = "test-secret"


@dataclass
class ProductionStack:
    url: str
    rasa_urls: list[str]
    action_urls: list[str]
    app_db_url: str
    tracker_db_url: str
    workdir: Path
    env: dict[str, str]
    process: subprocess.Popen

    def chat(self, sender: str, message: str) -> tuple[int, dict[str, Any]]:
        return post_json(f"{self.url}/api/chat", {"sender": sender, "message": message})

    def texts(self, sender: str, message: str) -> str:
        status, body = self.chat(sender, message)
        assert status == 200, (status, body)
        return "\n".join(r["text"] for r in body["replies"] if r.get("text"))

    def rasa_texts(self, index: int, sender: str, message: str) -> str:
        """Straight to one Rasa process's channel, bypassing the gateway."""
        status, body = post_json(
            f"{self.rasa_urls[index]}/webhooks/policy/webhook", {"sender": sender, "message": message}
        )
        assert status == 200, (status, body)
        return "\n".join(m["text"] for m in body["messages"] if m.get("text"))

    def log_tail(self, lines: int = 60, name: str | None = None) -> str:
        """The end of run_production.sh's output (supervisord's own log), or of process `name`'s log."""
        path = self.workdir / ("production.log" if name is None else f"log/{name}.log")
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    @property
    def conf(self) -> Path:
        return self.workdir / "supervisord.conf"

    def pids(self) -> dict[str, int]:
        return supervised_pids(self.conf)


def supervised_pids(conf: Path) -> dict[str, int]:
    """Process name (rasa1, actions2, gateway1 ...) -> pid, of those supervisord reports RUNNING."""
    result = subprocess.run(
        [str(REPO / ".venv/bin/supervisorctl"), "-c", str(conf), "status"], capture_output=True, text=True, check=False
    )
    found = {}
    for line in result.stdout.splitlines():
        fields = line.split()
        if len(fields) >= 4 and fields[1] == "RUNNING" and fields[2] == "pid":
            found[fields[0].rsplit(":", 1)[-1]] = int(fields[3].rstrip(","))
    return found


def consecutive_free_ports(count: int, attempts: int = 200) -> int:
    """The first of `count` consecutive ports that are all free right now, below the kernel's ephemeral
    range: a port in it can be taken after the check by the local end of some outgoing connection (a
    kept-alive one lasts), and a Rasa process then found its port in use for minutes on end."""
    top = min(60_000, _ephemeral_low())
    for _ in range(attempts):
        base = random.randint(20_000, top - count)
        sockets = []
        try:
            for port in range(base, base + count):
                sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                sockets.append(sock)
                sock.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for sock in sockets:
                sock.close()
    raise RuntimeError(f"no {count} consecutive free ports found")


def _ephemeral_low() -> int:
    """The first port the kernel hands to outgoing connections (Linux; 60,000 where it cannot be read)."""
    try:
        low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 60_000
    return low if low > 25_000 else 60_000


def create_database(server_url: str, name: str) -> str:
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def listening_pid(port: int) -> int | None:
    """The pid of the process listening on 127.0.0.1/0.0.0.0:`port` (Linux /proc)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(table) as handle:
            for line in handle.readlines()[1:]:
                fields = line.split()
                if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                    inodes.add(fields[9])
    if not inodes:
        return None
    for pid in filter(str.isdigit, os.listdir("/proc")):
        with contextlib.suppress(OSError):
            for fd in os.listdir(f"/proc/{pid}/fd"):
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
                if target.startswith("socket:[") and target[8:-1] in inodes:
                    return int(pid)
    return None


@contextlib.contextmanager
def production_stack(
    workdir: Path,
    pg_url: str,
    redis_url: str,
    *,
    rasa_processes: int = 2,
    action_processes: int = 2,
    window_turns: int = 10,
    extra: dict[str, str] | None = None,
    timeout: float = 240,
) -> Iterator[ProductionStack]:
    if not MODEL.exists():
        raise FileNotFoundError(f"{MODEL} is missing: run `make model` first")
    suffix = uuid.uuid4().hex[:8]
    tracker_url = create_database(pg_url, f"tracker_{suffix}")
    kb_url = create_database(pg_url, f"kb_{suffix}")
    app_url = create_database(pg_url, f"app_{suffix}")
    tracker = make_url(tracker_url)
    redis = make_url(redis_url)
    gateway_port = free_port()
    rasa_port = consecutive_free_ports(rasa_processes)
    action_port = consecutive_free_ports(action_processes)
    profile = {
        "PORT": gateway_port,
        "HOST": "127.0.0.1",
        "APP_SECRET": SECRET,
        "HOTLINE": "12345",
        "RASA_PROCESSES": rasa_processes,
        "RASA_PORT": rasa_port,
        "RASA_BIND": "127.0.0.1",
        "ACTION_PROCESSES": action_processes,
        "ACTION_PORT": action_port,
        "RASA_MODEL": MODEL,
        "TRACKER_WINDOW_TURNS": window_turns,
        "TRACKER_DB_HOST": tracker.host,
        "TRACKER_DB_PORT": tracker.port,
        "TRACKER_DB_NAME": tracker.database,
        "TRACKER_DB_USER": tracker.username,
        "TRACKER_DB_PASSWORD": tracker.password or "",
        "LOCK_REDIS_HOST": redis.host,
        "LOCK_REDIS_PORT": redis.port,
        "LOCK_REDIS_DB": 1,
        "LOCK_REDIS_PASSWORD": "",
        "POLICY_KB_DB_URL": kb_url,
        "APP_DB_URL": app_url,
        "RUN_DIR": workdir,
        # production mode backs up at start (bot/backup.py): into the run's directory, not the checkout's var/
        "BACKUP_DIR": workdir / "backups",
        # the tests speak plain http on loopback: a Secure cookie (production's default) would never come back
        "STAFF_COOKIE_SECURE": "0",
        **(extra or {}),
    }
    env_file = workdir / "production.env"
    env_file.write_text(
        "# written by harness/production.py\n" + "".join(f"{key}={value}\n" for key, value in profile.items())
    )
    # Only the profile file configures it: drop anything of ours inherited from the caller's shell.
    env = {key: value for key, value in os.environ.items() if key not in profile}
    env.update(
        {
            "PRODUCTION_ENV": str(env_file),
            "TF_CPP_MIN_LOG_LEVEL": "3",
            "RASA_TELEMETRY_ENABLED": "false",
            "PYTHONPATH": str(REPO),
        }
    )
    # ACTION_TOKEN and RASA_TOKEN: scripts/env.sh derives them from the profile's APP_SECRET.
    for key in (
        "RASA_URL",
        "ACTION_URL",
        "ACTION_ENDPOINT_URL",
        "TRACKER_DIALECT",
        "TRACKER_DB",
        "SANIC_WORKERS",
        "ACTION_TOKEN",
        "RASA_TOKEN",
    ):
        env.pop(key, None)
    log = (workdir / "production.log").open("wb")
    process = subprocess.Popen(
        ["bash", "scripts/run_production.sh"],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    stack = ProductionStack(
        url=f"http://127.0.0.1:{gateway_port}",
        rasa_urls=[f"http://127.0.0.1:{rasa_port + i}" for i in range(rasa_processes)],
        action_urls=[f"http://127.0.0.1:{action_port + i}" for i in range(action_processes)],
        app_db_url=app_url,
        tracker_db_url=tracker_url,
        workdir=workdir,
        env=env,
        process=process,
    )
    try:
        deadline = time.monotonic() + timeout
        while get_status(f"{stack.url}/readyz") != 200:
            if process.poll() is not None:
                raise RuntimeError(f"run_production.sh exited ({process.returncode}):\n{stack.log_tail()}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"production mode not healthy in {timeout} s:\n{stack.log_tail()}")
            time.sleep(0.5)
        yield stack
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        # supervisord has stopped its children by now (each in a process group of its own).
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        log.close()
