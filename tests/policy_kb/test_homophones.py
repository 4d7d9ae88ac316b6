"""Terms typed with a pinyin keyboard's wrong candidate reach the term, and no term is read as another."""

from __future__ import annotations

import pytest

from policy_kb.query import KnowledgeBase
from policy_kb.terms import TermIndex, sound_of
from tests.conversations.noise import homophone, pinyin_typo


def _measure_index(kb: KnowledgeBase) -> TermIndex:
    return TermIndex((term, key) for key, terms in kb.term_lists()["measure"].items() for term in terms)


def test_sounds_ignore_tones_and_non_chinese() -> None:
    assert sound_of("员") == sound_of("园") == "yuan"
    assert sound_of("a") is None and sound_of("，") is None


@pytest.mark.parametrize(
    "typed, measure",
    [
        ("俺村来了个科技特拍员 人家干得好给多少钱", "tech_commissioner"),
        ("咱村想建个农科驿战 政府给补不", "xingchuang_nongke"),
        ("研发补主最多给多少", "rd_subsidy"),
        ("科技创新卷咋用", "innovation_voucher"),
    ],
)
def test_a_homophone_typo_reaches_its_measure(kb: KnowledgeBase, typed: str, measure: str) -> None:
    assert [h.key for h in _measure_index(kb).find(typed)] == [measure]


def test_every_measure_term_survives_a_homophone(kb: KnowledgeBase) -> None:
    """Each name and alias of three or more Chinese characters, with one character swapped for a homophone,
    is still its own measure and never another one."""
    index = _measure_index(kb)
    checked = 0
    for key, terms in kb.term_lists()["measure"].items():
        for term in terms:
            typed = pinyin_typo(term)
            if typed == term:
                continue
            checked += 1
            found = {h.key for h in index.find(typed)}
            assert found <= {key} | {k for k, ts in kb.term_lists()["measure"].items() if term in ts}, (term, typed)
    assert checked > 100


def test_homophone_is_another_character_with_the_same_sound() -> None:
    other = homophone("员")
    assert other is not None and other != "员" and sound_of(other) == "yuan"
