"""Harmless noise real users add around a question, for the metamorphic tests: the noisy question must
reach the same decision as the clean one. Each kind is a pure function of the clean text; `pinyin` puts a
pinyin keyboard's homophone into the first KB term of the question."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from pathlib import Path

import opencc
import yaml

from policy_kb.terms import sound_of

_S2T = opencc.OpenCC("s2t")
_DATA = Path(__file__).resolve().parent.parent.parent / "policy_kb" / "data"


@cache
def _measure_terms() -> list[str]:
    """Every measure's Chinese name and aliases of three characters or more, longest first."""
    data = yaml.safe_load((_DATA / "weihai-2018-32.yml").read_text(encoding="utf-8"))
    terms = {
        t
        for m in data["measures"]
        for t in [m["name"], *m.get("aliases", [])]
        if re.fullmatch(r"[\u4e00-\u9fff]{3,}", t)
    }
    return sorted(terms, key=lambda t: (-len(t), t))


@cache
def _pool() -> tuple[str, ...]:
    """Characters a pinyin keyboard offers: those of the official text, in a fixed order."""
    text = (_DATA / "weihai-2018-32.txt").read_text(encoding="utf-8")
    return tuple(sorted({c for c in text if sound_of(c)}))


def homophone(char: str) -> str | None:
    """Another character with the same pinyin, as a pinyin keyboard's wrong candidate would give."""
    return next((c for c in _pool() if c != char and sound_of(c) == sound_of(char)), None)


def pinyin_typo(question: str) -> str:
    """The first measure term in the question with one character replaced by a homophone ('科技特派员' →
    '科技特派园' if 园 sounds like 员): what a pinyin keyboard's wrong candidate does to a KB term."""
    for term in _measure_terms():
        at = question.find(term)
        if at < 0:
            continue
        for offset in range(len(term) - 1, 0, -1):  # the last characters first: the head stays readable
            other = homophone(term[offset])
            if other:
                return question[: at + offset] + other + question[at + offset + 1 :]
    return question


NOISE: dict[str, Callable[[str], str]] = {
    "greeting": lambda q: f"你好，{q}",
    "thanks": lambda q: f"{q}，谢谢",
    "phone": lambda q: f"我电话13812345678，{q}",
    "id_number": lambda q: f"身份证号370602198801011234，{q}",
    "markup": lambda q: f"<p><b>{q}</b></p>",
    "emoji": lambda q: f"{q}🙏😀",
    "english_greeting": lambda q: f"hi，{q}",
    "filler": lambda q: f"嗯，那个，就是{q}",
    "traditional": lambda q: _S2T.convert(q),
    "pinyin": pinyin_typo,
}
# Kinds that add a phone-like number: a turn that gives a callback number would change its meaning.
ADDS_NUMBER = frozenset({"phone", "id_number"})
