"""Before a start: what a killed supervisord left on our ports is stopped, anything else is named
(supervise.ports), and a refused setting stops `make run` with its name (bot.preflight, scripts/run.sh)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from supervise.ports import Holder, PortsBusyError, free_ports, holder, is_ours, listening_pids
from supervise.processes import Process, processes

REPO = Path(__file__).resolve().parents[2]
# A process that listens on the port given as its argument until it is stopped.
LISTENER = (
    "import socket, sys, time; s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); "
    "s.bind(('127.0.0.1', int(sys.argv[1]))); s.listen(); print('ready', flush=True); time.sleep(120)"
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def listener(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], int, Path]]:
    """A listening process started from `tmp_path/checkout`, as supervisord would have (own group)."""
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    port = _free_port()
    child = subprocess.Popen(
        [sys.executable, "-c", LISTENER, str(port)],
        cwd=checkout,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert child.stdout is not None and child.stdout.readline().strip() == "ready"
    yield child, port, checkout
    child.kill()
    child.wait()


def _process(port: int) -> Process:
    return Process("actions1", "actions", port, (sys.executable, "-c", LISTENER, str(port)))


def test_the_listening_process_is_found_with_its_command_and_directory(
    listener: tuple[subprocess.Popen[str], int, Path],
) -> None:
    child, port, checkout = listener
    assert listening_pids(port) == [child.pid]
    found = holder(child.pid)
    assert found.cwd == str(checkout) and found.command[1:3] == ("-c", LISTENER)


def test_a_process_left_by_a_dead_supervisord_is_stopped_and_reported(
    listener: tuple[subprocess.Popen[str], int, Path], tmp_path: Path
) -> None:
    child, port, checkout = listener
    run_dir = tmp_path / "var"
    run_dir.mkdir()
    # supervisord.pid names a process that is gone: the supervisord that started the listener was killed.
    (run_dir / "supervisord.pid").write_text("999999999\n", encoding="ascii")
    lines: list[str] = []
    free_ports([_process(port)], repo=checkout, run_dir=run_dir, report=lines.append)
    assert child.wait(timeout=5) is not None
    assert listening_pids(port) == []
    assert lines == [
        f"port {port} (actions1): stopping pid {child.pid} ({sys.executable} -c {LISTENER} {port}), "
        "left running by a supervisord that is gone"
    ]


def test_another_program_on_a_port_is_named_and_left_alone(
    listener: tuple[subprocess.Popen[str], int, Path], tmp_path: Path
) -> None:
    child, port, _checkout = listener
    other_checkout = tmp_path / "elsewhere"
    other_checkout.mkdir()
    with pytest.raises(PortsBusyError) as refused:
        free_ports([_process(port)], repo=other_checkout, run_dir=tmp_path, report=print)
    assert f"port {port} (actions1) is in use by another program: pid {child.pid} ({sys.executable} -c" in str(
        refused.value
    )
    assert child.poll() is None


def test_a_running_supervisord_is_reported_and_not_touched(
    listener: tuple[subprocess.Popen[str], int, Path], tmp_path: Path
) -> None:
    child, port, checkout = listener
    # Something alive whose command line says supervisord stands for the running one.
    stand_in = subprocess.Popen(
        [sys.executable, "-c", "import time; print('ready', flush=True); time.sleep(60)", "supervisord"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        # Started, not just forked: until its exec the child's command line is still pytest's.
        assert stand_in.stdout is not None and stand_in.stdout.readline().strip() == "ready"
        (tmp_path / "supervisord.pid").write_text(f"{stand_in.pid}\n", encoding="ascii")
        with pytest.raises(PortsBusyError) as refused:
            free_ports([_process(port)], repo=checkout, run_dir=tmp_path, report=print)
        assert f"served by a supervisord that is running (pid {stand_in.pid}" in str(refused.value)
        assert child.poll() is None
    finally:
        stand_in.kill()
        stand_in.wait()


def test_the_product_commands_are_recognised_behind_their_interpreter() -> None:
    found = processes("development", {})
    commands = [process.command for process in found]
    venv = str(REPO / ".venv" / "bin")
    rasa = Holder(1, (f"{venv}/python", f"{venv}/rasa", "run", "--enable-api", "-i", "127.0.0.1"), str(REPO))
    gateway = Holder(2, (f"{venv}/python", "-m", "bot"), str(REPO))
    review = Holder(3, (f"{venv}/python", "-m", "bot.review", "export"), str(REPO))
    elsewhere = Holder(4, (f"{venv}/python", "-m", "bot"), "/srv/another-checkout")
    assert is_ours(rasa, REPO, commands) and is_ours(gateway, REPO, commands)
    assert not is_ours(review, REPO, commands) and not is_ours(elsewhere, REPO, commands)


def _preflight(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.preflight", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
        check=False,
    )


def test_a_refused_setting_stops_the_start_with_its_name() -> None:
    result = _preflight("development", "--settings-only", WECHAT_TOKEN="bar-check-token")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "make run: setting refused, nothing started: WECHAT_TOKEN must be 3 to 32 "
        "letters or digits, as entered in the 公众号 console"
    )


def test_production_names_a_bad_process_count() -> None:
    result = _preflight("production", "--settings-only", RASA_PROCESSES="two", RASA_TOKEN="t0ken")
    assert result.returncode == 2
    assert "make run-production: setting refused" in result.stderr and "RASA_PROCESSES" in result.stderr


def test_make_runs_check_before_it_trains() -> None:
    # scripts/run.sh --check is what `make run` runs before the model: the same message, exit 2.
    env = {**os.environ, "WECHAT_TOKEN": "bar-check-token"}
    result = subprocess.run(
        ["bash", "scripts/run.sh", "--check"],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert "WECHAT_TOKEN must be 3 to 32 letters or digits" in result.stderr
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert "\nrun: check-run model " in makefile and "\nrun-production: check-run-production model " in makefile
