"""The windowed tracker store against Rasa's own SQLTrackerStore, on SQLite and on PostgreSQL.

Every test writes a conversation through TurnRecordingTrackerStore the way Rasa's MessageProcessor
does (retrieve, append events in place, save) and reads it back both through the windowed store and
through Rasa's stock SQLTrackerStore on the same database: the rows must be exactly the events of the
conversation, and the windowed tracker must have the same state (slots, active loop with its flags,
latest message and action) and the same recent policy states as the full one.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME, REQUESTED_SLOT
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActiveLoop,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from policy_rasa.tracker_store import TrackerWindow, TurnRecordingTrackerStore, pop_turn

REPO = Path(__file__).resolve().parents[2]
DOMAIN = Domain.load(str(REPO / "domain.yml"))
WINDOW = 3
_senders = itertools.count()


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


@pytest.fixture(scope="module")
def pg_tracker_url(pg_url: str) -> Iterator[str]:
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("DROP DATABASE IF EXISTS tracker_window_test WITH (FORCE)"))
        connection.execute(text("CREATE DATABASE tracker_window_test"))
    yield make_url(pg_url).set(database="tracker_window_test").render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text("DROP DATABASE IF EXISTS tracker_window_test WITH (FORCE)"))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, Any]:
    """Keyword arguments for a SQL tracker store: a SQLite file, or a database on the test cluster."""
    if request.param == "sqlite":
        return {"dialect": "sqlite", "db": str(tmp_path / "tracker.db")}
    return {"dialect": "postgresql", "host": request.getfixturevalue("pg_tracker_url")}


def windowed(db: dict[str, Any], window_turns: int = WINDOW) -> TurnRecordingTrackerStore:
    return TurnRecordingTrackerStore(domain=DOMAIN, window_turns=window_turns, **db)


def stock(db: dict[str, Any]) -> SQLTrackerStore:
    return SQLTrackerStore(domain=DOMAIN, **db)


class Conversation:
    """Drives one sender's conversation through the store as Rasa's MessageProcessor would."""

    def __init__(self, store: TurnRecordingTrackerStore) -> None:
        self.store = store
        self.sender = f"sender-{next(_senders)}-{time.monotonic_ns()}"
        self.tracker: DialogueStateTracker | None = None

    def begin(self) -> DialogueStateTracker:
        tracker = run(self.store.get_or_create_tracker(self.sender, append_action_listen=False))
        self.tracker = tracker
        return tracker

    def start_session(self) -> None:
        tracker = self.begin()
        add(tracker, ActionExecuted(ACTION_SESSION_START_NAME), SessionStarted(), ActionExecuted(ACTION_LISTEN_NAME))

    def turn(
        self, intent: str, *events: Event, entities: list[dict[str, Any]] | None = None, text_: str | None = None
    ) -> DialogueStateTracker:
        """One message: the user's utterance, then `events` (actions, slots, bot messages), then listen."""
        tracker = self.begin()
        add(tracker, user(intent, entities, text_), *events, ActionExecuted(ACTION_LISTEN_NAME))
        run(self.store.save(tracker))
        return tracker

    def answer(self, intent: str, measure: str | None = None, **slots: Any) -> DialogueStateTracker:
        entities = [{"entity": "measure", "value": measure, "start": 0, "end": 2}] if measure else []
        set_slots = [SlotSet("measure", measure)] if measure else []
        return self.turn(
            intent,
            *set_slots,
            ActionExecuted("action_answer_policy"),
            BotUttered(f"answer to {intent}"),
            *(SlotSet(name, value) for name, value in slots.items()),
            SlotSet("answer_outcome", "answered"),
            entities=entities,
        )

    def smalltalk(self, intent: str = "thank") -> DialogueStateTracker:
        return self.turn(
            intent, ActionExecuted(f"utter_{intent}"), BotUttered("不客气"), SlotSet("answer_outcome", None)
        )


def add(tracker: DialogueStateTracker, *events: Event) -> None:
    for event in events:
        event.timestamp = time.time()
        tracker.update(event)


def user(intent: str, entities: list[dict[str, Any]] | None = None, text_: str | None = None) -> UserUttered:
    parse = {"intent": {"name": intent, "confidence": 0.9}, "entities": entities or [], "text": text_ or intent}
    return UserUttered(text_ or intent, parse["intent"], entities or [], parse_data=parse)


def reference(db: dict[str, Any], sender: str) -> DialogueStateTracker:
    tracker = run(stock(db).retrieve(sender))
    assert tracker is not None
    return tracker


def assert_same_state(window: DialogueStateTracker, full: DialogueStateTracker, states: int = 5) -> None:
    # The policies look back at most 5 states (MemoizationPolicy max_history 4, rules at most 4 long).
    # A window has at least WINDOW turns of at least 2 actions each.
    assert window.current_slot_values() == full.current_slot_values()
    assert window.active_loop == full.active_loop
    assert window.is_paused() == full.is_paused()
    assert window.latest_action == full.latest_action
    assert window.latest_message.parse_data == full.latest_message.parse_data
    assert window.past_states(DOMAIN)[-states:] == full.past_states(DOMAIN)[-states:]
    for skip in range(3):  # what the two-stage fallback looks back at
        assert window.get_last_event_for(UserUttered, skip=skip) == full.get_last_event_for(UserUttered, skip=skip)


def assert_rows_are_the_conversation(db: dict[str, Any], conversation: Conversation, expected: list[Event]) -> None:
    stored = run(stock(db).retrieve_full_tracker(conversation.sender))
    assert [event.as_dict() for event in stored.events] == [event.as_dict() for event in expected]


def user_turns(tracker: DialogueStateTracker) -> int:
    return sum(isinstance(event, UserUttered) for event in tracker.events)


def test_long_conversation_keeps_its_state_in_a_bounded_window(db: dict[str, Any]) -> None:
    store = windowed(db)
    conversation = Conversation(store)
    conversation.start_session()
    every_event: list[Event] = []
    conversation.answer("ask_amount", measure="rd_subsidy", district="rongcheng", amount=2_000_000.0)
    for number in range(60):
        if number % 7 == 3:
            conversation.answer("inform", district=f"district-{number}")
        else:
            conversation.smalltalk("thank" if number % 2 else "greet")
        window = conversation.begin()
        full = reference(db, conversation.sender)
        assert_same_state(window, full)
        # Never more than 1.5 x WINDOW user turns (+ the one being answered), whatever the length.
        assert user_turns(window) <= WINDOW + WINDOW // 2 + 1
    every_event = list(reference(db, conversation.sender).events)
    assert user_turns(conversation.begin()) <= WINDOW + WINDOW // 2 + 1
    assert conversation.begin().get_slot("measure") == "rd_subsidy"
    assert conversation.begin().get_slot("amount") == 2_000_000.0
    assert_rows_are_the_conversation(db, conversation, every_event)
    assert len(every_event) > 300  # the full conversation is still in the table


def test_save_writes_only_the_new_events(db: dict[str, Any]) -> None:
    store = windowed(db)
    conversation = Conversation(store)
    conversation.start_session()
    expected: list[Event] = []
    for number in range(3 * WINDOW + 2):
        tracker = conversation.answer("ask_amount", measure="rd_subsidy") if number % 2 else conversation.smalltalk()
        expected = list(reference(db, conversation.sender).events)
        # The new events of this turn are at the end of the stored rows, once.
        assert [e.as_dict() for e in expected[-4:]] == [e.as_dict() for e in list(tracker.events)[-4:]]
    assert_rows_are_the_conversation(db, conversation, expected)
    # Saving the same tracker again adds nothing.
    tracker = conversation.begin()
    run(store.save(tracker))
    run(store.save(tracker))
    assert_rows_are_the_conversation(db, conversation, expected)


def test_a_new_session_starts_from_its_own_events(db: dict[str, Any]) -> None:
    store = windowed(db)
    conversation = Conversation(store)
    conversation.start_session()
    conversation.answer("ask_amount", measure="rd_subsidy")
    for _ in range(3 * WINDOW):
        conversation.smalltalk()
    assert store_window(store, conversation.sender) is not None
    # Session expiry: Rasa runs action_session_start on the retrieved tracker and saves once.
    tracker = conversation.begin()
    add(
        tracker,
        ActionExecuted(ACTION_SESSION_START_NAME),
        SessionStarted(),
        ActionExecuted(ACTION_LISTEN_NAME),
        user("greet"),
        ActionExecuted("utter_greet"),
        BotUttered("您好"),
        ActionExecuted(ACTION_LISTEN_NAME),
    )
    run(store.save(tracker))
    window = conversation.begin()
    full = reference(db, conversation.sender)
    assert window.get_slot("measure") is None  # carry_over_slots_to_new_session: false
    assert [e.as_dict() for e in window.events] == [e.as_dict() for e in full.events]
    assert_same_state(window, full)


def test_the_window_does_not_start_inside_a_form(db: dict[str, Any]) -> None:
    store = windowed(db)
    conversation = Conversation(store)
    conversation.start_session()
    conversation.answer("ask_amount", measure="rd_subsidy")
    for _ in range(2 * WINDOW):
        conversation.smalltalk()
    # The policy calculator asks two questions; the user wanders off in between.
    conversation.turn(
        "ask_what_can_i_get",
        ActionExecuted("eligibility_form"),
        ActiveLoop("eligibility_form"),
        SlotSet(REQUESTED_SLOT, "applicant_type"),
        BotUttered("哪类主体"),
    )
    conversation.turn(
        "inform",
        SlotSet("applicant_type", "high_tech_enterprise"),
        ActionExecuted("eligibility_form"),
        SlotSet(REQUESTED_SLOT, "district"),
        BotUttered("哪个区市"),
    )
    for _ in range(WINDOW + 1):
        conversation.turn(
            "chitchat",
            ActionExecutionRejected("eligibility_form"),
            ActionExecuted("utter_chitchat"),
            BotUttered("闲聊"),
        )
        window = conversation.begin()
        assert window.active_loop_name == "eligibility_form"
        assert_same_state(window, reference(db, conversation.sender))
    # The form's activation is still inside the window.
    assert any(isinstance(e, ActiveLoop) and e.name == "eligibility_form" for e in conversation.begin().events)
    conversation.turn(
        "inform",
        SlotSet("district", "wendeng"),
        ActionExecuted("eligibility_form"),
        ActiveLoop(None),
        SlotSet(REQUESTED_SLOT, None),
        ActionExecuted("action_policy_calculator"),
        BotUttered("文登区的高新技术企业可以享受"),
    )
    for _ in range(2 * WINDOW + 1):
        conversation.smalltalk()
        assert_same_state(conversation.begin(), reference(db, conversation.sender))
    assert conversation.begin().active_loop is None
    assert conversation.begin().get_slot("applicant_type") == "high_tech_enterprise"


def test_a_loop_active_for_very_long_is_cut_with_its_flags(db: dict[str, Any]) -> None:
    store = windowed(db, window_turns=2)
    conversation = Conversation(store)
    conversation.start_session()
    conversation.turn(
        "handoff",
        ActionExecuted("handoff_form"),
        ActiveLoop("handoff_form"),
        SlotSet(REQUESTED_SLOT, "callback_phone"),
        BotUttered("请留下电话号码"),
    )
    for _ in range(12):
        conversation.turn(
            "chitchat", ActionExecutionRejected("handoff_form"), ActionExecuted("utter_chitchat"), BotUttered("闲聊")
        )
        window = conversation.begin()
        full = reference(db, conversation.sender)
        assert (window.active_loop_name, window.active_loop.rejected, window.active_loop.is_interrupted) == (
            full.active_loop_name,
            full.active_loop.rejected,
            full.active_loop.is_interrupted,
        )
        assert window.current_slot_values() == full.current_slot_values()
    assert user_turns(conversation.begin()) < user_turns(reference(db, conversation.sender))


def test_two_stage_fallback_with_a_reverted_utterance(db: dict[str, Any]) -> None:
    store = windowed(db)
    conversation = Conversation(store)
    conversation.start_session()
    conversation.answer("ask_amount", measure="rd_subsidy")
    for number in range(2 * WINDOW + 3):
        conversation.turn(
            "nlu_fallback",
            ActionExecuted("action_two_stage_fallback"),
            ActiveLoop("action_two_stage_fallback"),
            BotUttered("您是想问…？"),
        )
        # The user picks the suggestion: the fallback turn is reverted and the clarified message replayed.
        tracker = conversation.begin()
        add(
            tracker,
            user("ask_amount"),
            ActionExecuted("action_two_stage_fallback"),
            ActiveLoop(None),
            UserUtteranceReverted(),
            ActionExecuted(ACTION_LISTEN_NAME),
            user("ask_amount"),
            ActionExecuted("action_answer_policy"),
            BotUttered(f"answer {number}"),
            ActionExecuted(ACTION_LISTEN_NAME),
        )
        run(store.save(tracker))
        assert_same_state(conversation.begin(), reference(db, conversation.sender))
    assert store_window(store, conversation.sender) is not None


def test_window_turns_zero_is_rasas_own_behaviour(db: dict[str, Any]) -> None:
    store = windowed(db, window_turns=0)
    conversation = Conversation(store)
    conversation.start_session()
    for _ in range(10):
        conversation.smalltalk()
    window = conversation.begin()
    full = reference(db, conversation.sender)
    assert [e.as_dict() for e in window.events] == [e.as_dict() for e in full.events]
    assert store_window(store, conversation.sender) is None


def test_the_turn_summary_is_still_recorded(db: dict[str, Any]) -> None:
    conversation = Conversation(windowed(db))
    conversation.start_session()
    conversation.answer("ask_amount", measure="rd_subsidy")
    summary = pop_turn(conversation.sender)
    assert summary["nlu"]["intent"] == "ask_amount"
    # "model": Rasa's processor stamps the tracker with the loaded model's id; this one never met a model
    assert summary["turn"] == {"measure": None, "outcome": "answered", "model": None}
    assert summary["actions"] == ["action_answer_policy", ACTION_LISTEN_NAME]


@pytest.mark.parametrize("raw", ["-1", "ten"])
def test_window_turns_must_be_a_count(raw: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="window_turns"):
        TurnRecordingTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "t.db"), window_turns=raw)


def store_window(store: TurnRecordingTrackerStore, sender: str) -> TrackerWindow | None:
    with store.session_scope() as session:
        return session.get(TrackerWindow, sender)
