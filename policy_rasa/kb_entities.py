"""The knowledge base's entities in a message, whole, with their KB ids as values; no Rasa here, so the
answer engine's tests and the frame table run without TensorFlow (policy_rasa.entities wraps this for Rasa).

Sources, surest first: money ('200万', '两百万元', '1.5亿', value in yuan), the spaCy entity ruler (on the
KB-aware segmentation), the same terms matched on characters where jieba still glued a term to its
neighbour ('荣成县里' hides 荣成), one-character typos of measure names (创新卷, 特派圆), and last, where no
measure was named at all, shorthand ('驿站', '研补').
"""

from __future__ import annotations

from typing import Any

from policy_answers.clean import official_text
from policy_answers.language import language
from policy_kb.figures import money_spans
from policy_kb.terms import TermIndex
from policy_rasa.spacy_zh import LABELS, PRECEDENCE, PRODUCT_MARK

SHORTHAND_CONFIDENCE = 0.7  # below a typo's 0.8: a clearer hit elsewhere wins
SHORTHAND_MAX_USES = 3  # a word the document uses more often than this names no one measure


def extract_entities(text: str, doc: Any, terms: dict[str, TermIndex]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    covered = [False] * len(text)

    def add(entity: str, value: Any, start: int, end: int, confidence: float = 1.0) -> None:
        if any(covered[start:end]):
            return
        covered[start:end] = [True] * (end - start)
        found.append({"entity": entity, "value": value, "start": start, "end": end,
                      "text": text[start:end], "confidence_entity": confidence})
        if isinstance(value, str) and value.endswith(PRODUCT_MARK):
            found[-1].update(value=value.removesuffix(PRODUCT_MARK), product=True)

    for start, end, _surface, yuan in money_spans(text):
        add("money", yuan, start, end)
    for ent in doc.ents:
        if ent.label_ in LABELS:
            add(LABELS[ent.label_], ent.ent_id_, ent.start_char, ent.end_char)
    cue_words = _with_cue_words(text, [False] * len(text))
    for entity in PRECEDENCE:
        for hit in terms[entity].find(text, fuzzy=entity == "measure"):
            if hit.fuzzy and any(cue_words[hit.start:hit.end]):
                continue  # '标准是' asks about a standard, it is no typo of 标准制定
            add(entity, hit.key, hit.start, hit.end, 0.8 if hit.fuzzy else 1.0)
    if not any(e["entity"] == "measure" for e in found):
        # shorthand ('驿站 补多少', '研补 封顶') only where no measure is named in full, never from the
        # words that say what is asked ('县级', '比例'), nor from words the document uses everywhere ('威海')
        masked = [a or b for a, b in zip(covered, cue_words, strict=True)]
        for hit in terms["measure"].shorthand(text, masked):
            if official_text().count(hit.text) <= SHORTHAND_MAX_USES:
                add("measure", hit.key, hit.start, hit.end, SHORTHAND_CONFIDENCE)
    return sorted(found, key=lambda e: e["start"])


def _with_cue_words(text: str, covered: list[bool]) -> list[bool]:
    """The positions of the words that say what is asked ('县级', '比例'): never read as shorthand."""
    lang = language()
    masked = list(covered)
    for cue in (*lang.aspects.values(), *lang.levels.values(), *lang.themes.values(), lang.theme_question,
                lang.profile, lang.target_question, lang.yes_no, lang.open_question):
        for match in cue.finditer(text):
            masked[match.start():match.end()] = [True] * (match.end() - match.start())
    return masked
