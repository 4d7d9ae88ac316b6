"""Staff accounts of the hotline console and the policy office's analytics.

Passwords are stored only as argon2id hashes (argon2-cffi). Usernames are compared in lower case, so
"Zhang" and "zhang" are one account. Roles: `staff` (hotline: console and hand-off tickets) and
`analyst` (policy office: analytics, and the console's search read-only).
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Boolean, Column, Index, Integer, String, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session

from app_store.engine import changed
from app_store.models import Base, UTCDateTime

STAFF = "staff"
ANALYST = "analyst"
ROLES = (STAFF, ANALYST)
ROLE_NAMES = {STAFF: "热线坐席", ANALYST: "政策分析"}

USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
PASSWORD_MIN_CHARS = 10
PASSWORD_MAX_CHARS = 256

_hasher = PasswordHasher()


class AccountError(ValueError):
    """A username, role or password that cannot be used; the message is Chinese, for the user."""


class StaffAccountRow(Base):
    __tablename__ = "staff_accounts"
    __table_args__ = (Index("ix_staff_accounts_username", "username", unique=True),)
    id: Mapped[int] = Column(Integer, primary_key=True)
    username: Mapped[str] = Column(String(64), nullable=False)
    password_hash: Mapped[str] = Column(String(255), nullable=False)
    role: Mapped[str] = Column(String(16), nullable=False)
    disabled: Mapped[bool] = Column(Boolean, nullable=False)
    created_at: Mapped[datetime] = Column(UTCDateTime(), nullable=False)
    last_login_at = Column(UTCDateTime())


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    role: str
    disabled: bool
    # Changes whenever the password does: a session remembers it, so a new password ends old sessions.
    password_stamp: str


def normalise_username(username: str) -> str:
    return username.strip().lower()


def check_username(username: str) -> str:
    name = normalise_username(username)
    if not USERNAME.fullmatch(name):
        raise AccountError("用户名应为2到64个字符，只含英文字母、数字和 . _ -，以字母或数字开头")
    return name


def check_role(role: str) -> str:
    if role not in ROLES:
        raise AccountError(f"角色不正确，可选：{'、'.join(ROLES)}")
    return role


def check_password(password: str) -> str:
    if len(password) < PASSWORD_MIN_CHARS:
        raise AccountError(f"密码太短，至少{PASSWORD_MIN_CHARS}个字符")
    if len(password) > PASSWORD_MAX_CHARS:
        raise AccountError(f"密码太长，最多{PASSWORD_MAX_CHARS}个字符")
    if password != password.strip():
        raise AccountError("密码首尾不能有空格")
    return password


def create_account(engine: Engine, username: str, role: str, password: str) -> int:
    """A new account; raises AccountError for bad input or a username already taken."""
    row = StaffAccountRow(
        username=check_username(username),
        password_hash=_hasher.hash(check_password(password)),
        role=check_role(role),
        disabled=False,
        created_at=datetime.now(timezone.utc),
    )
    try:
        with Session(engine) as session, session.begin():
            session.add(row)
            session.flush()
            return row.id
    except IntegrityError:
        raise AccountError(f"用户名 {row.username} 已存在") from None


def set_password(engine: Engine, username: str, password: str) -> bool:
    """False when there is no such account."""
    new_hash = _hasher.hash(check_password(password))
    return _update(engine, username, password_hash=new_hash)


def set_disabled(engine: Engine, username: str, disabled: bool) -> bool:
    return _update(engine, username, disabled=disabled)


def set_role(engine: Engine, username: str, role: str) -> bool:
    return _update(engine, username, role=check_role(role))


def list_accounts(engine: Engine) -> list[Account]:
    with Session(engine) as session:
        rows = session.execute(select(StaffAccountRow).order_by(StaffAccountRow.username)).scalars()
        return [_account(row) for row in rows]


def get_account(engine: Engine, account_id: int) -> Account | None:
    with Session(engine) as session:
        row = session.get(StaffAccountRow, account_id)
        return _account(row) if row is not None else None


def authenticate(engine: Engine, username: str, password: str) -> Account | None:
    """The account when the username and password match and it is enabled, else None.

    Slow on purpose (argon2): call it from a thread. A hash made with older parameters is renewed.
    """
    name = normalise_username(username)
    with Session(engine) as session:
        row = session.execute(select(StaffAccountRow).where(StaffAccountRow.username == name)).scalar_one_or_none()
        if row is None:
            _verify(_dummy_hash(), password)
            return None
        if not _verify(row.password_hash, password) or row.disabled:
            return None
        values: dict[str, object] = {"last_login_at": datetime.now(timezone.utc)}
        if _hasher.check_needs_rehash(row.password_hash):
            values["password_hash"] = _hasher.hash(password)
        session.execute(update(StaffAccountRow).where(StaffAccountRow.id == row.id).values(**values))
        session.commit()
        return get_account(engine, row.id)


@functools.cache
def _dummy_hash() -> str:
    # Verified when the username is unknown, so a wrong name costs as long as a wrong password and the
    # response time does not tell which usernames exist. Made on first use: hashing is slow.
    return _hasher.hash("no such account: equal timing")


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _update(engine: Engine, username: str, **values: object) -> bool:
    statement = (
        update(StaffAccountRow)
        .where(StaffAccountRow.username == normalise_username(username))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    with Session(engine) as session, session.begin():
        return changed(session.execute(statement)) == 1


def _account(row: StaffAccountRow) -> Account:
    stamp = hashlib.sha256(row.password_hash.encode("utf-8")).hexdigest()[:16]
    return Account(id=row.id, username=row.username, role=row.role, disabled=row.disabled, password_stamp=stamp)
