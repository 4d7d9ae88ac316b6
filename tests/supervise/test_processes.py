"""The process list and the supervisord configuration made from it (supervise/)."""

from __future__ import annotations

import configparser
import os
import subprocess
import sys
from pathlib import Path

import pytest

from supervise.__main__ import main
from supervise.config import supervisord_conf
from supervise.processes import ProcessConfigError, processes

PRODUCTION = {
    "RASA_PROCESSES": "3",
    "ACTION_PROCESSES": "2",
    "RASA_PORT": "6005",
    "ACTION_PORT": "6055",
    "PORT": "9090",
    "RASA_BIND": "0.0.0.0",
    "GATEWAY_PROCESSES": "2",
    "RASA_TOKEN": "s3cret-token",
}


def test_production_pairs_each_rasa_with_an_action_server_and_tells_the_gateway_in_that_order() -> None:
    found = {process.name: process for process in processes("production", PRODUCTION)}
    assert list(found) == ["actions1", "actions2", "rasa1", "rasa2", "rasa3", "gateway"]
    assert [found[f"rasa{i}"].environment["ACTION_ENDPOINT_URL"] for i in (1, 2, 3)] == [
        "http://127.0.0.1:6055/webhook",
        "http://127.0.0.1:6056/webhook",
        "http://127.0.0.1:6055/webhook",
    ]
    assert "endpoints.production.yml" in found["rasa2"].command and "6006" in found["rasa2"].command
    assert found["rasa1"].command[found["rasa1"].command.index("-i") + 1] == "0.0.0.0"
    gateway = found["gateway"]
    assert gateway.environment == {
        "RASA_URL": "http://127.0.0.1:6005,http://127.0.0.1:6006,http://127.0.0.1:6007",
        "ACTION_URL": "http://127.0.0.1:6055,http://127.0.0.1:6056",
    }
    assert (gateway.port, gateway.copies) == (9090, 2)


def test_development_is_one_of_each_on_the_development_endpoints() -> None:
    found = processes("development", {"RASA_PROCESSES": "4"})
    assert [(process.name, process.copies) for process in found] == [("actions1", 1), ("rasa1", 1), ("gateway", 1)]
    assert "endpoints.yml" in found[1].command and "TICKET_LOCK_LIFETIME" not in found[1].environment


def test_the_configuration_restarts_every_process_and_logs_each_to_its_file(tmp_path: Path) -> None:
    text = supervisord_conf(
        processes("production", PRODUCTION), repo=Path("/srv/bot%1"), run_dir=tmp_path, host="0.0.0.0"
    )
    parser = configparser.RawConfigParser()
    parser.read_string(text)
    programs = [section for section in parser.sections() if section.startswith(("program:", "fcgi-program:"))]
    assert programs == [
        "program:actions1",
        "program:actions2",
        "program:rasa1",
        "program:rasa2",
        "program:rasa3",
        "fcgi-program:gateway",
    ]
    for section in programs:
        assert parser[section]["autorestart"] == "true" and int(parser[section]["startretries"]) > 1
        assert parser[section]["stdout_logfile"].startswith(f"{tmp_path}/log/")
        assert parser[section]["command"].startswith("/srv/bot%%1/.venv/bin/")  # % doubled for supervisord
    gateway = parser["fcgi-program:gateway"]
    assert gateway["socket"] == "tcp://0.0.0.0:9090" and gateway["numprocs"] == "2"
    assert gateway["stdout_logfile"].endswith("/gateway%(process_num)d.log")
    assert 'LISTEN_FD="0"' in gateway["environment"]
    # Rasa's API token: supervisord fills it in from its environment, the file never holds it
    assert "--auth-token '%(ENV_RASA_TOKEN)s'" in parser["program:rasa1"]["command"] and "s3cret" not in text


def test_production_needs_the_rasa_token() -> None:
    with pytest.raises(ProcessConfigError, match="RASA_TOKEN"):
        processes("production", {k: v for k, v in PRODUCTION.items() if k != "RASA_TOKEN"})


def test_a_bad_number_is_refused_with_its_name(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(ProcessConfigError, match="RASA_PROCESSES"):
        processes("production", {"RASA_PROCESSES": "two"})
    monkeypatch.setenv("ACTION_PROCESSES", "0")
    assert main(["conf", "production", str(tmp_path / "supervisord.conf")]) == 2
    assert "ACTION_PROCESSES must be a positive whole number" in capsys.readouterr().err
    assert not (tmp_path / "supervisord.conf").exists()


def test_docs_several_machines_prints_what_supervise_commands_prints() -> None:
    repo = Path(__file__).resolve().parents[2]
    # The defaults alone (no deploy/production.env), as the page says.
    result = subprocess.run(
        [sys.executable, "-m", "supervise", "commands", "production"],
        cwd=repo,
        env={"PATH": os.environ["PATH"], "RASA_TOKEN": "any"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    printed = result.stdout.splitlines()
    assert printed[0] == "actions1: .venv/bin/python -m actions.server --actions actions --port 5055"
    # The token as a shell and a systemd unit read it, not supervisord's %(ENV_RASA_TOKEN)s.
    assert "--auth-token ${RASA_TOKEN} " in printed[2] and "ENV_RASA_TOKEN" not in result.stdout
    page = (repo / "docs" / "several-machines.md").read_text(encoding="utf-8")
    block = page.split("supervise commands production\n```\n\n```\n", 1)[1].split("```", 1)[0]
    assert block.splitlines() == printed
