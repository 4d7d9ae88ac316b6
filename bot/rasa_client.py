"""Talking to Rasa's custom "policy" channel and to the action server.

Rasa's answer is parsed here into plain dataclasses, so the views never touch its raw JSON and a change
of the channel's format shows up in one place.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp

from bot.upstreams import Upstream, Upstreams

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
    model_version: str | None = None  # Rasa's model_id of the model that answered


class RasaClient:
    """Rasa's channel behind one URL or several (one per Rasa process).

    With several, each message goes to the next serving process in turn, whoever sent it: a conversation
    is not tied to a process, because the tracker lives in the shared tracker store and the lock store
    runs one message per sender at a time. Processes known to be down are skipped (bot.upstreams). A
    process that refuses the connection never received the message, so the next one is tried; one that
    breaks the connection mid-turn may have stored it, so that message gets the Chinese 503 instead of a
    retry that could answer twice.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        rasa_url: str | Sequence[str],
        action_url: str | Sequence[str],
        timeout_s: float,
        rasa_token: str | None = None,
    ):
        self._session = session
        # Rasa's HTTP API (/status) wants `?token=` when it runs with --auth-token (production mode).
        self._rasa_urls = frozenset(_url_list(rasa_url))
        self._api_params = {"token": rasa_token} if rasa_token else None
        self.upstreams = Upstreams(_url_list(rasa_url), _url_list(action_url))
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._health_timeout = aiohttp.ClientTimeout(total=HEALTH_TIMEOUT_S)
        self._probes: set[asyncio.Task[None]] = set()

    async def send(self, sender: str, message: str, channel: str) -> RasaTurn:
        payload = {"sender": sender, "message": message, "metadata": {"channel": channel}}
        candidates = self.upstreams.order()
        for attempt, rasa in enumerate(candidates):
            try:
                turn = await self._send_to(rasa.url, payload)
            except RasaUnavailableError as exc:
                refused = isinstance(exc.__cause__, aiohttp.ClientConnectorError)
                rasa.mark(False, "refused the connection" if refused else "broke the connection")
                if not refused or attempt == len(candidates) - 1:
                    raise
                log.warning("Rasa at %s refused the connection; trying the next process", rasa.url)
                continue
            if not turn.messages:
                # What Rasa answers when its action server failed: look at that server now rather than
                # at the next round, so the following messages go elsewhere.
                self._probe_soon(self.upstreams.action_server_of(rasa))
            return turn
        raise AssertionError("unreachable")  # the loop returns or raises

    async def _send_to(self, rasa_url: str, payload: dict[str, Any]) -> RasaTurn:
        try:
            async with self._session.post(rasa_url + WEBHOOK_PATH, json=payload, timeout=self._timeout) as response:
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

    async def probe(self) -> None:
        """Ask every process now (the health endpoints do, so that they report the present)."""
        await self.upstreams.probe(self._get_json)

    async def watch(self) -> None:
        """Keep probing in the background; the app runs it for its lifetime."""
        await self.upstreams.watch(self._get_json)

    def _probe_soon(self, upstream: Upstream) -> None:
        task = asyncio.create_task(self.upstreams.probe_one(upstream, self._get_json))
        self._probes.add(task)  # a reference, or the task may be collected before it runs
        task.add_done_callback(self._probes.discard)

    async def _get_json(self, url: str) -> Any:
        # the token goes to Rasa's API only, not to the action servers
        params = self._api_params if url.rsplit("/", 1)[0] in self._rasa_urls else None
        try:
            async with self._session.get(url, params=params, timeout=self._health_timeout) as response:
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
        model_version=_str_or_none(turn.get("model")),
    )


def _message(raw: Any) -> BotMessage | None:
    if not isinstance(raw, dict):
        return None
    text = raw.get("text") if isinstance(raw.get("text"), str) else None
    raw_buttons = raw.get("buttons") if isinstance(raw.get("buttons"), list) else []
    buttons = tuple(
        Button(title=button["title"], payload=button["payload"])
        for button in raw_buttons
        if isinstance(button, dict) and isinstance(button.get("title"), str) and isinstance(button.get("payload"), str)
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
