"""Checking what a client sent to /api/chat, before anything reaches Rasa or the log."""

from __future__ import annotations

from dataclasses import dataclass

from bot import errors
from bot.request_text import InputError, clean_text, is_encodable, is_plain, json_object

CHANNELS = ("web", "staff", "api")
DEFAULT_CHANNEL = "web"
SENDER_MAX_CHARS = 128

# The name the chat view and the staff API catch.
ChatInputError = InputError


@dataclass(frozen=True)
class ChatRequest:
    sender: str
    message: str
    channel: str


def parse_chat_request(body: bytes, max_message_chars: int) -> ChatRequest:
    """The request in `body`, cleaned; raises ChatInputError with the status and sentence to send."""
    data = json_object(body, errors.BAD_FORMAT)

    sender = data.get("sender")
    if not isinstance(sender, str) or not sender.strip() or len(sender) > SENDER_MAX_CHARS or not is_plain(sender):
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
    if not is_encodable(message):
        raise ChatInputError(400, errors.BAD_FORMAT)
    message = clean_text(message)
    if not message:
        raise ChatInputError(400, errors.EMPTY_MESSAGE)
    if len(message) > max_message_chars:
        raise ChatInputError(413, errors.MESSAGE_TOO_LONG.format(limit=max_message_chars))
    return ChatRequest(sender=sender, message=message, channel=channel)
