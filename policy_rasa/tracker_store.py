"""Rasa's SQL tracker store with a bounded window, plus a note of what each turn was.

Why a window. Rasa rebuilds the whole tracker of the current session for every message: it reads every
event row, deserialises and replays them, copies the tracker for every action, computes the policies'
states over all of it and sends it all to the action server. Measured with py-spy on this bot, a
sender at turn 150-200 spent 55% of Rasa's time in `retrieve` alone and a turn took 4-5 times as long
as turn 5 (docs/benchmark.md). Nothing in this bot looks further back than a few turns (rules are at
most four states long, MemoizationPolicy has max_history 4, the two-stage fallback looks at the last
three user messages), so `retrieve` hands Rasa a tracker that begins with the state of the
conversation at a turn boundary (the slots and the active loop as leading events) followed by only
the events since that boundary, and `save` appends only the events added since that `retrieve`.
(The one reader of older events is the hand-off ticket's transcript, which shows up to 20 turns: it
now gets the last 10 to 15; the question log keeps every question of the conversation.)

How. The leading state is a checkpoint stored in its own table (`tracker_windows`, one row per
sender): the serialised leading events and the id of the first event row after the boundary. It is
computed in `save`, from the tracker already in memory, when more than 1.5 x `window_turns` user
turns follow the checkpoint, and moved to `window_turns` turns back; so a retrieved tracker holds
between `window_turns` and 1.5 x `window_turns` turns, whatever the length of the conversation, and
the checkpoint is rewritten once every `window_turns` / 2 turns (a small write; every turn in the
window costs Rasa about 1.4 ms per message, measured). Turns count when their user message is still
applied (not reverted by the two-stage fallback, not folded into a form's happy path), as those are
what the policies look back at. The boundary is always just before an `action_listen` that is
followed by a user message, and preferably one where no loop (form, two-stage fallback) is active, so
a loop's own events are all inside the window; only a loop that stays active for more than
4 x `window_turns` turns is cut, with its name and flags as leading events.

The event rows are the same as Rasa's SQLTrackerStore writes (every event, in order): exports,
`retrieve_full_tracker` and Rasa's HTTP API see the whole conversation; a new session (expiry) makes
the checkpoint stale and the tracker starts from the session start as before. `window_turns: 0`
turns the window off (Rasa's own behaviour).

How many events of a handed-out tracker are already stored is kept on the tracker object itself
(`_Handout`): `save` gets the very object `retrieve` returned (Rasa's MessageProcessor works on it in
place and only appends), and the lock store lets one turn per sender run at a time across all Rasa
processes, so there is nothing to share between processes and a concurrent read of the same sender
(e.g. the HTTP API) cannot disturb it. A tracker that did not come from `retrieve` is saved the way
SQLTrackerStore does it (counting the stored rows).

The turn summary: the gateway logs every question with its intent, confidence, entities, the measure
answered and the outcome. Asking Rasa to parse the message again would double the NLU work, and
reading the tracker back would replay the conversation; the tracker is already in hand when Rasa
saves it, so the summary is taken there and handed to the channel in the same process (see
policy_rasa.channel).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
import ujson
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActiveLoop,
    ConversationPaused,
    Event,
    LoopInterrupted,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.orm import declarative_base, sessionmaker
from sqlalchemy.pool import QueuePool

from infra.outcome import Outcome
from infra.settings import default
from infra.sqlite import use_sqlite_pragmas

log = logging.getLogger(__name__)

ANSWER_SLOTS = {"answer_measure": "measure", "answer_outcome": "outcome"}
SMALLTALK = {"greet", "thank", "goodbye", "bot_challenge", "what_can_you_do", "chitchat", "affirm", "deny", "stop"}
_MAX_PENDING = 10_000  # summaries nobody collected (e.g. messages from other channels) are dropped
# Rasa hands `window_turns` from endpoints*.yml; without it, deploy/defaults.env's TRACKER_WINDOW_TURNS.
DEFAULT_WINDOW_TURNS = int(default("TRACKER_WINDOW_TURNS"))
# A loop active for this many windows is cut through rather than keeping its whole run in the window.
_LOOP_CUT_WINDOWS = 4

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
    # The model's version is the one place the question log learns it from: Rasa's processor stamps
    # the tracker with the loaded model's model_id (its metadata.json) before every turn.
    turn: dict[str, Any] = {"measure": None, "outcome": None, "model": getattr(tracker, "model_id", None)}
    actions = []
    for event in reversed(after):
        if isinstance(event, SlotSet) and event.key in ANSWER_SLOTS:
            turn[ANSWER_SLOTS[event.key]] = event.value
        elif isinstance(event, ActionExecuted) and event.action_name:
            actions.append(event.action_name)
    intent = (parse.get("intent") or {}).get("name")
    if turn["outcome"] is None:
        if intent in SMALLTALK:
            turn["outcome"] = Outcome.smalltalk.value
        elif tracker.active_loop_name and tracker.active_loop_name != "action_two_stage_fallback":
            turn["outcome"] = Outcome.form.value
        else:
            turn["outcome"] = Outcome.fallback.value
    return {
        "nlu": {
            "intent": intent,
            "confidence": (parse.get("intent") or {}).get("confidence"),
            "entities": [
                {"entity": e.get("entity"), "value": e.get("value"), "text": e.get("text")}
                for e in parse.get("entities") or []
            ],
        },
        "turn": turn,
        "actions": actions,
    }


def pop_turn(sender_id: str) -> dict[str, Any] | None:
    return _turns.pop(sender_id, None)


_WindowBase = declarative_base()


class TrackerWindow(_WindowBase):
    """Where a sender's tracker starts: the state at a turn boundary, then the event rows from there."""

    __tablename__ = "tracker_windows"

    sender_id = sa.Column(sa.String(255), primary_key=True)
    # Timestamp of the session's SessionStarted row (None: no session start stored); another value in
    # the events table means a new session began and this row no longer applies.
    session_started_at = sa.Column(sa.Float)
    first_event_id = sa.Column(sa.Integer, nullable=False)
    leading_events = sa.Column(sa.Text, nullable=False)  # JSON list of serialised events


@dataclass
class _Handout:
    """What `save` needs to know about a tracker `retrieve` built."""

    stored: int  # tracker.events[:stored] are in the database (or are leading events)
    leading: int  # tracker.events[:leading] are the checkpoint's leading events, not rows
    # Row ids of tracker.events[leading:stored]; None when unknown (then the window is not moved).
    event_ids: list[int] | None
    session_started_at: float | None


_HANDOUT = "_policy_rasa_handout"


@dataclass(frozen=True)
class _Boundary:
    index: int  # position in tracker.events of the action_listen before a user message
    slots: dict[str, Any]
    active_loop: Any
    paused: bool


class TurnRecordingTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, window_turns: int | str | None = DEFAULT_WINDOW_TURNS, **kwargs: Any) -> None:
        # Rasa makes its tracker store once, at start, before the first message: the place to install the
        # speed-ups (imported here, not at the top: they load TensorFlow, which the window's own tests and
        # the retention jobs that import this module do not need).
        from policy_rasa import speedups

        speedups.install()
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "sqlite":
            self._keep_sqlite_connections()
        self.window_turns = _window_turns(window_turns)
        # The window grows to this many turns before the checkpoint moves up to `window_turns` turns back.
        self.longest_window = self.window_turns + max(1, self.window_turns // 2)
        # SQLite in development only (production is on PostgreSQL): without WAL every save waits for an
        # fsync, and readers (another Rasa process, exports) would be blocked by a write. The conversations
        # are personal data: what a checkpoint update or the erasure frees is zeroed (app_store.scrub).
        use_sqlite_pragmas(self.engine, wal=True, secure_delete=True)
        _create_window_table(self.engine)
        self._queries = _Queries(self.SQLEvent.__table__)

    def _keep_sqlite_connections(self) -> None:
        # SQLAlchemy 1.4 gives a file SQLite database no pool: every retrieve and save opened the file
        # anew and set its pragmas (about a tenth of Rasa's CPU time per message, py-spy). Rasa uses the
        # store from its event loop only, so a small pool of kept connections is safe.
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(
            url, poolclass=QueuePool, pool_size=2, max_overflow=4, connect_args={"check_same_thread": False}
        )
        self.sessionmaker = sessionmaker(bind=self.engine)

    # --- reading -------------------------------------------------------------------------------

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The current session's tracker: from the sender's checkpoint on, or all of it."""
        queries = self._queries
        # Core statements built once: the ORM's per-row objects cost more than the query itself.
        with self.engine.connect() as connection:
            started, window_started, first_event_id, leading_json = connection.execute(
                queries.start, {"sender": sender_id}
            ).one()
            if not self.window_turns or first_event_id is None or window_started != started:
                first_event_id, leading_json = None, None
            rows = connection.execute(
                queries.events[(started is not None, first_event_id is not None)],
                {"sender": sender_id, "started": started, "first": first_event_id},
            ).all()
        if not rows:
            log.debug("no stored tracker for sender %r", sender_id)
            return None
        leading = deserialise(ujson.loads(leading_json)) if leading_json else []
        ids: list[int] = []
        evts: list[Event] = list(leading)
        for row_id, data in rows:
            event = _deserialise_one(ujson.loads(data))
            if event is not None:
                evts.append(event)
                ids.append(row_id)
        tracker = DialogueStateTracker.from_events(sender_id, evts, self.domain.slots)
        setattr(
            tracker,
            _HANDOUT,
            _Handout(stored=len(tracker.events), leading=len(leading), event_ids=ids, session_started_at=started),
        )
        return tracker

    # --- writing -------------------------------------------------------------------------------

    async def save(self, tracker: DialogueStateTracker) -> None:
        if tracker.events and tracker.latest_action_name not in (None, ACTION_LISTEN_NAME):
            # A turn that did not end by listening (Rasa's circuit breaker stopped an action that kept
            # failing, e.g. the fallback while the action server was down) would stop every later
            # message at once: end it as Rasa ends every other turn.
            tracker.update(ActionExecuted(ACTION_LISTEN_NAME))
        _turns[tracker.sender_id] = summarise(tracker)
        while len(_turns) > _MAX_PENDING:
            _turns.popitem(last=False)

        handout: _Handout | None = getattr(tracker, _HANDOUT, None)
        if handout is not None:
            new_events = list(itertools.islice(tracker.events, handout.stored, None))
        elif not tracker.events:
            new_events = []  # a tracker just created for a new sender
        else:
            # Not one of ours (e.g. Rasa's HTTP API on a full tracker): count the stored rows, as Rasa does.
            with self.session_scope() as session:
                new_events = list(self._additional_events(session, tracker))
        window = self._new_window(tracker, handout) if handout is not None and self.window_turns else None
        if new_events or window is not None:
            with self.engine.begin() as connection:
                if new_events:
                    connection.execute(self._queries.insert, [_row(tracker.sender_id, e) for e in new_events])
                if window is not None:
                    self._queries.write_window(connection, tracker.sender_id, *window)
        if self.event_broker is not None and new_events:
            await self._stream_new_events(self.event_broker, new_events, tracker.sender_id)

        # A second save of the same object (NLU-only models save twice) adds only what came after.
        if handout is None:
            handout = _Handout(stored=0, leading=0, event_ids=None, session_started_at=None)
            setattr(tracker, _HANDOUT, handout)
        handout.stored = len(tracker.events)
        log.debug("tracker of %r stored (%d new events)", tracker.sender_id, len(new_events))

    def _new_window(self, tracker: DialogueStateTracker, handout: _Handout) -> tuple[float | None, int, str] | None:
        """(session start, first event row id, leading events as JSON) of a new checkpoint, or None."""
        events = list(tracker.events)
        # Only boundaries in the current session count; a session that started this turn resets it.
        first, started_at = handout.leading, handout.session_started_at
        for index in range(len(events) - 1, handout.leading - 1, -1):
            if isinstance(events[index], SessionStarted):
                first, started_at = index, events[index].timestamp
                break
        indices = _boundary_indices(events, first)
        if len(indices) <= self.longest_window:
            return None
        # Turns count when their user message is still applied: a reverted one (two-stage fallback) or
        # one folded into a form's happy path adds nothing to what the policies look back at.
        applied = {id(event) for event in tracker.applied_events() if isinstance(event, UserUttered)}
        counted = [number for number, index in enumerate(indices) if id(events[index + 1]) in applied]
        if len(counted) <= self.longest_window:
            return None
        latest = counted[-self.window_turns]
        boundaries = _boundaries(events, indices[: latest + 1], self.domain.slots, tracker.sender_id)
        cut = _choose_cut(boundaries, len(indices), self.window_turns)
        if cut is None:
            return None
        boundary = boundaries[cut]
        # The boundary's action_listen was stored in an earlier turn, so its row id is known.
        position = boundary.index - handout.leading
        if handout.event_ids is None or not 0 <= position < len(handout.event_ids):
            return None
        leading = leading_events(boundary, self.domain.slots, events[boundary.index].timestamp)
        return started_at, handout.event_ids[position], json.dumps([event.as_dict() for event in leading])


class _Queries:
    """The store's statements, built once (SQLAlchemy caches their compiled form)."""

    def __init__(self, events: sa.Table) -> None:
        windows = TrackerWindow.__table__
        sender = sa.bindparam("sender")
        self.windows = windows
        started = (
            sa.select(sa.func.max(events.c.timestamp))
            .where(events.c.sender_id == sender, events.c.type_name == SessionStarted.type_name)
            .scalar_subquery()
        )
        one = sa.select(sa.literal(1).label("one")).subquery()
        # The session start and the sender's checkpoint (if any) in one round trip.
        self.start = sa.select(
            started, windows.c.session_started_at, windows.c.first_event_id, windows.c.leading_events
        ).select_from(one.outerjoin(windows, windows.c.sender_id == sender))
        base = sa.select(events.c.id, events.c.data).where(events.c.sender_id == sender)
        since_start = events.c.timestamp >= sa.bindparam("started")
        from_checkpoint = events.c.id >= sa.bindparam("first")
        self.events = {
            (False, False): base.order_by(events.c.id),
            (True, False): base.where(since_start).order_by(events.c.id),
            (False, True): base.where(from_checkpoint).order_by(events.c.id),
            (True, True): base.where(since_start, from_checkpoint).order_by(events.c.id),
        }
        self.insert = events.insert()
        self.update_window = windows.update().where(windows.c.sender_id == sa.bindparam("sender_key"))
        self.insert_window = windows.insert()

    def write_window(
        self,
        connection: sa.engine.Connection,
        sender_id: str,
        started_at: float | None,
        first_event_id: int,
        leading_json: str,
    ) -> None:
        # One turn per sender at a time (the lock store), so update-or-insert cannot race.
        values = {"session_started_at": started_at, "first_event_id": first_event_id, "leading_events": leading_json}
        if connection.execute(self.update_window, {"sender_key": sender_id, **values}).rowcount == 0:
            connection.execute(self.insert_window, {"sender_id": sender_id, **values})


def _row(sender_id: str, event: Event) -> dict[str, Any]:
    # The same columns as SQLTrackerStore.save writes.
    data = event.as_dict()
    return {
        "sender_id": sender_id,
        "type_name": event.type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": (data.get("parse_data") or {}).get("intent", {}).get(INTENT_NAME_KEY),
        "action_name": data.get("name"),
        "data": json.dumps(data),
    }


# --- the window ----------------------------------------------------------------------------------


def _boundary_indices(events: Sequence[Event], first: int) -> list[int]:
    """Positions of every action_listen that is followed by a user message, after `first`."""
    return [
        index
        for index in range(first + 1, len(events) - 1)
        if isinstance(events[index], ActionExecuted)
        and events[index].action_name == ACTION_LISTEN_NAME
        and isinstance(events[index + 1], UserUttered)
    ]


def _boundaries(
    events: Sequence[Event], indices: Sequence[int], slots: Iterable[Any] | None, sender_id: str
) -> list[_Boundary]:
    """The state of the tracker just before each of `indices`.

    The state comes from replaying the events (already deserialised, so this is cheap) with Rasa's own
    tracker, so reverted utterances, loop happy paths and session resets count exactly as in Rasa.
    """
    replay = DialogueStateTracker(sender_id, slots)
    wanted = iter(indices)
    next_index = next(wanted, None)
    found: list[_Boundary] = []
    for index, event in enumerate(events):
        if next_index is None:
            break
        if index == next_index:
            loop = replay.active_loop
            found.append(
                _Boundary(
                    index=index,
                    slots={name: slot.value for name, slot in replay.slots.items()},
                    active_loop=None
                    if loop is None or not loop.name
                    else (loop.name, loop.is_interrupted, loop.rejected),
                    paused=replay.is_paused(),
                )
            )
            next_index = next(wanted, None)
        replay.update(event)
    return found


def _choose_cut(boundaries: Sequence[_Boundary], turns: int, window_turns: int) -> int | None:
    """Index into `boundaries` of the new start, or None to keep the current start.

    `boundaries` ends at the latest start that keeps `window_turns` user turns; an earlier one is taken
    when a loop is active there, so that the loop's whole run stays in the window. `turns` is the
    number of turns in the current window.
    """
    latest = len(boundaries) - 1
    for cut in range(latest, -1, -1):
        if boundaries[cut].active_loop is None:
            return cut
        if latest - cut >= _LOOP_CUT_WINDOWS * window_turns:
            break
    # A loop has been active for very long: cut through it (its name and flags become leading events).
    return latest if turns >= _LOOP_CUT_WINDOWS * window_turns else None


def leading_events(boundary: _Boundary, slots: Iterable[Any], timestamp: float) -> list[Event]:
    """Events that rebuild the tracker's state at `boundary` on an empty tracker."""
    initial = {slot.name: slot.initial_value for slot in slots}
    events: list[Event] = [SessionStarted(timestamp=timestamp)]
    events += [
        SlotSet(name, value, timestamp=timestamp)
        for name, value in boundary.slots.items()
        if value != initial.get(name)
    ]
    if boundary.active_loop is not None:
        name, interrupted, rejected = boundary.active_loop
        events.append(ActiveLoop(name, timestamp=timestamp))
        if interrupted:
            events.append(LoopInterrupted(True, timestamp=timestamp))
        if rejected:
            events.append(ActionExecutionRejected(name, timestamp=timestamp))
    if boundary.paused:
        events.append(ConversationPaused(timestamp=timestamp))
    return events


# --- helpers -------------------------------------------------------------------------------------

_EVENT_TYPES: dict[str, type[Event] | None] = {}


def _deserialise_one(data: dict[str, Any]) -> Event | None:
    """Event.from_parameters without its per-event search through every Event subclass (a quarter of
    Rasa's time on long trackers): the class is looked up once per type name."""
    name = data.get("event")
    if name is None:
        return None
    if name not in _EVENT_TYPES:
        _EVENT_TYPES[name] = Event.resolve_by_type(name)
    cls = _EVENT_TYPES[name]
    return cls._from_parameters(data) if cls is not None else None


def deserialise(serialised: Iterable[dict[str, Any]]) -> list[Event]:
    return [event for event in map(_deserialise_one, serialised) if event is not None]


def _window_turns(raw: int | str | None) -> int:
    if raw is None or raw == "":
        return DEFAULT_WINDOW_TURNS
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ValueError(f"tracker_store window_turns must be a whole number of turns, got {raw!r}") from None
    if value < 0:
        raise ValueError(f"tracker_store window_turns must be 0 (off) or more, got {value}")
    return value


def _create_window_table(engine: sa.engine.Engine) -> None:
    # Several Rasa processes may start at once against one PostgreSQL: whoever loses the race to
    # create the table finds it there.
    try:
        _WindowBase.metadata.create_all(engine)
    except (sa.exc.OperationalError, sa.exc.ProgrammingError, sa.exc.IntegrityError):
        with contextlib.suppress(Exception):
            engine.dispose()
        if not sa.inspect(engine).has_table(TrackerWindow.__tablename__):
            raise
