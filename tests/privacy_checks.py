"""What the privacy tests send and where they look for it: a conversation carrying a phone number, an
ID card number, a bank-card number and an e-mail address, and readers of every store the product
writes (databases by reflection, files byte by byte, the analytics exports, Rasa's own API)."""

from __future__ import annotations

import csv
import io
import re
import uuid
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import MetaData, create_engine, select

from app_store import engine_for
from app_store.accounts import ANALYST, STAFF, create_account

PHONE = "13812345678"
ID_NUMBER = "370602198801011234"
CARD = "6222021234567890"
EMAIL = "zhang.san@example.com"
# The values, and pieces that would give them away (the birth date in the ID, a card's middle digits).
SECRETS = (PHONE, ID_NUMBER, CARD, EMAIL, "19880101", "02123456", "zhang.san", "12345678")
NOT_THE_PHONE = tuple(value for value in SECRETS if value not in (PHONE, "12345678"))

CONVERSATION = (
    f"我身份证号{ID_NUMBER}，电话{PHONE}，想问研发补助最多多少",
    f"我的银行卡号{CARD}，邮箱{EMAIL}，创新券怎么申请",
    "转人工",
    f"我的电话是{PHONE}",
)
STAFF_PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')
_META_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


def found_in(text: str, values: Iterable[str] = SECRETS) -> list[str]:
    return [value for value in values if value in text]


def database_cells(url: str) -> list[tuple[str, str, str]]:
    """(table, column, value as text) of every non-empty cell of every table."""
    engine = create_engine(url)
    metadata = MetaData()
    metadata.reflect(engine)
    cells = []
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            for row in connection.execute(select(table)).mappings():
                cells += [(table.name, column, str(value)) for column, value in row.items() if value is not None]
    engine.dispose()
    return cells


def file_texts(root: Path) -> dict[Path, str]:
    """Every file under `root` as text (bytes decoded leniently), zip archives unpacked."""
    texts = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        texts[path] = unpacked(path.read_bytes())
    return texts


def unpacked(data: bytes) -> str:
    if data[:2] == b"PK":  # xlsx and other zip containers: their XML members
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    return data.decode("utf-8", "replace")


def run_conversation(chat: Callable[[str, str], tuple[int, dict[str, Any]]], sender: str) -> list[dict[str, Any]]:
    bodies = []
    for message in CONVERSATION:
        status, body = chat(sender, message)
        assert status == 200, (message, status, body)
        bodies.append(body)
    return bodies


def analyst_session(
    url: str, app_db_url: str, username: str = "privacy-analyst", role: str = ANALYST
) -> requests.Session:
    """A browser-like session of an analyst (or, with role STAFF, a hotline staff) account made for the test."""
    create_account(engine_for(app_db_url), username, role, STAFF_PASSWORD)
    home = "/staff/analytics" if role == ANALYST else "/staff"
    session = requests.Session()
    page = session.get(f"{url}/staff/login", timeout=30)
    csrf = _CSRF.search(page.text)
    assert csrf, page.text
    response = session.post(
        f"{url}/staff/login",
        data={"csrf": csrf.group(1), "username": username, "password": STAFF_PASSWORD, "next": home},
        timeout=30,
        allow_redirects=False,
    )
    assert response.status_code == 302, response.text
    page = session.get(f"{url}{home}", timeout=30)
    meta = _META_CSRF.search(page.text)
    assert meta, page.text
    session.headers["X-CSRF-Token"] = meta.group(1)
    return session


def exports(session: requests.Session, url: str) -> dict[str, str]:
    """The analytics exports of the last days, as text (the xlsx unpacked)."""
    found = {}
    for name in ("export.xlsx", "export.csv"):
        response = session.get(f"{url}/staff/analytics/{name}", timeout=60)
        assert response.status_code == 200, response.text
        found[name] = unpacked(response.content)
    assert any(row for row in csv.reader(io.StringIO(found["export.csv"].lstrip("\ufeff"))))
    return found


def staff_callback_numbers(url: str, app_db_url: str) -> list[str | None]:
    """The callback numbers hotline staff see on their ticket page (its API, /staff/api/tickets)."""
    session = analyst_session(url, app_db_url, f"staff-{uuid.uuid4().hex[:6]}", role=STAFF)
    response = session.get(f"{url}/staff/api/tickets", timeout=30)
    assert response.status_code == 200, response.text
    return [ticket["callback_phone"] for ticket in response.json()["tickets"]]


def bytes_under(*roots: Path) -> dict[Path, bytes]:
    """Every file under `roots`, raw: databases with their -wal and -shm files, logs, dumps."""
    return {path: path.read_bytes() for root in roots for path in sorted(root.rglob("*")) if path.is_file()}


def listening_addresses(port: int) -> set[str]:
    """Local addresses (hex, as /proc/net/tcp writes them) with a socket listening on `port`."""
    addresses = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, _, hex_port = fields[1].rpartition(":")
            if fields[3] == "0A" and int(hex_port, 16) == port:
                addresses.add(address)
    return addresses


LOOPBACK = {"0100007F", "00000000000000000000000001000000"}  # 127.0.0.1, ::1
