"""Several machines on this one: a network namespace per host, joined by a bridge, each with its own
address and its own loopback (root only). What docs/several-machines.md describes runs here as written:
PostgreSQL and Redis on `db`, an action server and a Rasa process on each `bot`, the gateway on `web`,
each listening on its host's address and reaching the others over the bridge only."""

from __future__ import annotations

import contextlib
import os
import pwd
import random
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from harness.services import ServiceNotInstalledError, postgres_bin_dir


@dataclass(frozen=True)
class Host:
    name: str  # db, bot1, ...
    namespace: str
    address: str

    def run(self, args: Sequence[str]) -> list[str]:
        """`args` as a command that runs inside this host's network namespace."""
        return ["ip", "netns", "exec", self.namespace, *args]


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, text=True)


def can_make_hosts() -> str | None:
    """None when namespaces can be made here, else why not."""
    if os.geteuid() != 0:
        return "network namespaces need root"
    if shutil.which("ip") is None:
        return "the ip command (iproute2) is missing"
    return None


@contextlib.contextmanager
def hosts(names: Sequence[str]) -> Iterator[dict[str, Host]]:
    """A namespace per name on a fresh /24 (the bridge, in this namespace, is .1: the tests' own seat)."""
    tag = f"{os.getpid() % 100_000}{random.randrange(100):02d}"
    prefix = f"10.{random.randrange(100, 250)}.{random.randrange(0, 250)}"
    bridge = f"pb{tag}"
    made: dict[str, Host] = {}
    try:
        _ip("link", "add", bridge, "type", "bridge")
        _ip("addr", "add", f"{prefix}.1/24", "dev", bridge)
        _ip("link", "set", bridge, "up")
        for index, name in enumerate(names):
            host = Host(name, f"pb{tag}{name}"[:15], f"{prefix}.{10 + index}")
            outside, inside = f"pv{tag}{index}o", f"pv{tag}{index}i"
            _ip("netns", "add", host.namespace)
            made[name] = host
            _ip("link", "add", outside, "type", "veth", "peer", "name", inside)
            _ip("link", "set", inside, "netns", host.namespace)
            _ip("link", "set", outside, "master", bridge, "up")
            for command in (
                ("addr", "add", f"{host.address}/24", "dev", inside),
                ("link", "set", inside, "up"),
                ("link", "set", "lo", "up"),
            ):
                _ip("-n", host.namespace, *command)
        yield made
    finally:
        for host in made.values():
            subprocess.run(["ip", "netns", "del", host.namespace], capture_output=True, check=False)
        subprocess.run(["ip", "link", "del", bridge], capture_output=True, check=False)


def wait_for(address: str, port: int, timeout: float, process: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"exited with {process.returncode} before listening on {address}:{port}")
        with contextlib.suppress(OSError), socket.create_connection((address, port), timeout=0.5):
            return
        time.sleep(0.2)
    raise TimeoutError(f"nothing listening on {address}:{port} after {timeout} s")


@contextlib.contextmanager
def postgres_on(host: Host, subnet: str) -> Iterator[str]:
    """A PostgreSQL cluster inside `host`, listening on its address only, open (trust) to `subnet`; yields
    the server's URL (database postgres)."""
    try:
        owner = pwd.getpwnam("postgres")
    except KeyError:
        raise ServiceNotInstalledError("no `postgres` OS user to run PostgreSQL as") from None
    bin_dir = postgres_bin_dir()
    root = Path(tempfile.mkdtemp(prefix="hosts-pg-"))
    os.chown(root, owner.pw_uid, owner.pw_gid)
    data = root / "data"
    as_postgres = ["runuser", "-u", "postgres", "--"]
    initdb = [str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"]
    subprocess.run([*as_postgres, *initdb], check=True, capture_output=True)
    with (data / "pg_hba.conf").open("a") as hba:
        hba.write(f"host all all {subnet} trust\n")
    options = f"-h {host.address} -p 5432 -k {root} -c fsync=off -c synchronous_commit=off"
    pg_ctl = [str(bin_dir / "pg_ctl"), "-D", str(data)]
    start = [*pg_ctl, "-l", str(root / "server.log"), "-o", options, "-w", "-t", "60", "start"]
    try:
        subprocess.run(host.run([*as_postgres, *start]), check=True, capture_output=True)
        yield f"postgresql+psycopg2://postgres@{host.address}:5432/postgres"
    finally:
        subprocess.run(host.run([*as_postgres, *pg_ctl, "-m", "immediate", "-w", "stop"]), capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def redis_on(host: Host, password: str) -> Iterator[str]:
    """A non-persistent Redis inside `host` on its address, with `password` (without one, Redis's protected
    mode refuses every client not on its own loopback); yields its URL."""
    executable = shutil.which("redis-server")
    if executable is None:
        raise ServiceNotInstalledError("redis-server not found on PATH")
    root = Path(tempfile.mkdtemp(prefix="hosts-redis-"))
    args = [executable, "--bind", host.address, "--port", "6379", "--requirepass", password, "--save", ""]
    process = subprocess.Popen(host.run([*args, "--dir", str(root)]), stdout=subprocess.DEVNULL)
    try:
        wait_for(host.address, 6379, 20, process)
        yield f"redis://:{password}@{host.address}:6379/0"
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(root, ignore_errors=True)


def spawn(host: Host, command: Sequence[str], env: Mapping[str, str], cwd: Path, log: Path) -> subprocess.Popen[bytes]:
    """A product process inside `host` (its own session, so that stopping it stops its children)."""
    with log.open("ab") as out:
        return subprocess.Popen(
            host.run(command), cwd=cwd, env=dict(env), stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def stop(process: subprocess.Popen[bytes], timeout: float = 15) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, 15)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, 9)
        process.wait(timeout=timeout)
