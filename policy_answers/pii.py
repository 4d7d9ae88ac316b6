"""Moved to infra.pii (the app database masks with it and may not import the answer engine); these names
stay importable from here for the answer engine's own modules."""

from infra.pii import (
    EMAIL,
    HALF_WIDTH,
    LANDLINE,
    LONG_NUMBER,
    MASKED_EMAIL,
    MASKED_LANDLINE,
    MASKED_LONG_NUMBER,
    MASKED_MOBILE,
    MOBILE,
    PATTERNS,
)

__all__ = [
    "EMAIL",
    "HALF_WIDTH",
    "LANDLINE",
    "LONG_NUMBER",
    "MASKED_EMAIL",
    "MASKED_LANDLINE",
    "MASKED_LONG_NUMBER",
    "MASKED_MOBILE",
    "MOBILE",
    "PATTERNS",
]
