"""The KB's entities as the NLU and the engine read them: no term is read as another kind of term."""

from __future__ import annotations

from typing import Any

from policy_answers.clean import clean
from policy_kb.query import KnowledgeBase
from policy_rasa.kb_entities import extract_entities, ruler_patterns, term_indexes


class _NoEnts:
    ents: tuple[()] = ()  # the character matcher alone finds every KB term


_indexes: dict[int, Any] = {}


def _entities(kb: KnowledgeBase, text: str) -> list[dict[str, Any]]:
    # The index is built once per KB (as the NLU component does at load), not once per term checked.
    if id(kb) not in _indexes:
        products = frozenset(p for m in kb.measures for p in m.products)
        _indexes[id(kb)] = term_indexes(ruler_patterns(kb.term_lists(), products))
    return extract_entities(clean(text), _NoEnts(), _indexes[id(kb)])


def test_no_other_kind_of_term_is_read_as_a_measure(kb: KnowledgeBase) -> None:
    """Districts, applicant types, units and targets, said alone, are never a measure by a typo, a homophone
    or a shorthand of a measure's name ('科技企业' is an applicant, not 科技企业家 misspelt). (A measure's
    own name inside a longer term, '创新平台' in 省级以上创新平台, is read by precedence, as before.)"""
    measure_terms = {t for ts in kb.term_lists()["measure"].values() for t in ts}
    misread = []
    for entity in ("district", "applicant_type", "unit", "target"):
        for terms in kb.term_lists()[entity].values():
            for term in terms:
                if term in measure_terms:
                    continue
                found = [e for e in _entities(kb, term) if e["entity"] == "measure" and e["confidence_entity"] < 1.0]
                if found:
                    misread.append((entity, term, [e["value"] for e in found]))
    assert misread == []


def test_a_homophone_of_a_measure_is_that_measure_beside_other_terms(kb: KnowledgeBase) -> None:
    found = _entities(kb, "俺们荣成的合作社想建个农科驿战，政府给补不")
    assert [(e["entity"], e["value"]) for e in found] == [
        ("district", "rongcheng"),
        ("applicant_type", "farmer"),
        ("measure", "xingchuang_nongke"),
    ]
