"""A blank Chinese spaCy pipeline whose jieba segmenter knows every term of the knowledge base.

spaCy's own Chinese tokenizer uses jieba's process-wide dictionary, which is not saved with the
model; here the tokenizer owns a private jieba dictionary extended with the KB's terms and saves
them with the model, so a model on disk always segments the way it was built. Without the terms,
jieba glues a policy term to its neighbour ('科技创新券补多少' loses 科技创新券) and the entity ruler,
which matches whole tokens only, misses it.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import get_words_and_spaces
from spacy.vocab import Vocab

from policy_kb.terms import TermIndex

TOKENIZER_NAME = "policy_rasa.kb_jieba_tokenizer.v1"
_WORDS_FILE = "kb_words.json"
# Entity labels of the ruler, as Rasa entity names
LABELS = {"MEASURE": "measure", "DISTRICT": "district", "APPLICANT_TYPE": "applicant_type",
          "UNIT": "unit", "TARGET": "target"}
PRECEDENCE = ["measure", "district", "applicant_type", "unit", "target"]


@functools.lru_cache(maxsize=4)
def _segmenter_for(words: tuple[str, ...]) -> Any:
    """A jieba dictionary with `words` added, shared by every pipeline loaded with the same words.

    Rasa loads the spaCy pipeline twice per model (its `provide_` and `run_` graph nodes); building
    the dictionary (jieba's default one plus the KB's terms) took about 0.8-1.5 s each time, on the
    critical path of a restarted Rasa process. The dictionary is only read after it is built.
    """
    import jieba

    segmenter = jieba.Tokenizer()
    for word in words:
        segmenter.add_word(word)  # jieba picks a frequency that keeps the word whole
    segmenter.initialize()  # now, not on the first message
    return segmenter


class KBJiebaTokenizer:
    def __init__(self, vocab: Vocab, words: Iterable[str] = ()) -> None:
        self.vocab = vocab
        self.words: list[str] = sorted(set(words))
        self._jieba: Any = None

    def _segmenter(self) -> Any:
        if self._jieba is None:
            self._jieba = _segmenter_for(tuple(self.words))
        return self._jieba

    def __call__(self, text: str) -> Doc:
        words = [w for w in self._segmenter().cut(text, HMM=True) if w]
        words, spaces = get_words_and_spaces(words, text)
        return Doc(self.vocab, words=words, spaces=spaces)

    def add_words(self, words: Iterable[str]) -> None:
        self.words = sorted(set(self.words) | set(words))
        self._jieba = None

    def to_bytes(self, **_: Any) -> bytes:
        return json.dumps(self.words, ensure_ascii=False).encode("utf-8")

    def from_bytes(self, data: bytes, **_: Any) -> KBJiebaTokenizer:
        self.words = json.loads(data.decode("utf-8"))
        self._jieba = None
        return self

    def to_disk(self, path: str | Path, **_: Any) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / _WORDS_FILE).write_text(json.dumps(self.words, ensure_ascii=False, indent=0), encoding="utf-8")

    def from_disk(self, path: str | Path, **_: Any) -> KBJiebaTokenizer:
        self.words = json.loads((Path(path) / _WORDS_FILE).read_text(encoding="utf-8"))
        self._jieba = None
        return self


@spacy.registry.tokenizers(TOKENIZER_NAME)
def create_kb_jieba_tokenizer() -> Callable[[Language], KBJiebaTokenizer]:
    def make(nlp: Language) -> KBJiebaTokenizer:
        return KBJiebaTokenizer(nlp.vocab)

    return make


# A pattern id "agri_key_tech#product" marks a surface that names a measure only through a product it
# supports ('海参'): the extractor passes the id on and flags the entity.
PRODUCT_MARK = "#product"


def build_pipeline(term_lists: dict[str, dict[str, list[str]]], products: frozenset[str] = frozenset()) -> Language:
    """`term_lists`: entity name -> KB id -> surface forms (policy_kb's KnowledgeBase.term_lists());
    `products`: the measures' product words."""
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"@tokenizers": TOKENIZER_NAME}}})
    words = {term for ids in term_lists.values() for terms in ids.values() for term in terms}
    nlp.tokenizer.add_words(words)
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "ORTH", "overwrite_ents": True})
    ruler.add_patterns(ruler_patterns(term_lists, products))
    return nlp


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
