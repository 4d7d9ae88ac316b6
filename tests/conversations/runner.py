"""Run the held-out conversations against a running gateway and score them.

    python -m tests.conversations.runner [--url http://127.0.0.1:8080] [FILE]

A conversation counts as answered correctly when every turn's reply holds what it must and nothing
it must not. Separately, every figure in every reply must be a figure of the official text, the
hotline, a figure the user gave, or arithmetic on the user's figures with the document's percentages.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from harness.stack import post_json
from policy_kb.figures import arabic_figures, chinese_to_int, find_money, strip_space
from tests.conversations.noise import NOISE

REPO = Path(__file__).resolve().parent.parent.parent
HELDOUT = Path(__file__).resolve().parent / "heldout.yml"
SOURCE = REPO / "policy_kb" / "data" / "weihai-2018-32.txt"
HOTLINE = "12345"


@dataclass
class Result:
    name: str
    passed: bool
    problems: list[str] = field(default_factory=list)
    stray_figures: list[str] = field(default_factory=list)


def document_figures() -> tuple[set[str], list[Decimal]]:
    text = strip_space(SOURCE.read_text(encoding="utf-8"))
    percents = [Decimal(p) for p in re.findall(r"(\d+(?:\.\d+)?)%", text)]
    return set(arabic_figures(text)), percents


# Arithmetic the user may ask on the document's own sums: a few of each added ('一个县和两个镇一共多少').
MAX_COUNT = 5


def _sums(values: list[Decimal]) -> set[Decimal]:
    sums = {Decimal(0)}
    for value in values:
        sums |= {s + k * value for s in sums for k in range(1, MAX_COUNT + 1)}
    return sums - {Decimal(0)}


def allowed_figures(user_texts: list[str], doc_figures: set[str], percents: list[Decimal]) -> set[str]:
    allowed = set(doc_figures) | {HOTLINE}
    sums = _sums(sorted({Decimal(y) for _s, y in find_money(SOURCE.read_text(encoding="utf-8")) if y < 10**8}))
    for value in sums:
        wan = (value / 10_000).normalize()
        allowed |= {f"{wan:f}", f"{value.normalize():f}"}
    # the document's own sums split by its own percentages (1000万 × 25% = 250万)
    # counts the user said in words ('三年', '两个镇') times the document's figures ('年均 1.5 个百分点')
    spoken = [w for t in user_texts for w in re.findall(r"[一两二三四五六七八九十]{1,3}(?=[年名个家位项次])", t)]
    counts = {Decimal(n) for w in spoken if (n := chinese_to_int(w))}
    decimals = {Decimal(f) for f in doc_figures if re.fullmatch(r"\d+(?:\.\d+)?", f)}
    allowed |= {f"{c:f}" for c in counts} | {f"{(c * d).normalize():f}" for c in counts for d in decimals}
    for text in [SOURCE.read_text(encoding="utf-8"), *user_texts]:
        allowed |= set(arabic_figures(text))
        for _surface, yuan in find_money(text):
            for value in [Decimal(yuan)] + [Decimal(yuan) * p / 100 for p in percents]:
                wan = (value / 10_000).normalize()
                allowed |= {f"{wan:f}", f"{value.normalize():f}"}
    return allowed


def run_conversation(
    url: str, conversation: dict[str, Any], doc: tuple[set[str], list[Decimal]], noise: Callable[[str], str] = str
) -> Result:
    sender = f"heldout-{uuid.uuid4().hex[:10]}"
    result = Result(conversation["name"], True)
    user_texts: list[str] = []
    for turn in conversation["turns"]:
        user_texts.append(str(turn["user"]))
        message = noise(str(turn["user"]))
        status, body = post_json(f"{url}/api/chat", {"sender": sender, "message": message})
        if status != 200:
            result.passed = False
            result.problems.append(f"{turn['user']!r}: HTTP {status} {body}")
            break
        reply = "\n".join(r.get("text") or "" for r in body.get("replies", []))
        missing = [s for s in map(str, turn.get("all", [])) if strip_space(s) not in strip_space(reply)]
        if turn.get("any") and not any(strip_space(s) in strip_space(reply) for s in turn["any"]):
            missing.append(f"one of {turn['any']}")
        present = [s for s in turn.get("none", []) if s in reply]
        if missing or present:
            result.passed = False
            result.problems.append(f"{turn['user']!r}: missing {missing} present {present}\n{reply}")
        allowed = allowed_figures(user_texts, *doc)
        result.stray_figures += [f for f in arabic_figures(reply) if f not in allowed]
    return result


def run_all(url: str, path: Path = HELDOUT, noise: Callable[[str], str] = str) -> list[Result]:
    conversations = yaml.safe_load(path.read_text(encoding="utf-8"))["conversations"]
    doc = document_figures()
    return [run_conversation(url, c, doc, noise) for c in conversations]


def reply_lengths(url: str, path: Path) -> list[int]:
    """Characters of text (whitespace removed) of every policy reply (one with a citation)."""
    lengths = []
    for conversation in yaml.safe_load(path.read_text(encoding="utf-8"))["conversations"]:
        sender = f"length-{uuid.uuid4().hex[:10]}"
        for turn in conversation["turns"]:
            _status, body = post_json(f"{url}/api/chat", {"sender": sender, "message": str(turn["user"])})
            for reply in body.get("replies", []):
                text = reply.get("text") or ""
                if "依据：" in text:
                    lengths.append(len(strip_space(text)))
    return lengths


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("file", nargs="?", default=str(HELDOUT))
    parser.add_argument("--url", default="http://127.0.0.1:8080")
    parser.add_argument("--noise", choices=sorted(NOISE), help="ask every turn with this kind of noise")
    parser.add_argument("--lengths", action="store_true", help="print the policy replies' lengths instead")
    args = parser.parse_args(argv)
    if args.lengths:
        lengths = sorted(reply_lengths(args.url, Path(args.file)))
        print(
            f"policy_replies={len(lengths)} median_chars={statistics.median(lengths):.0f} "
            f"p90_chars={lengths[int(0.9 * (len(lengths) - 1))]}"
        )
        return 0
    results = run_all(args.url, Path(args.file), NOISE[args.noise] if args.noise else str)
    for result in results:
        if not result.passed or result.stray_figures:
            print(f"FAIL {result.name}: {result.problems} stray figures {result.stray_figures}")
    passed = sum(r.passed for r in results)
    stray = sum(bool(r.stray_figures) for r in results)
    print(
        f"conversations={len(results)} correct={passed} score={passed / len(results):.3f} "
        f"replies_with_stray_figures={stray}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
