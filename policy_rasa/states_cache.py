"""A tracker's past states are worked out once per prediction, not once per policy.

To predict the next action Rasa turns the tracker into its past states three times with the same
arguments: RulePolicy twice (once reading the last message's text, once its intent) and
MemoizationPolicy once. Each time replays every event of the tracker into fresh trackers
(`Domain.states_for_tracker_history`): 8% of the Rasa process's CPU on `make bench`'s real mix.

The states are a function of the events, the domain and the arguments, and a tracker's events are only
ever appended to. So they are kept on the tracker with the number of events and the last event they were
made from; an appended event makes them stale. Every caller gets its own copy of the states, since the
featurizer deletes keys from the last one (`_choose_last_user_input`).
"""

from __future__ import annotations

from typing import Any

from rasa.shared.core.domain import Domain, State
from rasa.shared.core.trackers import DialogueStateTracker

_past_states = DialogueStateTracker.past_states
_KEPT = "_policy_rasa_states"


def _copy(states: list[State]) -> list[State]:
    # a state maps a part (user, prev_action, slots, active_loop) to a dict of immutable values
    return [{part: dict(values) for part, values in state.items()} for state in states]


def past_states(
    self: DialogueStateTracker,
    domain: Domain,
    omit_unset_slots: bool = False,
    ignore_rule_only_turns: bool = False,
    rule_only_data: dict[str, Any] | None = None,
) -> list[State]:
    """DialogueStateTracker.past_states, worked out once for the same events, domain and arguments."""
    events = self.events
    last = events[-1] if events else None
    kept: tuple[Any, int, Domain, dict[tuple[Any, ...], list[State]]] | None = self.__dict__.get(_KEPT)
    if kept is None or kept[0] is not last or kept[1] != len(events) or kept[2] is not domain:
        # only the states of the tracker as it is now are worth keeping
        kept = (last, len(events), domain, {})
        self.__dict__[_KEPT] = kept
    key = (omit_unset_slots, ignore_rule_only_turns, repr(rule_only_data))
    states = kept[3].get(key)
    if states is None:
        states = kept[3][key] = _past_states(self, domain, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
    return _copy(states)


def install() -> None:
    DialogueStateTracker.past_states = past_states  # type: ignore[method-assign]
