"""The one personal value the product keeps: a hand-off callback number, on its ticket only.

The gateway masks every message before Rasa sees it, so the tracker store never holds a number. When a
message carries a phone number, the gateway first `hold`s it here under the conversation's pseudonym;
the hand-off form then finds the masked form in the text Rasa got ('138****5678'), and the hand-off
action `take`s the held number (checking it masks to the same form) and writes it on the ticket. A hold
lives until the ticket takes it, or CALLBACK_HOLD_MINUTES (the purge removes older ones). The number is
stored sealed (app_store.sealing), and releasing a hold scrubs the files (app_store.scrub): a number typed
for any other reason is gone from the disk after its turn, not only from the table.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app_store.engine import changed
from app_store.models import CallbackHoldRow, sealed_as
from app_store.privacy import mask
from app_store.scrub import scrub
from app_store.sealing import DataKeys
from infra.pii import HALF_WIDTH, LANDLINE, MASKED_LANDLINE, MASKED_MOBILE, MOBILE


def callback_number(text: str) -> str | None:
    """The first mobile or landline number in `text` (the patterns the masking uses), as digits; a
    landline keeps its area code apart: '0631-5201234'."""
    probe = text.translate(HALF_WIDTH)
    mobile = MOBILE.search(probe)
    if mobile:
        return "".join(mobile.groups()[1:])
    landline = LANDLINE.search(probe)
    if landline:
        area, _separator, local = landline.groups()
        return f"{area.strip('()')}-{local}"
    return None


def masked_callback_number(text: str) -> str | None:
    """The first masked phone number in `text` ('138****5678', '0631-*****34'), as `mask` wrote it."""
    probe = text.translate(HALF_WIDTH)
    found = MASKED_MOBILE.search(probe) or MASKED_LANDLINE.search(probe)
    return found.group(0) if found else None


def masked_form(phone: str) -> str:
    """How a number `callback_number` returned reads once masked: what the hand-off form compares."""
    return mask(phone)


SEALED_AS = sealed_as(CallbackHoldRow.__table__.c.phone)


def hold(
    engine: Engine,
    conversation: str,
    phone: str,
    *,
    keys: DataKeys,
    now: datetime | None = None,
    hold_for: timedelta | None = None,
) -> None:
    """Keep `phone` sealed for `conversation` (replacing an earlier one); drops holds older than `hold_for`."""
    now = now or datetime.now(timezone.utc)
    with Session(engine) as session, session.begin():
        if hold_for is not None:
            session.execute(delete(CallbackHoldRow).where(CallbackHoldRow.created_at < now - hold_for))
        row = session.get(CallbackHoldRow, conversation[:16])
        if row is None:
            row = CallbackHoldRow(conversation=conversation[:16])
            session.add(row)
        row.created_at = now
        row.phone = keys.seal(phone[:32], SEALED_AS)
        row.masked = masked_form(phone)[:40]


def take(engine: Engine, conversation: str, masked: str, *, keys: DataKeys) -> str | None:
    """The held number of `conversation` if it masks to `masked`, removed from the holds; else None.
    Raises app_store.sealing.UnreadableValueError when none of `keys` opens it."""
    with Session(engine) as session, session.begin():
        row = session.get(CallbackHoldRow, conversation[:16])
        if row is None:
            return None
        if _same_number(row.masked, masked):
            session.delete(row)
            return keys.open(row.phone, SEALED_AS)
        return None


def release(engine: Engine, conversation: str) -> int:
    """Drop `conversation`'s held number (after its turn; erasure) and scrub; returns how many rows went.
    Scrubbed even when the ticket took the number: its row went then, in the action server."""
    with Session(engine) as session, session.begin():
        released = changed(
            session.execute(delete(CallbackHoldRow).where(CallbackHoldRow.conversation == conversation[:16]))
        )
    scrub(engine, [CallbackHoldRow.__tablename__])
    return released


def expire(engine: Engine, older_than: datetime) -> int:
    """Drop holds made before `older_than` (the purge); returns how many rows went."""
    with Session(engine) as session, session.begin():
        return changed(session.execute(delete(CallbackHoldRow).where(CallbackHoldRow.created_at < older_than)))


def held(engine: Engine) -> list[tuple[str, str]]:
    """(conversation, masked) of every hold, for tests and checks; never the numbers."""
    with Session(engine) as session:
        return [(c, m) for c, m in session.execute(select(CallbackHoldRow.conversation, CallbackHoldRow.masked))]


def _same_number(a: str, b: str) -> bool:
    # '+86 138****5678' and '138****5678' are the same number; compare the digits and stars only.
    def key(value: str) -> str:
        digits = "".join(ch for ch in value.translate(HALF_WIDTH) if ch.isdigit() or ch == "*")
        return digits[-11:] if "*" in digits else digits

    return key(a) == key(b)
