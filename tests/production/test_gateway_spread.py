"""The gateway in front of several Rasa processes (RASA_URL with commas), against stand-in Rasas."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.app import create_app
from bot.migrate import upgrade
from bot.settings import Settings, SettingsError, load_settings
from harness.services import free_port
from tests.bot.stub_rasa import StubRasa


async def stubs(aiohttp_server: Any, count: int) -> list[StubRasa]:
    started = []
    for _ in range(count):
        stub = StubRasa()
        server = await aiohttp_server(stub.app())
        stub.url = str(server.make_url("")).rstrip("/")  # type: ignore[attr-defined]
        started.append(stub)
    return started


async def gateway(aiohttp_client: Any, tmp_path: Path, rasa_urls: list[str], action_urls: list[str]) -> Any:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(url)
    settings = Settings(
        app_db_url=url,
        app_secret="s",
        rasa_url=",".join(rasa_urls),
        action_url=",".join(action_urls),
        rasa_timeout_s=2.0,
        rate_per_sender=0,
        rate_per_ip=0,
    )
    return await aiohttp_client(create_app(settings))


async def test_messages_go_round_robin_whoever_sends_them(
    aiohttp_server: Any, aiohttp_client: Any, tmp_path: Path
) -> None:
    rasas = await stubs(aiohttp_server, 3)
    client = await gateway(aiohttp_client, tmp_path, [r.url for r in rasas], [rasas[0].url])
    for number in range(6):
        response = await client.post("/api/chat", json={"sender": "one-visitor", "message": f"第{number}问"})
        assert response.status == 200
    # Consecutive messages of one conversation land on different processes, in turn.
    assert [[m["message"] for m in r.received] for r in rasas] == [
        ["第0问", "第3问"],
        ["第1问", "第4问"],
        ["第2问", "第5问"],
    ]


async def test_a_process_that_refuses_is_skipped(aiohttp_server: Any, aiohttp_client: Any, tmp_path: Path) -> None:
    (rasa,) = await stubs(aiohttp_server, 1)
    dead = f"http://127.0.0.1:{free_port()}"
    client = await gateway(aiohttp_client, tmp_path, [dead, rasa.url], [rasa.url])
    for number in range(4):
        response = await client.post("/api/chat", json={"sender": "v", "message": f"问{number}"})
        assert response.status == 200
    assert len(rasa.received) == 4
    # Health stays green (one Rasa process serves) and names the dead one; readiness is red.
    response = await client.get("/healthz")
    body = await response.json()
    assert response.status == 200 and body["rasa"] == "ok"
    assert [(p["name"], p["state"]) for p in body["processes"]] == [
        ("rasa1", "down"),
        ("rasa2", "up"),
        ("actions1", "up"),
    ]
    response = await client.get("/readyz")
    assert response.status == 503 and (await response.json())["status"] == "down"


async def test_a_dead_process_is_skipped_and_rejoins_when_its_health_answers(
    aiohttp_server: Any, aiohttp_client: Any, tmp_path: Path
) -> None:
    rasas = await stubs(aiohttp_server, 2)
    client = await gateway(aiohttp_client, tmp_path, [r.url for r in rasas], [r.url for r in rasas])
    rasas[0].status_body = {}  # no model: out of the rotation at the next probe
    assert (await client.get("/healthz")).status == 200
    for number in range(4):
        assert (await client.post("/api/chat", json={"sender": "v", "message": f"问{number}"})).status == 200
    assert (len(rasas[0].received), len(rasas[1].received)) == (0, 4)
    rasas[0].status_body = {"model_id": "m"}
    assert (await client.get("/readyz")).status == 200  # the probe that answers brings it back
    for number in range(4):
        assert (await client.post("/api/chat", json={"sender": "v", "message": f"问{number}"})).status == 200
    assert (len(rasas[0].received), len(rasas[1].received)) == (2, 6)


async def test_a_rasa_whose_action_server_is_down_gets_no_messages(
    aiohttp_server: Any, aiohttp_client: Any, tmp_path: Path
) -> None:
    rasas = await stubs(aiohttp_server, 2)
    # Rasa i calls action server i: the stubs answer /health for both kinds.
    client = await gateway(aiohttp_client, tmp_path, [r.url for r in rasas], [r.url for r in rasas])
    rasas[1].actions_up = False
    body = await (await client.get("/healthz")).json()
    assert body["status"] == "ok" and {p["name"]: p["state"] for p in body["processes"]}["actions2"] == "down"
    for number in range(4):
        assert (await client.post("/api/chat", json={"sender": "v", "message": f"问{number}"})).status == 200
    assert (len(rasas[0].received), len(rasas[1].received)) == (4, 0)
    rasas[0].actions_up = False  # none serves: health is red, the messages still go somewhere
    response = await client.get("/healthz")
    assert response.status == 503 and (await response.json())["actions"] == "down"
    assert (await client.post("/api/chat", json={"sender": "v", "message": "问"})).status == 200


async def test_health_asks_every_rasa_and_action_server(
    aiohttp_server: Any, aiohttp_client: Any, tmp_path: Path
) -> None:
    rasas = await stubs(aiohttp_server, 2)
    client = await gateway(aiohttp_client, tmp_path, [r.url for r in rasas], [r.url for r in rasas])
    assert (await client.get("/healthz")).status == 200
    rasas[1].status_body = {}  # the second process has no model loaded
    response = await client.get("/readyz")
    body = await response.json()
    assert response.status == 503 and body["rasa"] == "ok" and body["actions"] == "ok"
    assert [p["state"] for p in body["processes"]] == ["up", "down", "up", "up"]
    rasas[1].status_body = {"model_id": "m"}
    rasas[0].actions_up = False
    body = await (await client.get("/readyz")).json()
    assert [p["state"] for p in body["processes"]] == ["up", "up", "down", "up"]


def test_settings_take_a_comma_separated_list(tmp_path: Path) -> None:
    settings = load_settings(
        {"RASA_URL": "http://127.0.0.1:5005/, http://127.0.0.1:5006", "ACTION_URL": "http://127.0.0.1:5055"},
        var_dir=tmp_path,
    )
    assert settings.rasa_urls == ("http://127.0.0.1:5005", "http://127.0.0.1:5006")
    assert settings.rasa_url == "http://127.0.0.1:5005,http://127.0.0.1:5006"
    assert settings.action_urls == ("http://127.0.0.1:5055",)


@pytest.mark.parametrize("raw", ["http://a:1,,http://b:2", "http://a:1,ftp://b", ","])
def test_bad_lists_are_refused(raw: str, tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="RASA_URL"):
        load_settings({"RASA_URL": raw}, var_dir=tmp_path)
