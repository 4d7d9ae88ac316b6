"""Checking what a client sent to /api/chat, before anything reaches Rasa or the log."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from bot import errors

CHANNELS = ("web", "staff", "api")
DEFAULT_CHANNEL = "web"
SENDER_MAX_CHARS = 128

# Control and format characters (NUL, escape sequences, zero-width spaces, bidi overrides) confuse the
# NLU and the log viewers; line breaks are kept because people paste multi-line questions.
_INVISIBLE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


class ChatInputError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class ChatRequest:
    sender: str
    message: str
    channel: str


def parse_chat_request(body: bytes, max_message_chars: int) -> ChatRequest:
    """The request in `body`, cleaned; raises ChatInputError with the status and sentence to send."""
    try:
        data = json.loads(body.decode("utf-8"))
    # RecursionError: a body of nested brackets, which a 64 kB limit still allows.
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ChatInputError(400, errors.BAD_FORMAT) from None
    if not isinstance(data, dict):
        raise ChatInputError(400, errors.BAD_FORMAT)

    sender = data.get("sender")
    if (
        not isinstance(sender, str)
        or not sender.strip()
        or len(sender) > SENDER_MAX_CHARS
        or _INVISIBLE.search(sender)
        or _SURROGATE.search(sender)
    ):
        # The sender id is an identity: changing it silently could merge two conversations, so reject.
        raise ChatInputError(400, errors.BAD_SENDER)

    channel = data.get("channel")
    if channel is None:
        channel = DEFAULT_CHANNEL
    if channel not in CHANNELS:
        raise ChatInputError(400, errors.BAD_CHANNEL.format(channels="、".join(CHANNELS)))

    message = data.get("message")
    if not isinstance(message, str):
        raise ChatInputError(400, errors.EMPTY_MESSAGE)
    if _SURROGATE.search(message):
        # "\ud800" is valid JSON but no valid text: it cannot even be encoded to send to Rasa.
        raise ChatInputError(400, errors.BAD_FORMAT)
    message = _INVISIBLE.sub("", message.replace("\r\n", "\n").replace("\t", " ")).strip()
    if not message:
        raise ChatInputError(400, errors.EMPTY_MESSAGE)
    if len(message) > max_message_chars:
        raise ChatInputError(413, errors.MESSAGE_TOO_LONG.format(limit=max_message_chars))
    return ChatRequest(sender=sender, message=message, channel=channel)
