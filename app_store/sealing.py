"""Personal values kept on purpose (a callback number) are stored sealed: AES-256-GCM with the data key.

A sealed value reads `v1:<key id>:<base64 of nonce + ciphertext + tag>`. The key id (8 hex digits, a keyed
hash of the key, so it says which key without revealing it) is stored with each value, so a value sealed
under a retired key can still be opened and `app_store.rotation` finds the ones to re-seal. The associated
data is the column the value belongs to ("handoff_tickets.callback_phone"): a sealed value copied into
another column does not open there.

The key: DATA_KEY (64 hex digits) or, when unset, HKDF-SHA256 of APP_SECRET (app_store.settings.data_keys);
DATA_KEYS_RETIRED lists earlier keys, which open values but never seal new ones.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from collections.abc import Iterable
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PREFIX = "v1"
KEY_BYTES = 32
_NONCE_BYTES = 12
# The derivation's label: changing it changes every derived key, so it is fixed for the life of the data.
_HKDF_INFO = b"weihai policy assistant: data key v1"


class UnreadableValueError(ValueError):
    """A sealed value whose key is not among the known ones, or that was altered."""


def key_id(key: bytes) -> str:
    return hmac.new(key, b"key id", hashlib.sha256).hexdigest()[:8]


def derived_key(app_secret: str) -> bytes:
    """The data key HKDF-SHA256 derives from APP_SECRET (used while DATA_KEY is unset)."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=_HKDF_INFO)
    return hkdf.derive(app_secret.encode("utf-8"))


def parse_key(name: str, raw: str) -> bytes:
    """A key written as 64 hex digits (`python -c 'import secrets; print(secrets.token_hex(32))'`)."""
    try:
        key = bytes.fromhex(raw.strip())
    except ValueError:
        key = b""
    if len(key) != KEY_BYTES:
        raise ValueError(f"{name} must be 64 hex digits (a 32-byte key), e.g. from secrets.token_hex(32)")
    return key


@dataclass(frozen=True)
class DataKeys:
    """The key that seals, and every key that may open (the sealing one first)."""

    current: bytes = field(repr=False)
    retired: tuple[bytes, ...] = field(default=(), repr=False)

    @property
    def current_id(self) -> str:
        return key_id(self.current)

    def seal(self, value: str, column: str) -> str:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = AESGCM(self.current).encrypt(nonce, value.encode("utf-8"), column.encode("ascii"))
        return f"{PREFIX}:{self.current_id}:{base64.b64encode(nonce + sealed).decode('ascii')}"

    def open(self, sealed: str, column: str) -> str:
        version, kid, body = _parts(sealed)
        key = self._by_id().get(kid)
        if key is None or version != PREFIX:
            raise UnreadableValueError(f"sealed under key {kid}, which is not among DATA_KEY and DATA_KEYS_RETIRED")
        try:
            blob = base64.b64decode(body, validate=True)
            plain = AESGCM(key).decrypt(blob[:_NONCE_BYTES], blob[_NONCE_BYTES:], column.encode("ascii"))
        except (binascii.Error, InvalidTag, ValueError):
            raise UnreadableValueError(f"a value sealed under key {kid} does not open (altered?)") from None
        return plain.decode("utf-8")

    def is_current(self, sealed: str) -> bool:
        return is_sealed(sealed) and _parts(sealed)[1] == self.current_id

    def _by_id(self) -> dict[str, bytes]:
        return {key_id(key): key for key in (*self.retired, self.current)}


def is_sealed(value: str) -> bool:
    return value.startswith(f"{PREFIX}:")


def keys_from(app_secret: str, data_key: str | None = None, retired: Iterable[str] = ()) -> DataKeys:
    """DATA_KEY (or the key derived from APP_SECRET) and the retired ones; the derived key stays among the
    openers once DATA_KEY is set, so switching from it to an own key needs no other setting."""
    derived = derived_key(app_secret)
    if not data_key:
        return DataKeys(derived, tuple(parse_key("DATA_KEYS_RETIRED", raw) for raw in retired))
    current = parse_key("DATA_KEY", data_key)
    openers = [parse_key("DATA_KEYS_RETIRED", raw) for raw in retired]
    return DataKeys(current, tuple(key for key in (*openers, derived) if key != current))


def _parts(sealed: str) -> tuple[str, str, str]:
    version, _, rest = sealed.partition(":")
    kid, _, body = rest.partition(":")
    return version, kid, body
