"""User text in one comparable form, before anything tries to understand it.

The NLU pipeline's first component and the answer engine both call `clean`, so a traditional-character
question, one wrapped in markup or emoji, or one carrying a phone number reads like the plain question:
- compatibility forms folded (NFKC: full-width letters and digits, ligatures), but the Chinese
  punctuation the training data and the KB's names are written with is kept as it is;
- traditional characters to simplified (OpenCC's t2s dictionaries, shipped in its wheel);
- HTML tags, entities, script bodies, URLs and emoji removed;
- phone, ID-card, bank-card numbers and e-mail addresses replaced by placeholders, so they never become
  features and can never be echoed back;
- pleasantries around a question taken off ('你好，…', '…，谢谢', '我电话【电话】，…'), unless nothing
  else is left (policy_answers/data/language.yml);
- a knowledge-base term typed with a pinyin keyboard's homophone written as the term ('科技特派元');
- spaces squeezed. (Case is left alone: the KB's terms match English in any case.)

`clean` is idempotent: cleaning cleaned text changes nothing.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import opencc

from infra.pii import HALF_WIDTH, PATTERNS
from policy_answers.language import language
from policy_kb.loader import data_files, load_file
from policy_kb.query import KnowledgeBase
from policy_kb.terms import TermIndex, document_words

# What a personal number becomes; the NLU is trained with these in place of the numbers.
PLACEHOLDERS = {"email": "【邮箱】", "long_number": "【证件号】", "mobile": "【电话】", "landline": "【电话】"}
# Chinese punctuation NFKC would turn into ASCII; the data and the KB's names use the full-width forms.
_KEEP = frozenset("，；：？！（）～＂＇［］｛｝｜＜＞")
_SCRIPT = re.compile(r"<(script|style)\b[^>]*>.*?(</\1\s*>|$)", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"</?[A-Za-z!][^<>]{0,300}>")
_URL = re.compile(r"(?:https?://|www\.)[^\s，。；！？\u4e00-\u9fff]+", re.IGNORECASE)
_MARKDOWN = re.compile(r"!?\[([^\]]*)\]\([^)]*\)|[*_`#>~]{2,}")
_SPACES = re.compile(r"\s+")
_MEANINGFUL = re.compile(r"[\u4e00-\u9fffA-Za-z0-9【】]")


@lru_cache(maxsize=1)
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def _fold(char: str) -> str:
    if char in _KEEP or char.isascii():
        return char
    if _is_emoji(char):
        return " "
    return unicodedata.normalize("NFKC", char)


def _is_emoji(char: str) -> bool:
    code = ord(char)
    if 0x1F000 <= code <= 0x1FAFF or 0x2600 <= code <= 0x27BF or 0xFE00 <= code <= 0xFE0F or code == 0x200D:
        return True
    return unicodedata.category(char) == "So"


def strip_markup(text: str) -> str:
    text = html.unescape(html.unescape(text))  # '&amp;lt;b&amp;gt;' arrives escaped twice
    text = _SCRIPT.sub(" ", text)
    text = _TAG.sub(" ", text)
    text = _MARKDOWN.sub(lambda m: m.group(1) or " ", text)
    return _URL.sub(" ", text)


def replace_personal_numbers(text: str) -> str:
    for kind, pattern in PATTERNS:
        probe = text.translate(HALF_WIDTH)
        pieces, last = [], 0
        for match in pattern.finditer(probe):
            pieces += [text[last : match.start()], PLACEHOLDERS[kind]]
            last = match.end()
        text = "".join(pieces) + text[last:]
    return text


def strip_pleasantries(text: str) -> str:
    """Pleasantries off both ends, one at a time, as long as something else is left ('我电话【电话】，你好'
    keeps 你好)."""
    lang = language()
    for pattern in (lang.pleasantry_first, lang.pleasantry_last):
        while (match := pattern.search(text)) and match.group(0):
            rest = (text[: match.start()] + text[match.end() :]).strip()
            if len(_MEANINGFUL.findall(rest)) < 2:  # '谢谢啊' is thanks, not a question '啊'
                break
            text = rest
    return text


# A message longer than this is a paste or a long story: the question is found in it (`focus`).
FOCUS_CHARS = 120
_SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]*")
_ASKS = re.compile(r"[？?]|吗|多少|怎么|如何|哪|谁|什么|啥|能否|是否|可否|几")
_MONEY_WORD = re.compile(r"\d+(?:\.\d+)?\s*(?:万|亿)?元?")
_OFFICIAL_TEXTS = Path(__file__).resolve().parent.parent / "policy_kb" / "data"


@lru_cache(maxsize=1)
def official_text() -> str:
    """The official texts beside the KB's data files, without whitespace: a pasted sentence of them is
    the document, not the user's question."""
    return "".join("".join(t.read_text(encoding="utf-8").split()) for t in sorted(_OFFICIAL_TEXTS.glob("*.txt")))


def focus(text: str) -> str:
    """The question in a long message: the document's own sentences pasted into it are dropped; of a long
    story, the closing questions are kept with the earlier sentences that share a figure with them ('初步核定的
    补助额为600万元…' for '这600万元里县级承担多少')."""
    if len(text) <= FOCUS_CHARS:
        return text
    official = official_text()
    kept = [_unofficial(s, official) for s in (m.group(0).strip() for m in _SENTENCE.finditer(text)) if s]
    kept = [s for s in kept if s]
    if sum(map(len, kept)) <= FOCUS_CHARS * 2 or not kept:
        return "".join(kept) or text
    last = len(kept)
    while last > 0 and not _ASKS.search(kept[last - 1]):
        last -= 1
    first = last
    while first > 0 and _ASKS.search(kept[first - 1]):
        first -= 1
    if last == 0:
        return "".join(kept)
    questions = kept[first:last]
    figures = {f.strip() for q in questions for f in _MONEY_WORD.findall(q) if f.strip()[:1].isdigit()}
    linked = [s for s in kept[:first] if any(f in s for f in figures)]
    return "".join([*linked, *questions])


_LEAD_IN = re.compile(r"[“「：:]")


def _unofficial(sentence: str, official: str) -> str:
    """A sentence without the document's own words in it: '麻烦帮我看看：“（六）培育壮大创新型企业。' keeps
    its lead-in ('麻烦帮我看看：'), a sentence of the document alone is dropped; short ones are kept."""
    if len(sentence) < 10:
        return sentence
    squeezed = "".join(sentence.split()).strip("“”「」（）()").rstrip("。；;")
    if squeezed in official:
        return ""
    cut = [m.end() for m in _LEAD_IN.finditer(sentence)]
    if cut:
        tail = "".join(sentence[cut[-1] :].split()).strip("“”「」（）()").rstrip("。；;")
        if len(tail) >= 6 and tail in official:
            return sentence[: cut[-1]]
    return sentence


@lru_cache(maxsize=1)
def _terms() -> TermIndex:
    """Every name and alias of the knowledge base's data files (measures, targets, places, applicants, units)."""
    pairs = []
    for path in data_files():
        kb = KnowledgeBase(load_file(path))
        for kinds in kb.term_lists().values():
            pairs += [(term, key) for key, terms in kinds.items() for term in terms]
        # the document's own longer words too ('海洋木场' is 海洋牧场, '休闲鱼业' 休闲渔业): a user who types
        # them means the place that says them
        known = {term for term, _key in pairs}  # a KB term keeps its one meaning (乡土人才 is the farmers')
        pairs += [(w, "document") for w in document_words(" ".join(c.text for c in kb.data.clauses)) if w not in known]
    return TermIndex(pairs)


def respell(text: str) -> str:
    """A KB term typed with a pinyin keyboard's wrong candidate, written as the term ('科技特派元' → 科技特派员,
    '国家创新型先（市）' → 国家创新型县（市）): the classifier then sees the words it was trained on. Only a
    window that sounds exactly like one term, of three Chinese characters or more."""
    for hit in sorted(
        (h for h in _terms().find(text, fuzzy=False, sounds=True) if h.fuzzy), key=lambda h: h.start, reverse=True
    ):
        text = text[: hit.start] + hit.term + text[hit.end :]
    return text


def normalized(text: str) -> str:
    """The whole message in the words the engine reads (markup, personal numbers, width, traditional
    characters and pinyin typos undone), before the question is found in it: what a pasted draft says."""
    # Masked numbers first ('138****5678', as the gateway sends them): the markup stripper would take
    # their stars for Markdown emphasis.
    text = strip_markup(replace_personal_numbers(text))
    text = replace_personal_numbers(text)  # before folding, on the positions the patterns expect
    text = "".join(_fold(char) for char in text)
    text = _converter().convert(text)
    # respelt first: a pasted clause with a typo in it is still the document's own words (focus drops them)
    return respell(text)


def clean(text: str) -> str:
    return strip_pleasantries(_SPACES.sub(" ", focus(normalized(text))).strip())
