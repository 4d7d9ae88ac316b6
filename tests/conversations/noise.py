"""Harmless noise real users add around a question, for the metamorphic tests: the noisy question must
reach the same decision as the clean one. Each kind is a pure function of the clean text."""

from __future__ import annotations

from collections.abc import Callable

import opencc

_S2T = opencc.OpenCC("s2t")

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
}
# Kinds that add a phone-like number: a turn that gives a callback number would change its meaning.
ADDS_NUMBER = frozenset({"phone", "id_number"})
