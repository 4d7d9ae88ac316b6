"""The example texts of Rasa NLU YAML files, as a user would type them: read in one place by the NLU
generator (not to repeat hand-written texts) and the review export (not to repeat training or held-out
texts). Entity markup is taken out, so an annotated text and its plain twin are the same text. Also the
questions of the held-out conversations, which no training file may hold."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import yaml

# "[农科驿站]{"entity": …}给钱不" and "[农科驿站](measure)给钱不" -> "农科驿站给钱不"
_MARKUP = re.compile(r"\[([^\]]*)\](\{[^}]*\}|\([^)]*\))")


def plain(example: str) -> str:
    return _MARKUP.sub(r"\1", example)


def examples_by_intent(paths: Iterable[Path]) -> dict[str, set[str]]:
    """Intent -> plain example texts of every `intent` block in `paths` (files that do not exist are skipped)."""
    found: dict[str, set[str]] = {}
    for path in paths:
        if not path.is_file():
            continue
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            if "intent" not in block:
                continue
            texts = found.setdefault(str(block["intent"]), set())
            for line in str(block.get("examples") or "").splitlines():
                line = line.strip().removeprefix("- ").strip()
                if line:
                    texts.add(plain(line))
    return found


HELD_OUT_CONVERSATIONS = Path(__file__).resolve().parent.parent / "tests" / "conversations"


def held_out_questions(folder: Path = HELD_OUT_CONVERSATIONS, pattern: str = "heldout*.yml") -> frozenset[str]:
    """Every user turn of the held-out conversation sets (tests/conversations/heldout*.yml)."""
    return frozenset(
        str(turn["user"]).strip()
        for path in sorted(folder.glob(pattern))
        for conversation in yaml.safe_load(path.read_text(encoding="utf-8"))["conversations"]
        for turn in conversation["turns"]
    )
