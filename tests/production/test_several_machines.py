"""docs/several-machines.md, run on separate hosts: network namespaces (harness/hosts.py) `db` (PostgreSQL
and Redis), `bot1` and `bot2` (an action server and a Rasa process each, listening on the host's own
address), `web` (the gateway), joined by a bridge. The commands are supervise/processes.py's, the settings
one shared profile plus each host's own variables, as the page says. A conversation whose consecutive
messages go to different hosts stays whole, its hand-off number is sealed on a bot host and read by staff
through the gateway on another, each port answers only what the page says it does, and when a Rasa host
goes down the gateway goes on with the other."""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app_store.settings import internal_token
from harness.hosts import Host, can_make_hosts, hosts, postgres_on, redis_on, spawn, stop, wait_for
from harness.stack import MODEL, REPO, VENV_BIN, post_json
from infra.settings import read_defaults
from supervise.processes import action_server_command, gateway_command, rasa_command
from tests.privacy_checks import PHONE, staff_callback_numbers

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.stack]
if can_make_hosts() is not None:
    pytestmark.append(pytest.mark.skip(reason=str(can_make_hosts())))

SECRET = "several-machines-secret"
REDIS_PASSWORD = "several-machines-redis"
RASA_PORT, ACTION_PORT, GATEWAY_PORT = 5005, 5055, 8080


@dataclass
class Machines:
    db: Host
    bots: list[Host]
    web: Host
    env: dict[str, str]
    workdir: Path
    processes: dict[str, object] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://{self.web.address}:{GATEWAY_PORT}"

    def texts(self, sender: str, message: str) -> str:
        status, body = post_json(f"{self.url}/api/chat", {"sender": sender, "message": message})
        assert status == 200, (status, body)
        return "\n".join(reply["text"] for reply in body["replies"] if reply.get("text"))


def _status(url: str, headers: dict[str, str] | None = None) -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def _profile(db: Host, pg: str, redis: str, workdir: Path) -> dict[str, str]:
    """The one deploy/production.env every host shares: the stores' addresses, the secrets set outright."""
    server = make_url(pg)
    profile = {
        "APP_ENV": "production",
        "APP_SECRET": SECRET,
        "ACTION_TOKEN": internal_token("action", {"APP_SECRET": SECRET}),
        "RASA_TOKEN": internal_token("rasa", {"APP_SECRET": SECRET}),
        "TRACKER_DB_HOST": db.address,
        "TRACKER_DB_PORT": "5432",
        "TRACKER_DB_NAME": "rasa_tracker",
        "TRACKER_DB_USER": "postgres",
        "TRACKER_DB_PASSWORD": "",
        "LOCK_REDIS_HOST": str(make_url(redis).host),
        "LOCK_REDIS_PORT": "6379",
        "LOCK_REDIS_DB": "1",
        "LOCK_REDIS_PASSWORD": str(make_url(redis).password),
        "POLICY_KB_DB_URL": server.set(database="policy_kb").render_as_string(hide_password=False),
        "APP_DB_URL": server.set(database="policy_app").render_as_string(hide_password=False),
        "RASA_MODEL": str(MODEL),
        "RASA_TIMEOUT_S": "2.5",
        "STAFF_COOKIE_SECURE": "0",
        "PURGE_EVERY_HOURS": "24",
        "BACKUP_EVERY_HOURS": "24",
        "BACKUP_DIR": str(workdir / "backups"),
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "RASA_TELEMETRY_ENABLED": "false",
        "PYTHONPATH": str(REPO),
    }
    inherited = {key: value for key, value in os.environ.items() if key not in read_defaults({})}
    return {**inherited, **read_defaults(profile), **profile}


@pytest.fixture(scope="module")
def machines(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Machines]:
    workdir = tmp_path_factory.mktemp("several-machines")
    with hosts(["db", "bot1", "bot2", "web"]) as net:
        db, web = net["db"], net["web"]
        subnet = db.address.rsplit(".", 1)[0] + ".0/24"
        with postgres_on(db, subnet) as pg, redis_on(db, REDIS_PASSWORD) as redis:
            admin = create_engine(pg, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                for name in ("rasa_tracker", "policy_kb", "policy_app"):
                    connection.execute(text(f'CREATE DATABASE "{name}"'))
            admin.dispose()
            env = _profile(db, pg, redis, workdir)
            # Once, from any machine (here the tests' own seat on the bridge): the schemas.
            for module in ("bot.migrate", "policy_kb"):
                args = [str(VENV_BIN / "python"), "-m", module, *(["load"] if module == "policy_kb" else [])]
                subprocess.run(args, cwd=REPO, env=env, check=True, capture_output=True)
            running = Machines(db, [net["bot1"], net["bot2"]], web, env, workdir)
            try:
                _start(running)
                yield running
            finally:
                for process in running.processes.values():
                    stop(process)  # type: ignore[arg-type]


def _start(machines: Machines) -> None:
    log = machines.workdir
    for index, bot in enumerate(machines.bots, start=1):
        own = {"ACTION_HOST": bot.address}
        machines.processes[f"actions{index}"] = spawn(
            bot, action_server_command(ACTION_PORT), {**machines.env, **own}, REPO, log / f"actions{index}.log"
        )
        rasa = rasa_command(
            RASA_PORT,
            bind=bot.address,
            model=str(MODEL),
            endpoints="endpoints.production.yml",
            auth_token=machines.env["RASA_TOKEN"],
        )
        own = {"ACTION_ENDPOINT_URL": f"http://{bot.address}:{ACTION_PORT}/webhook", "TICKET_LOCK_LIFETIME": "3"}
        machines.processes[f"rasa{index}"] = spawn(bot, rasa, {**machines.env, **own}, REPO, log / f"rasa{index}.log")
    lists = {
        "HOST": machines.web.address,
        "PORT": str(GATEWAY_PORT),
        "RASA_URL": ",".join(f"http://{bot.address}:{RASA_PORT}" for bot in machines.bots),
        "ACTION_URL": ",".join(f"http://{bot.address}:{ACTION_PORT}" for bot in machines.bots),
    }
    gateway = spawn(machines.web, gateway_command(), {**machines.env, **lists}, REPO, log / "gateway.log")
    machines.processes["gateway"] = gateway
    wait_for(machines.web.address, GATEWAY_PORT, 60, gateway)
    deadline = time.monotonic() + 300
    while _status(f"{machines.url}/readyz") != 200:
        if time.monotonic() > deadline:
            tails = {name: (log / f"{name}.log").read_text(errors="replace")[-2000:] for name in machines.processes}
            raise TimeoutError(f"not ready in time: {json.dumps(tails, ensure_ascii=False, indent=1)}")
        time.sleep(1)


def test_a_conversation_across_hosts_stays_whole_and_staff_read_its_number(machines: Machines) -> None:
    sender = f"hosts-{uuid.uuid4().hex[:8]}"
    assert "创新券" in machines.texts(sender, "科技创新券最多补多少")
    # The next message goes to the other Rasa host (the gateway takes them in turn): still 创新券's.
    assert "创新券" in machines.texts(sender, "怎么申请")
    assert "电话号码" in machines.texts(sender, "转人工")
    assert "已为您转人工" in machines.texts(sender, f"我的电话是{PHONE}")
    # Sealed by an action server on a bot host, opened by the gateway on `web` for hotline staff.
    deadline = time.monotonic() + 15
    while PHONE not in staff_callback_numbers(machines.url, machines.env["APP_DB_URL"]):
        assert time.monotonic() < deadline, "the ticket did not reach the staff page"
        time.sleep(0.5)
    # The gateway made its start-up backup of the stores on `db`, across the bridge (pg_dump).
    assert list((machines.workdir / "backups").glob("*/manifest.json"))


def test_each_port_answers_only_what_the_page_says(machines: Machines) -> None:
    token = machines.env["RASA_TOKEN"]
    for bot in machines.bots:
        rasa = f"http://{bot.address}:{RASA_PORT}"
        assert _status(f"{rasa}/status") == 401 and _status(f"{rasa}/status?token={token}") == 200
        action = f"http://{bot.address}:{ACTION_PORT}"
        assert _status(f"{action}/actions") == 401 and _status(f"{action}/health") == 200
        assert _status(f"{action}/actions", {"X-Action-Token": machines.env["ACTION_TOKEN"]}) == 200
    # Nothing of Rasa or the action server runs on `web` itself: its own loopback has neither port.
    probe = "import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(('127.0.0.1', int(sys.argv[1]))) == 0)"
    for port in (RASA_PORT, ACTION_PORT):
        local = subprocess.run(machines.web.run([str(VENV_BIN / "python"), "-c", probe, str(port)]), check=False)
        assert local.returncode == 0, f"something listens on web's 127.0.0.1:{port}"


def test_a_rasa_host_down_the_gateway_goes_on_with_the_other(machines: Machines) -> None:
    sender = f"hosts-down-{uuid.uuid4().hex[:8]}"
    assert "创新券" in machines.texts(sender, "科技创新券最多补多少")
    stop(machines.processes.pop("rasa1"))  # type: ignore[arg-type]
    deadline = time.monotonic() + 10
    while _status(f"{machines.url}/readyz") == 200:
        assert time.monotonic() < deadline, "readyz still green with a Rasa host down"
        time.sleep(0.5)
    assert _status(f"{machines.url}/healthz") == 200
    # bot2 alone now: it reads the conversation from `db` and goes on where it was.
    assert "创新券" in machines.texts(sender, "怎么申请")
    for _ in range(4):
        assert "创新券" in machines.texts(f"hosts-new-{uuid.uuid4().hex[:8]}", "科技创新券最多补多少")
