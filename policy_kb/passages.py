"""The document's own words on something no measure is named by ('俺是乡土人才，文件说俺们啥了', '海洋牧场跟
农业+有啥关系', '农技协在文件里干啥'): a phrase of the question found verbatim in the text, in one or two
clauses only. The measures' names and aliases cover what the document funds; these words are everything
else it mentions, and a user who uses them is pointing at the place that says them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from policy_kb.schema import Clause
from policy_kb.search import sentences

# A phrase this short is a word any question may hold ('申请', '企业'); three characters found in at most
# two clauses are the document's own vocabulary ('农技协', '贫困村').
MIN_CHARS = 3
MAX_CLAUSES = 2


@dataclass(frozen=True)
class Passage:
    phrase: str  # the user's words, as the document writes them
    clause: str
    sentence: str  # the document's sentence that holds them, verbatim


def _squeezed(text: str) -> str:
    return "".join(text.split())


def squeezed_texts(clauses: list[Clause]) -> dict[str, str]:
    """Each clause's text without whitespace ('2020 年' → '2020年'), as users type it."""
    return {c.id: _squeezed(c.text) for c in clauses}


def _runs(text: str, document: str) -> list[str]:
    """The longest pieces of `text` that the document holds verbatim, left to right."""
    runs, start = [], 0
    while start < len(text):
        end = start + 1
        while end <= len(text) and text[start:end] in document:
            end += 1
        runs.append(text[start : end - 1])
        start = max(end - 1, start + 1)
    return [r for r in runs if r]


def _trimmed(run: str, edges: str) -> str:
    """'在区市' → '区市', '企业到' → '企业': a particle glued on by the match is not part of the phrase."""
    return run.strip(edges)


def _is_word(phrase: str) -> bool:
    return all("\u4e00" <= ch <= "\u9fff" or ch == "+" for ch in phrase)


def phrases(clauses: dict[str, str], text: str, edges: str) -> list[tuple[str, list[str]]]:
    """The distinctive phrases of `text` with the clauses (squeezed texts by id) that hold them, longest
    first."""
    document = "".join(clauses.values())
    found: dict[str, list[str]] = {}
    for run in _runs(_squeezed(text), document):
        phrase = _trimmed(run, edges)
        if len(phrase) < MIN_CHARS or not _is_word(phrase):
            continue
        holders = [clause for clause, body in clauses.items() if phrase in body]
        if 0 < len(holders) <= MAX_CLAUSES:
            found[phrase] = holders
    return sorted(found.items(), key=lambda item: -len(item[0]))


def passages(
    clauses: list[Clause], squeezed: dict[str, str], text: str, edges: str, kept: Callable[[str], bool]
) -> list[Passage]:
    """Where the document says the longest distinctive phrase of `text` that is `kept` (one passage per
    clause)."""
    found = [(phrase, holders) for phrase, holders in phrases(squeezed, text, edges) if kept(phrase)]
    if not found:
        return []
    phrase, holders = found[0]
    by_id = {c.id: c for c in clauses}
    result = []
    for clause_id in holders:
        sentence = next((s for s in sentences(by_id[clause_id].text) if phrase in _squeezed(s)), None)
        if sentence is not None:
            result.append(Passage(phrase, clause_id, sentence))
    return result
