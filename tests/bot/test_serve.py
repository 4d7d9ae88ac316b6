"""The real gateway process (`python -m bot`) on a real socket: what aiohttp refuses before the app (a URL
or a header over its limits, a request that is no HTTP) is JSON with a Chinese sentence, and SIGTERM
stops it cleanly."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot import errors
from harness.services import free_port, wait_for_port

REPO = Path(__file__).resolve().parents[2]
# The gateway runs as its own process, started by this module's `gateway` fixture: that name is also the
# in-process client of tests/bot/conftest.py, so the mark is set here rather than in tests/conftest.py.
pytestmark = pytest.mark.stack


@dataclass
class Gateway:
    port: int
    process: subprocess.Popen[bytes]
    log: Path


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    workdir = tmp_path_factory.mktemp("serve")
    port = free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "APP_DB_URL": f"sqlite:///{workdir / 'app.db'}",
        "APP_SECRET": "t",
        # Nothing listens there: these requests never reach Rasa.
        "RASA_URL": f"http://127.0.0.1:{free_port()}",
        "ACTION_URL": f"http://127.0.0.1:{free_port()}",
    }
    log = workdir / "gateway.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot"], cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        wait_for_port(port, 60, process)
        yield Gateway(port, process, log)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def raw(gateway: Gateway, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send `request` as bytes and read the whole answer (the gateway closes after an error)."""
    with socket.create_connection(("127.0.0.1", gateway.port), timeout=30) as sock:
        sock.sendall(request)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in header_lines)}
    return int(status_line.split()[1]), headers, body


def chinese_json(headers: dict[str, str], body: bytes) -> str:
    assert headers["content-type"].startswith("application/json")
    return json.loads(body)["error"]


def test_an_over_long_url_gets_the_chinese_json_error(gateway: Gateway) -> None:
    status, headers, body = raw(gateway, b"GET /?q=" + b"a" * 10_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    assert (status, chinese_json(headers, body)) == (414, errors.URL_TOO_LONG)


def test_an_over_long_header_gets_the_chinese_json_error(gateway: Gateway) -> None:
    status, headers, body = raw(gateway, b"GET / HTTP/1.1\r\nHost: x\r\nCookie: " + b"c" * 10_000 + b"\r\n\r\n")
    assert (status, chinese_json(headers, body)) == (431, errors.HEADERS_TOO_LARGE)


def test_a_request_that_is_no_http_gets_the_chinese_json_error(gateway: Gateway) -> None:
    status, headers, body = raw(gateway, b"\x16\x03\x01 hello there\r\n\r\n")  # e.g. TLS sent to the http port
    assert (status, chinese_json(headers, body)) == (400, errors.BAD_REQUEST)


def test_an_http_client_sees_the_same(gateway: Gateway) -> None:
    request = urllib.request.Request(
        f"http://127.0.0.1:{gateway.port}/api/chat",
        data=b"{}",
        headers={"X-Padding": "p" * 9000, "Content-Type": "application/json"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 431 and json.loads(refused.value.read())["error"] == errors.HEADERS_TOO_LARGE


def test_ordinary_requests_still_reach_the_app(gateway: Gateway) -> None:
    status, headers, body = raw(gateway, b"GET /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert (status, chinese_json(headers, body)) == (404, errors.NOT_FOUND)


def test_sigterm_stops_the_gateway_cleanly(gateway: Gateway) -> None:
    # Last in this module: it ends the module's gateway.
    gateway.process.send_signal(signal.SIGTERM)
    assert gateway.process.wait(timeout=30) == 0
    assert "Traceback" not in gateway.log.read_text(errors="replace")
