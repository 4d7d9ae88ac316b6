"""The channel the gateway calls: Rasa's REST channel, plus what the turn was.

POST /webhooks/policy/webhook {"sender": ..., "message": ..., "metadata": {...}}
-> {"messages": [...], "nlu": {"intent", "confidence", "entities"}, "turn": {"measure", "outcome"}}
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from policy_rasa.tracker_store import pop_turn


class PolicyChannel(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "policy"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        module = inspect.getmodule(self)
        webhook = Blueprint("policy_webhook", module.__name__ if module else None)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            body = request.json if isinstance(request.json, dict) else {}
            sender, text = body.get("sender"), body.get("message")
            if not isinstance(sender, str) or not isinstance(text, str):
                return response.json({"error": "sender and message must be strings"}, status=400)
            metadata = body.get("metadata") if isinstance(body.get("metadata"), dict) else None
            collector = CollectingOutputChannel()
            await on_new_message(UserMessage(text, collector, sender, input_channel=self.name(), metadata=metadata))
            summary = pop_turn(sender) or {"nlu": None, "turn": None}
            return response.json({"messages": collector.messages, "nlu": summary["nlu"], "turn": summary["turn"]})

        return webhook
