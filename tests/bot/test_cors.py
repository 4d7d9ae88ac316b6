"""CORS: only the origins in CORS_ORIGINS may call the API from their pages; never "*", never credentials."""

from __future__ import annotations

from typing import Any

import pytest

ALLOWED = "https://kjj.weihai.gov.cn"
PREFLIGHT = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}


@pytest.fixture
async def client(make_gateway: Any) -> Any:
    return await make_gateway(cors_origins=(ALLOWED, "http://localhost:3000"))


@pytest.mark.parametrize("path", ["/api/chat", "/api/feedback"])
async def test_preflight_from_an_allowed_origin(client: Any, path: str) -> None:
    response = await client.options(path, headers={"Origin": ALLOWED, **PREFLIGHT})
    assert response.status == 204
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert response.headers["Access-Control-Allow-Methods"] == "POST"
    assert response.headers["Access-Control-Allow-Headers"] == "Content-Type"
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert "Origin" in response.headers["Vary"]


@pytest.mark.parametrize(
    "origin", ["https://evil.example", "http://kjj.weihai.gov.cn", "https://kjj.weihai.gov.cn.evil.example", "null"]
)
async def test_preflight_from_other_origins_is_refused_in_chinese(client: Any, origin: str) -> None:
    response = await client.options("/api/chat", headers={"Origin": origin, **PREFLIGHT})
    assert response.status == 403
    assert await response.json() == {"error": "该网站未获准调用智能助手"}
    assert "Access-Control-Allow-Origin" not in response.headers


async def test_answers_and_errors_carry_the_header_for_allowed_origins(client: Any) -> None:
    response = await client.post("/api/chat", json={"sender": "a", "message": "研发补助"}, headers={"Origin": ALLOWED})
    assert response.status == 200
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED
    # The page must be able to read why a message was refused.
    response = await client.post("/api/chat", json={"sender": "a", "message": ""}, headers={"Origin": ALLOWED})
    assert response.status == 400
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED
    response = await client.post("/api/chat", data=b"x" * 100_000, headers={"Origin": ALLOWED})
    assert response.status == 413
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED


async def test_other_origins_get_no_header(client: Any) -> None:
    response = await client.post(
        "/api/chat", json={"sender": "a", "message": "研发补助"}, headers={"Origin": "https://evil.example"}
    )
    assert "Access-Control-Allow-Origin" not in response.headers
    assert response.headers["Vary"] == "Origin"


async def test_no_origins_configured_means_no_cross_origin_calls(gateway: Any) -> None:
    response = await gateway.options("/api/chat", headers={"Origin": ALLOWED, **PREFLIGHT})
    assert response.status == 403
    # Other paths are not part of the API: OPTIONS there is just an unsupported method.
    response = await gateway.options("/healthz", headers={"Origin": ALLOWED, **PREFLIGHT})
    assert response.status == 405 and "Access-Control-Allow-Origin" not in response.headers
