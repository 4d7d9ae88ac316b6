"""Callback numbers sealed at rest (app_store.sealing): the key from the settings, the migration that seals
the numbers stored before it, and the rotation to a new key; on SQLite the plain number is gone from the
file's bytes, the -wal file included."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app_store import HandoffTicketRow, callbacks, create_ticket, engine_for, open_tickets
from app_store.models import CallbackHoldRow
from app_store.rotation import rotate
from app_store.sealing import UnreadableValueError, derived_key, is_sealed, key_id, keys_from
from app_store.settings import SettingsError, data_keys
from app_store.tickets import SEALED_AS, UNREADABLE_PHONE
from bot.migrate import upgrade
from bot.privacy import main as privacy_main
from bot.settings import load_settings
from tests.bot.conftest import KEYS, SECRET

PHONE = "13812345678"


def _disk(path: Path) -> bytes:
    """The database file and its -wal and -shm files, as bytes."""
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


def test_a_sealed_value_names_its_key_and_opens_only_in_its_column() -> None:
    sealed = KEYS.seal(PHONE, SEALED_AS)
    version, kid, _ = sealed.split(":")
    assert (version, kid) == ("v1", key_id(derived_key(SECRET))) and PHONE not in sealed
    assert KEYS.seal(PHONE, SEALED_AS) != sealed  # a fresh nonce each time
    assert KEYS.open(sealed, SEALED_AS) == PHONE
    with pytest.raises(UnreadableValueError):
        KEYS.open(sealed, callbacks.SEALED_AS)  # copied into another column
    with pytest.raises(UnreadableValueError):
        keys_from("another-secret").open(sealed, SEALED_AS)
    tampered = sealed[:-6] + ("A" if sealed[-6] != "A" else "B") + sealed[-5:]
    with pytest.raises(UnreadableValueError):
        KEYS.open(tampered, SEALED_AS)


def test_the_key_comes_from_data_key_or_is_derived_from_app_secret(tmp_path: Path) -> None:
    own = secrets.token_hex(32)
    assert data_keys({"APP_SECRET": SECRET}, tmp_path).current == derived_key(SECRET)
    keys = data_keys({"APP_SECRET": SECRET, "DATA_KEY": own}, tmp_path)
    assert keys.current == bytes.fromhex(own)
    assert keys.open(KEYS.seal(PHONE, SEALED_AS), SEALED_AS) == PHONE  # the derived key still opens
    assert load_settings({"APP_SECRET": SECRET}, tmp_path).data_keys == KEYS
    for wrong in ("abc", "zz" * 32, own[:-2]):
        with pytest.raises(SettingsError, match="DATA_KEY must be 64 hex digits"):
            load_settings({"APP_SECRET": SECRET, "DATA_KEY": wrong}, tmp_path)


def test_migration_0008_seals_the_numbers_stored_before_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "app.db"
    url = f"sqlite:///{path}"
    upgrade(url, "0007")
    with engine_for(url).begin() as connection:
        connection.execute(
            text(
                "INSERT INTO handoff_tickets (created_at, conversation, question, transcript, callback_phone, status)"
                " VALUES ('2026-12-01 08:00:00', 'c0ffee', '转人工', '[]', :phone, 'open')"
            ),
            {"phone": PHONE},
        )
        connection.execute(
            text("INSERT INTO callback_holds VALUES ('c0ffee', '2026-12-01 08:00:00', '13900001111', '139****1111')")
        )
    assert PHONE.encode() in _disk(path)
    monkeypatch.setenv("APP_SECRET", SECRET)
    upgrade(url)

    assert PHONE.encode() not in _disk(path) and b"13900001111" not in _disk(path)
    [ticket] = open_tickets(engine_for(url), keys=KEYS)
    assert ticket.callback_phone == PHONE
    assert callbacks.take(engine_for(url), "c0ffee", "139****1111", keys=KEYS) == "13900001111"


def test_migration_0008_on_postgresql(pg_app_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # Not PHONE: the plain number goes into the shared cluster's WAL, which the production privacy test scans.
    phone = "13900002222"
    upgrade(pg_app_url, "0007")
    with engine_for(pg_app_url).begin() as connection:
        connection.execute(
            text(
                "INSERT INTO handoff_tickets (created_at, conversation, question, transcript, callback_phone, status)"
                " VALUES (now(), 'c0ffee', '转人工', '[]', :phone, 'open')"
            ),
            {"phone": phone},
        )
    monkeypatch.setenv("APP_SECRET", SECRET)
    upgrade(pg_app_url)
    with Session(engine_for(pg_app_url)) as session:
        stored = session.execute(select(HandoffTicketRow.callback_phone)).scalar_one()
    assert stored is not None and is_sealed(stored) and phone not in stored
    assert [ticket.callback_phone for ticket in open_tickets(engine_for(pg_app_url), keys=KEYS)] == [phone]


def test_rotation_reseals_under_the_new_key_and_the_old_one_may_go(migrated_url: str) -> None:
    engine = engine_for(migrated_url)
    ticket = create_ticket(engine, conversation="c0ffee", question="转人工", callback_phone=PHONE, keys=KEYS)
    callbacks.hold(engine, "beef", "13900001111", keys=KEYS)
    new = keys_from(SECRET, secrets.token_hex(32))

    assert rotate(engine, new) == {"callback_holds.phone": 1, "handoff_tickets.callback_phone": 1}
    assert rotate(engine, new) == {"callback_holds.phone": 0, "handoff_tickets.callback_phone": 0}
    only_new = keys_from("unrelated", new.current.hex())
    assert [t.callback_phone for t in open_tickets(engine, keys=only_new)] == [PHONE]
    assert callbacks.take(engine, "beef", "139****1111", keys=only_new) == "13900001111"
    with Session(engine) as session:
        stored = session.execute(select(HandoffTicketRow.callback_phone)).scalar_one()
        assert stored is not None and is_sealed(stored) and new.is_current(stored)
        assert session.execute(select(CallbackHoldRow)).first() is None
    # Without the key the ticket still shows, with a sentence instead of the number.
    [shown] = open_tickets(engine, keys=KEYS)
    assert (shown.id, shown.callback_phone) == (ticket, UNREADABLE_PHONE)


def test_a_released_hold_leaves_no_bytes_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    engine = engine_for(url)
    callbacks.hold(engine, "c0ffee", PHONE, keys=KEYS)
    with Session(engine) as session:
        sealed = session.execute(select(CallbackHoldRow.phone)).scalar_one()
    assert PHONE.encode() not in _disk(path) and sealed.encode() in _disk(path)
    assert callbacks.release(engine, "c0ffee") == 1
    assert sealed.split(":")[2][:16].encode() not in _disk(path)
    assert (path.parent / "app.db-wal").stat().st_size == 0


def test_rotate_key_on_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(url)
    create_ticket(engine_for(url), conversation="c0ffee", question="转人工", callback_phone=PHONE, keys=KEYS)
    new = secrets.token_hex(32)
    for name, value in {"APP_DB_URL": url, "APP_SECRET": SECRET, "DATA_KEY": new}.items():
        monkeypatch.setenv(name, value)
    assert privacy_main(["rotate-key"]) == 0
    assert json.loads(capsys.readouterr().out) == {"callback_holds.phone": 0, "handoff_tickets.callback_phone": 1}
    [ticket] = open_tickets(engine_for(url), keys=keys_from("unrelated", new))
    assert ticket.callback_phone == PHONE
