"""Before supervisord starts: are the ports of the process list free?

When supervisord itself is killed, the processes it started keep running and keep their ports; the next
start then loops on "address already in use" with the reason only in a log file. So each port is checked
first: a process of ours (its working directory is this checkout and its command line is one of the
process list's) left behind by a supervisord that is gone (`run_dir/supervisord.pid` names no live
supervisord) is reported and stopped; a supervisord still running is reported and nothing is touched;
any other program on a port is named and the start refused. Linux only (/proc).
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from supervise.processes import Process

LISTEN = "0A"  # the state column of /proc/net/tcp for a listening socket
STOP_WAIT_SECONDS = 15  # as long as supervisord gives a process to stop (supervise.config)


@dataclass(frozen=True)
class Holder:
    """A process listening on a port."""

    pid: int
    command: tuple[str, ...]
    cwd: str | None

    def describe(self) -> str:
        return f"pid {self.pid} ({' '.join(self.command) or '?'})"


class PortsBusyError(RuntimeError):
    """A port is held by something that is not ours to stop; the message says what and what to do."""


def listening_pids(port: int) -> list[int]:
    """The pids of the processes listening on TCP `port` on any address (IPv4 or IPv6)."""
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(table, encoding="ascii") as handle:
            for line in handle.readlines()[1:]:
                fields = line.split()
                if fields[3] == LISTEN and int(fields[1].rsplit(":", 1)[1], 16) == port:
                    inodes.add(fields[9])
    if not inodes:
        return []
    wanted = {f"socket:[{inode}]" for inode in inodes}
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        with contextlib.suppress(OSError):
            if any(os.readlink(f"/proc/{entry}/fd/{fd}") in wanted for fd in os.listdir(f"/proc/{entry}/fd")):
                pids.append(int(entry))
    return sorted(pids)


def holder(pid: int) -> Holder:
    command: tuple[str, ...] = ()
    cwd = None
    with contextlib.suppress(OSError):
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
        command = tuple(part.decode("utf-8", "replace") for part in raw.split(b"\0") if part)
    with contextlib.suppress(OSError):
        cwd = os.readlink(f"/proc/{pid}/cwd")
    return Holder(pid, command, cwd)


def is_ours(found: Holder, repo: Path, commands: Iterable[tuple[str, ...]]) -> bool:
    """Started from this checkout with one of the process list's commands (a venv script such as
    .venv/bin/rasa runs as `python .venv/bin/rasa ...`, so the command may follow the interpreter)."""
    if found.cwd is None or Path(found.cwd) != repo.resolve():
        return False
    return any(_runs(found.command, command) for command in commands)


def _runs(argv: tuple[str, ...], command: tuple[str, ...]) -> bool:
    program = Path(command[0]).name
    # The first arguments that tell the processes apart: `-m bot`, `-m actions.server`, `run --enable-api`.
    head = command[1:3]
    for i, arg in enumerate(argv):
        if Path(arg).name.startswith(program) and argv[i + 1 : i + 1 + len(head)] == head:
            return True
    return False


def supervisord_pid(run_dir: Path) -> int | None:
    """The pid in run_dir/supervisord.pid if that process is alive and is a supervisord."""
    try:
        pid = int((run_dir / "supervisord.pid").read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return None
    return pid if any("supervisord" in part for part in holder(pid).command) else None


def stop(pid: int, wait_s: float = STOP_WAIT_SECONDS) -> None:
    """SIGTERM to `pid`'s process group (supervisord starts each process in a group of its own, with
    helpers), SIGKILL after `wait_s`."""
    try:
        group = os.getpgid(pid)
    except ProcessLookupError:
        return
    send: Callable[[int], None]
    if group == pid and group != os.getpgrp():

        def send(sig: int) -> None:
            os.killpg(group, sig)
    else:

        def send(sig: int) -> None:
            os.kill(pid, sig)

    with contextlib.suppress(ProcessLookupError):
        send(signal.SIGTERM)
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        if not _alive(pid):
            return
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        send(signal.SIGKILL)


def _alive(pid: int) -> bool:
    # A child of ours that has exited stays a zombie until reaped: count it as gone.
    try:
        state = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def free_ports(processes: list[Process], *, repo: Path, run_dir: Path, report: Callable[[str], None] = print) -> None:
    """Stop what a dead supervisord left on our ports; raise PortsBusyError naming anything else there."""
    commands = [process.command for process in processes]
    busy: list[str] = []
    running = supervisord_pid(run_dir)
    for process in processes:
        where = f"port {process.port} ({process.name})"
        for pid in listening_pids(process.port):
            found = holder(pid)
            ours = is_ours(found, repo, commands)
            if running is not None and (pid == running or ours):
                # A live run (supervisord holds the gateway's socket itself): not ours to stop from here.
                busy.append(
                    f"{where} is served by a supervisord that is running (pid {running}, "
                    f"{run_dir / 'supervisord.pid'}): stop it first (Ctrl-C where it runs, or "
                    f".venv/bin/supervisorctl -c {run_dir / 'supervisord.conf'} shutdown)"
                )
            elif ours:
                report(f"{where}: stopping {found.describe()}, left running by a supervisord that is gone")
                stop(pid)
            else:
                busy.append(f"{where} is in use by another program: {found.describe()}")
    if busy:
        # dict: once each (the gateway's port is held by supervisord and by the gateway itself)
        raise PortsBusyError("\n".join(dict.fromkeys(busy)))
