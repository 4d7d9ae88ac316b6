"""The held-out conversations (never trained on) through the real stack: score and figure check.

heldout.yml was written with the bot; heldout_more.yml, heldout_fresh.yml and heldout_dec.yml by testers
who read only the official text (and, for the fresh set, the KB data file), never the training data or
the code; heldout_dec.yml leans on the phrasings the bot was known to miss (traditional characters,
noise around the question, English words, the user's own figures, themes, follow-ups); heldout_frames_a.yml
(issue 22, first score 0.687) on follow-ups, corrections, the document itself, arithmetic, claims the
document does not decide, shorthand and long pastes; heldout_frames_b…q.yml the same kinds, each
written by a tester who saw only the official text and scored once before any change for it (first scores
0.848, 0.871, 0.881, 0.884, 0.865, 0.876, 0.863, 0.908, 0.855, 0.872, 0.872, 0.861, 0.898, 0.943, 0.944,
0.943; p and q unchanged since their first score; the others improved after
by mechanisms: passages, named halves, unstated rules, department roles, several questions in one message,
drafts checked, the sentence of the text that says it, who the user says they are). Each
set has a floor a little under its measured score, so a regression fails; the measured scores are
printed (and quoted in the README). Every reply must pass the figure check, without exception."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.stack import Stack
from policy_rasa.nlu_examples import examples_by_intent, held_out_questions
from tests.conversations.runner import run_all

CONVERSATIONS = Path(__file__).resolve().parent.parent / "conversations"
FLOORS = {
    "heldout.yml": 0.97,
    "heldout_more.yml": 0.90,
    "heldout_fresh.yml": 0.92,
    "heldout_dec.yml": 0.90,
    "heldout_frames_a.yml": 0.92,
    "heldout_frames_b.yml": 0.93,
    "heldout_frames_c.yml": 0.93,
    "heldout_frames_d.yml": 0.92,
    "heldout_frames_e.yml": 0.92,
    "heldout_frames_f.yml": 0.91,
    "heldout_frames_g.yml": 0.91,
    "heldout_frames_h.yml": 0.90,
    "heldout_frames_i.yml": 0.92,
    "heldout_frames_j.yml": 0.92,
    "heldout_frames_k.yml": 0.92,
    "heldout_frames_l.yml": 0.95,
    "heldout_frames_m.yml": 0.92,
    "heldout_frames_n.yml": 0.92,
    "heldout_frames_o.yml": 0.91,
    "heldout_frames_p.yml": 0.92,
    "heldout_frames_q.yml": 0.92,
}


def test_no_heldout_question_is_in_the_training_data() -> None:
    """Held out means never trained on: no question of the sets written without the bot is an example
    of data/nlu/ or of the generated file (one-word turns such as '转人工', '文登' aside)."""
    repo = CONVERSATIONS.parent.parent
    trained = set().union(
        *examples_by_intent(
            [*sorted((repo / "data" / "nlu").glob("*.yml")), repo / "build" / "nlu" / "generated.yml"]
        ).values()
    )
    asked = {text for text in held_out_questions() - held_out_questions(CONVERSATIONS, "heldout.yml") if len(text) > 4}
    assert len(trained) > 500 and len(asked) > 300
    assert sorted(asked & trained) == []


def test_every_heldout_set_has_a_floor() -> None:
    assert {p.name for p in CONVERSATIONS.glob("heldout*.yml")} == set(FLOORS)


# What rasa_sdk logs when an action raised: the user then got no answer for that turn.
ACTION_FAILED = b"Exception occurred during execution of request"


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_heldout_conversations(stack: Stack, name: str) -> None:
    action_log = stack.workdir / "actions.log"
    seen = action_log.stat().st_size
    results = run_all(stack.url, CONVERSATIONS / name)
    with action_log.open("rb") as log:
        log.seek(seen)
        assert ACTION_FAILED not in log.read(), f"an action raised during {name}:\n{stack.log_tail('actions')}"
    score = sum(r.passed for r in results) / len(results)
    print(f"{name}: {len(results)} conversations, score {score:.3f}")
    stray = {r.name: r.stray_figures for r in results if r.stray_figures}
    assert not stray, f"figures neither in the document nor computed from the user's: {stray}"
    assert score >= FLOORS[name], "\n".join(f"{r.name}: {r.problems}" for r in results if not r.passed)
