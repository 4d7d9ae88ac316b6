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

from policy_rasa.kb_entities import ruler_patterns

TOKENIZER_NAME = "policy_rasa.kb_jieba_tokenizer.v1"
_WORDS_FILE = "kb_words.json"


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


def build_pipeline(term_lists: dict[str, dict[str, list[str]]], products: frozenset[str] = frozenset()) -> Language:
    """`term_lists`: entity name -> KB id -> surface forms (policy_kb's KnowledgeBase.term_lists());
    `products`: the measures' product words."""
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"@tokenizers": TOKENIZER_NAME}}})
    words = {term for ids in term_lists.values() for terms in ids.values() for term in terms}
    nlp.tokenizer.add_words(words)
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "ORTH", "overwrite_ents": True})
    ruler.add_patterns(ruler_patterns(term_lists, products))
    return nlp
