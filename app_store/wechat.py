"""The WeChat channel's short-lived memory in the app database, shared by every gateway copy (production
runs several on one socket, so a retry or a digit reply lands on any of them).

Deliveries: WeChat retries a message it got no reply to within 5 s (same MsgId), three attempts in all.
The first copy to insert the delivery's row `claim`s it and answers (Rasa, the question log); it
`refresh`es claimed_at while it does and stores the reply (`answered`). Another copy finds the row and
waits for the reply; a claim not refreshed for a while belongs to a copy that died, and one waiting
copy `take_over`s it with a conditional update (only one can match the old claimant and claimed_at).

Followers: the numbered options of a follower's last reply and the parts of a long one not yet sent.

Both are keyed by pseudonyms (app_store.privacy.pseudonym), like the question log's conversations, and
carry the conversation's pseudonym for the erasure; `expire` (the purge, and the gateway once a minute)
drops them after DELIVERY_TTL and FOLLOWER_TTL. Synchronous, like the rest of app_store: the gateway
runs these in a thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app_store.engine import changed
from app_store.models import WeChatDeliveryRow, WeChatFollowerRow

# WeChat's three attempts span about 15 seconds; a minute is ample and keeps the table small.
DELIVERY_TTL = timedelta(seconds=60)
# Options of a reply stay answerable this long after it was sent.
FOLLOWER_TTL = timedelta(minutes=30)

Option = tuple[str, str]  # (title, payload) of a button, as the follower's digit picks it


@dataclass(frozen=True)
class Claim:
    """A delivery's row as another copy sees it."""

    claimant: str
    claimed_at: datetime
    answered_at: datetime | None
    reply: str | None

    @property
    def answered(self) -> bool:
        return self.answered_at is not None


@dataclass(frozen=True)
class Follower:
    options: tuple[Option, ...] = ()
    more: tuple[str, ...] = ()


def claim(engine: Engine, key: str, conversation: str, claimant: str, now: datetime | None = None) -> Claim | None:
    """Claim delivery `key` for `claimant`: None when this call made the claim (answer it), else the row
    someone else made (wait for its reply)."""
    now = now or _now()
    with Session(engine) as session, session.begin():
        # A row past its time is a different delivery as far as anyone can tell: it goes, not blocks.
        session.execute(
            delete(WeChatDeliveryRow).where(
                WeChatDeliveryRow.key == key, WeChatDeliveryRow.created_at < now - DELIVERY_TTL
            )
        )
        inserted = changed(
            session.execute(
                _insert(engine)(WeChatDeliveryRow)
                .values(key=key, conversation=conversation[:16], claimant=claimant[:32], claimed_at=now, created_at=now)
                .on_conflict_do_nothing(index_elements=["key"])
            )
        )
        if inserted == 1:
            return None
        return _claim(session, key)


def read(engine: Engine, key: str) -> Claim | None:
    """The delivery's row; None when there is none (expired, erased)."""
    with Session(engine) as session:
        return _claim(session, key)


def refresh(engine: Engine, key: str, claimant: str, now: datetime | None = None) -> bool:
    """Keep `claimant`'s claim alive; False when it is no longer its own (taken over) or answered."""
    with Session(engine) as session, session.begin():
        return (
            changed(
                session.execute(
                    update(WeChatDeliveryRow)
                    .where(
                        WeChatDeliveryRow.key == key,
                        WeChatDeliveryRow.claimant == claimant,
                        WeChatDeliveryRow.answered_at.is_(None),
                    )
                    .values(claimed_at=now or _now())
                    .execution_options(synchronize_session=False)
                )
            )
            == 1
        )


def take_over(engine: Engine, key: str, seen: Claim, claimant: str, now: datetime | None = None) -> bool:
    """Take a stale claim for `claimant`, only if it is still as `seen`: of several copies trying at
    once exactly one matches, and a claimant that came back to life (refreshed) keeps it."""
    with Session(engine) as session, session.begin():
        return (
            changed(
                session.execute(
                    update(WeChatDeliveryRow)
                    .where(
                        WeChatDeliveryRow.key == key,
                        WeChatDeliveryRow.claimant == seen.claimant,
                        WeChatDeliveryRow.claimed_at == seen.claimed_at,
                        WeChatDeliveryRow.answered_at.is_(None),
                    )
                    .values(claimant=claimant[:32], claimed_at=now or _now())
                    .execution_options(synchronize_session=False)
                )
            )
            == 1
        )


def answered(engine: Engine, key: str, reply: str | None, answered_at: datetime) -> bool:
    """Store the reply of delivery `key` (None: nothing to say). The first reply stored stays: a copy
    that answered after a takeover does not change what the retries get."""
    with Session(engine) as session, session.begin():
        return (
            changed(
                session.execute(
                    update(WeChatDeliveryRow)
                    .where(WeChatDeliveryRow.key == key, WeChatDeliveryRow.answered_at.is_(None))
                    .values(reply=reply, answered_at=answered_at, claimed_at=answered_at)
                    .execution_options(synchronize_session=False)
                )
            )
            == 1
        )


def follower(engine: Engine, conversation: str, now: datetime | None = None) -> Follower | None:
    """What the follower's digits mean now; None when nothing was kept or it is older than FOLLOWER_TTL."""
    cutoff = (now or _now()) - FOLLOWER_TTL
    with Session(engine) as session:
        row = session.execute(
            select(WeChatFollowerRow.options, WeChatFollowerRow.more).where(
                WeChatFollowerRow.conversation == conversation[:16], WeChatFollowerRow.updated_at >= cutoff
            )
        ).one_or_none()
    return None if row is None else Follower(_options(row.options), tuple(str(part) for part in row.more or ()))


def remember(
    engine: Engine, conversation: str, options: Sequence[Option], more: Sequence[str], now: datetime | None = None
) -> None:
    """Keep the follower's options and remaining parts, from `now` for FOLLOWER_TTL. No options keeps
    the last list: a follower who picked 1 of a list may scroll up and pick 3 next."""
    now = now or _now()
    with Session(engine) as session, session.begin():
        if not options:
            options = (
                session.execute(
                    select(WeChatFollowerRow.options).where(
                        WeChatFollowerRow.conversation == conversation[:16],
                        WeChatFollowerRow.updated_at >= now - FOLLOWER_TTL,
                    )
                ).scalar_one_or_none()
                or ()
            )
        values: dict[str, Any] = {
            "options": [list(option) for option in options],
            "more": list(more),
            "updated_at": now,
        }
        session.execute(
            _insert(engine)(WeChatFollowerRow)
            .values(conversation=conversation[:16], **values)
            .on_conflict_do_update(index_elements=["conversation"], set_=values)
        )


def expire(engine: Engine, now: datetime | None = None) -> tuple[int, int]:
    """Drop deliveries older than DELIVERY_TTL and followers older than FOLLOWER_TTL; (deliveries, followers)."""
    now = now or _now()
    with Session(engine) as session, session.begin():
        deliveries = changed(
            session.execute(delete(WeChatDeliveryRow).where(WeChatDeliveryRow.created_at < now - DELIVERY_TTL))
        )
        followers = changed(
            session.execute(delete(WeChatFollowerRow).where(WeChatFollowerRow.updated_at < now - FOLLOWER_TTL))
        )
    return int(deliveries), int(followers)


def erase(engine: Engine, conversation: str) -> tuple[int, int]:
    """Drop everything kept of `conversation` (the erasure); (deliveries, followers)."""
    with Session(engine) as session, session.begin():
        deliveries = changed(
            session.execute(delete(WeChatDeliveryRow).where(WeChatDeliveryRow.conversation == conversation[:16]))
        )
        followers = changed(
            session.execute(delete(WeChatFollowerRow).where(WeChatFollowerRow.conversation == conversation[:16]))
        )
    return int(deliveries), int(followers)


def _insert(engine: Engine) -> Any:
    # INSERT … ON CONFLICT is dialect syntax: SQLite (3.24+) and PostgreSQL spell it the same way.
    return postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert


def _claim(session: Session, key: str) -> Claim | None:
    row = session.execute(
        select(
            WeChatDeliveryRow.claimant,
            WeChatDeliveryRow.claimed_at,
            WeChatDeliveryRow.answered_at,
            WeChatDeliveryRow.reply,
        ).where(WeChatDeliveryRow.key == key)
    ).one_or_none()
    return None if row is None else Claim(row.claimant, row.claimed_at, row.answered_at, row.reply)


def _options(raw: Any) -> tuple[Option, ...]:
    return tuple((str(title), str(payload)) for title, payload in raw or ())


def _now() -> datetime:
    return datetime.now(timezone.utc)
