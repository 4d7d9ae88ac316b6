"""POST /api/chat: one user message in, the bot's replies out, one question-log row written."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from dataclasses import asdict
from datetime import datetime, timedelta, timezone
from typing import Any

from aiohttp import web

from app_store import ERROR, UNKNOWN, QuestionRecord, callbacks
from app_store.privacy import mask, pseudonym
from bot import errors
from bot.appkeys import ENGINE, QUESTION_LOG, RASA, SENDER_LIMITER, SETTINGS
from bot.chat_input import ChatInputError, ChatRequest, parse_chat_request
from bot.middlewares import rate_limited
from bot.rasa_client import (
    BotMessage,
    RasaBadResponseError,
    RasaError,
    RasaTimeoutError,
    RasaTurn,
    RasaUnavailableError,
)

log = logging.getLogger(__name__)
CALLBACK_HOLD_TIMEOUT_S = 2.0

LOG_WAIT_S = 0.5


async def chat(request: web.Request) -> web.Response:
    started = time.perf_counter()
    received_at = datetime.now(timezone.utc)
    settings = request.app[SETTINGS]
    body = await request.read()  # over client_max_size: HTTPRequestEntityTooLarge, see middlewares
    try:
        chat_request = parse_chat_request(body, settings.max_message_chars)
    except ChatInputError as exc:
        # Rejected input is not a question: nothing is logged.
        return errors.json_error(exc.status, exc.message)
    # Refused before Rasa does any work; not a question either, so not logged.
    refused = rate_limited(request, SENDER_LIMITER, chat_request.sender)
    if refused is not None:
        return refused
    return await answer(request, chat_request, started=started, received_at=received_at)


async def answer(
    request: web.Request, chat_request: ChatRequest, *, started: float, received_at: datetime
) -> web.Response:
    """Send a checked question to Rasa, log it, and reply as /api/chat does.

    Shared with the staff console's "ask the bot" (bot.staff.api.ask), which makes its own request.
    """
    settings = request.app[SETTINGS]
    # Made before anything is logged: the client gets it back as "message_id" to give feedback on this
    # answer (POST /api/feedback). Random, so it reveals nothing about the log and cannot be guessed.
    message_id = uuid.uuid4().hex
    conversation = pseudonym(settings.app_secret, chat_request.sender)
    # Masked once, here: Rasa (and so its tracker store), the question log and the tickets only ever get
    # '138****5678'. A callback number is held aside for the hand-off ticket (app_store.callbacks).
    text = mask(chat_request.message)
    held = text != chat_request.message and await _hold_callback_number(request, conversation, chat_request.message)

    def record(turn: RasaTurn | None, outcome: str, reply: str | None) -> int:
        return request.app[QUESTION_LOG].submit(
            QuestionRecord(
                created_at=received_at,
                channel=chat_request.channel,
                conversation=conversation,
                text=text,
                intent=turn.intent if turn else None,
                confidence=turn.confidence if turn else None,
                entities=[asdict(entity) for entity in turn.entities] if turn else [],
                measure=turn.measure if turn else None,
                outcome=outcome,
                latency_ms=round((time.perf_counter() - started) * 1000),
                reply=reply,
                public_id=message_id,
                model_version=turn.model_version if turn else None,
            )
        )

    try:
        turn = await request.app[RASA].send(chat_request.sender, text, chat_request.channel)
    except RasaError as exc:
        if held:
            await _release_callback_number(request, conversation)
        status, message = _upstream_error(exc, settings.hotline)
        await _logged(request, record(None, ERROR, message))
        return errors.json_error(status, message)
    except Exception:
        # A bug in the gateway: the question is still logged, the middleware gives the JSON 500.
        record(None, ERROR, errors.INTERNAL)
        raise
    if held:
        # The hand-off form takes the number within the turn it is typed in; a number typed for any
        # other reason is not kept past it.
        await _release_callback_number(request, conversation)

    if not turn.messages:
        # Rasa 3.6 answers 200 with no messages when a custom action fails (the action server is down):
        # it logs the error and goes on. The user gets a sentence instead of silence, as a normal reply
        # (200) since the conversation itself goes on; the log says "error", not Rasa's "fallback".
        log.warning("Rasa gave no answer (is the action server down?); intent %s", turn.intent)
        apology = errors.NO_ANSWER.format(hotline=settings.hotline)
        await _logged(request, record(turn, ERROR, apology))
        return web.json_response(
            {"replies": [{"text": apology}], "message_id": message_id, "conversation_id": conversation},
            dumps=errors.dumps,
        )

    first_text = next((message.text for message in turn.messages if message.text), None)
    await _logged(request, record(turn, turn.outcome or UNKNOWN, first_text))
    # conversation_id: what the user quotes to have the conversation erased (the widget shows it).
    return web.json_response(
        {
            "replies": [_reply(message) for message in turn.messages],
            "message_id": message_id,
            "conversation_id": conversation,
        },
        dumps=errors.dumps,
    )


async def _hold_callback_number(request: web.Request, conversation: str, raw: str) -> bool:
    """Hold a callback number typed into the chat for the hand-off ticket of this turn; True if held."""
    phone = callbacks.callback_number(raw)
    if phone is None:
        return False
    settings = request.app[SETTINGS]
    hold_for = timedelta(minutes=settings.retention.callback_hold_minutes)
    try:
        # Bounded: a locked database must not hold up the answer (SQLite waits up to 5 s for its lock).
        await asyncio.wait_for(
            asyncio.to_thread(
                callbacks.hold, request.app[ENGINE], conversation, phone, keys=settings.data_keys, hold_for=hold_for
            ),
            CALLBACK_HOLD_TIMEOUT_S,
        )
    except Exception as exc:
        # The answer matters more: a hand-off then gets a ticket without the number (and says so).
        log.warning("could not hold a callback number: %s", type(exc).__name__)
        return False
    return True


async def _release_callback_number(request: web.Request, conversation: str) -> None:
    try:
        await asyncio.wait_for(
            asyncio.to_thread(callbacks.release, request.app[ENGINE], conversation), CALLBACK_HOLD_TIMEOUT_S
        )
    except Exception as exc:  # the hold expires by itself (CALLBACK_HOLD_MINUTES) and the purge removes it
        log.warning("could not release a held callback number: %s", type(exc).__name__)


async def _logged(request: web.Request, ticket: int) -> None:
    # The reply waits for its question-log row (a few ms) so that a gateway killed right after replying
    # has not lost it; a slow or absent database does not hold the reply for longer than this.
    await request.app[QUESTION_LOG].written(ticket, LOG_WAIT_S)


def _reply(message: BotMessage) -> dict[str, Any]:
    # Only what the widget renders, and only keys that have a value.
    reply: dict[str, Any] = {}
    if message.text is not None:
        reply["text"] = message.text
    if message.buttons:
        reply["buttons"] = [{"title": button.title, "payload": button.payload} for button in message.buttons]
    if message.custom is not None:
        reply["custom"] = message.custom
    return reply


def _upstream_error(exc: RasaError, hotline: str) -> tuple[int, str]:
    if isinstance(exc, RasaTimeoutError):
        return 504, errors.RASA_TIMEOUT.format(hotline=hotline)
    if isinstance(exc, RasaUnavailableError):
        return 503, errors.RASA_UNAVAILABLE.format(hotline=hotline)
    assert isinstance(exc, RasaBadResponseError)
    return 502, errors.RASA_FAILED.format(hotline=hotline)
