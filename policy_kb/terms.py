"""Finding the knowledge base's terms in what people type: exact names and aliases first (longest
wins), then what a pinyin keyboard's wrong candidates make of them (科技特拍员, 农科驿战: the same sounds,
pypinyin's readings), then one-character typos (创新卷 for 创新券, 特派圆 for 特派员) on the parts left over.

Typos use symmetric deletion (as in SymSpell): two strings are one edit apart when they share a
one-character deletion, so matching costs a few dictionary look-ups rather than edit distances.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from pypinyin.pinyin_dict import pinyin_dict

_MIN_FUZZY_LEN = 3  # two-character words are too easy to mistake for one another
_MIN_INDEL_LEN = 4  # a missing or extra character in a three-character word changes the word
_CJK_TERM = re.compile(r"[\u4e00-\u9fff]{3,}")
_CJK_CHAR = re.compile(r"[\u4e00-\u9fff]")
# a hotline agent's token: two or three Chinese characters standing alone ('研补 封顶')
_TOKEN = re.compile(r"(?<![\u4e00-\u9fff])[\u4e00-\u9fff]{2,3}(?![\u4e00-\u9fff])")


@dataclass(frozen=True)
class TermHit:
    key: str  # what the term stands for (a measure id, a district id …)
    term: str  # the dictionary form that matched
    text: str  # the user's own characters
    start: int
    end: int
    fuzzy: bool


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


# English and pinyin terms match in any case ('R&D subsidy', 'r&d subsidy'); only ASCII is folded, so
# positions in the folded text are positions in the user's text.
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


class TermIndex:
    def __init__(self, terms: Iterable[tuple[str, str]]) -> None:
        self._exact: dict[str, set[str]] = defaultdict(set)
        for term, key in terms:
            if term:
                self._exact[term.translate(_ASCII_LOWER)].add(key)
        self._lengths = sorted({len(t) for t in self._exact}, reverse=True)
        # first character → lengths of the terms starting with it: each position of a message is
        # tried only with the lengths a term there could have
        self._starting: dict[str, set[int]] = defaultdict(set)
        for term in self._exact:
            self._starting[term[0]].add(len(term))
        self._fuzzy: dict[str, set[str]] = defaultdict(set)
        self._short: tuple[dict[str, set[str]], dict[str, set[str]]] | None = None
        self._by_sound: tuple[dict[tuple[str, ...], str], dict[str, tuple[int, ...]]] | None = None
        # Windows that can be one edit from a term, found from their ends: one substitution, insertion
        # or deletion leaves a term's first two or last two characters in place (a three-character
        # term's substitution in the middle leaves its first and last). Bigram → window lengths.
        self._head_lengths: dict[str, set[int]] = defaultdict(set)
        self._tail_lengths: dict[str, set[int]] = defaultdict(set)
        self._ends3: set[str] = set()
        for term in self._exact:
            if len(term) >= _MIN_FUZZY_LEN:
                for variant in _deletions(term):
                    self._fuzzy[variant].add(term)
                for length in (len(term) - 1, len(term), len(term) + 1):
                    if length >= _MIN_FUZZY_LEN:
                        self._head_lengths[term[:2]].add(length)
                        self._tail_lengths[term[-2:]].add(length)
                if len(term) == _MIN_FUZZY_LEN:
                    self._ends3.add(term[0] + term[-1])

    def find(self, text: str, fuzzy: bool = True, sounds: bool | None = None) -> list[TermHit]:
        """Non-overlapping hits, left to right, longest exact match first. Linear in the length of
        the text: each position is tried with the few lengths a term there could have."""
        hits: list[TermHit] = []
        original, text = text, text.translate(_ASCII_LOWER)
        covered = [False] * len(text)
        size = len(text)
        matches = [
            (length, start, text[start : start + length])
            for start, char in enumerate(text)
            for length in self._starting.get(char, ())
            if start + length <= size and text[start : start + length] in self._exact
        ]
        if fuzzy if sounds is None else sounds:  # a longer term heard beats a shorter one spelt right inside it
            matches += self._homophones(original)
        for length, start, term in sorted(matches, key=lambda m: (-m[0], m[2] != text[m[1] : m[1] + m[0]], m[1])):
            if any(covered[start : start + length]):
                continue
            window = original[start : start + length]
            for key in sorted(self._exact[term]):
                hits.append(TermHit(key, term, window, start, start + length, term != text[start : start + length]))
            covered[start : start + length] = [True] * length
        if fuzzy:
            hits += self._fuzzy_hits(text, covered)
        return sorted(hits, key=lambda h: (h.start, -h.end))

    def _homophones(self, text: str) -> list[tuple[int, int, str]]:
        """(length, start, term) of the windows that sound like exactly one term but are spelt otherwise: a
        pinyin keyboard's wrong candidates ('科技特拍员', '农科驿战', '研发补主'). Each position is tried with
        the lengths of the terms whose first syllable it has, as `find` does with first characters."""
        index, lengths = self._sounds()
        sounds = [_sound_key(char) for char in text]
        found = []
        for start, first in enumerate(sounds):
            for length in lengths.get(first, ()):
                end = start + length
                term = index.get(tuple(sounds[start:end])) if end <= len(text) else None
                if term is not None and text[start:end] not in self._exact:
                    found.append((length, start, term))
        return found

    def _sounds(self) -> tuple[dict[tuple[str, ...], str], dict[str, tuple[int, ...]]]:
        """Chinese terms of three or more characters by their pinyin without tones, where the sound names
        one key only (the first such term stands for it), and by first syllable the lengths of those
        sounds. Made once: this runs on every message."""
        if self._by_sound is None:
            index: dict[tuple[str, ...], set[str]] = defaultdict(set)
            for term in self._exact:
                # three Chinese characters or more ('国家创新型县（市）' too: its brackets must match as typed)
                if len(_CJK_CHAR.findall(term)) >= _MIN_FUZZY_LEN:
                    index[tuple(_sound_key(char) for char in term)].add(term)
            unique = {
                sound: min(terms)
                for sound, terms in index.items()
                if len({key for term in terms for key in self._exact[term]}) == 1
            }
            lengths: dict[str, set[int]] = defaultdict(set)
            for sound in unique:
                lengths[sound[0]].add(len(sound))
            self._by_sound = (unique, {first: tuple(sorted(n)) for first, n in lengths.items()})
        return self._by_sound

    def shorthand(
        self, text: str, covered: list[bool], corpus: str = "", max_uses: int = 3, words: bool = True
    ) -> list[TermHit]:
        """Terms typed short, where nothing else was found: a word of one key's terms only ('驿站' of
        农科驿站, '顾问' of 科技顾问制度), or a two- or three-character token made of a term's first
        character and later ones in order ('研补' for 研发补助). A part that several keys share says nothing,
        nor one the `corpus` (the document) uses more than `max_uses` times ('威海'). Without `words`, only
        the standalone tokens count (a keyword search has no cue words to mask)."""
        return [hit for hit in self._shorthand(text, covered, words) if corpus.count(hit.text) <= max_uses]

    def _shorthand(self, text: str, covered: list[bool], words: bool) -> list[TermHit]:
        parts, abbreviations = self._short_forms()
        hits: list[TermHit] = []
        for start, end in _word_spans(text) if words else []:
            word = text[start:end]
            if end - start >= 2 and not any(covered[start:end]) and len(parts.get(word, ())) == 1:
                hits.append(TermHit(next(iter(parts[word])), word, word, start, end, True))
        for match in _TOKEN.finditer(text):
            start, end = match.span()
            token = match.group(0)
            if any(covered[start:end]) or any(h.start < end and start < h.end for h in hits):
                continue
            keys = abbreviations.get(token, set()) | parts.get(token, set())
            if len(keys) == 1:
                hits.append(TermHit(next(iter(keys)), token, token, start, end, True))
        return sorted(hits, key=lambda h: h.start)

    def _short_forms(self) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
        if self._short is None:
            parts: dict[str, set[str]] = defaultdict(set)
            abbreviations: dict[str, set[str]] = defaultdict(set)
            for term, keys in self._exact.items():
                if not _CJK_TERM.fullmatch(term):
                    continue
                for size in range(2, min(len(term), 5)):
                    for start in range(len(term) - size + 1):
                        parts[term[start : start + size]].update(keys)
                for second in range(2, len(term)):
                    abbreviations[term[0] + term[second]].update(keys)
                    for third in range(second + 1, len(term)):
                        abbreviations[term[0] + term[second] + term[third]].update(keys)
            self._short = (dict(parts), dict(abbreviations))
        return self._short

    def _typo_windows(self, text: str) -> list[tuple[int, int]]:
        """(length, start) of the windows that may be one edit from a term, longest first."""
        size = len(text)
        windows: set[tuple[int, int]] = set()
        for start in range(size - 1):
            bigram = text[start : start + 2]
            windows.update((length, start) for length in self._head_lengths.get(bigram, ()) if start + length <= size)
            windows.update(
                (length, start + 2 - length) for length in self._tail_lengths.get(bigram, ()) if start + 2 >= length
            )
            if start + _MIN_FUZZY_LEN <= size and text[start] + text[start + 2] in self._ends3:
                windows.add((_MIN_FUZZY_LEN, start))
        return sorted(windows, key=lambda w: (-w[0], w[1]))

    def _fuzzy_hits(self, text: str, covered: list[bool]) -> list[TermHit]:
        hits: list[TermHit] = []
        boundaries: set[int] | None = None
        words: tuple[tuple[int, int], ...] = ()
        for length, start in self._typo_windows(text):
            if any(covered[start : start + length]):
                continue
            window = text[start : start + length]
            if not window.isalnum():
                continue  # a typo is a wrong character, not punctuation ('，特派' is no 科特派)
            candidates = self._candidates(window)
            if not candidates:
                continue
            if boundaries is None:
                words = _word_spans(text)
                boundaries = {0} | {end for _, end in words}
            # a typo replaces a word: a window cutting through a real word ('创新型企' of
            # '创新型企业') or being one ('创新型') is not a misspelt term
            if start not in boundaries or start + length not in boundaries or _is_common_word(window):
                continue
            candidates = {t for t in candidates if _garbles(t, window, start, words)}
            if not candidates:
                continue
            term = min(candidates, key=lambda t: (abs(len(t) - len(window)), t))
            for key in sorted(self._exact[term]):
                hits.append(TermHit(key, term, window, start, start + length, True))
            covered[start : start + length] = [True] * length
        return hits

    def _candidates(self, window: str) -> set[str]:
        found: set[str] = set()
        if len(window) >= _MIN_FUZZY_LEN:
            # the same length: one substitution (both lose the changed character at one position)
            for i in range(len(window)):
                variant = window[:i] + window[i + 1 :]
                for term in self._fuzzy.get(variant, ()):
                    if len(term) == len(window) and _one_substitution(term, window):
                        found.add(term)
        if len(window) < _MIN_INDEL_LEN:
            return found
        # one character too many in the window: dropping it gives the term
        for variant in _deletions(window):
            if variant in self._exact and len(variant) >= _MIN_INDEL_LEN:
                found.add(variant)
        # one character missing from the window: the term minus one character is the window
        for term in self._fuzzy.get(window, ()):
            if len(term) == len(window) + 1:
                found.add(term)
        return found


@lru_cache(maxsize=8192)
def sound_of(char: str) -> str | None:
    """A Chinese character's pinyin without tone (its first reading, as a pinyin keyboard lists it first);
    None for anything else."""
    if not "\u4e00" <= char <= "\u9fff":
        return None
    reading = pinyin_dict.get(ord(char))
    if not reading:
        return None
    return unicodedata.normalize("NFKD", reading.split(",")[0]).encode("ascii", "ignore").decode()


def _sound_key(char: str) -> str:
    """What a character contributes to how a term sounds: its pinyin, or itself when it is not Chinese."""
    return sound_of(char) or char.translate(_ASCII_LOWER)


def _one_substitution(a: str, b: str) -> bool:
    return sum(x != y for x, y in zip(a, b, strict=True)) == 1


def warm_segmenter() -> None:
    """Load jieba's dictionary now rather than in the first turn that needs a word split."""
    _word_spans("研发补助")


def _is_common_word(text: str) -> bool:
    import jieba  # imported late: its dictionary takes a moment to load and most callers never need it

    return bool(jieba.get_FREQ(text))


def word_spans(text: str) -> tuple[tuple[int, int], ...]:
    """Where jieba puts the word boundaries of `text` (start, end), without its HMM guesses."""
    return _word_spans(text)


@lru_cache(maxsize=1024)
def _word_spans(text: str) -> tuple[tuple[int, int], ...]:
    # kept: a message is split for its short forms, its typos and the engine's sentence steps alike
    import jieba

    spans, position = [], 0
    for word in jieba.cut(text, HMM=False):
        spans.append((position, position + len(word)))
        position += len(word)
    return tuple(spans)


def _garbles(term: str, window: str, start: int, words: tuple[tuple[int, int], ...]) -> bool:
    """Is `window` the term garbled, rather than other words? A typo garbles a word of the term; it does
    not put a real word where the term has none ('创新型城市' is not '创新型区市' misspelt: 城市 is a
    word, 区市 is not one of the term's), nor leave out a whole word ('国家创新型' of '国家创新型县')."""
    term_words = _word_spans(term)
    if len(term) == len(window):
        changed = start + next(i for i, (a, b) in enumerate(zip(term, window, strict=True)) if a != b)
        first, last = next((a, b) for a, b in words if a <= changed < b)
        if last - first < 2:
            return True
        # a word of the term garbled ('特拍' for 特派), not another word in its place ('科技支持' is no
        # 科技支行: 支持 is a word of its own)
        said = "".join(window[first - start : last - start])
        return (first - start, last - start) in term_words and not _is_common_word(said)
    if len(term) == len(window) + 1:
        if term[1:] == window and term_words[0] == (0, 1):
            return False
        if term[:-1] == window and term_words[-1] == (len(term) - 1, len(term)):
            return False
    return True


# A run of the document's characters this long is its own vocabulary ('海洋牧场', '休闲渔业'): four
# syllables that sound exactly like it are hardly anything else.
DOCUMENT_WORD_CHARS = 4


def document_words(text: str) -> list[str]:
    """Every run of four Chinese characters in the document's text, each once."""
    runs = re.findall(r"[\u4e00-\u9fff]+", text)
    n = DOCUMENT_WORD_CHARS
    return sorted({run[i : i + n] for run in runs for i in range(len(run) - n + 1)})
