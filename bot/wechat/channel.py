"""What a follower's message gets: a question goes the way of /api/chat (rate limit, input checks,
Rasa, the question log) and its replies are fitted to WeChat; events and other message types get a
fixed sentence or nothing."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
import unicodedata
from dataclasses import asdict, replace
from datetime import datetime, timezone
from functools import partial
from typing import Any

from aiohttp import web

from bot import errors
from bot.appkeys import ENGINE, RASA, SENDER_LIMITER, SETTINGS
from bot.chat_input import ChatInputError, parse_chat_request
from bot.middlewares import rate_limited
from bot.rasa_client import RasaError
from bot.views.chat import answer
from bot.wechat import messages
from bot.wechat.fit import MORE, fit
from bot.wechat.memory import DELIVERY_TTL_S, MAX_DELIVERIES, Expiring
from bot.wechat.once import Delivery, answer_once
from bot.wechat.protocol import Inbound
from bot.wechat.shared import MEMORY, SENDER_PREFIX, SharedMemory, expiry

CHANNEL = "wechat"  # in the question log and Rasa's metadata; the analytics filter by it
# Sent to Rasa on subscribe: the domain's own greeting and its "what I can do", so the wording stays in
# one place. Events are not questions, so they are not logged.
WELCOME_INTENTS = ("/greet", "/what_can_you_do")
# Message types a person sends on purpose, which the bot cannot read: they get PLEASE_TYPE. Anything
# else unknown gets WeChat's "success" (no reply).
UNREADABLE_TYPES = frozenset({"image", "location", "link", "video", "shortvideo", "file", "music"})
WELCOME_EVENTS = frozenset({"subscribe", "scan"})

# WeChat's own emoticons arrive as codes in the text ("/::)" smile, "/:,@P" giggle): a message that
# starts with "/" would reach Rasa as an intent name, so they are taken out before anything else.
_EMOTICON = re.compile(r"/:[!-.0-~]{1,6}")

log = logging.getLogger(__name__)

# The deliveries this copy is answering or answered, by key: a retry reaching the same copy joins the
# task without a database round trip. The copies share their replies through the app database.
DELIVERIES = web.AppKey("wechat_deliveries", Expiring)


def setup_memory(app: web.Application) -> None:
    app[DELIVERIES] = Expiring(DELIVERY_TTL_S, MAX_DELIVERIES)
    app[MEMORY] = SharedMemory(app[ENGINE], app[SETTINGS].app_secret)
    app.cleanup_ctx.append(expiry)


async def deliver(request: web.Request, message: Inbound) -> Delivery:
    """What to send back. A retry of a delivery, on whichever gateway copy, gets the first one's reply,
    and waits for it while it is still being answered, so Rasa and the log see the message once."""
    memory = request.app[MEMORY]
    key = memory.delivery_key(_delivery_parts(message))
    deliveries = request.app[DELIVERIES]
    task = deliveries.get(key)
    if task is None:
        answer = partial(_answer, request, message)
        task = asyncio.create_task(
            answer_once(memory, key, memory.conversation(message.from_user), answer), name=f"wechat-{message.msg_type}"
        )
        deliveries.put(key, task)
    # Shielded: WeChat hangs up after 5 s and aiohttp then cancels this handler, but the answer must
    # still be made and kept for the retry that follows.
    delivery = await asyncio.shield(task)
    if not delivery.settled and deliveries.get(key) is task:
        deliveries.pop(key)  # the next retry asks the database again
    return delivery


def _delivery_parts(message: Inbound) -> tuple[str, ...]:
    # WeChat's advice: messages are told apart by MsgId, events by FromUserName + CreateTime.
    if message.msg_id:
        return ("msg", message.from_user, message.msg_id)
    return ("event", message.from_user, str(message.create_time), message.msg_type, message.event or "")


async def _answer(request: web.Request, message: Inbound) -> str | None:
    try:
        if message.msg_type == "text":
            return await _question(request, message.from_user, message.content or "")
        if message.msg_type == "voice":
            if not (message.recognition or "").strip():
                return messages.VOICE_NOT_RECOGNISED
            return await _question(request, message.from_user, message.recognition or "")
        if message.msg_type == "event":
            return await _welcome(request, message.from_user) if message.event in WELCOME_EVENTS else None
        if message.msg_type in UNREADABLE_TYPES:
            return messages.PLEASE_TYPE
        return None
    except Exception:
        # A bug here must not become a 500 (WeChat would show "该公众号暂时无法提供服务" and retry).
        log.exception("wechat: could not answer a %s message", message.msg_type)
        return errors.INTERNAL


async def _question(request: web.Request, openid: str, text: str) -> str:
    started = time.perf_counter()
    received_at = datetime.now(timezone.utc)
    memory = request.app[MEMORY]
    conversation = memory.conversation(openid)
    text = _EMOTICON.sub("", text)
    choice = unicodedata.normalize("NFKC", text).strip()
    if choice.isdecimal():  # only a digit needs the last reply's options (from whichever copy sent it)
        state = await memory.follower(conversation)
        if choice == MORE and state.more:
            # The next part of a long answer: already answered and logged, so neither Rasa nor the log again.
            await memory.remember(conversation, state.options, state.more[1:])
            return state.more[0]
        if 1 <= int(choice) <= len(state.options):
            text = state.options[int(choice) - 1][1]  # the button's payload, as the widget sends it

    sender = SENDER_PREFIX + openid
    if rate_limited(request, SENDER_LIMITER, sender) is not None:
        return errors.RATE_LIMITED
    settings = request.app[SETTINGS]
    try:
        # The chat API's own checks and cleaning, so every way in accepts the same questions.
        checked = parse_chat_request(
            json.dumps({"sender": sender, "message": text}).encode(), settings.max_message_chars
        )
    except ChatInputError as exc:
        return messages.PLEASE_TYPE if exc.message == errors.EMPTY_MESSAGE else exc.message
    response = await answer(request, replace(checked, channel=CHANNEL), started=started, received_at=received_at)
    body = json.loads(response.text or "{}")
    if response.status != 200:
        return str(body.get("error") or errors.INTERNAL)  # Rasa down or slow: the same sentence as the widget
    return await _remember(request, openid, body.get("replies") or [])


async def _welcome(request: web.Request, openid: str) -> str:
    replies: list[dict[str, Any]] = []
    try:
        for intent in WELCOME_INTENTS:
            turn = await request.app[RASA].send(SENDER_PREFIX + openid, intent, CHANNEL)
            replies += [asdict(message) for message in turn.messages]
    except RasaError:
        log.warning("wechat: Rasa unavailable for the welcome message", exc_info=True)
    if not any(reply.get("text") for reply in replies):
        return messages.WELCOME_FALLBACK
    return await _remember(request, openid, replies)


async def _remember(request: web.Request, openid: str, replies: list[dict[str, Any]]) -> str:
    """Fit the replies, keep their options and later parts for the follower's digits, return part one."""
    fitted = fit(replies)
    memory = request.app[MEMORY]
    # Kept before the reply goes: the follower's digit may reach the other gateway copy.
    await memory.remember(memory.conversation(openid), fitted.options, fitted.parts[1:])
    return fitted.parts[0] if fitted.parts else errors.NO_ANSWER.format(hotline=request.app[SETTINGS].hotline)
