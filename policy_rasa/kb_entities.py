"""The knowledge base's entities in a message, whole, with their KB ids as values. Neither Rasa nor spaCy
here (spaCy's thinc imports TensorFlow), so the answer engine's tests and the frame table run without it:
policy_rasa.entities wraps this for Rasa, policy_rasa.spacy_zh builds the ruler from `ruler_patterns`.

Sources, surest first: money ('200万', '两百万元', '1.5亿', value in yuan), the spaCy entity ruler (on the
KB-aware segmentation), the same terms matched on characters where jieba still glued a term to its
neighbour ('荣成县里' hides 荣成), one-character typos of measure names (创新卷, 特派圆), and last, where no
measure was named at all, shorthand ('驿站', '研补').
"""

from __future__ import annotations

from typing import Any

from policy_answers.clean import official_text
from policy_answers.frames import kept_by_user
from policy_answers.language import language
from policy_kb.figures import money_spans
from policy_kb.terms import TermHit, TermIndex

# Entity labels of the ruler, as Rasa entity names
LABELS = {
    "MEASURE": "measure",
    "DISTRICT": "district",
    "APPLICANT_TYPE": "applicant_type",
    "UNIT": "unit",
    "TARGET": "target",
}
PRECEDENCE = ["measure", "district", "applicant_type", "unit", "target"]

# A pattern id "agri_key_tech#product" marks a surface that names a measure only through a product it
# supports ('海参'): the extractor passes the id on and flags the entity.
PRODUCT_MARK = "#product"


SHORTHAND_CONFIDENCE = 0.7  # below a typo's 0.8: a clearer hit elsewhere wins
SHORTHAND_MAX_USES = 3  # a word the document uses more often than this names no one measure


def extract_entities(text: str, doc: Any, terms: dict[str, TermIndex]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    covered = [False] * len(text)

    def add(entity: str, value: Any, start: int, end: int, confidence: float = 1.0) -> None:
        if any(covered[start:end]):
            return
        covered[start:end] = [True] * (end - start)
        found.append(
            {
                "entity": entity,
                "value": value,
                "start": start,
                "end": end,
                "text": text[start:end],
                "confidence_entity": confidence,
            }
        )
        if isinstance(value, str) and value.endswith(PRODUCT_MARK):
            found[-1].update(value=value.removesuffix(PRODUCT_MARK), product=True)

    for start, end, _surface, yuan in money_spans(text):
        add("money", yuan, start, end)
    cue_words = _with_cue_words(text, [False] * len(text))
    # a measure's name typed wrong ('创新行乡镇', '科技特拍员'); never a word that says what is asked ('标准是')
    typos = [h for h in terms["measure"].find(text, fuzzy=True) if h.fuzzy and not any(cue_words[h.start : h.end])]
    for entity, key, start, end in _spelt_right(text, doc, terms):
        # a term spelt right inside a longer misspelt measure ('乡镇' in '创新行乡镇') is part of that measure;
        # one as long is itself ('科技企业' is an applicant, no typo of 科技企业家)
        if not any(t.start <= start and end <= t.end and t.end - t.start > end - start for t in typos):
            add(entity, key, start, end)
    for hit in typos:
        add("measure", hit.key, hit.start, hit.end, 0.8)
    for entity, key, start, end in _heard(text, terms):
        add(entity, key, start, end, 0.8)
    if not any(e["entity"] in ("measure", "target") for e in found) and not terms["target"].find(text, fuzzy=False):
        for hit in _shorthand(text, terms["measure"], [a or b for a, b in zip(covered, cue_words, strict=True)]):
            if not any(e["start"] == hit.end or e["end"] == hit.start for e in found):  # '科技型中小企业'
                add("measure", hit.key, hit.start, hit.end, SHORTHAND_CONFIDENCE)
    return sorted(kept_by_user(text, found, language()), key=lambda e: e["start"])


def _spelt_right(text: str, doc: Any, terms: dict[str, TermIndex]) -> list[tuple[str, str, int, int]]:
    """(entity, KB id, start, end) of the terms written exactly: the spaCy ruler's on the KB-aware segmentation,
    then the same terms on characters where jieba glued one to its neighbour, by entity precedence."""
    hits = [(LABELS[e.label_], e.ent_id_, e.start_char, e.end_char) for e in doc.ents if e.label_ in LABELS]
    for entity in PRECEDENCE:
        hits += [(entity, h.key, h.start, h.end) for h in terms[entity].find(text, fuzzy=False)]
    return hits


def _heard(text: str, terms: dict[str, TermIndex]) -> list[tuple[str, str, int, int]]:
    """Other kinds of term typed with a pinyin keyboard's homophone ('省级以上创新平态'), after the measures."""
    return [
        (entity, h.key, h.start, h.end)
        for entity in PRECEDENCE[1:]
        for h in terms[entity].find(text, fuzzy=False, sounds=True)
        if h.fuzzy
    ]


def _shorthand(text: str, measures: TermIndex, masked: list[bool]) -> list[TermHit]:
    """Shorthand ('驿站 补多少', '研补 封顶'), asked for only where no measure is named in full: never from
    the words that say what is asked ('县级', '比例'), nor from words the document uses everywhere ('威海')."""
    return measures.shorthand(text, masked, official_text(), SHORTHAND_MAX_USES)


def _with_cue_words(text: str, covered: list[bool]) -> list[bool]:
    """The positions of the words that say what is asked ('县级', '比例'): never read as shorthand."""
    lang = language()
    masked = list(covered)
    for cue in (
        *lang.aspects.values(),
        *lang.levels.values(),
        *lang.themes.values(),
        lang.theme_question,
        lang.profile,
        lang.target_question,
        lang.frames.count,
        lang.yes_no,
        lang.open_question,
    ):
        for match in cue.finditer(text):
            masked[match.start() : match.end()] = [True] * (match.end() - match.start())
    return masked


def ruler_patterns(term_lists: dict[str, dict[str, list[str]]], products: frozenset[str]) -> list[dict[str, str]]:
    label_of = {entity: label for label, entity in LABELS.items()}
    # A string that names two kinds of thing ('科技特派员' is a measure and a target's indicator)
    # gets one label, by this precedence: what people ask about most decides.
    claimed: set[str] = set()
    patterns = []
    for entity in sorted(term_lists, key=lambda e: PRECEDENCE.index(e)):
        for kb_id, terms in term_lists[entity].items():
            for term in terms:
                if term not in claimed:
                    mark = PRODUCT_MARK if entity == "measure" and term in products else ""
                    patterns.append({"label": label_of[entity], "pattern": term, "id": kb_id + mark})
        claimed |= {term for terms in term_lists[entity].values() for term in terms}
    return patterns


def term_indexes(patterns: list[dict[str, str]]) -> dict[str, TermIndex]:
    """The ruler's terms by entity, for matching on characters where jieba glued a term to its neighbour."""
    by_entity: dict[str, list[tuple[str, str]]] = {entity: [] for entity in LABELS.values()}
    for pattern in patterns:
        by_entity[LABELS[pattern["label"]]].append((pattern["pattern"], pattern["id"]))
    return {entity: TermIndex(terms) for entity, terms in by_entity.items()}
