"""Reading a message as a frame, and a follow-up as a change to the last one.

A frame is what a message asks, as data: its subject (measures, a clause, targets, a theme, the document
itself), the aspect asked about, the operation (look up, add, count × amount, compare), qualifiers (a year,
how briefly to answer) and whether it corrects the previous question. A message that names only part of a
frame ('县呢', '谁牵头', '上一条的依据是哪条', '说简单点') inherits the rest from the last frame; a correction
('不对，我问的是乡镇') replaces what it names and is answered again.

`read` sees only the message and the knowledge base; `follow` merges it onto the last frame, which the
adapters keep in the `frame` slot (`Frame.to_slot` / `Frame.from_slot`). The subject names its document, so a
second document is data. DIET's intent is one signal among the KB's terms and the cue words here.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from enum import Enum
from typing import Any

from policy_answers.language import Language
from policy_kb.clause_numbers import CLAUSE_FORMS, clause_refs, numeral, numeral_value, part_titles
from policy_kb.figures import money_spans
from policy_kb.query import KnowledgeBase
from policy_kb.schema import Clause


class Subject(str, Enum):
    measure = "measure"  # one or more measures
    clause = "clause"  # a clause named by its number or title
    targets = "targets"
    theme = "theme"
    document = "document"  # the document itself: structure, summary, validity, issuer…
    none = "none"  # nothing named: a partial frame, or small talk


class Operation(str, Enum):
    lookup = "lookup"
    add = "add"  # '县奖励和乡镇奖励加一块多少'
    multiply = "multiply"  # '两名特派员至少一共多少'
    compare = "compare"  # '县奖励比乡镇奖励多多少'


@dataclass(frozen=True)
class Frame:
    document: str
    subject: Subject = Subject.none
    measures: tuple[str, ...] = ()
    clause: str | None = None
    targets: tuple[str, ...] = ()
    theme: str | None = None
    aspect: str | None = None  # None: not said in words
    doc_aspect: str | None = None  # what is asked about the document itself
    operation: Operation = Operation.lookup
    count: int | None = None  # '两名' in a count × amount question
    year: int | None = None  # a year the question is about ('2025年还能申请吗')
    district: str | None = None
    applicant: str | None = None
    brevity: str | None = None  # 'short' ('说简单点') or 'long' ('详细点')
    part: str | None = None  # a part of the document named ('保障措施' → 三)
    correction: bool = False
    rest: str = ""  # the message without a correction's lead-in ('不对，我问的是镇' → '镇')
    qualifiers: tuple[str, ...] = field(default=())
    earlier: tuple[str, ...] = ()  # measures answered before these, latest first ('县呢' after 乡镇: 乡镇)

    @property
    def names_subject(self) -> bool:
        return self.subject is not Subject.none

    def to_slot(self) -> dict[str, Any]:
        data = asdict(self)
        data["subject"] = self.subject.value
        data["operation"] = self.operation.value
        data.pop("rest", None)
        return data

    @classmethod
    def from_slot(cls, data: Any) -> Frame | None:
        if not isinstance(data, dict) or "document" not in data:
            return None
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        try:
            known["subject"] = Subject(known.get("subject", "none"))
            known["operation"] = Operation(known.get("operation", "lookup"))
        except ValueError:
            return None
        for name in ("measures", "targets", "qualifiers", "earlier"):
            known[name] = tuple(known.get(name) or ())
        return cls(**known)


# --- reading ---------------------------------------------------------------------------------------

_YEAR = re.compile(r"(?<!\d)(20\d\d)\s*年?|([二〇零一三四五六七八九]{4})年")
_YEAR_DIGITS = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"零": "0"}


def years_in(text: str) -> list[int]:
    """'2025年', '二〇二五年' → 2025."""
    found = []
    for digits, spoken in _YEAR.findall(text):
        value = digits or "".join(_YEAR_DIGITS.get(c, "") for c in spoken)
        if len(value) == 4 and value.startswith("20"):
            found.append(int(value))
    return found


def read(
    text: str, entities: tuple[dict[str, Any], ...], kb: KnowledgeBase, lang: Language, intent: str | None = None
) -> Frame:
    """What the message says on its own (`text` is already cleaned)."""
    frames = lang.frames
    correction = frames.correction.search(text)
    rest = text[correction.end() :] if correction else text
    if correction:  # '不是研发补助，是创新券': what the correction names, not what it takes back
        entities = tuple(e for e in entities if e.get("start") is None or e["start"] >= correction.end()) or entities
    measures = tuple(dict.fromkeys(e["value"] for e in entities if e.get("entity") == "measure"))
    sure = [e for e in entities if e.get("entity") == "measure" and e.get("confidence_entity", 1.0) >= 1.0]
    targets = tuple(
        dict.fromkeys(
            [
                *(e["value"] for e in entities if e.get("entity") == "target" and not _described(e, text, lang)),
                *(h.key for h in kb.find_targets(without_description(text, lang))),
            ]
        )
    )
    districts = [e["value"] for e in entities if e.get("entity") == "district"]
    applicants = [e["value"] for e in entities if e.get("entity") == "applicant_type"]
    clauses = (
        clause_refs(text, kb.data.clauses)
        or titled_clause(text, kb, lang)
        or _title_word(text, kb, lang, bool(measures or targets))
    )
    doc_aspect = frames.document_aspect(text, intent)
    part = next((number for title, number in part_titles(kb.data.clauses).items() if title in text), None)
    if (
        doc_aspect is None
        and frames.this_document.search(text)
        and not measures
        and not clauses
        and len(residue(frames.this_document.sub("", text), lang)) <= frames.partial_max_chars
    ):
        doc_aspect = "all"  # '32号文' alone
    subject = Subject.none
    part_alone = (
        part is not None
        and not clauses
        and len(residue(text.replace(next(t for t, n in part_titles(kb.data.clauses).items() if n == part), ""), lang))
        <= frames.partial_max_chars
    )  # '保障措施呢': the part of the document, not a measure of that name
    if part_alone:
        subject, measures = Subject.document, ()
    elif (
        targets and not measures and doc_aspect != "structure" and all(kb.target(t).clause in clauses for t in targets)
    ):
        subject = Subject.targets  # 'the technology transaction volume target in 一（三）': that target
    elif targets and not measures and doc_aspect in ("date", "all", "validity"):
        subject = Subject.targets  # '…target in this document, and by when': the target and its year
    elif clauses and not any(kb.measure(m).clause in clauses for m in measures):
        subject = Subject.clause  # '（十二）…我们村想建农科驿站' names a measure of the clause: that measure
    elif doc_aspect == "structure" and part:  # '保障措施有几条': that part's clauses, whatever it names
        subject, measures = Subject.document, ()
    elif doc_aspect and not sure:
        subject = Subject.document
    elif targets and lang.target_question.search(text) and not read_money(text):
        subject = Subject.targets  # '到2020年要有多少科技特派员': the target, not the measure
    elif measures:
        subject = Subject.measure
    elif targets:
        subject = Subject.targets
    operation, count = _operation(text, lang) if subject is not Subject.document else (Operation.lookup, None)
    year = next((y for y in years_in(text) if y not in document_years(kb)), None)
    brevity = "short" if frames.shorter.search(text) else "long" if frames.longer.search(text) else None
    return Frame(
        document=kb.document.code,
        subject=subject,
        measures=measures,
        clause=clauses[0] if clauses else None,
        targets=targets,
        aspect=lang.aspect_of(rest),
        doc_aspect=doc_aspect,
        operation=operation,
        count=count,
        year=year,
        district=districts[0] if districts else None,
        applicant=applicants[0] if applicants else None,
        brevity=brevity,
        correction=bool(correction),
        rest=rest,
        part=part if subject is Subject.document else None,
    )


def titled_clause(text: str, kb: KnowledgeBase, lang: Language) -> list[str]:
    """The clause a message points at as "the clause on X" ('乡村振兴那条', '科技金融这一条'), X the longest
    end of the words before it that only one clause's title holds."""
    for match in lang.frames.that_clause.finditer(text):
        words = match.group(1)
        for start in range(len(words) - 1):
            holders = [c.id for c in kb.data.clauses if words[start:] in c.title]
            if len(holders) == 1:
                return holders
    return []


def title_words(text: str, clause: Clause) -> str:
    """The longest piece of `text` that `clause`'s title holds ('社会事业发展' of 促进社会事业发展)."""
    best = ""
    for start in range(len(text)):
        for end in range(start + len(best) + 1, len(text) + 1):
            if text[start:end] not in clause.title:
                break
            best = text[start:end]
    return best or "\u0000"


def _title_word(text: str, kb: KnowledgeBase, lang: Language, names_other: bool) -> list[str]:
    """'督导呢' after '宣传总结谁负责': a short message whose one word is part of exactly one clause's title
    (三（二）“加强指导督导”) names that clause."""
    if names_other:
        return []
    word = residue(text, lang)
    if not 2 <= len(word) <= lang.frames.partial_max_chars + 1 or not lang.frames.names_a_place(word):
        return []
    if kb.find_applicant_types(word) or kb.find_districts(word) or kb.find_units(word):
        return []  # '企业能申请吗', '乡镇呢': who, not which clause
    if any(cue.search(word) for cue in lang.levels.values()):
        return []
    holders = [c.id for c in kb.data.clauses if word in c.title]
    return holders if len(holders) == 1 else []


def kept_by_user(text: str, entities: list[dict[str, Any]], lang: Language) -> list[dict[str, Any]]:
    """`entities` without a district or applicant the user takes back ('县级（不是荣成）出多少'): whoever
    found them (the KB's matcher, DIET), they are not the user's."""
    return [
        e
        for e in entities
        if e.get("entity") not in ("district", "applicant_type")
        or not isinstance(e.get("start"), int)
        or not lang.frames.negation.search(text[max(0, e["start"] - 3) : e["start"]])
    ]


def self_described(
    text: str, entities: list[dict[str, Any]], kb: KnowledgeBase, lang: Language
) -> list[dict[str, Any]]:
    """'我们是一家技术转移服务机构，常年在乡镇给企业做检测': who the user is, is what they say they are
    (the head noun of the phrase, last in Chinese: 服务机构); the kinds they name afterwards (the 企业
    they serve, the 乡镇 they work in) are not them. A self-description that names no kind the document
    knows ('我是记者') leaves no applicant at all: no ✓ or ✗ for someone else."""
    span = _description(text, lang)
    if span is None:
        return entities
    lead_in, begin, end = span
    hits = kb.find_applicant_types(text[begin:end])
    others = [e for e in entities if e.get("entity") != "applicant_type"]
    if kb.passages(without_description(text, lang), lang.frames.passage_edges, lambda p: len(p) >= ASKED_PHRASE_CHARS):
        # '…技术转移服务机构，…这种公共创新服务有没有奖补': the rest names what is asked in the document's
        # words; a measure named inside who they are is who they are
        others = [e for e in others if not (e.get("entity") == "measure" and _described(e, text, lang))]
    if not hits:
        return others
    head = max(hits, key=lambda h: h.end)
    start = begin + head.start
    user = {
        "entity": "applicant_type",
        "value": head.key,
        "text": head.text,
        "start": start,
        "end": start + len(head.text),
    }
    return [user, *others]


# A phrase of the document this long outside who the user is names what they ask ('公共创新服务').
ASKED_PHRASE_CHARS = 5
_PHRASE_END = re.compile(r"[，,。；;？?！!\s]")


def _description(text: str, lang: Language) -> tuple[int, int, int] | None:
    """Where the user says who they are: the lead-in's start ('我们是'), the phrase's start and its end
    (the first punctuation after it): '我们是一家技术转移服务机构，…'."""
    said = lang.frames.self_description.search(text)
    if said is None:
        return None
    stop = _PHRASE_END.search(text, said.end())
    return said.start(), said.end(), stop.start() if stop else len(text)


def _described(entity: dict[str, Any], text: str, lang: Language) -> bool:
    """Whether an entity lies in the phrase where the user says who they are ('我们是技术转移服务机构')."""
    span, start = _description(text, lang), entity.get("start")
    return span is not None and isinstance(start, int) and span[1] <= start < span[2]


def without_description(text: str, lang: Language) -> str:
    """The message without the phrase that says who the user is: what they ask about."""
    span = _description(text, lang)
    return text if span is None else f"{text[: span[0]]}，{text[span[2] :]}"


def self_description_of(text: str, lang: Language) -> list[str]:
    """What the user says they are ('一家技术转移服务机构'); of '做土壤修复技术的公司' only '公司': what they
    do may be what they ask about."""
    span = _description(text, lang)
    return [] if span is None else [text[span[1] : span[2]].rpartition("的")[2]]


def read_money(text: str) -> bool:
    return bool(money_spans(text))


def document_years(kb: KnowledgeBase) -> set[int]:
    """Years the document itself names: a question about them is not about another year."""
    return {kb.document.issue_date.year, kb.document.period.end_year}


def _operation(text: str, lang: Language) -> tuple[Operation, int | None]:
    frames = lang.frames
    if frames.compare.search(text):
        return Operation.compare, None
    if not frames.total.search(text):
        return Operation.lookup, None
    counted = counts_said(text, lang)
    if len(counted) == 1 and counted[0] > 1:
        return Operation.multiply, counted[0]
    return Operation.add, None  # '一个县和两个镇': a sum of several


def counts_said(text: str, lang: Language) -> list[int]:
    """The counts a message says ('两名', '3个镇'), each once: '有两个特派员…他俩都被选上' is one count."""
    values = [count_value(m.group("n"), lang) for m in lang.frames.count.finditer(text.replace("俩", "两个"))]
    return list(dict.fromkeys(n for n in values if n))


def count_value(raw: str, lang: Language) -> int | None:
    """'两' → 2, '俩' → 2, '3' → 3."""
    return lang.frames.count_words.get(raw) or numeral_value(raw)


def core(text: str, lang: Language) -> str:
    """A short follow-up without its framing words: '那县呢？' → '县'."""
    return lang.frames.follow_up_frame.sub("", text)


_ENGLISH = re.compile(r"[A-Za-z][A-Za-z'\-]*")  # English is read by the cue words, not measured here
_PUNCTUATION = re.compile(r"[\s，,。.？?！!、：:；;~～的了呢吗吧啊呀嘛]")


def residue(text: str, lang: Language, named: tuple[str, ...] = ()) -> str:
    """What a message says beyond the frame's cue words and the KB terms it names: '那荣成呢' → '',
    '我能享受哪些政策' → '我些政策'. Little left means it only changes part of the last frame."""
    rest = _YEAR.sub("", core(text, lang))
    for word in sorted(named, key=len, reverse=True):
        rest = rest.replace(word, "")
    for cue in (*lang.aspects.values(), *lang.levels.values(), lang.open_question, lang.yes_no):
        rest = cue.sub("", rest)
    return _PUNCTUATION.sub("", _ENGLISH.sub("", rest))


def is_partial(frame: Frame, text: str, lang: Language, named: tuple[str, ...] = ()) -> bool:
    """A message that asks nothing of its own subject: it leans on the last frame."""
    if frame.names_subject:
        return False
    if frame.correction or frame.brevity or lang.frames.previous.search(text):
        return True
    return len(residue(text, lang, named)) <= lang.frames.partial_max_chars


# A follow-up names one short thing ('其中国家级的呢'); more than this is a question of its own.
FOLLOW_UP_MAX_CHARS = 8
_FOLLOW_UP_MARK = re.compile(r"^(?:那么?|还有|and|what about)|(?:呢|嘞|咧)[？?。！!\s]*$", re.IGNORECASE)


def is_follow_up(text: str, lang: Language) -> bool:
    """'那农科驿站呢？': a new subject asked the way the last one was (its aspect is inherited)."""
    return bool(_FOLLOW_UP_MARK.search(text.strip()))


def follow(previous: Frame | None, frame: Frame, partial: bool) -> Frame:
    """The frame a message asks about in this conversation: its own, or the last one changed by it."""
    if previous is None or not partial:
        return frame
    changes: dict[str, Any] = {"correction": frame.correction, "brevity": frame.brevity, "rest": frame.rest}
    for name in ("aspect", "district", "applicant", "year", "count"):
        value = getattr(frame, name)
        if value is not None:
            changes[name] = value
    if frame.operation is not Operation.lookup:
        changes["operation"] = frame.operation
    return replace(previous, **changes)


def signals(text: str, lang: Language, names_subject: bool, named: tuple[str, ...] = ()) -> frozenset[str]:
    """What a message's words say about its frame without the knowledge base or the conversation: the
    NLU reads these to send a follow-up, a correction or a document question to the answer engine
    rather than to small talk or a fallback ('不对，我问的是镇' is not a goodbye)."""
    cues = lang.frames
    found = set()
    correction = cues.correction.search(text)
    if correction and text[correction.end() :].strip():
        found.add("correction")
    if cues.shorter.search(text) or cues.longer.search(text):
        found.add("brevity")
    if cues.previous.search(text):
        found.add("previous")
    if cues.document_aspect(text):
        found.add("document")
    if any(form.search(text) for form in CLAUSE_FORMS[:3]):
        found.add("clause")
    if cues.total.search(text) or cues.compare.search(text):
        found.add("operation")
    if cues.not_covered.search(text) or cues.undecided_of(text):
        found.add("open_point")
    if cues.basis.search(text):
        found.add("basis")  # '它落实的是哪份文件' asks the document's words, however polite it sounds
    if is_follow_up(text, lang) and 2 <= len(residue(text, lang, named)) <= FOLLOW_UP_MAX_CHARS:
        found.add("follow_up")  # '其中国家级的呢': something new asked the way the last question was
    rest = text[correction.end() :] if correction else text
    if (
        not names_subject
        and len(residue(rest, lang, named)) <= cues.partial_max_chars
        and (lang.aspect_of(rest) or core(rest, lang) != rest.strip() or named or cues.when.search(rest))
    ):
        found.add("partial")
    return frozenset(found)


__all__ = [
    "Frame",
    "Operation",
    "Subject",
    "clause_refs",
    "core",
    "follow",
    "is_follow_up",
    "is_partial",
    "read",
    "signals",
    "numeral",
    "clause_refs",
]
