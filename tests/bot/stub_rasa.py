"""A stand-in for Rasa's custom channel and the action server, for the gateway's own contract tests.

It answers like the real channel described in bot/rasa_client.py and can be made slow, failing or
model-less. End-to-end tests against the real Rasa live elsewhere.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

ANSWER: dict[str, Any] = {
    "messages": [
        {
            "recipient_id": "visitor-1",
            "text": "农科驿站每个补助5万元。依据：威政办发〔2018〕32号 二（六）",
            "buttons": [{"title": "申请条件", "payload": "/ask_conditions"}],
        },
        {"recipient_id": "visitor-1", "custom": {"card": {"measure": "agri_station"}}},
        {"recipient_id": "visitor-1", "image": "https://example.invalid/a.png"},
    ],
    "nlu": {
        "intent": "ask_amount",
        "confidence": 0.93,
        "entities": [{"entity": "measure", "value": "agri_station", "text": "农科驿站", "start": 4}],
    },
    "turn": {"measure": "agri_station", "outcome": "answered", "model": "stubmodel0001"},
}


class StubRasa:
    def __init__(self) -> None:
        self.answer: Any = ANSWER
        self.status = 200
        self.delay_s = 0.0
        self.status_body: dict[str, Any] = {"model_id": "20261127-120000", "fingerprint": {"config": ["x"]}}
        self.actions_up = True
        self.received: list[dict[str, Any]] = []
        # called with each message while Rasa "works" on it: what the product holds during a turn
        self.during_turn: Any = None

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/webhooks/policy/webhook", self._webhook)
        app.router.add_get("/status", self._status)
        app.router.add_get("/health", self._health)
        return app

    async def _webhook(self, request: web.Request) -> web.Response:
        self.received.append(await request.json())
        if self.during_turn is not None:
            self.during_turn(self.received[-1])
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        if isinstance(self.answer, str):
            return web.Response(text=self.answer, status=self.status)
        return web.json_response(self.answer, status=self.status)

    async def _status(self, _request: web.Request) -> web.Response:
        return web.json_response(self.status_body)

    async def _health(self, _request: web.Request) -> web.Response:
        if not self.actions_up:
            return web.json_response({"status": "error"}, status=500)
        return web.json_response({"status": "ok"})
