"""The metamorphic check: every held-out conversation asked again with each kind of noise must reach
the same decision as the clean one, through the running stack.

    python -m tests.conversations.metamorphic [--url URL] [--kinds greeting,phone] FILE...

A decision is read off the replies: per reply, its first line (what was answered, in which aspect), its
citation, the card's measure, the figures it states and its buttons. Wording that follows the
question (the quoted sentence of the document closest to it) is not part of the decision.
"""

from __future__ import annotations

import argparse
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from harness.stack import post_json
from policy_kb.figures import arabic_figures
from tests.conversations.noise import ADDS_NUMBER, NOISE


@dataclass
class KindResult:
    kind: str
    same: int = 0
    total: int = 0
    differences: list[str] = field(default_factory=list)


def decision(body: dict[str, Any]) -> tuple[Any, ...]:
    parts: list[Any] = []
    for reply in body.get("replies", []):
        text = reply.get("text") or ""
        lines = text.splitlines()
        custom = reply.get("custom") or {}
        parts.append(
            (
                lines[0] if lines else "",
                lines[-1] if lines and lines[-1].startswith("依据") else "",
                custom.get("measure"),
                tuple(sorted(arabic_figures(text))),
                tuple(b.get("payload") for b in reply.get("buttons") or []),
            )
        )
    return tuple(parts)


def ask(url: str, turns: list[str]) -> list[tuple[Any, ...]]:
    sender = f"meta-{uuid.uuid4().hex[:10]}"
    found = []
    for text in turns:
        status, body = post_json(f"{url}/api/chat", {"sender": sender, "message": text})
        found.append(decision(body) if status == 200 else (("HTTP", status),))
    return found


def gives_number(conversation: dict[str, Any], clean: list[tuple[Any, ...]]) -> bool:
    """A conversation where a number means something (a callback number for the hand-off form)."""
    return any(any(ch.isdigit() for ch in str(t["user"])) for t in conversation["turns"]) or any(
        "电话" in reply[0] for turn in clean for reply in turn
    )


def run(url: str, paths: list[Path], kinds: list[str]) -> list[KindResult]:
    results = {kind: KindResult(kind) for kind in kinds}
    for path in paths:
        for conversation in yaml.safe_load(path.read_text(encoding="utf-8"))["conversations"]:
            turns = [str(t["user"]) for t in conversation["turns"]]
            clean = ask(url, turns)
            for kind in kinds:
                if kind in ADDS_NUMBER and gives_number(conversation, clean):
                    continue
                noisy = ask(url, [NOISE[kind](t) for t in turns])
                result = results[kind]
                result.total += 1
                if noisy == clean:
                    result.same += 1
                else:
                    turn = next(i for i, (a, b) in enumerate(zip(clean, noisy, strict=True)) if a != b)
                    result.differences.append(
                        f"{path.name} {conversation['name']} turn {turn + 1}: "
                        f"{NOISE[kind](turns[turn])!r}\n  clean {clean[turn]}"
                        f"\n  noisy {noisy[turn]}"
                    )
    return list(results.values())


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("files", nargs="+")
    parser.add_argument("--url", default="http://127.0.0.1:8080")
    parser.add_argument("--kinds", default=",".join(NOISE))
    parser.add_argument("--show", type=int, default=5, help="differences to print per kind")
    args = parser.parse_args(argv)
    results = run(args.url, [Path(f) for f in args.files], args.kinds.split(","))
    for result in results:
        for difference in result.differences[: args.show]:
            print(f"DIFF {result.kind} {difference}")
    for result in results:
        print(f"noise={result.kind} same={result.same}/{result.total} rate={result.same / max(result.total, 1):.3f}")
    same, total = sum(r.same for r in results), sum(r.total for r in results)
    print(f"all noise kinds: same={same}/{total} rate={same / max(total, 1):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
