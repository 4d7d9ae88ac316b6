from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from harness.services import free_port
from tests.bot.stub_rasa import StubRasa


def parts(body: dict[str, Any]) -> dict[str, Any]:
    """The summary, with each process's state (its "for_s" depends on timing)."""
    return {
        **{key: value for key, value in body.items() if key != "processes"},
        "processes": {process["name"]: process["state"] for process in body["processes"]},
    }


async def test_all_parts_up(gateway: TestClient) -> None:
    for path in ("/healthz", "/readyz"):
        response = await gateway.get(path)
        assert response.status == 200
        assert parts(await response.json()) == {
            "status": "ok",
            "rasa": "ok",
            "actions": "ok",
            "database": "ok",
            "processes": {"rasa1": "up", "actions1": "up"},
        }


@pytest.mark.parametrize("status_body", [{"model_id": None, "fingerprint": {}}, {}, {"model_id": ""}])
async def test_rasa_without_a_model_is_down(gateway: TestClient, stub_rasa: StubRasa, status_body: Any) -> None:
    stub_rasa.status_body = status_body
    response = await gateway.get("/healthz")
    assert response.status == 503
    assert parts(await response.json()) == {
        "status": "down",
        "rasa": "down",
        "actions": "ok",
        "database": "ok",
        "processes": {"rasa1": "down", "actions1": "up"},
    }


async def test_rasa_unreachable(make_gateway: Any) -> None:
    client = await make_gateway(rasa_url=f"http://127.0.0.1:{free_port()}")
    response = await client.get("/healthz")
    assert response.status == 503
    assert (await response.json())["rasa"] == "down"


async def test_action_server_down(gateway: TestClient, stub_rasa: StubRasa) -> None:
    stub_rasa.actions_up = False
    response = await gateway.get("/healthz")
    assert response.status == 503
    assert parts(await response.json()) == {
        "status": "down",
        "rasa": "ok",
        "actions": "down",
        "database": "ok",
        "processes": {"rasa1": "up", "actions1": "down"},
    }


async def test_unmigrated_database_is_down(make_gateway: Any, tmp_path: Path) -> None:
    client = await make_gateway(app_db_url=f"sqlite:///{tmp_path / 'empty.db'}")
    response = await client.get("/healthz")
    assert response.status == 503
    assert parts(await response.json())["database"] == "down"


async def test_a_hanging_service_answers_within_the_probe_timeout(make_gateway: Any, aiohttp_server: Any) -> None:
    async def hang(_request: web.Request) -> web.Response:
        await asyncio.sleep(2.5)
        return web.json_response({"status": "ok"})

    hanging = web.Application()
    hanging.router.add_get("/health", hang)
    server = await aiohttp_server(hanging)
    client = await make_gateway(action_url=str(server.make_url("")).rstrip("/"))
    started = time.monotonic()
    response = await client.get("/healthz")
    assert response.status == 503
    assert (await response.json())["actions"] == "down"
    assert time.monotonic() - started < 2.4
