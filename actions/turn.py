"""What the current turn says: entities of the latest message, and the slots carried from before."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rasa_sdk import Tracker

# Slots an action sets to tell the gateway's question log what this turn was (see policy_rasa.channel).
ANSWER_MEASURE = "answer_measure"
ANSWER_OUTCOME = "answer_outcome"


@dataclass(frozen=True)
class Turn:
    text: str
    intent: str | None
    entities: list[dict[str, Any]]
    ranking: list[str]

    @classmethod
    def of(cls, tracker: Tracker) -> Turn:
        message = tracker.latest_message or {}
        return cls(message.get("text") or "", (message.get("intent") or {}).get("name"),
                   message.get("entities") or [], [r.get("name") for r in message.get("intent_ranking") or []])

    def sure_values(self, entity: str) -> list[Any]:
        """Values found by an exact name or alias, not by a one-character typo."""
        return list(dict.fromkeys(e["value"] for e in self.entities
                                  if e.get("entity") == entity and e.get("confidence_entity", 1.0) >= 1.0))

    def values(self, entity: str) -> list[Any]:
        return list(dict.fromkeys(e["value"] for e in self.entities if e.get("entity") == entity))

    def first(self, entity: str) -> Any:
        values = self.values(entity)
        return values[0] if values else None
