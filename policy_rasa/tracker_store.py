"""Rasa's SQL tracker store, plus a note of what each turn was, for the gateway's question log.

The gateway logs every question with its intent, confidence, entities, the measure answered and the
outcome. Asking Rasa to parse the message again would double the NLU work, and reading the tracker
back would replay the whole conversation; the tracker is already in hand when Rasa saves it, so the
summary is taken there and handed to the channel in the same process (see policy_rasa.channel).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

ANSWER_SLOTS = {"answer_measure": "measure", "answer_outcome": "outcome"}
SMALLTALK = {"greet", "thank", "goodbye", "bot_challenge", "what_can_you_do", "chitchat", "affirm", "deny", "stop"}
_MAX_PENDING = 10_000  # summaries nobody collected (e.g. messages from other channels) are dropped

_turns: OrderedDict[str, dict[str, Any]] = OrderedDict()


def summarise(tracker: DialogueStateTracker) -> dict[str, Any]:
    """The latest user message's NLU result and what the bot did with it."""
    user: UserUttered | None = None
    after: list[Any] = []
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            user = event
            break
        after.append(event)
    parse = user.parse_data if user else {}
    turn: dict[str, Any] = {"measure": None, "outcome": None}
    actions = []
    for event in reversed(after):
        if isinstance(event, SlotSet) and event.key in ANSWER_SLOTS:
            turn[ANSWER_SLOTS[event.key]] = event.value
        elif isinstance(event, ActionExecuted) and event.action_name:
            actions.append(event.action_name)
    intent = (parse.get("intent") or {}).get("name")
    if turn["outcome"] is None:
        if intent in SMALLTALK:
            turn["outcome"] = "smalltalk"
        elif tracker.active_loop_name and tracker.active_loop_name != "action_two_stage_fallback":
            turn["outcome"] = "form"
        else:
            turn["outcome"] = "fallback"
    return {
        "nlu": {
            "intent": intent,
            "confidence": (parse.get("intent") or {}).get("confidence"),
            "entities": [{"entity": e.get("entity"), "value": e.get("value"), "text": e.get("text")}
                         for e in parse.get("entities") or []],
        },
        "turn": turn,
        "actions": actions,
    }


def pop_turn(sender_id: str) -> dict[str, Any] | None:
    return _turns.pop(sender_id, None)


class TurnRecordingTrackerStore(SQLTrackerStore):
    async def save(self, tracker: DialogueStateTracker) -> None:
        _turns[tracker.sender_id] = summarise(tracker)
        while len(_turns) > _MAX_PENDING:
            _turns.popitem(last=False)
        await super().save(tracker)
