"""Personal data never reaches the question log or the tickets' free text unmasked.

`mask` hides mobile and landline numbers, ID card numbers, e-mail addresses and bank-card-like digit
runs, keeping just enough (prefix, last digits, domain) for staff to recognise the kind of data and,
for example, tell two callers apart. `pseudonym` turns a sender id into a stable, non-reversible
conversation id so analytics can group a conversation without knowing who it was.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable

from infra.pii import EMAIL, HALF_WIDTH, LANDLINE, LONG_NUMBER, MOBILE


def mask(text: str) -> str:
    """`text` with personal data masked; masking an already masked text changes nothing."""
    for pattern, render in _MASKERS:
        text = _substitute(text, pattern, render)
    return text


def pseudonym(secret: str | bytes, sender: str) -> str:
    """Stable 16-hex-digit conversation id: HMAC-SHA256(secret, sender), truncated."""
    key = secret.encode("utf-8") if isinstance(secret, str) else secret
    return hmac.new(key, sender.encode("utf-8"), hashlib.sha256).hexdigest()[:16]


def _substitute(text: str, pattern: re.Pattern[str], render: Callable[[re.Match[str]], str]) -> str:
    probe = text.translate(HALF_WIDTH)
    pieces: list[str] = []
    last = 0
    for match in pattern.finditer(probe):
        pieces.append(text[last : match.start()])
        pieces.append(render(match))
        last = match.end()
    pieces.append(text[last:])
    return "".join(pieces)


def _email(match: re.Match[str]) -> str:
    local, domain = match.group(1), match.group(2)
    return f"{local[0]}***@{domain}"


def _long_number(match: re.Match[str]) -> str:
    digits = re.sub(r"[ -]", "", match.group(0))
    check = ""
    if digits[-1] in "Xx":
        digits, check = digits[:-1], digits[-1]
    if len(digits) + len(check) in (15, 18) and (check == "" or len(digits) == 17):
        # ID card: the middle holds the birth date, so only the region prefix and the last digits stay.
        return digits[:3] + "*" * (len(digits) - 6) + digits[-3:] + check
    return digits[:4] + "*" * (len(digits) - 8) + digits[-4:] + check


def _mobile(match: re.Match[str]) -> str:
    prefix, head, _middle, tail = match.groups()
    return f"{prefix or ''}{head}****{tail}"


def _landline(match: re.Match[str]) -> str:
    area, separator, local = match.groups()
    return f"{area}{separator}{'*' * (len(local) - 2)}{local[-2:]}"


_MASKERS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    # E-mail first: a local part like 13800138000@qq.com must be masked as an address, not a phone.
    (EMAIL, _email),
    # Longest digit runs before mobiles, so a card number is never cut into a phone number and a rest.
    (LONG_NUMBER, _long_number),
    (MOBILE, _mobile),
    (LANDLINE, _landline),
)
