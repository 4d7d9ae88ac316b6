"""The held-out conversations (never trained on) through the real stack: score and figure check.

heldout.yml was written with the bot, heldout_more.yml by a tester who read only the official text.
The floor below guards against regressions; the measured scores are printed (and quoted in the
README). Every reply must pass the figure check, without exception."""

from __future__ import annotations

from pathlib import Path

from tests.conversations.runner import run_all
from tests.stack import Stack

SETS = sorted((Path(__file__).resolve().parent.parent / "conversations").glob("heldout*.yml"))
FLOOR = 0.90


def test_heldout_conversations(stack: Stack) -> None:
    results = []
    for path in SETS:
        found = run_all(stack.url, path)
        print(f"{path.name}: {len(found)} conversations, score {sum(r.passed for r in found) / len(found):.3f}")
        results += found
    score = sum(r.passed for r in results) / len(results)
    print(f"all held-out conversations: {len(results)}, score {score:.3f}")
    stray = {r.name: r.stray_figures for r in results if r.stray_figures}
    assert not stray, f"figures neither in the document nor computed from the user's: {stray}"
    assert score >= FLOOR, "\n".join(f"{r.name}: {r.problems}" for r in results if not r.passed)
