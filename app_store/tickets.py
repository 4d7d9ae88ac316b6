"""Hand-off tickets: a user asked to talk to a person; staff call back and close the ticket."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app_store.engine import changed, engine_for
from app_store.models import HandoffTicketRow, sealed_as
from app_store.privacy import mask
from app_store.sealing import DataKeys, UnreadableValueError
from infra.pii import HALF_WIDTH, LANDLINE, MOBILE

log = logging.getLogger(__name__)

OPEN = "open"
DONE = "done"

# A ticket keeps the conversation's last this many turns (a user's message and the replies to it): staff
# need the recent context, not a whole long conversation. It is also as much as the action server is sure
# to see: Rasa hands it the tracker window, 10 to 15 turns by default (policy_rasa.tracker_store; a test
# checks the default window is not shorter). The only cap: the hand-off action passes every line it has.
TRANSCRIPT_TURNS = 10
# Bounds the lines of one turn (an answer and a follow-up question are two), so that bot lines without
# any user line between them cannot make a ticket grow.
_LINES_PER_TURN = 4
LINE_MAX_CHARS = 2000
SEALED_AS = sealed_as(HandoffTicketRow.__table__.c.callback_phone)
# What staff read instead of a number no key opens (DATA_KEY changed without DATA_KEYS_RETIRED).
UNREADABLE_PHONE = "（号码无法解密：请检查 DATA_KEY / DATA_KEYS_RETIRED）"


@dataclass(frozen=True)
class Ticket:
    id: int
    created_at: datetime
    conversation: str
    question: str
    transcript: list[dict[str, str]]
    callback_phone: str | None
    status: str
    note: str | None
    closed_at: datetime | None


def create_ticket(
    engine: Engine,
    *,
    conversation: str,
    question: str,
    transcript: Iterable[Mapping[str, Any]] = (),
    callback_phone: str | None = None,
    keys: DataKeys,
) -> int:
    """Open a ticket; returns its id.

    `conversation` is the pseudonym of the sender (`app_store.privacy.pseudonym`), `transcript` a list of
    {"who": "user" | "bot", "text": ...}. Question and transcript are masked; the callback phone, which
    staff need whole, is sealed with `keys`.
    """
    phone = (callback_phone or "").strip() or None
    if phone is not None and not is_phone_number(phone):
        raise ValueError("callback_phone must be a mobile or landline number")
    lines = [
        {"who": str(line.get("who", ""))[:16], "text": mask(str(line.get("text", "")))[:LINE_MAX_CHARS]}
        for line in last_turns(list(transcript), TRANSCRIPT_TURNS)
    ]
    row = HandoffTicketRow(
        created_at=datetime.now(timezone.utc),
        conversation=conversation[:16],
        question=mask(question)[:LINE_MAX_CHARS],
        transcript=lines,
        callback_phone=keys.seal(phone, SEALED_AS) if phone is not None else None,
        status=OPEN,
    )
    with Session(engine) as session, session.begin():
        session.add(row)
        session.flush()
        return row.id


@dataclass(frozen=True, kw_only=True)
class NewTicket:
    """A ticket to open, with the database it goes to: what the action server queues while that
    database is unavailable (`app_store.retry`)."""

    db_url: str
    conversation: str
    question: str
    transcript: Sequence[Mapping[str, Any]] = field(default_factory=tuple)
    callback_phone: str | None = None
    keys: DataKeys = field(repr=False)


def create_tickets(tickets: Sequence[NewTicket]) -> list[int]:
    """Open each ticket (`create_ticket`); returns their ids."""
    return [
        create_ticket(
            engine_for(ticket.db_url),
            conversation=ticket.conversation,
            question=ticket.question,
            transcript=ticket.transcript,
            callback_phone=ticket.callback_phone,
            keys=ticket.keys,
        )
        for ticket in tickets
    ]


def is_phone_number(text: str) -> bool:
    """A mobile or a landline number and nothing else, by the patterns the masking uses."""
    probe = text.translate(HALF_WIDTH)
    return bool(MOBILE.fullmatch(probe) or LANDLINE.fullmatch(probe))


def last_turns(lines: list[Mapping[str, Any]], turns: int) -> list[Mapping[str, Any]]:
    """The lines from the `turns`-th last user line on (all of them when there are fewer turns)."""
    starts = [index for index, line in enumerate(lines) if line.get("who") == "user"]
    start = starts[-turns] if len(starts) >= turns else 0
    return lines[start:][-turns * _LINES_PER_TURN :]


def open_tickets(engine: Engine, *, keys: DataKeys, limit: int = 200) -> list[Ticket]:
    """Open tickets, oldest first: callers are served in the order they asked. The callback numbers are
    opened with `keys`: this is what the hotline staff's page reads, and nothing else."""
    query = (
        select(HandoffTicketRow)
        .where(HandoffTicketRow.status == OPEN)
        .order_by(HandoffTicketRow.created_at, HandoffTicketRow.id)
        .limit(limit)
    )
    with Session(engine) as session:
        return [_ticket(row, keys) for row in session.execute(query).scalars()]


def close_ticket(engine: Engine, ticket_id: int, note: str = "") -> bool:
    """Mark an open ticket done; False when there is no open ticket with that id."""
    statement = (
        update(HandoffTicketRow)
        .where(HandoffTicketRow.id == ticket_id, HandoffTicketRow.status == OPEN)
        .values(status=DONE, note=mask(note)[:LINE_MAX_CHARS] or None, closed_at=datetime.now(timezone.utc))
        .execution_options(synchronize_session=False)
    )
    with Session(engine) as session, session.begin():
        return changed(session.execute(statement)) == 1


def _ticket(row: HandoffTicketRow, keys: DataKeys) -> Ticket:
    return Ticket(
        id=row.id,
        created_at=row.created_at,
        conversation=row.conversation,
        question=row.question,
        transcript=list(row.transcript),
        callback_phone=_opened(row, keys),
        status=row.status,
        note=row.note,
        closed_at=row.closed_at,
    )


def _opened(row: HandoffTicketRow, keys: DataKeys) -> str | None:
    if row.callback_phone is None:
        return None
    try:
        return keys.open(row.callback_phone, SEALED_AS)
    except UnreadableValueError as error:
        # The ticket is still shown (its question matters); the log says which key is missing, not the value.
        log.error("ticket %s: %s", row.id, error)
        return UNREADABLE_PHONE
