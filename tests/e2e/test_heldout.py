"""The held-out conversations (never trained on) through the real stack: score and figure check."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conversations.runner import run_all
from tests.stack import Stack

SETS = sorted((Path(__file__).resolve().parent.parent / "conversations").glob("heldout*.yml"))


@pytest.mark.parametrize("path", SETS, ids=[p.stem for p in SETS])
def test_heldout_conversations(stack: Stack, path: Path) -> None:
    results = run_all(stack.url, path)
    score = sum(r.passed for r in results) / len(results)
    failures = [f"{r.name}: {r.problems}" for r in results if not r.passed]
    print(f"{path.name}: {len(results)} conversations, score {score:.3f}")
    assert score >= 0.95, "\n".join(failures)
    stray = {r.name: r.stray_figures for r in results if r.stray_figures}
    assert not stray, f"figures neither in the document nor computed from the user's: {stray}"
