"""The whole product running for end-to-end tests: action server, Rasa and the gateway, each a real
process on a free loopback port, with their own databases in a temp dir (the KB is the one `make kb`
built). Needs the trained model (`make model`)."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness import wechat_server
from harness.services import free_port
from supervise.processes import action_server_command, gateway_command, rasa_command

REPO = Path(__file__).resolve().parent.parent
VENV_BIN = REPO / ".venv" / "bin"
MODEL = REPO / "models" / "current.tar.gz"
# Browser tests save their screenshots here; `make screenshots` points it at docs/screenshots/ to refresh
# the README's, so `make test` leaves the tree as it found it.
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR") or REPO / "build" / "screenshots")
# The secret Rasa sends the action server (endpoints.yml, actions/server.py).
ACTION_TOKEN = "test-action-token"


@dataclass
class Stack:
    url: str
    rasa_url: str
    action_url: str
    app_db_url: str
    workdir: Path
    env: dict[str, str]
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    endpoints: str = "endpoints.yml"
    credentials: str = "credentials.yml"
    root: Path = REPO  # the checkout the processes run from (its code, KB, spaCy pipeline and model)

    def chat(self, sender: str, message: str, **extra: Any) -> tuple[int, dict[str, Any]]:
        return post_json(f"{self.url}/api/chat", {"sender": sender, "message": message, **extra})

    def texts(self, sender: str, message: str) -> str:
        status, body = self.chat(sender, message)
        assert status == 200, (status, body)
        return "\n".join(r["text"] for r in body["replies"] if r.get("text"))

    def log_tail(self, name: str, lines: int = 40) -> str:
        path = self.workdir / f"{name}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""


def post_json(url: str, payload: Any, timeout: float = 30) -> tuple[int, dict[str, Any]]:
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def get_status(url: str, timeout: float = 5) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def _spawn(stack: Stack, name: str, args: list[str]) -> None:
    log = (stack.workdir / f"{name}.log").open("wb")
    stack.processes[name] = subprocess.Popen(
        args, cwd=stack.root, env=stack.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


# The command lines are the product's own (supervise/processes.py), run from the repository's root.
def start_action_server(stack: Stack) -> None:
    _spawn(stack, "actions", list(action_server_command(int(stack.action_url.rsplit(":", 1)[1]))))


def start_rasa(stack: Stack) -> None:
    _spawn(
        stack,
        "rasa",
        list(
            rasa_command(
                int(stack.rasa_url.rsplit(":", 1)[1]),
                bind="127.0.0.1",
                model=str(stack.root / MODEL.relative_to(REPO)),
                endpoints=stack.endpoints,
                credentials=stack.credentials,
            )
        ),
    )


def start_gateway(stack: Stack) -> None:
    _spawn(stack, "gateway", list(gateway_command()))


@contextlib.contextmanager
def another_gateway(stack: Stack, name: str = "gateway2", timeout: float = 60) -> Iterator[str]:
    """One more gateway process on the stack's Rasa and app database, on its own port (production runs
    GATEWAY_PROCESSES copies on one socket); yields its URL once it is healthy."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = (stack.workdir / f"{name}.log").open("wb")
    process = subprocess.Popen(
        list(gateway_command()),
        cwd=stack.root,
        env={**stack.env, "PORT": str(port)},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    stack.processes[name] = process
    try:
        deadline = time.monotonic() + timeout
        while get_status(f"{url}/healthz") != 200:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not become healthy:\n{stack.log_tail(name)}")
            time.sleep(0.2)
        yield url
    finally:
        stop(stack, name)


def stop(stack: Stack, name: str) -> None:
    process = stack.processes.pop(name, None)
    if process is None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, 15)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, 9)
        process.wait(timeout=5)


def wait_healthy(stack: Stack, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for name, process in stack.processes.items():
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited ({process.returncode}):\n{stack.log_tail(name)}")
        if get_status(f"{stack.url}/healthz") == 200:
            return
        time.sleep(0.5)
    raise TimeoutError(
        "stack not healthy in time:\n" + "\n".join(f"--- {name}\n{stack.log_tail(name)}" for name in stack.processes)
    )


@contextlib.contextmanager
def running_stack(
    workdir: Path,
    extra_env: dict[str, str] | None = None,
    *,
    endpoints: str = "endpoints.yml",
    credentials: str = "credentials.yml",
    root: Path = REPO,
) -> Iterator[Stack]:
    """The stack from `root`: this checkout, or a copy of it with other data and its own model
    (tests/staff/test_review_browser.py retrains one); a copy's KB is its own var/policy.db."""
    model = root / MODEL.relative_to(REPO)
    if not model.exists():
        raise FileNotFoundError(f"{model} is missing: run `make model` first")
    gateway_port, rasa_port, action_port = free_port(), free_port(), free_port()
    app_db_url = f"sqlite:///{workdir / 'app.db'}"
    env = {
        **os.environ,
        "PORT": str(gateway_port),
        "HOST": "127.0.0.1",
        "RASA_URL": f"http://127.0.0.1:{rasa_port}",
        "ACTION_URL": f"http://127.0.0.1:{action_port}",
        "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{action_port}/webhook",
        "APP_DB_URL": app_db_url,
        "APP_SECRET": "test-secret",
        "ACTION_TOKEN": ACTION_TOKEN,
        "TRACKER_DIALECT": "sqlite",
        "TRACKER_DB": str(workdir / "tracker.db"),
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "RASA_TELEMETRY_ENABLED": "false",
        "PYTHONPATH": str(root),
        **({"POLICY_KB_DB_URL": f"sqlite:///{root / 'var' / 'policy.db'}"} if root != REPO else {}),
        # The WeChat channel on, plain and safe mode (tests/e2e/test_wechat.py).
        "WECHAT_TOKEN": wechat_server.TOKEN,
        "WECHAT_APPID": wechat_server.APPID,
        "WECHAT_AES_KEY": wechat_server.AES_KEY,
        **(extra_env or {}),
    }
    stack = Stack(
        f"http://127.0.0.1:{gateway_port}",
        env["RASA_URL"],
        env["ACTION_URL"],
        app_db_url,
        workdir,
        env,
        endpoints=endpoints,
        credentials=credentials,
        root=root,
    )
    subprocess.run(
        [str(VENV_BIN / "python"), "-m", "bot.migrate", "--url", app_db_url],
        cwd=root,
        env=env,
        check=True,
        capture_output=True,
    )
    try:
        start_action_server(stack)
        start_rasa(stack)
        start_gateway(stack)
        wait_healthy(stack)
        yield stack
    finally:
        for name in list(stack.processes):
            stop(stack, name)


if __name__ == "__main__":  # a quick manual check: python -m harness.stack
    import tempfile

    with tempfile.TemporaryDirectory() as tmp, running_stack(Path(tmp)) as running:
        print(running.texts("manual", sys.argv[1] if len(sys.argv) > 1 else "研发补助最多多少"))
