"""`make run`'s supervisor (scripts/run.sh): the action server killed with SIGKILL under load. Users get
the Chinese apology within 3 s, supervisord starts the action server again and answers come back, and
neither Rasa nor the gateway is stopped; Ctrl-C then stops everything."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from harness.production import listening_pid, supervised_pids
from harness.services import free_port
from harness.stack import MODEL, REPO, get_status
from tests.reliability.chaos import (
    DEADLINE_S,
    RECOVERY_S,
    SteadyLoad,
    answers,
    kill,
    outcome,
    outcomes,
    send,
    wait_until,
)
from tests.reliability.traffic import CITATION, users

# scripts/run.sh starts the whole stack under supervisord, without a fixture (tests/conftest.py).
pytestmark = pytest.mark.stack
POLICY = "我们公司在荣成，研发补助最多能拿多少？"


@dataclass
class Run:
    url: str
    rasa_port: int
    action_port: int
    conf: Path
    process: subprocess.Popen

    def log_tail(self) -> str:
        log = self.conf.parent / "run.log"
        return "\n".join(log.read_text(errors="replace").splitlines()[-40:]) if log.exists() else ""


@contextlib.contextmanager
def make_run(workdir: Path) -> Iterator[Run]:
    """scripts/run.sh (what `make run` starts after set-up) on free ports, its var/ in `workdir`."""
    assert MODEL.exists(), "run `make model` first"
    gateway_port, rasa_port, action_port = free_port(), free_port(), free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("RASA_URL", "ACTION_URL", "ACTION_ENDPOINT_URL", "HOST")
    }
    env.update(
        {
            "PORT": str(gateway_port),
            "RASA_PORT": str(rasa_port),
            "ACTION_PORT": str(action_port),
            "RUN_DIR": str(workdir),
            "APP_DB_URL": f"sqlite:///{workdir / 'app.db'}",
            "APP_SECRET": "test-secret",
            "TRACKER_DIALECT": "sqlite",
            "TRACKER_DB": str(workdir / "tracker.db"),
            "RATE_PER_IP": "0",
            "POLICY_KB_DB_URL": f"sqlite:///{workdir / 'policy.db'}",
            "TF_CPP_MIN_LOG_LEVEL": "3",
            "RASA_TELEMETRY_ENABLED": "false",
            "PYTHONPATH": str(REPO),
        }
    )
    # What `make run` does before run.sh (make kb), into this run's own file.
    subprocess.run(
        [str(REPO / ".venv/bin/python"), "-m", "policy_kb", "load"], cwd=REPO, env=env, check=True, capture_output=True
    )
    log = (workdir / "run.log").open("wb")
    process = subprocess.Popen(
        ["bash", "scripts/run.sh"], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    run = Run(f"http://127.0.0.1:{gateway_port}", rasa_port, action_port, workdir / "supervisord.conf", process)
    try:
        deadline = time.monotonic() + 240
        while get_status(f"{run.url}/healthz") != 200:
            assert process.poll() is None, f"run.sh exited ({process.returncode}):\n{run.log_tail()}"
            assert time.monotonic() < deadline, f"not healthy in 240 s:\n{run.log_tail()}"
            time.sleep(0.5)
        yield run
    finally:
        # Ctrl-C: the terminal sends SIGINT to the foreground process group (supervisord's).
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        log.close()


async def test_make_run_restarts_a_killed_action_server_and_nothing_else(tmp_path: Path) -> None:
    with make_run(tmp_path) as run:
        plan = users("run-kill", 10, 8, seed=31)
        load = SteadyLoad(run.url, plan)
        running = asyncio.create_task(load.run())
        await wait_until(lambda: len(load.replies) >= 20, 120, "warm-up")
        # supervisord calls Rasa RUNNING once it has stayed up for its startsecs.
        await wait_until(
            lambda: {"rasa1", "gateway", "actions1"} <= set(supervised_pids(run.conf)), 120, "every process RUNNING"
        )
        others = {name: pid for name, pid in supervised_pids(run.conf).items() if name != "actions1"}
        old_pid = listening_pid(run.action_port)
        assert old_pid is not None
        killed_at = kill(old_pid)

        async with aiohttp.ClientSession() as session:
            during = await send(session, run.url, "run-kill-probe", POLICY)
        back_at = await wait_until(
            lambda: (
                listening_pid(run.action_port) not in (None, old_pid)
                and answers(f"http://127.0.0.1:{run.action_port}/health")
            ),
            60,
            "actions1 back",
        )
        async with aiohttp.ClientSession() as session:
            after = await send(session, run.url, "run-kill-after", POLICY)
        await asyncio.sleep(3)  # some load with the new action server
        load.stop()
        await running

        replies = load.replies
        outage = [reply for reply in replies if killed_at <= reply.started <= back_at]
        apologies = [reply for reply in outage if outcome(reply) == "apology"]
        first_apology = min((reply.finished for reply in apologies), default=during.finished) - killed_at
        slowest = max(reply.latency for reply in replies)
        print(
            f"\nmake run: actions1 back {back_at - killed_at:.1f} s after SIGKILL; first apology "
            f"{first_apology:.2f} s after it; during the outage {dict(outcomes(outage))}; "
            f"all {len(replies)} requests {dict(outcomes(replies))}, slowest {slowest:.2f} s"
        )

        assert outcome(during) == "apology" and "12345" in during.texts[0] and during.latency < DEADLINE_S
        assert back_at - killed_at < RECOVERY_S
        assert outcome(after) == "answered" and CITATION in after.texts[0], after.body
        assert any(CITATION in text for reply in replies if reply.started > back_at for text in reply.texts)
        assert not [key for key in outcomes(replies) if key.startswith("problem")]
        assert first_apology < DEADLINE_S
        # Nothing else was stopped: the same Rasa and gateway processes throughout.
        assert {name: pid for name, pid in supervised_pids(run.conf).items() if name != "actions1"} == others
    # Ctrl-C stopped supervisord and every process cleanly.
    assert run.process.returncode == 0, run.log_tail()
    assert all(listening_pid(port) is None for port in (run.rasa_port, run.action_port))
