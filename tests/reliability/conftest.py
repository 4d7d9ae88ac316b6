"""One stack of real processes (action server, Rasa, gateway) for this package alone: these tests kill
and restart its processes, which the session's shared `stack` must never see."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from harness.stack import Stack, get_status, running_stack, start_action_server, start_gateway, start_rasa, wait_healthy

# The tests set their own limits: low per sender (one user is made to exceed it), none per address
# (every user here comes from 127.0.0.1).
STACK_ENV = {
    "RATE_PER_SENDER": "20",
    "RATE_PER_IP": "0",
    "CORS_ORIGINS": "https://kjj.weihai.gov.cn",
}
STARTERS = {"actions": start_action_server, "rasa": start_rasa, "gateway": start_gateway}


@pytest.fixture(scope="package")
def reliability_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with running_stack(tmp_path_factory.mktemp("reliability"), STACK_ENV) as running:
        yield running


@pytest.fixture
def fresh_stack(reliability_stack: Stack) -> Iterator[Stack]:
    """The stack, healthy; whatever a test stopped is started again afterwards."""
    yield reliability_stack
    restarted = False
    for name, start in STARTERS.items():
        process = reliability_stack.processes.get(name)
        if process is None or process.poll() is not None:
            reliability_stack.processes.pop(name, None)
            start(reliability_stack)
            restarted = True
    if restarted or get_status(f"{reliability_stack.url}/healthz") != 200:
        wait_healthy(reliability_stack)
