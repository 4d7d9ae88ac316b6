"""The document's sentence that answers a detail ('会上干什么', '跟哪个时期比', '这一条落实的是哪个文件').

A follow-up asks about something the last answer's clause says in words no aspect knows; the sentence
that shares the most telling words with the question answers it. Every sentence of every clause is a
document here (the lead-unit note too: '奖励钱市财政局管吗' is answered by it), so a word the whole
document repeats ('科技', '创新') weighs little and a word of one sentence ('会商', '时期') much.
Characters count besides bigrams, at a fraction of their weight: '会上干什么' shares only '会' with
'召开1次科技工作会商会议'.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from policy_kb.schema import Clause
from policy_kb.search import bigrams, sentences

# A shared character says less than a shared pair of characters.
CHAR_WEIGHT = 0.4
_HAN = re.compile(r"[\u4e00-\u9fff]")
_DIGITS = re.compile(r"\d+(?:\.\d+)?%?")


@dataclass(frozen=True)
class Detail:
    clause: str
    sentence: str  # verbatim, the lead-unit note without its brackets
    score: float
    shared: int  # how many words (bigrams, figures) and characters it shares with the question


def _terms(text: str) -> set[str]:
    squeezed = "".join(text.split())
    return set(bigrams(squeezed)) | set(_HAN.findall(squeezed)) | set(_DIGITS.findall(squeezed))


class SentenceIndex:
    def __init__(self, clauses: list[Clause]) -> None:
        self._sentences: list[tuple[str, str, set[str]]] = []
        for clause in clauses:
            said = sentences(clause.text)
            if clause.units_quote:
                said.append(clause.units_quote)
            self._sentences += [(clause.id, s, _terms(s)) for s in said]
        frequency: Counter[str] = Counter()
        for _clause, _sentence, terms in self._sentences:
            frequency.update(terms)
        n = len(self._sentences)
        self._idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in frequency.items()}

    def _weight(self, term: str) -> float:
        idf = self._idf.get(term, 0.0)
        return idf * CHAR_WEIGHT if len(term) == 1 else idf

    def ranked(self, query: str, clause_ids: tuple[str, ...] = ()) -> list[Detail]:
        """The sentences (of `clause_ids`, or all) that share words with `query`, best first."""
        wanted = _terms(query)
        found = [
            Detail(clause, sentence, math.fsum(self._weight(t) for t in shared), len(shared))
            for clause, sentence, terms in self._sentences
            if not clause_ids or clause in clause_ids
            for shared in [wanted & terms]
        ]
        return sorted((d for d in found if d.score > 0), key=lambda d: -d.score)
