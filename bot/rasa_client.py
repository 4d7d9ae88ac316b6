"""Talking to Rasa's custom "policy" channel and to the action server.

Rasa's answer is parsed here into plain dataclasses, so the views never touch its raw JSON and a change
of the channel's format shows up in one place.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp

WEBHOOK_PATH = "/webhooks/policy/webhook"
# Health probes must answer quickly even when a service hangs; orchestrators poll them often.
HEALTH_TIMEOUT_S = 2.0

log = logging.getLogger(__name__)


class RasaError(Exception):
    """Rasa did not give a usable answer."""


class RasaUnavailableError(RasaError):
    """Rasa could not be reached (refused, reset, DNS)."""


class RasaTimeoutError(RasaError):
    """Rasa did not answer within the configured time."""


class RasaBadResponseError(RasaError):
    """Rasa answered with an error status or with JSON this gateway does not understand."""


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class BotMessage:
    text: str | None = None
    buttons: tuple[Button, ...] = ()
    custom: dict[str, Any] | None = None


@dataclass(frozen=True)
class Entity:
    entity: str
    value: Any
    text: str | None


@dataclass(frozen=True)
class RasaTurn:
    """Everything Rasa said about one user message."""

    messages: tuple[BotMessage, ...]
    intent: str | None = None
    confidence: float | None = None
    entities: tuple[Entity, ...] = ()
    measure: str | None = None
    outcome: str | None = None


class RasaClient:
    """Rasa's channel behind one URL or several (one per Rasa process).

    With several, each message goes to the next process in turn, whoever sent it: a conversation is
    not tied to a process, because the tracker lives in the shared tracker store and the lock store
    runs one message per sender at a time. A process that refuses the connection is skipped for that
    message (it never received it); any other failure is reported, as a retry could answer twice.
    """

    def __init__(self, session: aiohttp.ClientSession, rasa_url: str | Sequence[str],
                 action_url: str | Sequence[str], timeout_s: float, rasa_token: str | None = None):
        self._session = session
        # Rasa's HTTP API (/status) wants `?token=` when it runs with --auth-token (production mode).
        self._api_params = {"token": rasa_token} if rasa_token else {}
        self._rasa_urls = _url_list(rasa_url)
        self._action_urls = _url_list(action_url)
        self._turn = itertools.count()
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._health_timeout = aiohttp.ClientTimeout(total=HEALTH_TIMEOUT_S)

    async def send(self, sender: str, message: str, channel: str) -> RasaTurn:
        payload = {"sender": sender, "message": message, "metadata": {"channel": channel}}
        start = next(self._turn)
        count = len(self._rasa_urls)
        for attempt in range(count):
            url = self._rasa_urls[(start + attempt) % count]
            try:
                return await self._send_to(url, payload)
            except RasaUnavailableError as exc:
                if not isinstance(exc.__cause__, aiohttp.ClientConnectorError) or attempt == count - 1:
                    raise
                log.warning("Rasa at %s refused the connection; trying the next process", url)
        raise AssertionError("unreachable")  # the loop returns or raises

    async def _send_to(self, rasa_url: str, payload: dict[str, Any]) -> RasaTurn:
        try:
            async with self._session.post(
                rasa_url + WEBHOOK_PATH, json=payload, timeout=self._timeout
            ) as response:
                if response.status != 200:
                    raise RasaBadResponseError(f"Rasa answered HTTP {response.status}")
                try:
                    body = await response.json(content_type=None)
                except ValueError as exc:
                    raise RasaBadResponseError("Rasa answered with something that is not JSON") from exc
        # TimeoutError first: aiohttp's read timeouts are ClientErrors as well.
        except asyncio.TimeoutError as exc:
            raise RasaTimeoutError(f"Rasa did not answer within {self._timeout.total} s") from exc
        except aiohttp.ClientError as exc:
            raise RasaUnavailableError(f"Rasa is unreachable: {exc!r}") from exc
        return parse_turn(body)

    async def rasa_status(self) -> bool:
        """True when every Rasa process answers and has a model loaded."""
        bodies = await asyncio.gather(*(self._get_json(url + "/status", self._api_params)
                                        for url in self._rasa_urls))
        ready = [isinstance(body, dict) and bool(body.get("model_id") or body.get("fingerprint")) for body in bodies]
        for url, ok in zip(self._rasa_urls, ready, strict=True):
            if not ok:
                log.warning("health: Rasa at %s is not ready", url)
        return all(ready)

    async def action_health(self) -> bool:
        """True when every action server answers its health endpoint."""
        bodies = await asyncio.gather(*(self._get_json(url + "/health") for url in self._action_urls))
        for url, body in zip(self._action_urls, bodies, strict=True):
            if body is None:
                log.warning("health: action server at %s is not ready", url)
        return all(body is not None for body in bodies)

    async def _get_json(self, url: str, params: dict[str, str] | None = None) -> Any:
        try:
            async with self._session.get(url, params=params or None, timeout=self._health_timeout) as response:
                if response.status != 200:
                    return None
                return await response.json(content_type=None)
        except (asyncio.TimeoutError, aiohttp.ClientError, ValueError):
            return None


def _url_list(urls: str | Sequence[str]) -> tuple[str, ...]:
    parts = urls.split(",") if isinstance(urls, str) else list(urls)
    cleaned = tuple(part.strip().rstrip("/") for part in parts if part.strip())
    if not cleaned:
        raise ValueError("at least one URL is needed")
    return cleaned


def parse_turn(body: Any) -> RasaTurn:
    """The channel's JSON as a RasaTurn; unexpected shapes raise RasaBadResponseError."""
    if not isinstance(body, dict):
        raise RasaBadResponseError("Rasa's answer is not a JSON object")
    raw_messages = body.get("messages") or []
    if not isinstance(raw_messages, list):
        raise RasaBadResponseError('"messages" is not a list')
    nlu = body.get("nlu") if isinstance(body.get("nlu"), dict) else {}
    turn = body.get("turn") if isinstance(body.get("turn"), dict) else {}
    raw_entities = nlu.get("entities") if isinstance(nlu.get("entities"), list) else []
    return RasaTurn(
        messages=tuple(message for message in map(_message, raw_messages) if message is not None),
        intent=_str_or_none(nlu.get("intent")),
        confidence=_confidence(nlu.get("confidence")),
        entities=tuple(entity for entity in map(_entity, raw_entities) if entity is not None),
        measure=_str_or_none(turn.get("measure")),
        outcome=_str_or_none(turn.get("outcome")),
    )


def _message(raw: Any) -> BotMessage | None:
    if not isinstance(raw, dict):
        return None
    text = raw.get("text") if isinstance(raw.get("text"), str) else None
    raw_buttons = raw.get("buttons") if isinstance(raw.get("buttons"), list) else []
    buttons = tuple(
        Button(title=button["title"], payload=button["payload"])
        for button in raw_buttons
        if isinstance(button, dict)
        and isinstance(button.get("title"), str)
        and isinstance(button.get("payload"), str)
    )
    custom = raw.get("custom") if isinstance(raw.get("custom"), dict) else None
    if text is None and not buttons and custom is None:
        return None  # images, attachments …: nothing the widget can show
    return BotMessage(text=text, buttons=buttons, custom=custom)


def _entity(raw: Any) -> Entity | None:
    if not isinstance(raw, dict) or not isinstance(raw.get("entity"), str):
        return None
    text = raw.get("text")
    return Entity(entity=raw["entity"], value=raw.get("value"), text=text if isinstance(text, str) else None)


def _confidence(raw: Any) -> float | None:
    if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not math.isfinite(raw):
        return None
    return float(raw)


def _str_or_none(raw: Any) -> str | None:
    return raw if isinstance(raw, str) and raw else None
