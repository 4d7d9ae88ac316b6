"""Reading the JSON body of an API request and cleaning the text in it: one place for /api/chat and
/api/feedback (and whatever else takes text from a client)."""

from __future__ import annotations

import json
import re
from typing import Any

# Control and format characters (NUL, escape sequences, zero-width spaces, bidi overrides) confuse the
# NLU and the log viewers; line breaks are kept because people paste multi-line questions.
_INVISIBLE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
# "\ud800" is valid JSON but no valid text: it cannot even be encoded to send it on or store it.
_SURROGATE = re.compile(r"[\ud800-\udfff]")


class InputError(Exception):
    """A request the client must change: the HTTP status and the Chinese sentence to send back."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def json_object(body: bytes, bad_format: str) -> dict[str, Any]:
    """The JSON object in `body`; anything else raises InputError(400, bad_format)."""
    try:
        data = json.loads(body.decode("utf-8"))
    # RecursionError: a body of nested brackets, which a 64 kB limit still allows.
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise InputError(400, bad_format) from None
    if not isinstance(data, dict):
        raise InputError(400, bad_format)
    return data


def is_encodable(text: str) -> bool:
    return not _SURROGATE.search(text)


def is_plain(text: str) -> bool:
    """No invisible character and no lone surrogate: for identities, which are never changed silently."""
    return not _INVISIBLE.search(text) and is_encodable(text)


def clean_text(text: str) -> str:
    """Free text as people typed it, without the characters that only confuse: Windows line breaks and
    tabs made plain, invisible characters removed, outer whitespace stripped. `text` must be encodable."""
    return _INVISIBLE.sub("", text.replace("\r\n", "\n").replace("\t", " ")).strip()
