"""POST /api/feedback: 👍/👎 (and an optional reason) on one answer of /api/chat.

    {"message_id": "<the chat response's message_id>", "vote": "up" | "down", "reason": "..."?}

200 {"message_id", "vote"} when stored; 400 for a malformed request, 404 for an unknown message id, 503
while the database is unavailable: always a Chinese sentence, never a 500.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from app_store import FeedbackResult, record_feedback
from app_store.feedback import DOWN, REASON_MAX_CHARS, UP
from bot import errors
from bot.appkeys import ENGINE, QUESTION_LOG
from bot.request_text import InputError, clean_text, is_encodable, json_object

log = logging.getLogger(__name__)

BAD_FORMAT = "请求格式不正确，请以 JSON 对象发送回答编号（message_id）和评价（vote）"
BAD_MESSAGE_ID = "回答编号（message_id）不正确"
UNKNOWN_MESSAGE = "找不到这条回答，无法评价，请刷新页面后再试"
BAD_VOTE = "评价（vote）不正确，可选：up（有帮助）、down（没有帮助）"
BAD_REASON = "原因（reason）应为文字"
REASON_TOO_LONG = f"原因太长了，请不超过{REASON_MAX_CHARS}个字"
UNAVAILABLE = "暂时无法记录您的评价，请稍后再试"

VOTES = {"up": UP, "down": DOWN}
# What /api/chat hands out: uuid4().hex. Anything else cannot be in the log.
_MESSAGE_ID = re.compile(r"[0-9a-f]{32}")
# An answer's row reaches the log a few milliseconds after the reply; a vote that is faster waits this long.
LOG_WAIT_S = 3.0


FeedbackInputError = InputError


@dataclass(frozen=True)
class FeedbackRequest:
    message_id: str
    vote: str
    reason: str | None


def parse_feedback_request(body: bytes) -> FeedbackRequest:
    data = json_object(body, BAD_FORMAT)

    message_id = data.get("message_id")
    if not isinstance(message_id, str) or not message_id.strip():
        raise FeedbackInputError(400, BAD_MESSAGE_ID)
    if not _MESSAGE_ID.fullmatch(message_id):
        raise FeedbackInputError(404, UNKNOWN_MESSAGE)

    vote = data.get("vote")
    # isinstance first: a list or an object is unhashable and `in` on the dict would raise (a 500).
    if not isinstance(vote, str) or vote not in VOTES:
        raise FeedbackInputError(400, BAD_VOTE)

    reason = data.get("reason")
    if reason is not None:
        if not isinstance(reason, str) or not is_encodable(reason):
            raise FeedbackInputError(400, BAD_REASON)
        # Cleaned as chat messages are: no control or invisible characters in what staff will read.
        reason = clean_text(reason) or None
        if reason is not None and len(reason) > REASON_MAX_CHARS:
            raise FeedbackInputError(400, REASON_TOO_LONG)
    return FeedbackRequest(message_id=message_id, vote=vote, reason=reason)


async def feedback(request: web.Request) -> web.Response:
    body = await request.read()  # over client_max_size: 413 from the middleware
    try:
        parsed = parse_feedback_request(body)
    except FeedbackInputError as exc:
        return errors.json_error(exc.status, exc.message)

    engine = request.app[ENGINE]
    try:
        result = await asyncio.to_thread(record_feedback, engine, parsed.message_id, VOTES[parsed.vote], parsed.reason)
        writer = request.app[QUESTION_LOG]
        if result is FeedbackResult.UNKNOWN_QUESTION and writer.pending:
            # The question may still wait in the log writer's queue: let it be written, then look again.
            try:
                await writer.drain(timeout=LOG_WAIT_S)
            except asyncio.TimeoutError:
                return errors.json_error(503, UNAVAILABLE)
            result = await asyncio.to_thread(
                record_feedback, engine, parsed.message_id, VOTES[parsed.vote], parsed.reason
            )
    except SQLAlchemyError:
        log.exception("feedback: database unavailable")
        return errors.json_error(503, UNAVAILABLE)

    if result is FeedbackResult.UNKNOWN_QUESTION:
        return errors.json_error(404, UNKNOWN_MESSAGE)
    return web.json_response({"message_id": parsed.message_id, "vote": parsed.vote}, dumps=errors.dumps)
