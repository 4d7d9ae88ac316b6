"""Keyword search over measures and clauses for terse queries ('特派员 奖励', '荣成 研发 分担').

Chinese has no spaces to split on, so documents and queries are compared as character bigrams with
BM25; a name or alias of a measure found in the query (typos included) outweighs any bigram overlap,
because a hotline agent who types '创新券' means that measure, whatever else the text mentions.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from policy_kb.clause_numbers import clause_refs

if TYPE_CHECKING:
    from policy_kb.query import KnowledgeBase

_NON_WORD = re.compile(r"[\s\W_]+")
_K1, _B = 1.2, 0.75
_ALIAS_BOOST, _FUZZY_BOOST = 12.0, 8.0
_NUMBER_BOOST = 36.0  # a clause named by its number outranks any name found beside it ('保障措施第二条')


@dataclass(frozen=True)
class SearchHit:
    kind: str  # "measure" or "clause"
    id: str
    clause: str
    title: str
    score: float
    snippet: str


def bigrams(text: str) -> list[str]:
    grams: list[str] = []
    for chunk in _NON_WORD.split(text):
        if len(chunk) == 1:
            grams.append(chunk)
        grams += [chunk[i : i + 2] for i in range(len(chunk) - 1)]
    return grams


_SENTENCE_END = re.compile(r"(?<=[。；])")
_UNITS_NOTE = re.compile(r"（牵头单位：[^）]*）")
_CLAUSE_HEAD = re.compile(r"^（[一二三四五六七八九十]+）[^。]*。")


# A quoted phrase answers the question; the whole clause is in the answer card.
PHRASE_MAX_CHARS = 48
# How much more a part that lists things ('贝类、藻类、海珍品…') weighs for a question that asks for a list.
LIST_BONUS = 3.0


def sentences(clause_text: str) -> list[str]:
    """A clause's sentences, without its numeral and title and without the lead-unit note."""
    body = _CLAUSE_HEAD.sub("", _UNITS_NOTE.sub("", clause_text.replace("\n", "")))
    return [s.strip() for s in _SENTENCE_END.split(body) if len(s.strip()) > 4]


@dataclass
class _Doc:
    kind: str
    id: str
    clause: str
    title: str
    snippet: str
    grams: Counter[str]
    length: int


class SearchIndex:
    def __init__(self, kb: KnowledgeBase) -> None:
        self._kb = kb
        self._docs: list[_Doc] = []
        for m in kb.measures:
            # the name and aliases count three times: they say what the measure is about
            # (English and pinyin aliases carry no Chinese bigrams; find_measures names them instead)
            chinese = [a for a in m.aliases if not a.isascii()]
            text = " ".join([m.name, *chinese] * 3 + [m.support, m.quote, *(c.label for c in m.conditions)])
            self._add("measure", m.id, m.clause, m.name, m.quote, text)
        for c in kb.data.clauses:
            self._add("clause", c.id, c.id, f"{c.id} {c.title}", c.text[:120], f"{c.title} {c.title} {c.text}")
        self._avg_len = sum(d.length for d in self._docs) / len(self._docs)
        frequency: Counter[str] = Counter()
        for doc in self._docs:
            frequency.update(doc.grams.keys())
        n = len(self._docs)
        self._idf = {g: math.log(1 + (n - f + 0.5) / (f + 0.5)) for g, f in frequency.items()}

    def _add(self, kind: str, id_: str, clause: str, title: str, snippet: str, text: str) -> None:
        grams = Counter(bigrams(text))
        self._docs.append(_Doc(kind, id_, clause, title, snippet, grams, sum(grams.values())))

    def search(self, query: str, limit: int = 5) -> list[SearchHit]:
        query = query.strip()
        if not query:
            return []
        # names are looked up with the spaces taken out ('国家级 创新平台' names 国家级创新平台); a target's
        # name (研发投入占比, 国家级创新平台) points at its clause and outranks a measure alias inside it
        # (创新平台), as the longer name does among measures
        compact = re.sub(r"\s+", "", query)
        targets = self._kb.find_targets(compact)
        named: dict[str, float] = {}
        for hit in self._kb.find_measures(compact):
            if any(
                t.start <= hit.start and hit.end <= t.end and t.end - t.start > hit.end - hit.start for t in targets
            ):
                continue
            boost = _FUZZY_BOOST if hit.fuzzy else _ALIAS_BOOST
            named[hit.key] = max(named.get(hit.key, 0.0), boost)
        clause_boost: dict[str, float] = {}
        for measure_id, boost in named.items():
            clause = self._kb.measure(measure_id).clause
            clause_boost[clause] = max(clause_boost.get(clause, 0.0), boost * 0.75)
        for hit in targets:
            clause = self._kb.target(hit.key).clause
            clause_boost[clause] = max(clause_boost.get(clause, 0.0), _ALIAS_BOOST)
        # a clause by its number ('二（十二）', '第二部分第九条') is what the agent asked for
        for clause in clause_refs(query, self._kb.data.clauses):
            clause_boost[clause] = max(clause_boost.get(clause, 0.0), _NUMBER_BOOST)
        if not named:  # '研补 封顶': a measure typed short
            for hit in self._kb.find_shorthand(query):  # standalone tokens only: '县级出资' is no shorthand
                named[hit.key] = max(named.get(hit.key, 0.0), _FUZZY_BOOST)
        query_grams = set(bigrams(query))
        scored: list[SearchHit] = []
        for doc in self._docs:
            score = self._bm25(doc, query_grams)
            score += named.get(doc.id, 0.0) if doc.kind == "measure" else clause_boost.get(doc.id, 0.0)
            if score > 0:
                scored.append(SearchHit(doc.kind, doc.id, doc.clause, doc.title, round(score, 3), doc.snippet))
        scored.sort(key=lambda h: (-h.score, h.kind != "measure"))
        return scored[:limit]

    def best_sentence(self, text: str, query: str, min_score: float = 3.0) -> str | None:
        """The sentence of `text` (a clause) that shares the most telling bigrams with `query`. Scores are
        summed exactly (math.fsum): a float sum in a set's order depends on the process's hash seed, and
        two sentences of equal score were chosen differently from one process to the next."""
        query_grams = set(bigrams(query))
        best, best_score = None, min_score
        for sentence in sentences(text):
            score = math.fsum(self._idf.get(g, 0.0) for g in query_grams & set(bigrams(sentence)))
            if score > best_score:
                best, best_score = sentence, score
        return best

    def best_phrase(self, sentence: str, query: str, max_chars: int = PHRASE_MAX_CHARS, listing: bool = False) -> str:
        """The part of `sentence` that answers `query`: its best comma-separated phrase, with the
        neighbouring phrases that fit in `max_chars`, verbatim; the whole sentence when it is short. A
        question that asks for a list (`listing`: '都有哪些') is answered by a part that lists."""
        if len(sentence) <= max_chars:
            return sentence
        parts = [p for p in re.split(r"(?<=[，：])", sentence) if p]  # never inside a list (、)
        query_grams = set(bigrams(query))
        scores = [math.fsum(self._idf.get(g, 0.0) for g in query_grams & set(bigrams(p))) for p in parts]
        if listing and any(scores):
            scores = [
                score * (LIST_BONUS if p.count("、") >= 2 and score else 1)
                for p, score in zip(parts, scores, strict=True)
            ]
        first = last = max(range(len(parts)), key=lambda i: scores[i])
        while True:
            grow = [
                i
                for i in (first - 1, last + 1)
                if 0 <= i < len(parts) and len("".join(parts[min(first, i) : max(last, i) + 1])) <= max_chars
            ]
            if not grow:
                break
            best = max(grow, key=lambda i: scores[i])
            first, last = min(first, best), max(last, best)
        return "".join(parts[first : last + 1]).rstrip("，：")

    def _bm25(self, doc: _Doc, query_grams: set[str]) -> float:
        score = 0.0
        norm = _K1 * (1 - _B + _B * doc.length / self._avg_len)
        for gram in query_grams:
            tf = doc.grams.get(gram)
            if tf:
                score += self._idf[gram] * tf * (_K1 + 1) / (tf + norm)
        return score
