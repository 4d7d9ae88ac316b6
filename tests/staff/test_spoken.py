"""The copy text: what an agent reads out on the phone."""

from __future__ import annotations

from bot.staff.spoken import LINE_MAX_CHARS, card_text
from policy_answers import render
from policy_kb.query import KnowledgeBase


def test_every_measure_reads_as_short_plain_lines_ending_with_the_citation(kb: KnowledgeBase) -> None:
    for measure in kb.measures:
        card = render.card(kb, measure)
        text = card_text(card)
        lines = text.split("\n")
        assert lines[0] == measure.name
        assert lines[-1] == kb.citation(measure.clause)
        assert any(line.startswith("牵头单位：") for line in lines)
        assert all(line == line.strip() and line for line in lines), measure.id
        # a line may run over only where a document's title leaves no pause to break at
        assert all(len(line) <= LINE_MAX_CHARS or "《" in line for line in lines), (measure.id, lines)


def test_no_markup_and_nothing_lost_when_lines_are_broken(kb: KnowledgeBase) -> None:
    for measure in kb.measures:
        card = render.card(kb, measure)
        text = card_text(card)
        assert not any(mark in text for mark in ("<", ">", "*", "#", "`", "•", "·"))
        flat = text.replace("\n", "")
        assert card["support"].rstrip("。") in flat
        assert card["amount"].rstrip("。") in flat
