"""The answer engine: `decide(question, context, kb) -> Answer`, a pure function of what the user said,
what the conversation already established, and the knowledge base. No Rasa here: the custom actions
adapt a tracker to a `Question` and a `Context` and send `Answer.replies`; tests call `decide` directly.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import Enum
from typing import Any

from policy_answers import frame_answers, frames, proofread, render
from policy_answers.calculator import profile_measures
from policy_answers.clean import FOCUS_CHARS, clean, normalized
from policy_answers.figures import Figure, Role, count_claim, counts, read_figures, read_share_claim
from policy_answers.frames import Frame, Operation, Subject
from policy_answers.language import Language, language
from policy_answers.outcome import Outcome
from policy_answers.settings import DEFAULT_HOTLINE
from policy_answers.templates import say
from policy_kb.clause_numbers import CLAUSE_FORMS
from policy_kb.figures import money_spans
from policy_kb.passages import Passage
from policy_kb.query import KnowledgeBase, Profile, Status
from policy_kb.schema import AmountKind, Clause, Measure, Target, TargetKind
from policy_kb.search import SearchHit, sentences
from policy_kb.terms import word_spans

INTENT_ASPECT = {
    "ask_measure_info": "info",
    "ask_eligibility": "eligibility",
    "ask_amount": "amount",
    "ask_cost_share": "cost_share",
    "ask_conditions": "conditions",
    "ask_how_to_apply": "how_to_apply",
    "ask_lead_unit": "lead_unit",
}
# Cues that name their aspect in words no other aspect uses: they overrule the classifier.
PLAIN_CUES = frozenset({"lead_unit", "how_to_apply", "cost_share"})

# Search scores (policy_kb.search): a hit at least this strong is what a question is plainly about
# (kb.clear_hit's own default); stronger bars where the classifier said something else.
LIKELY_MEASURE_SCORE = 3.0  # a vague question's candidate measures, offered as buttons
UNSURE_INTENT_SCORE = 12.0  # an unsure intent, but the document plainly answers the question
DOCUMENT_QUESTION_SCORE = 15.0  # "科技金融融合要落实哪个文件" is about 二（十）, not the document itself
# Several measures named: one is what the question is about when each other scores below this share of it.
PLAIN_LEAD = 0.6
MAX_MEASURES_PER_ANSWER = 3


class Topic(str, Enum):
    measure = "measure"
    measures = "measures"
    clause = "clause"
    targets = "targets"
    document = "document"
    calculator = "calculator"
    out_of_scope = "out_of_scope"
    none = "none"


@dataclass(frozen=True)
class Question:
    text: str
    intent: str | None = None
    ranking: tuple[str, ...] = ()
    entities: tuple[dict[str, Any], ...] = ()
    inherited_aspect: str | None = None  # a follow-up's aspect, from the last frame ('那农科驿站呢')
    whole: str = ""  # all the user sent, where `text` is what the NLU kept of it (the question of a paste)

    def values(self, entity: str) -> list[Any]:
        return list(dict.fromkeys(e["value"] for e in self.entities if e.get("entity") == entity))

    def sure_values(self, entity: str) -> list[Any]:
        """Values found by an exact name or alias, not by a one-character typo."""
        return list(
            dict.fromkeys(
                e["value"]
                for e in self.entities
                if e.get("entity") == entity and e.get("confidence_entity", 1.0) >= 1.0
            )
        )

    def first(self, entity: str) -> Any:
        values = self.values(entity)
        return values[0] if values else None


@dataclass(frozen=True)
class Context:
    """What earlier turns established (the adapter reads it from slots)."""

    measure: str | None = None
    clause: str | None = None
    district: str | None = None
    applicant_type: str | None = None
    amount: int | None = None
    last_aspect: str | None = None
    hotline: str = DEFAULT_HOTLINE
    frame: Frame | None = None  # what the last answer answered, as a frame

    def __post_init__(self) -> None:
        if isinstance(self.frame, dict):  # as an answer's memory (the slot) holds it
            object.__setattr__(self, "frame", Frame.from_slot(self.frame))


@dataclass
class Answer:
    outcome: Outcome
    topic: Topic
    replies: list[render.Reply]
    aspect: str | None = None
    measures: tuple[str, ...] = ()
    clause: str | None = None
    figures: tuple[Figure, ...] = ()
    targets: tuple[str, ...] = ()
    doc_aspect: str | None = None
    part: str | None = None  # a part of the document asked about ('保障措施有几条' → 三)
    # what the next turn should know; keys are the slot names, None clears a slot
    memory: dict[str, Any] = field(default_factory=dict)

    @property
    def decision(self) -> tuple[Any, ...]:
        """What was understood, independent of wording: the metamorphic tests compare this."""
        return (
            self.outcome,
            self.topic,
            self.aspect,
            self.measures,
            self.clause,
            tuple((f.yuan, f.role) for f in self.figures),
        )


def decide(question: Question, context: Context, kb: KnowledgeBase) -> Answer:
    """Read the message as a frame, merge it onto the last one, answer, and remember what was answered.
    A message that asks two or three questions of their own gets each answered."""
    lang = language()
    whole = normalized(question.whole or question.text)
    checked = _draft_checked(whole, kb, lang)
    if checked is not None:
        return _with_the_rest(checked, question, context, kb, lang)
    question = replace(question, text=clean(question.text))
    question = replace(question, entities=tuple(frames.kept_by_user(question.text, list(question.entities), lang)))
    question = replace(
        question, entities=tuple(frames.self_described(question.text, list(question.entities), kb, lang))
    )
    pasted = _after_paste(question, kb, lang)
    if pasted is not None:
        question, context = pasted
    clause = _pasted_clause(whole, question.text, kb)
    if clause is not None:  # the document's own clause pasted before the question: what '这段' means
        context = replace(context, clause=clause, frame=Frame(kb.document.code, Subject.clause, clause=clause))
    # questions numbered after a pasted clause ('第一，…？第二，…？') each lean on the clause
    parts = _questions(question, kb, lang, leaning=clause is not None and _numbered(question.text, lang))
    if parts:
        answers: list[Answer] = []
        # The adapters fill the slots from this very message's entities: a place named in a later part is
        # not the first part's ('县级出多少？荣成的话出多少？')
        said = set(question.values("district"))
        now = replace(context, district=None) if context.district in said else context
        for part in parts:  # each as if sent alone, after the one before it ('…县级出多少？荣成的话呢？')
            district = part.first("district")
            if district and not part.values("measure") and kb.district(district).name in _said(answers):
                continue  # the general shares already gave that place's line
            answers.append(_decide_frame(part, now, kb, lang))
            now = _context_after(now, answers[-1])
        if len(answers) == 1:
            return answers[0]
        subjects = {(a.measures[:1], a.clause, a.targets[:1], a.doc_aspect, _district_of(a), a.aspect) for a in answers}
        if all(a.outcome is Outcome.answered and a.replies for a in answers) and len(subjects) == len(answers):
            return _together(answers)
    return _decide_frame(question, context, kb, lang)


def _said(answers: list[Answer]) -> str:
    return "\n".join(r.text or "" for a in answers for r in a.replies)


def _with_the_rest(checked: Answer, question: Question, context: Context, kb: KnowledgeBase, lang: Language) -> Answer:
    """'请问第三点里说的最高500万对不对？另外我们在经区，县级要承担多少比例？': the draft checked, then each
    closing question that is not about the check answered as a follow-up of what was checked."""
    question = replace(question, text=clean(question.text))
    text = question.text
    spans, start = [], 0
    for cut in lang.question_break.finditer(text):
        spans.append((start, cut.start()))
        start = cut.end()
    spans.append((start, len(text)))
    # only the questions after the one that asks for the check: what comes before it is the draft
    asks_check = [i for i, (a, b) in enumerate(spans) if lang.frames.check_draft.search(text[a:b])]
    after = spans[asks_check[-1] + 1 :] if asks_check else []
    rest = [(a, b) for a, b in after if lang.aspect_of(text[a:b])]
    if not rest:
        return checked
    measure = checked.measures[0] if checked.measures else None
    frame = Frame(kb.document.code, Subject.measure, measures=(measure,)) if measure else None
    now = replace(context, measure=measure, frame=frame) if frame else context
    answers = [checked]
    for begin, end in rest:
        said = [e for e in question.entities if isinstance(e.get("start"), int) and begin <= e["start"] < end]
        part = Question(text[begin:end], None, (), tuple(_shifted(e, -begin) for e in said))
        answer = _decide_frame(part, now, kb, lang)
        if answer.outcome is Outcome.answered:
            answers.append(answer)
    return _together(answers) if len(answers) > 1 else checked


def _draft_checked(text: str, kb: KnowledgeBase, lang: Language) -> Answer | None:
    """'下面是我写的简报初稿，请对照原文帮我挑出写错的地方：……' (`text`: the whole message): each figure
    and lead unit the draft says of something the document states one for, held against the document."""
    if len(text) <= FOCUS_CHARS or not lang.frames.check_draft.search(text):  # a short claim: 是/不是
        return None

    def themed(segment: str) -> list[Measure]:
        topics = [topic for topic, cue in lang.themes.items() if cue.search(segment)]
        return [m for m in kb.measures if m.topic in topics[:1]]

    found = proofread.findings(kb, text, themed)
    closing, opening = _closing(text), text.find("“")
    pasted = closing is not None and closing - opening >= PASTE_MIN_CHARS
    asked = text[closing + 1 :] if closing is not None and pasted else clean(text)  # what follows a quoted draft
    if not found or any(all(s not in f.said for f in found) for s in _money_surfaces(asked)):
        return None  # the closing question is about a figure of the user's own ('荣成市承担150万元对吗')
    clauses = tuple(dict.fromkeys(f.clause for f in found))
    measures = tuple(dict.fromkeys(f.measure for f in found if f.measure))
    reply = frame_answers.draft_checked(kb, found)
    memory = {"clause": clauses[0], "measure": measures[0] if measures else None}
    return Answer(
        Outcome.answered, Topic.clause, [reply], aspect="info", measures=measures, clause=clauses[0], memory=memory
    )


def _money_surfaces(text: str) -> list[str]:
    return [surface for _start, _end, surface, _yuan in money_spans(text)]


# A quoted stretch this long is a paste ('以下是我们摘抄的一段：“……”'), not a phrase the user quotes
PASTE_MIN_CHARS = 60


def _after_paste(question: Question, kb: KnowledgeBase, lang: Language) -> tuple[Question, Context] | None:
    """'以下是…摘抄的一段：“（the clause）”…原文里对科技特派员的研发支持有没有金额标准？这一条的牵头单位是谁？':
    the question after the pasted text is what is asked; the paste is what '这一条' means (the clause it
    quotes becomes the last frame). A paste with the question before it is read whole, as before."""
    text = question.text
    opening, closing = text.find("“"), _closing(question.text)
    if opening < 0 or closing is None or closing - opening < PASTE_MIN_CHARS:
        return None
    asked = text[closing + 1 :].strip("，,。.：: ")
    if len(asked) < 4:
        return None
    begin = len(text) - len(text[closing + 1 :].lstrip("，,。.：: "))
    entities = tuple(
        _shifted(e, -begin) for e in question.entities if isinstance(e.get("start"), int) and e["start"] >= begin
    )
    clause = _clause_quoted(kb, text[opening + 1 : closing])
    frame = Frame(document=kb.document.code, subject=Subject.clause, clause=clause) if clause else None
    return Question(asked, None, (), entities), Context(clause=clause, frame=frame)


def _closing(text: str) -> int | None:
    """Where the first quotation closes, quotations inside it counted ('“…用好“科技创新券”政策…”')."""
    depth = 0
    for at, char in enumerate(text):
        if char == "“":
            depth += 1
        elif char == "”" and depth:
            depth -= 1
            if depth == 0:
                return at
    return None


def _clause_quoted(kb: KnowledgeBase, pasted: str) -> str | None:
    """The clause a paste copies: the one holding the most of its sentences verbatim (spaces ignored)."""
    squeezed = {c.id: "".join(c.text.split()) for c in kb.data.clauses}
    held: dict[str, int] = {}
    # by phrases between punctuation: a paste keeps the words, not always the quotes or the sentence's start
    for sentence in re.split(r"[。；;，,：:“”‘’]", "".join(pasted.split())):
        if len(sentence) >= 8:
            for clause_id, body in squeezed.items():
                if sentence in body:
                    held[clause_id] = held.get(clause_id, 0) + len(sentence)
    return max(held, key=held.__getitem__) if held else None


def _context_after(context: Context, answer: Answer) -> Context:
    """The context the next message would have after `answer` (the adapters keep it in slots)."""
    names = {"measure", "clause", "district", "applicant_type", "amount", "last_aspect", "frame"}
    return replace(context, **{name: value for name, value in answer.memory.items() if name in names})


def _district_of(answer: Answer) -> str | None:
    frame = answer.memory.get("frame")
    return frame.get("district") if isinstance(frame, dict) else None


def _numbered(text: str, lang: Language) -> bool:
    return len(lang.frames.numbered.findall(text)) >= 2


def _pasted_clause(whole: str, asked: str, kb: KnowledgeBase) -> str | None:
    """The clause a long message pastes the document's own sentences of, when its question was found
    after them ('我把文件里的一段复制过来了：“……” 第一，市级的支持最多能到多少？…第三，这段属于哪一条')."""
    if len(whole) - len(asked) < PASTE_MIN_CHARS:
        return None
    return _clause_quoted(kb, whole)


def _questions(question: Question, kb: KnowledgeBase, lang: Language, leaning: bool = False) -> list[Question]:
    """'两个问题：国家创新型县奖多少？技术交易额目标多少？' → the two questions, each with the entities
    found in it; [] unless every part names a subject of its own ('研发补助多少？荣成呢？' is one question
    and its follow-up, read whole as before). DIET's intent was read on the whole message: the parts are
    read by their own words."""
    text = question.text
    if len(text) > lang.several_questions_max_chars and not leaning:
        return []
    spans, start = [], 0
    for cut in lang.question_break.finditer(text):
        spans.append((start, cut.start()))
        start = cut.end()
    spans.append((start, len(text)))
    if leaning:  # after a paste, each question without the story before it ('…麻烦解释一下：第一，…')
        spans = [(max([a, *(m.end() for m in re.finditer(r"[。：:]", text[:b]))]), b) for a, b in spans]
    spans = [(a, b) for a, b in spans if text[a:b].strip()]
    if not 2 <= len(spans) <= 3:
        return []
    parts: list[Question] = []
    for begin, end in spans:
        entities = tuple(e for e in question.entities if e.get("start") is not None and begin <= e["start"] < end)
        part = Question(text=text[begin:end], entities=tuple(_shifted(e, -begin) for e in entities))
        frame = frames.read(part.text, part.entities, kb, lang)
        theme = any(cue.search(part.text) for cue in lang.themes.values())  # '科技金融那块谁牵头'
        # a part names its subject, or plainly asks about one in the document's words ('为引进一所高校分院出资')
        named = frame.names_subject or theme or kb.clear_hit(part.text, min_score=UNSURE_INTENT_SCORE) is not None
        own = named and not frames.is_partial(frame, part.text, lang, _named_words(part))
        # After one that asks a level's share, a part may change only the place: '县级出多少？荣成的话出多少？'
        changes_place = parts and frame.district and not frame.names_subject and _level_asked(parts[0].text, lang)
        # after a pasted clause, a part may ask of it ('第一，市级的支持最多能到多少'), as a follow-up would
        if not own and not changes_place and not (leaning and lang.aspect_of(part.text)):
            return []
        parts.append(part)
    return parts


def _level_asked(text: str, lang: Language) -> bool:
    return any(cue.search(text) for cue in lang.levels.values()) and lang.aspect_of(text) == "cost_share"


def _shifted(entity: dict[str, Any], by: int) -> dict[str, Any]:
    moved = dict(entity)
    for key in ("start", "end"):
        if isinstance(moved.get(key), int):
            moved[key] += by
    return moved


def _decide_frame(question: Question, context: Context, kb: KnowledgeBase, lang: Language) -> Answer:
    frame = frames.read(question.text, question.entities, kb, lang, question.intent)
    partial = frames.is_partial(frame, question.text, lang, _named_words(question))
    answer = _framed(question, context, kb, lang, frame, partial)
    if answer is None:
        asked = question
        if context.frame is not None and (partial or frame.correction or frames.is_follow_up(question.text, lang)):
            asked, context = _lean_on(question, context, kb, lang, frame, partial)
        answer = _understood(asked, context, kb, lang)
        if _repeats_last(answer, frame, context):
            # '会上干什么' leaned on the meetings' lead units would say the last answer again: the sentence
            # of its clause that holds the question's words answers what was asked
            answer = _detail_asked(question, context, kb, lang) or answer
        if frame.brevity == "long" and answer.topic is Topic.measure and answer.aspect == "info":
            # '企业研发补助政策详细讲讲': the measure with its clause's own words (shares, conditions)
            answer.replies = [render.longer(kb, r, answer.measures, answer.clause) for r in answer.replies]
        if answer.outcome in (Outcome.fallback, Outcome.clarify):
            # '会上干什么', '跟哪个时期比': a detail of the last answer in words no aspect knows
            answer = _detail_asked(question, context, kb, lang) or answer
    answer.memory["frame"] = _remembered(answer, frame, context, kb).to_slot()
    return _other_place_noted(answer, question.text, kb)


def _other_place_noted(answer: Answer, text: str, kb: KnowledgeBase) -> Answer:
    """'烟台那边创建国家创新型县奖多少，跟威海比咋样': Weihai's answer, and that the other city's policy is
    not in this document."""
    place = next((p for p in kb.document.other_places if p in text and not _set_up_in(text, p, language())), None)
    if place is None or answer.outcome is not Outcome.answered or not answer.replies or not answer.replies[0].text:
        return answer
    note = say("frames", "other_place", city=kb.document.city, place=place, number=kb.document.number)
    first = answer.replies[0]
    answer.replies[0] = replace(first, text=f"{note}\n{first.text}")
    return answer


def _understood(question: Question, context: Context, kb: KnowledgeBase, lang: Language) -> Answer:
    whole = _decide(question, context, kb, lang)
    halves = _halves(question, lang)
    if halves and whole.topic is not Topic.measures:
        answers = [_decide(half, context, kb, lang) for half in halves]
        topics = {(a.measures[:1], a.clause) for a in answers}
        if all(a.outcome is Outcome.answered and a.replies for a in answers) and len(topics) == len(answers):
            return _together(answers)
    return whole


def _halves(question: Question, lang: Language) -> list[Question]:
    """'科技金融和科普分别是谁牵头' → '科技金融分别是谁牵头', '科普分别是谁牵头': each thing with the
    shared question, and the entities found in its own part."""
    text = question.text
    several = lang.several.search(text)
    if not several:
        return []
    head, tail = text[: several.start()], text[several.start() :]
    cuts = list(lang.joined.finditer(head))
    if len(cuts) != 1:
        return []
    cut = cuts[0]
    spans = [(0, cut.start()), (cut.end(), len(head))]
    if any(end - start < 2 for start, end in spans):
        return []
    halves = []
    for start, end in spans:
        entities = tuple(
            e
            for e in question.entities
            if e.get("start") is None or start <= e["start"] < end or e["start"] >= len(head)
        )
        halves.append(replace(question, text=head[start:end] + tail, entities=entities))
    return halves


def _together(answers: list[Answer]) -> Answer:
    """The answers to each half as one turn: one reply each, the first one remembered for follow-ups."""
    first = answers[0]
    return Answer(
        Outcome.answered,
        Topic.measures,
        [r for a in answers for r in a.replies],
        aspect=first.aspect,
        measures=tuple(m for a in answers for m in a.measures),
        clause=first.clause,
        memory=first.memory,
    )


def _decide(question: Question, context: Context, kb: KnowledgeBase, lang: Language) -> Answer:
    follow_up = target_follow_up(kb, question.text, context)
    if follow_up:  # '创新平台呢？' after a target: that target, not the measure of the same name
        return _targets_answer(kb, follow_up, question.text, lang)
    if question.intent == "ask_targets":
        return _targets(question, context, kb, lang)
    if question.intent == "ask_document":
        return _document(question, context, kb, lang)
    return _policy(question, context, kb, lang)


def calculator(
    kb: KnowledgeBase, applicant: str | None, district: str | None, hotline: str = DEFAULT_HOTLINE
) -> Answer:
    """The measures for who the user is (and where, for the shares), with the money first."""
    if applicant is None:
        return Answer(Outcome.clarify, Topic.calculator, [render.fixed("utter_ask_who_again")])
    verdicts = profile_measures(kb, applicant, district)  # the /calculator page's list too
    name = kb.district(district).name if district else None
    reply = render.calculator(kb, verdicts, kb.applicant_name(applicant), name, hotline)
    if verdicts:
        # The whole list as data (the text shows the first few): the widget links it to the /calculator page
        # with this profile, and the test that the page and the bot agree reads it.
        reply.custom = {
            "type": "calculator_list",
            "applicant": applicant,
            "district": district,
            "measures": [v.measure.id for v in verdicts],
        }
    return Answer(
        Outcome.answered,
        Topic.calculator,
        [reply],
        aspect="calculator",
        measures=tuple(v.measure.id for v in verdicts),
        memory={"last_aspect": "calculator", "applicant_type": applicant, "district": district},
    )


def likely_measures(kb: KnowledgeBase, text: str) -> list[Measure]:
    """Measures a vague question may be about, by keyword search, best first."""
    hits = [h for h in kb.search(text, 8) if h.kind == "measure" and h.score >= LIKELY_MEASURE_SCORE]
    return [kb.measure(h.id) for h in hits][:4]


def plainly_answerable(question: Question, kb: KnowledgeBase, context: Context | None = None) -> bool:
    """An unsure intent the engine can still answer: a measure named outright, a plain search hit, or a
    follow-up to a target ('国家级的呢？')."""
    text = clean(question.text)
    return (
        bool(question.sure_values("measure"))
        or kb.clear_hit(text, min_score=UNSURE_INTENT_SCORE) is not None
        or bool(context and target_follow_up(kb, text, context))
        or bool(context and answers_follow_up(question, kb, context))  # '哪天' after the document's issuer
        or names_a_passage(kb, question)  # '想搞个海边民宿再带点休闲渔业，文件里有说这个的不'
        or language().frames.document_aspect(text) is not None  # 'When was this Weihai document issued?'
        or _draft_checked(normalized(question.whole or question.text), kb, language()) is not None
    )


def answers_follow_up(question: Question, kb: KnowledgeBase, context: Context) -> bool:
    """A message the NLU took for small talk or could not place that asks about the last answer: '哪天'
    after the document's issuer, '会上干什么' after the consultation meetings."""
    if context.frame is None:
        return False
    lang = language()
    question = replace(question, text=clean(question.text))
    frame = frames.read(question.text, question.entities, kb, lang, question.intent)
    partial = frames.is_partial(frame, question.text, lang, _named_words(question))
    if _following(question, context, kb, lang, frame, partial) is not None:
        return True
    return _detail_asked(question, context, kb, lang) is not None


# What frames a short follow-up: '那国家级的呢？' asks about '国家级'.
_FOLLOW_UP_FRAME = re.compile(r"^(?:那么?|还有|再问下?)|(?:的)?(?:目标)?(?:呢|嘞|咧|吗)?[？?。！!\s]*$")


def target_follow_up(kb: KnowledgeBase, text: str, context: Context) -> list[Target]:
    """After a targets answer, a short follow-up whose words are in targets' names means those targets."""
    if context.last_aspect != "targets":
        return []
    core = _FOLLOW_UP_FRAME.sub("", clean(text))
    if not 2 <= len(core) <= 8:
        return []
    return [t for t in kb.targets if any(core in name for name in (t.indicator, *t.aliases))]


# --- the policy question --------------------------------------------------------------------------


def _aspect(question: Question, context: Context, lang: Language) -> str:
    if question.inherited_aspect and not lang.aspect_of(question.text):
        return question.inherited_aspect
    # '我们公司正在牵头修订…': the user's own doing, not a question of who leads
    question = replace(question, text=lang.aspect_not_asked.sub("", question.text))
    asked = {lang.aspect_of(part) for part in re.split(r"[？?。；;]", question.text) if part}
    if "lead_unit" in asked and len(asked - {None}) > 1:
        # '给多少钱？该找哪个部门？', '提了什么要求？归哪个部门牵头？': the other aspect's reply names the lead
        # units too, and a reply of lead units alone would leave the first question unanswered
        by_part = (lang.aspect_of(part) for part in re.split(r"[？?。；;]", question.text) if part)
        return next(a for a in by_part if a and a != "lead_unit")
    said = INTENT_ASPECT.get(question.intent or "")
    cue = lang.aspect_of(question.text)
    if said and cue and said not in ("eligibility", "info") and not lang.aspects[said].search(question.text):
        return cue  # '科技创新卷有啥用' read as ask_amount: no word of an amount, a word of what it is
    if said:
        if cue in PLAIN_CUES and cue != said:
            return cue
        # the plain aspects are asked in their own words: without them, another aspect's words win
        if said in PLAIN_CUES and not lang.aspects[said].search(question.text):
            if cue:
                return cue
            if said == "lead_unit":
                return "info"  # '科技金融融合要落实哪个文件' is not asking who leads
        return said
    if cue:
        return cue
    # after a fallback, the best policy intent NLU still saw tells what was asked about
    ranked = next((INTENT_ASPECT[i] for i in question.ranking if i in INTENT_ASPECT), None)
    if question.intent == "nlu_fallback" and ranked:
        return ranked
    return context.last_aspect if context.last_aspect in (*INTENT_ASPECT.values(),) else "info"


def _named_by_product(kb: KnowledgeBase, question: Question, measure_id: str) -> bool:
    """Named only through a product it supports ('海参', '苹果'): a weak sign of the measure."""
    products = set(kb.measure(measure_id).products)
    mentions = [e for e in question.entities if e.get("entity") == "measure" and e.get("value") == measure_id]
    return bool(mentions) and all(e.get("product") or e.get("text") in products for e in mentions)


def _policy(
    question: Question, context: Context, kb: KnowledgeBase, lang: Language, no_targets: bool = False
) -> Answer:
    """A question about measures; `no_targets`: the target step found none to answer it."""
    text = question.text
    aspect = _aspect(question, context, lang)
    early = _before_measures(question, context, kb, lang, no_targets)
    if early is not None:
        return early
    district = question.first("district") or context.district
    if lang.frames.other_districts.search(text) or len(set(question.values("district"))) > 1:
        # '荣成县级按多少？其他区市又是多少？', '一家在文登区，一家在荣成市': the general shares, with
        # 荣成市's beside them
        district = None
    # what they ask, not who they are; but who they are may be all that names the topic ('我们是外地的一家
    # 技术转移服务机构，想到威海设分支机构'; '种苹果的合作社…有啥帮扶')
    hit = kb.clear_hit(frames.without_description(text, lang)) or kb.clear_hit(text)
    named = _named_measures(question, kb, hit)
    if len(named) > 1:
        lead = _plain_lead(kb, text, named, hit)
        if lead is None:
            return _several(question, context, kb, lang, named, aspect)
        named = [lead]
    if named:
        return _measure(question, context, kb, lang, kb.measure(named[0]), aspect, district, named)
    return _unnamed(question, context, kb, lang, aspect, district, hit)


def _before_measures(
    question: Question, context: Context, kb: KnowledgeBase, lang: Language, no_targets: bool = False
) -> Answer | None:
    """What is answered before any measure is looked for: another city, a target, the calculator."""
    text = question.text
    place = next((p for p in kb.document.other_places if p in text and not _set_up_in(text, p, lang)), None)
    if place and (kb.document.city not in text or not question.sure_values("measure")):
        # '烟台有没有类似的奖励？跟威海比哪个多': another city's policy, and no measure of this one named
        reply = render.cannot_help(kb, "utter_other_city", context.hotline, city=kb.document.city, place=place)
        return Answer(Outcome.out_of_scope, Topic.out_of_scope, [reply])
    named = question.values("measure")
    if (
        not no_targets
        and lang.target_question.search(text)
        and not read_figures(text, lang)
        and (kb.find_targets(text) or _clause_targets(kb, question))
    ):
        return _targets(question, context, kb, lang)  # '到2020年要有多少科技特派员': a target, not the measure
    district = question.first("district") or context.district
    applicant = question.first("applicant_type")
    if question.intent == "inform" and context.last_aspect == "calculator" and not named:
        return calculator(kb, applicant or context.applicant_type, district, context.hotline)  # '乳山' after the list
    if (
        applicant
        and lang.profile.search(text)
        and all(_named_by_product(kb, question, m) for m in named)
        and not quotes_a_measure(kb, question)
        and (named or not lang.theme_of(text))
    ):
        return calculator(kb, applicant, district, context.hotline)  # '我们是做海参养殖的合作社，有什么政策'
    return None


def _set_up_in(text: str, place: str, lang: Language) -> bool:
    """'在上海张江设个研发中心': the other city is where the user sets something up (the document
    rewards that, 二（九）), not whose policy is asked."""
    cues = lang.frames
    return bool(re.search(rf"(?:{cues.set_up_at.pattern}){re.escape(place)}.{{0,8}}?(?:{cues.set_up.pattern})", text))


def _clause_targets(kb: KnowledgeBase, question: Question) -> bool:
    """'特派员到2020年要弄多少人': a measure named in a question about numbers to reach, whose clause sets a
    target with a year ('多少人' of 科技特派员 is 二（十二）'s 千人规模)."""
    clauses = {kb.measure(m).clause for m in question.values("measure")}
    return bool(clauses) and any(str(t.year) in question.text and t.clause in clauses for t in kb.targets)


def _named_measures(question: Question, kb: KnowledgeBase, hit: SearchHit | None) -> list[str]:
    named = question.values("measure")
    by_name = [m for m in named if not _named_by_product(kb, question, m)]
    if by_name and set(by_name) & set(question.sure_values("measure")):
        named = by_name  # '种苹果的，想请个专家': the measure named by its own words wins over the product
    sure = set(question.sure_values("measure"))
    if named and hit and not sure and hit.clause not in {kb.measure(m).clause for m in named}:
        return []  # only a typo-like match ('创新链' ~ 创新券) against a plain hit elsewhere
    return named


def _plain_lead(kb: KnowledgeBase, text: str, named: list[str], hit: SearchHit | None) -> str | None:
    """Of several measures named, the one the question is plainly about (the others score far below it)."""
    scores = {h.id: h.score for h in kb.search(text, 8) if h.kind == "measure"}
    if (
        hit
        and hit.kind == "measure"
        and hit.id in named
        and all(scores.get(m, 0.0) < PLAIN_LEAD * hit.score for m in named if m != hit.id)
    ):
        return hit.id
    return None


def _unnamed(
    question: Question,
    context: Context,
    kb: KnowledgeBase,
    lang: Language,
    aspect: str,
    district: str | None,
    hit: SearchHit | None,
) -> Answer:
    """No measure named: the question may still plainly be about a theme, a clause or a measure
    ('实施全域统筹重点突破由谁牵头', '中药材种植有科技支持吗'); otherwise it leans on the measure or clause of
    the previous answer ('找谁', '那文登区呢')."""
    text = question.text
    applicant = question.first("applicant_type")
    titled = kb.find_clause_by_title(text)
    theme = None if titled or aspect != "info" else lang.theme_of(text)
    if theme is not None:  # '科技金融有哪些政策': the theme's measures
        return _theme_for(question, context, kb, lang, theme, aspect, district)
    previous = context.measure
    clause = titled
    measure_id = None
    if titled:
        hit = None
    if hit and hit.kind == "measure":
        measure_id = hit.id
    elif hit and not (previous and kb.measure(previous).clause == hit.clause):
        # a clause hit whose clause holds measures is answered as its best measure
        in_clause = [h for h in kb.search(text, 6) if h.kind == "measure" and h.clause == hit.clause]
        measure_id = in_clause[0].id if in_clause else None
        clause = None if measure_id else kb.clause(hit.clause)
    if not clause and not measure_id and not previous and context.clause:
        clause = kb.clause(context.clause)  # '找谁' after a clause answer
    if clause and not measure_id:
        reply = render.clause_answer(kb, clause, text, aspect, whole=titled is not None)
        return Answer(
            Outcome.answered,
            Topic.clause,
            [reply],
            aspect=aspect,
            clause=clause.id,
            memory={"last_aspect": aspect, "measure": None, "clause": clause.id},
        )
    measure_id = measure_id or previous or _only_with_shares(kb, aspect)
    if measure_id and measure_id == previous and applicant:
        measure_id = _sibling_for(kb, measure_id, applicant)  # '乡镇呢？' after the county award
    if measure_id is None:
        return _no_measure(question, context, kb, aspect)
    return _measure(question, context, kb, lang, kb.measure(measure_id), aspect, district, [])


def _only_with_shares(kb: KnowledgeBase, aspect: str) -> str | None:
    """'荣成 县级比例': shares asked with no measure named, when one measure alone has shares."""
    with_shares = [m.id for m in kb.measures if m.cost_shares]
    return with_shares[0] if aspect == "cost_share" and len(with_shares) == 1 else None


def _theme_for(
    question: Question,
    context: Context,
    kb: KnowledgeBase,
    lang: Language,
    theme: str,
    aspect: str,
    district: str | None,
) -> Answer:
    """A theme's measures; '我们是企业，金融方面有什么支持': those for them, if any are."""
    applicant = question.first("applicant_type")
    in_theme = [m for m in kb.measures if m.topic == theme]
    for_them = [m for m in in_theme if applicant and any(kb.applicant_covers(b, applicant) for b in m.beneficiaries)]
    in_theme = for_them or in_theme
    if len(in_theme) == 1:
        return _measure(question, context, kb, lang, in_theme[0], aspect, district, [])
    return _theme(kb, theme, in_theme, aspect)


def quotes_a_measure(kb: KnowledgeBase, question: Question) -> bool:
    """'企业建立技术研发和服务机构有啥政策' quotes a measure's own words: with the applicant words taken
    out, the rest still plainly matches a measure, so the applicant word is what the measure is about,
    not who is asking. A hit through a product the measure supports ('海参') is no such sign: the user
    says what they make, and the calculator answers."""
    text = question.text
    for entity in question.entities:
        if entity.get("entity") == "applicant_type" and entity.get("text"):
            text = text.replace(entity["text"], "")
    hit = kb.clear_hit(text, min_score=UNSURE_INTENT_SCORE)
    return hit is not None and hit.kind == "measure" and not any(p in text for p in kb.measure(hit.id).products)


def _sibling_for(kb: KnowledgeBase, measure_id: str, applicant: str) -> str:
    """A follow-up that names another applicant ('乡镇呢？' after the county award) is about the
    measure of the same clause for that applicant, when the previous one is not for it."""
    measure = kb.measure(measure_id)
    if any(kb.applicant_covers(b, applicant) for b in measure.beneficiaries):
        return measure_id
    siblings = [
        m
        for m in kb.measures
        if m.clause == measure.clause
        and m.id != measure_id
        and any(kb.applicant_covers(b, applicant) for b in m.beneficiaries)
    ]
    return siblings[0].id if len(siblings) == 1 else measure_id


def _measure(
    question: Question,
    context: Context,
    kb: KnowledgeBase,
    lang: Language,
    measure: Measure,
    aspect: str,
    district: str | None,
    named: list[str],
) -> Answer:
    text = question.text
    figures = tuple(read_figures(text, lang))
    figure = figures[0] if figures else None
    inherited = any(e.get("inherited") for e in question.entities)
    if (
        figure is None
        and (not named or inherited)
        and context.last_aspect in ("cost_share", "amount")
        and context.amount
    ):
        figure = Figure(int(context.amount), Role.subsidy, "")  # '那文登区呢' after a split of the user's figure
    applicant = question.first("applicant_type") or context.applicant_type
    memory: dict[str, Any] = {"measure": measure.id, "clause": None, "district": district, "amount": None}
    share_claim = read_share_claim(text, lang) if measure.cost_shares else None

    def answer(reply: render.Reply, final_aspect: str) -> Answer:
        return Answer(
            Outcome.answered,
            Topic.measure,
            [_also_said(kb, lang, question, measure, reply)],
            aspect=final_aspect,
            measures=(measure.id,),
            figures=figures,
            memory={**memory, "last_aspect": final_aspect},
        )

    if figure is not None and figure.role is Role.claim:
        if _percent_conflict(kb, measure, text):
            # '按不超过县级专项资金的25%分配，最高500万元，对吗': the sum is right, the share is not: 不是
            reply = render.measure_answer(kb, measure, "amount", district=district, question=text)
            return answer(render.verdict_first(reply, False), "amount")
        bound = "ceiling" if lang.ceiling.search(text) else "floor" if lang.floor.search(text) else None
        return answer(render.amount_claim(kb, measure, figure.yuan, bound), "amount")
    if share_claim is not None and figure is None:
        return answer(render.share_claim(kb, measure, district, share_claim.level, share_claim.percent), "cost_share")
    if figure is not None and figure.role is Role.spending and not measure.limits:
        return answer(render.own_spending(kb, measure, figure.yuan, district), "amount")
    money = figure.yuan if figure is not None else None
    if (
        money is not None
        and aspect == "eligibility"
        and lang.aspect_of(text) == "amount"
        and not lang.aspects["eligibility"].search(text)
    ):
        # '我们区县级专项是800万，能分多少' reads like a profile (we are ...), but with the user's own
        # figure and no word about who may apply it asks what that figure gives
        aspect = "amount"
    if money is not None and aspect in ("amount", "info") and measure.cost_shares:
        aspect = "cost_share"  # '批了八百万，市里出多少' is about shares of the user's figure
    if aspect == "cost_share" and not measure.cost_shares:
        aspect = "amount"  # '县级资金300万，市里能分多少': the measure's cap on the user's figure
    limits = kb.limits_for(measure.id, money) if money is not None and measure.limits else []
    verdict = (
        kb.verdict(measure.id, Profile(applicant_type=applicant, district=district))
        if aspect == "eligibility" and applicant
        else None
    )
    reply = render.measure_answer(
        kb, measure, aspect, district=district, amount_yuan=money, verdict=verdict, limits=limits, question=text
    )
    memory["amount"] = money
    agrees = _claim_agrees(kb, measure, aspect, text, lang)
    return answer(reply if agrees is None else render.verdict_first(reply, agrees), aspect)


def _also_said(
    kb: KnowledgeBase, lang: Language, question: Question, measure: Measure, reply: render.Reply
) -> render.Reply:
    """'科技活动周都干些啥': the measure named by words the document also says in one other clause
    (二（十一）'s 科技活动周 turned to 技术对接), with that clause's sentence before the citation, so the
    user is not told only half of what the document says about their words."""
    if not reply.text:
        return reply
    said = [
        e.get("text") or "" for e in question.entities if e.get("entity") == "measure" and e.get("value") == measure.id
    ]
    others = [
        p
        for words in dict.fromkeys(w for w in said if len(w) >= 3 and w not in measure.name)
        for p in kb.passages(words, lang.frames.passage_edges, words.__eq__)
        if p.clause != measure.clause
    ]
    if not others:
        return reply
    return _with_passages(kb, reply, measure.clause, others[:1])


def _with_passages(kb: KnowledgeBase, reply: render.Reply, clause: str, others: list[Passage]) -> render.Reply:
    """`reply` (cited to `clause`) with the other places the document says the user's words, before the
    citation, which then names them too."""
    if not reply.text or not others:
        return reply
    body, _, _ = reply.text.rpartition("\n")
    lines = [say("frames", "also_said", clause=p.clause, phrase=p.phrase, sentence=p.sentence) for p in others]
    return replace(reply, text="\n".join([body, *lines, kb.citation(clause, *(p.clause for p in others))]))


_PERCENT_FIGURE = re.compile(r"(\d+(?:\.\d+)?)\s*[%％]")


def _percent_conflict(kb: KnowledgeBase, measure: Measure, text: str) -> bool:
    """A percentage put forward that the measure's clause does not state ('25%' where it says 20%)."""
    claimed = {Decimal(p) for p in _PERCENT_FIGURE.findall(text)}
    stated = {Decimal(p) for p in _PERCENT_FIGURE.findall("".join(kb.clause(measure.clause).text.split()))}
    return bool(claimed - stated)


_PERCENT = re.compile(r"\d+(?:\.\d+)?\s*[%％]|百分之|[一二三四五六七八九]成")


def _claim_agrees(kb: KnowledgeBase, measure: Measure, aspect: str, text: str, lang: Language) -> bool | None:
    """A yes/no question that puts a unit or a count forward: does the document agree? None when the
    question puts nothing forward to check."""
    if not lang.is_yes_no(text):
        return None
    if aspect == "lead_unit":
        named = {h.key for h in kb.find_units(text)}
        leads = {u.id for u in kb.lead_units(measure.id)}
        if named and lang.frames.only.search(text):
            return named == leads  # '只是市科技局一家牵头吧': not when 市科协 leads too
        return named <= leads if named else None
    claimed = _claimed_counts(text, kb, lang)
    if not claimed:
        return None
    if measure.amount.value_yuan is None and not measure.cost_shares and _PERCENT.search(text):
        return None  # '创新券的奖补比例是50%吗': 一定比例 is no figure to hold 50% against, nor to deny it
    stated = [measure.quote, *(f.quote for f in [measure.frequency] if f), *(limit.quote for limit in measure.limits)]
    return set(claimed) <= set(counts("".join(stated)))


def _claimed_counts(text: str, kb: KnowledgeBase, lang: Language) -> list[Decimal]:
    """The counts a yes/no question puts forward, without the numbers that name things: the document's
    number ('32号文里有没有支持的说法' puts no 32 forward), a clause's ('二（六）'), the document's years."""
    for name in (kb.document.number, *(m[0] for f in CLAUSE_FORMS for m in f.finditer(text))):
        text = text.replace(name, " ")
    text = lang.frames.this_document.sub(" ", text)
    # '我们是外地的一家技术转移服务机构…有没有奖补': who the user says they are puts no count forward
    text = frames.without_description(text, lang)
    return count_claim(text, lang, frozenset(frames.document_years(kb)))


def _several(
    question: Question, context: Context, kb: KnowledgeBase, lang: Language, named: list[str], aspect: str
) -> Answer:
    """Two measures named ('创新型县奖多少钱，创新型乡镇呢'): answer each, one reply per measure.
    When the question asks nothing the measures share (no aspect in words), ask which was meant."""
    if lang.aspect_of(question.text) is None and question.intent not in INTENT_ASPECT:
        reply = render.ask_which(kb, [kb.measure(m) for m in named], aspect)
        return Answer(Outcome.clarify, Topic.none, [reply], aspect=aspect, memory={"last_aspect": aspect})
    district = question.first("district") or context.district
    answers = [
        _measure(question, context, kb, lang, kb.measure(m), aspect, district, named)
        for m in named[:MAX_MEASURES_PER_ANSWER]
    ]
    last = answers[-1]
    return Answer(
        Outcome.answered,
        Topic.measures,
        [a.replies[0] for a in answers],
        aspect=aspect,
        measures=tuple(m for a in answers for m in a.measures),
        figures=last.figures,
        memory={**last.memory, "measure": answers[0].measures[0]},
    )


def _theme(kb: KnowledgeBase, topic_id: str, measures: list[Measure], aspect: str) -> Answer:
    name = next(t.name for t in kb.data.topics if t.id == topic_id)
    clauses = {m.clause for m in measures}
    # a follow-up ('谁牵头？') leans on the clause when the theme is one clause
    clause = clauses.pop() if len(clauses) == 1 else None
    return Answer(
        Outcome.answered,
        Topic.measures,
        [render.theme(kb, name, measures)],
        aspect=aspect,
        measures=tuple(m.id for m in measures),
        clause=clause,
        memory={"last_aspect": aspect, "measure": None, "clause": clause},
    )


# How far apart the two halves of a measure's name may stand ('搞研发，政府补助' is 研发补助).
APART_MAX_GAP = 6
# A candidate this many times stronger than the next is what a vague question is about.
DOMINANT = 2.5


def _named_apart(kb: KnowledgeBase, text: str, candidates: list[Measure]) -> Measure | None:
    """The one candidate whose name or alias the question says in two halves with a few words between
    ('搞研发，政府补助' → 研发补助, '想申请高新技术企业，市里有培育的计划吗' → 高新技术企业培育), or the one
    far ahead of the others in the search."""
    apart = [m for m in candidates if any(_said_apart(name, text) for name in (m.name, *m.aliases))]
    if len(apart) == 1:
        return apart[0]
    scores = [h.score for h in kb.search(text, 8) if h.kind == "measure"]
    if len(candidates) > 1 and len(scores) > 1 and scores[0] >= DOMINANT * scores[1]:
        return candidates[0]
    return None


def _said_apart(name: str, text: str) -> bool:
    for cut in range(2, len(name) - 1):
        head, tail = name[:cut], name[cut:]
        start = text.find(head)
        if start >= 0 and 0 < text.find(tail, start + len(head)) - start - len(head) <= APART_MAX_GAP:
            return True
    return False


def _no_measure(question: Question, context: Context, kb: KnowledgeBase, aspect: str) -> Answer:
    if question.values("target"):
        reply = render.targets(kb, [kb.target(t) for t in question.values("target")])
        return Answer(Outcome.answered, Topic.targets, [reply], aspect=aspect)
    candidates = likely_measures(kb, question.text)
    apart = _named_apart(kb, question.text, candidates)
    if apart is not None:
        candidates = [apart]
    if len(candidates) == 1:  # a clarification with one candidate is an answer
        return _measure(
            question,
            context,
            kb,
            language(),
            candidates[0],
            aspect,
            question.first("district") or context.district,
            [candidates[0].id],
        )
    if not candidates:
        # nothing in the document comes close: say what the bot covers and where else to ask
        buttons = [render.measure_button(m) for m in kb.measures if m.amount.value_yuan][:3]
        reply = render.cannot_help(kb, "utter_no_match", context.hotline, buttons)
        return Answer(Outcome.fallback, Topic.none, [reply], aspect=aspect, memory={"last_aspect": aspect})
    return Answer(
        Outcome.clarify,
        Topic.none,
        [render.ask_which(kb, candidates, aspect)],
        aspect=aspect,
        memory={"last_aspect": aspect},
    )


# --- targets and the document ---------------------------------------------------------------------


def _targets(question: Question, context: Context, kb: KnowledgeBase, lang: Language) -> Answer:
    chosen = [kb.target(t) for t in question.values("target")]
    hit = kb.clear_hit(question.text)
    target_clauses = {t.clause for t in kb.targets}
    if not chosen and not question.values("measure") and hit and hit.clause not in target_clauses:
        return _policy(question, context, kb, lang, no_targets=True)  # '高企 培育'
    # targets named in words a measure's name claimed first ('技术经纪人和技术转移服务机构的目标')
    chosen += [kb.target(h.key) for h in kb.find_targets(question.text) if kb.target(h.key) not in chosen]
    if not chosen:
        # '特派员要达到多少人': the targets of the clause that holds the named measure; '…和经纪人的目标':
        # a head or tail of a target's name
        for measure_id in question.values("measure"):
            chosen += [
                t
                for t in kb.targets
                if t.clause == kb.measure(measure_id).clause and t not in chosen and _shares_a_word(t, question.text)
            ]
        chosen += [t for t in _targets_named(kb, question.text) if t not in chosen]
    if not chosen:
        # '到十三五末要有几个区市进国家创新型县': a target whose own words hold the measure's name as said
        said = [e.get("text") or "" for e in question.entities if e.get("entity") == "measure"]
        chosen = [t for t in kb.targets if any(len(w) >= 3 and w in "".join(t.quote.split()) for w in said)]
    if not chosen and context.measure and not question.values("measure"):
        chosen = _measure_targets(kb, context.measure)  # '到2020年规模要多大' after 科技特派员's support
    if not chosen and question.values("measure"):
        return _policy(question, context, kb, lang, no_targets=True)  # '人才工作专项资金要设多大规模'
    return _targets_answer(kb, chosen, question.text, lang)


def _shares_a_word(target: Target, text: str) -> bool:
    """Whether the question says a two-character word of the target's name ('技术' of 技术经纪人 in
    '技术转移转化方面的目标'; nothing of 科技特派员 in '要建几个星创天地')."""
    return any(piece in text for piece in _name_pieces(target.indicator))


def _targets_answer(kb: KnowledgeBase, chosen: list[Target], text: str, lang: Language) -> Answer:
    reply = render.targets(kb, chosen)
    other_years = [y for y in frames.years_in(text) if y < kb.document.period.end_year]
    if other_years and chosen:
        # '那2018年要达到多少呢': the document sets each target for one year only; another year's is not said
        units = "、".join(u.name for u in kb.lead_units(chosen[0].clause))
        note = say("frames", "target_year_open", year=other_years[0], end=kb.document.period.end_year)
        note += say("frames", "target_year_ask", units=units) if units else ""
        reply = replace(reply, text=f"{note}\n{reply.text}")
    claimed = _claimed_counts(text, kb, lang)
    if claimed:
        # '技术交易额目标是50亿吗': 是/不是 first
        stated = counts("".join(t.quote for t in (chosen or kb.targets)))
        reply = render.verdict_first(reply, set(claimed) <= set(stated))
    return _targets_answered(reply, chosen)


def _document(question: Question, context: Context, kb: KnowledgeBase, lang: Language) -> Answer:
    if question.sure_values("measure") and lang.aspect_of(question.text):
        return _policy(question, context, kb, lang)  # 'the maximum R&D subsidy under 威政办发〔2018〕32号'
    clause = kb.find_clause_by_title(question.text)  # '文件的基本原则是啥' → 一（二）
    if clause:
        reply = render.clause_answer(kb, clause, question.text, "info", whole=True)
        return Answer(
            Outcome.answered,
            Topic.clause,
            [reply],
            aspect="info",
            clause=clause.id,
            memory={"clause": clause.id, "measure": None},
        )
    if kb.clear_hit(question.text, min_score=DOCUMENT_QUESTION_SCORE):
        return _policy(question, context, kb, lang)
    aspect = lang.frames.document_aspect(question.text, "ask_document") or "all"
    return _document_frame(kb, aspect)


# --- frames: follow-ups, corrections, the document, arithmetic, what the document leaves open -------

_ASPECT_INTENT = {aspect: intent for intent, aspect in INTENT_ASPECT.items()}


def _named_words(question: Question) -> tuple[str, ...]:
    """The user's words for the KB terms other than measures ('荣成', '乡镇', '200万')."""
    return tuple(e["text"] for e in question.entities if e.get("entity") != "measure" and e.get("text"))


def _remembered(answer: Answer, frame: Frame, context: Context, kb: KnowledgeBase) -> Frame:
    """The frame the next turn leans on: what this answer answered. A clarification or a fallback keeps
    the last one, so '谁牵头' after '您是想问哪一项？' still has something to lean on."""
    previous = context.frame
    if answer.outcome is not Outcome.answered and previous is not None:
        return previous
    subject = {
        Topic.measure: Subject.measure,
        Topic.measures: Subject.measure,
        Topic.clause: Subject.clause,
        Topic.targets: Subject.targets,
        Topic.document: Subject.document,
    }.get(answer.topic, Subject.none)
    return Frame(
        document=kb.document.code,
        subject=subject,
        measures=answer.measures,
        clause=answer.clause,
        targets=answer.targets,
        aspect=answer.aspect,
        doc_aspect=answer.doc_aspect,
        part=answer.part,
        district=frame.district or (previous.district if previous else None),
        applicant=frame.applicant or (previous.applicant if previous else None),
        earlier=_earlier(answer.measures, previous),
        # '三个镇一共多少': the count a later '再加上…' adds onto
        count=frame.count if frame.operation is Operation.multiply and len(answer.measures) == 1 else None,
    )


# How many measures answered before the last one a conversation keeps ('俩加一块多少' needs one).
EARLIER_KEPT = 3


def _earlier(measures: tuple[str, ...], previous: Frame | None) -> tuple[str, ...]:
    if previous is None:
        return ()
    before = (*previous.measures, *previous.earlier)
    return tuple(m for m in dict.fromkeys(before) if m not in measures)[:EARLIER_KEPT]


def _sibling_by_word(kb: KnowledgeBase, measure_id: str, word: str) -> str | None:
    """'县呢' after the township award: the measure of the same clause whose name holds the word."""
    if not word:
        return None
    measure = kb.measure(measure_id)
    if word in measure.name or any(word in a for a in measure.aliases):
        return None
    siblings = [
        m
        for m in kb.measures
        if m.clause == measure.clause and m.id != measure_id and (word in m.name or any(word in a for a in m.aliases))
    ]
    return siblings[0].id if len(siblings) == 1 else None


def _sibling_in_words(kb: KnowledgeBase, measure_id: str, text: str) -> str | None:
    """The one measure of the same clause whose name shares two or more characters in a row with `text`
    that the given measure's name does not have ('县（市）' of 国家创新型县（市）奖励 beside the township's)."""
    measure = kb.measure(measure_id)
    pieces = {text[i:j] for i in range(len(text)) for j in range(i + 2, len(text) + 1)}
    own = {p for p in pieces if p not in measure.name}
    siblings = [
        m.id for m in kb.measures if m.clause == measure.clause and m.id != measure_id and any(p in m.name for p in own)
    ]
    return siblings[0] if len(siblings) == 1 else None


def _lean_on(
    question: Question, context: Context, kb: KnowledgeBase, lang: Language, frame: Frame, partial: bool
) -> tuple[Question, Context]:
    """A message that names part of a frame ('县呢', '谁牵头', '不对，我问的是乡镇') asked as the last frame
    changed by it: what it names replaces, what it omits is inherited."""
    previous = context.frame
    assert previous is not None
    aspect = frame.aspect or previous.aspect
    intent = question.intent
    inherited = None
    if previous.aspect == "calculator" and not frame.aspect:
        intent = "inform"  # '荣成' after the calculator's list: the list for that district
    elif frame.aspect is None and aspect in _ASPECT_INTENT:
        intent, inherited = _ASPECT_INTENT[aspect], aspect  # '那农科驿站呢' is asked the way the last one was
    elif intent in ("ask_targets", "ask_document") or intent not in INTENT_ASPECT:
        intent = _ASPECT_INTENT.get(aspect or "", "inform")
    measure, clause = context.measure, context.clause
    entities = question.entities
    base = previous.measures[0] if len(previous.measures) == 1 else None
    if base and frame.correction and not question.sure_values("measure"):
        # '哦我记混了，500万是给县（市）的对吧' after the township award: the county award, then the claim
        base = _sibling_in_words(kb, base, frame.rest) or base
    if base and base != previous.measures[0] and not partial:
        measure = base
        entities = (*entities, {"entity": "measure", "value": base, "confidence_entity": 1.0, "inherited": True})
    if partial and base:
        measure = _sibling_by_word(kb, base, frames.core(frame.rest, lang)) or base
        if frame.applicant:
            measure = _sibling_for(kb, measure, frame.applicant)  # '合作社呢'
        # the measure it omits is inherited: a weak search hit on its other words does not replace it
        entities = (*entities, {"entity": "measure", "value": measure, "confidence_entity": 1.0, "inherited": True})
    elif partial and previous.clause:  # a theme of one clause, or a clause: lean on the clause
        measure, clause = None, previous.clause
    text = frame.rest if frame.correction else question.text
    leaned = Context(
        measure=measure,
        clause=clause,
        district=frame.district or context.district,
        applicant_type=context.applicant_type,
        amount=context.amount,
        last_aspect=aspect,
        hotline=context.hotline,
        frame=previous,
    )
    return replace(
        question, text=text or question.text, intent=intent, entities=entities, inherited_aspect=inherited
    ), leaned


def _framed(
    question: Question, context: Context, kb: KnowledgeBase, lang: Language, frame: Frame, partial: bool
) -> Answer | None:
    """The answers a frame plans on its own; None where the measure engine answers. Each step returns an
    answer or None, in this order: what leans on the last frame, then what the message asks by itself."""
    steps: tuple[Callable[[], Answer | None], ...] = (
        lambda: _unit_asked(question, context, kb, lang),  # '市科协负责哪几条' names its subject, however short
        lambda: _where_quoted(question, kb, lang),  # '文件里哪几处用了“一事一议”'
        lambda: _quote_explained(question, kb, lang),  # '“提前介入…中试活动”，这么做图的是什么'
        lambda: _following(question, context, kb, lang, frame, partial),
        lambda: _not_covered(question, kb, lang, context.hotline),  # '驾驶证到期了去哪换证' is no validity question
        lambda: _technique_asked(question, kb, lang, context.hotline),
        lambda: _passage_asked(question, kb, lang, frame, partial),
        lambda: _content_asked(question, kb, lang, frame, partial),
        lambda: _clause_detail(question, kb, lang),
        lambda: _document_asked(question, context, kb, lang, frame),
        lambda: _between_targets(question, kb, lang),
        lambda: _targets_asked(question, context, kb, lang, frame),
        lambda: _own_arithmetic(question, context, kb, lang, frame),
        lambda: _arithmetic(question, context, kb, lang, frame),
        lambda: _basis_asked(question, context, kb, lang, frame),
        lambda: _other_level(question, kb, frame),
        lambda: _undecided(question, context, kb, lang, frame, partial),
        lambda: _clause_asked(question, context, kb, lang, frame),
        lambda: _theme_asked(question, kb, lang, frame),
    )
    return next((answer for step in steps if (answer := step()) is not None), None)


def _following(
    question: Question, context: Context, kb: KnowledgeBase, lang: Language, frame: Frame, partial: bool
) -> Answer | None:
    """'说简单点', '主送哪些单位' after a document question, '有多少钱' after a clause, '到哪年' after a target."""
    previous = context.frame
    if previous is None:
        return None
    if frame.brevity and not frame.names_subject and previous.subject is not Subject.none:
        # '详细点，连支持的钱数一起说': the last answer, longer, whatever else the message asks of it
        return _again(question, context, kb, lang, previous, frame.brevity)
    if previous.subject is Subject.document and frame.part and not frame.doc_aspect:  # '保障措施呢'
        return _document_frame(kb, previous.doc_aspect or "structure", frame.part)
    if previous.subject is Subject.document and not frame.names_subject:
        doc_aspect = lang.frames.document_aspect(question.text, "ask_document")
        if doc_aspect:  # '主送哪些单位' after a question about the document
            return _document_frame(kb, doc_aspect, frame.part)
    if not partial or frame.correction:
        return None
    return _leaning(question, context, kb, lang, frame, previous)


def _leaning(
    question: Question, context: Context, kb: KnowledgeBase, lang: Language, frame: Frame, previous: Frame
) -> Answer | None:
    """A partial message after an answer: why it says so, a number its clause sets, a detail of a clause,
    of targets or of the document."""
    if lang.frames.why.search(question.text):  # '为什么不是50%': the sentence that says why
        return _detail_asked(question, context, kb, lang)
    if previous.measures and lang.target_question.search(question.text) and not read_figures(question.text, lang):
        chosen = _measure_targets(kb, previous.measures[0])
        if chosen:  # '要多少人' after 科技特派员's support: the number its clause sets for them
            return _targets_answer(kb, chosen, question.text, lang)
    if previous.subject is Subject.clause and previous.clause and frame.aspect:  # '有多少钱' after '二（十二）讲的啥'
        return _clause_frame(question, context, kb, lang, replace(frame, clause=previous.clause))
    if previous.subject is Subject.targets and previous.targets and not target_follow_up(kb, question.text, context):
        detail = _detail_asked(question, context, kb, lang)
        if detail is not None and detail.topic is Topic.measure:
            return detail  # '刚才说的研发支持是多少' after 科技特派员's 千人规模: the measure beside the target
        paying = [kb.measure(m) for t in previous.targets for m in _paying_beside(kb, kb.target(t))]
        if frame.aspect == "amount" and len(paying) == 1 and not lang.target_question.search(question.text):
            # '工作好的给多少' after the commissioners' 千人规模: the sum the same sentence gives them
            measure = paying[0]
            return _measure(question, Context(), kb, lang, measure, "amount", frame.district, [measure.id])
        return _after_targets(question, kb, lang, frame, previous)
    if previous.subject is Subject.document and not frame.aspect:
        aspect = lang.frames.document_aspect(question.text, "ask_document") or previous.doc_aspect or "summary"
        return _document_frame(kb, frame.doc_aspect or aspect)
    return None


def _repeats_last(answer: Answer, frame: Frame, context: Context) -> bool:
    """A follow-up that changed nothing the engine understands: no aspect, place, applicant, year, count,
    length or correction of its own, and the answer is about what the last one was about."""
    previous = context.frame
    if previous is None or answer.outcome is not Outcome.answered or frame.names_subject:
        return False
    own = (frame.aspect, frame.district, frame.applicant, frame.year, frame.count, frame.brevity)
    if any(v is not None for v in own) or frame.correction or frame.operation is not Operation.lookup:
        return False
    return (
        answer.measures[:1] == previous.measures[:1]
        and answer.targets == previous.targets
        and (answer.clause or None) in (previous.clause, None)
    )


# A follow-up's words must share at least this much with a sentence of the last answer's clause
# (policy_kb.details: a telling bigram, or a few telling characters) for that sentence to answer it.
DETAIL_MIN_SCORE = 2.0
# A detail follow-up is a short question: a longer one asks something of its own.
DETAIL_MAX_CHARS = 24


def _last_clauses(context: Context, kb: KnowledgeBase) -> tuple[str, ...]:
    """The clauses the last answer was about: its clause, its measures' or its targets' clauses."""
    previous = context.frame
    found = [context.clause] if context.clause else []
    if previous is not None:
        found += [previous.clause] if previous.clause else []
        found += [kb.measure(m).clause for m in previous.measures]
        found += [kb.target(t).clause for t in previous.targets]
    if context.measure:
        found.append(kb.measure(context.measure).clause)
    return tuple(dict.fromkeys(c for c in found if c))


def _detail_asked(question: Question, context: Context, kb: KnowledgeBase, lang: Language) -> Answer | None:
    """'会上干什么' after the consultation meetings, '跟哪个时期比' after a target, '这一条落实的是哪个文件',
    '奖励钱市财政局管吗': the sentence of the last answer's clause that shares the most telling words with
    the question, verbatim; a sentence that holds a measure's words is that measure's answer."""
    clauses = _last_clauses(context, kb)
    text = question.text
    if context.frame is None or not clauses or len(text) > DETAIL_MAX_CHARS:
        return None  # (the measure slot alone may be this very message's entity, not a last answer)
    found = [d for d in kb.details(text, clauses) if d.score >= DETAIL_MIN_SCORE and d.shared >= 2]
    if not found:
        return None
    best = found[0]
    squeezed = "".join(best.sentence.split())
    aspect = lang.aspect_of(text) or "info"
    quoted = [m for m in kb.measures_in_clause(best.clause) if "".join(m.quote.split()) in squeezed]
    if len(quoted) == 1 and aspect != "lead_unit" and any(w in text for w in _name_pieces(quoted[0].name)):
        # '刚才说的研发支持是多少' after 科技特派员's target: the measure the words name
        measure = quoted[0]
        return _measure(question, Context(), kb, lang, measure, aspect, context.district, [measure.id])
    clause = kb.clause(best.clause)
    units = aspect == "lead_unit" or lang.frames.who.search(text)
    reply = frame_answers.detail(kb, clause, best.sentence, units=bool(units))
    return _clause_answered(reply, clause.id, aspect)


# A question about what the document says, in words no measure, target or clause number names, is
# answered by the one sentence that shares this much with it, and clearly more than any other clause's.
CONTENT_MIN_SCORE = 6.0
CONTENT_MARGIN = 1.3


def _content_asked(question: Question, kb: KnowledgeBase, lang: Language, frame: Frame, partial: bool) -> Answer | None:
    """'镇里的科技工作由谁来指导', '跟医疗健康有关的内容有哪些', '各区市人才工作专项资金要设多大规模':
    the sentence of the document that says it, verbatim, with who leads there and what it leaves open."""
    if partial or frame.operation is not Operation.lookup or frame.subject not in (Subject.none, Subject.document):
        return None
    text = question.text
    if read_figures(text, lang) or lang.profile.search(text) or frame.year is not None:
        return None
    if lang.frames.support_asked.search(text):
        return None  # '有这方面的政策吗', '有奖励吗': what is given is the measures' to answer
    where = frame.doc_aspect == "structure" and lang.frames.where_said.search(text)  # '能对上文件的哪一条'
    if frame.subject is Subject.document and frame.doc_aspect not in (None, "summary", "all", "issuer") and not where:
        return None
    if frame.doc_aspect == "issuer" and lang.frames.issued.search(text):
        return None  # '这个实施意见是哪个单位印发的': the document's issuer, not a sentence about 印发
    if lang.aspect_of(text) in ("amount", "cost_share", "how_to_apply"):
        return None  # money and how to get it are the measures' (the measure steps find them by search)
    hit = kb.clear_hit(frames.without_description(text, lang), min_score=UNSURE_INTENT_SCORE)
    if hit is not None and hit.kind == "measure":
        return None  # '想先进培育库慢慢往高企走': the measure the search plainly finds answers
    found = kb.details(_content_words(text, lang))
    if not found or found[0].score < CONTENT_MIN_SCORE:
        return None
    best = found[0]
    rival = next((d for d in found if d.clause != best.clause), None)
    if rival is not None and best.score < CONTENT_MARGIN * rival.score:
        return None
    clause = kb.clause(best.clause)
    aspect = lang.aspect_of(text) or "info"
    units = aspect == "lead_unit" or bool(lang.frames.who.search(text))
    reply = frame_answers.detail(kb, clause, best.sentence, units=units, silent_on=aspect)
    return _clause_answered(reply, clause.id, aspect)


def _clause_detail(question: Question, kb: KnowledgeBase, lang: Language) -> Answer | None:
    """'促进社会事业发展那条涉及哪些领域', '乡村振兴那条点名了哪些特色产品': the clause the user points at,
    and its sentence that holds the rest of the question's words."""
    text = question.text
    named = frames.titled_clause(text, kb, lang)
    if not named or not lang.open_question.search(text) or read_figures(text, lang):
        return None
    clause = kb.clause(named[0])
    asked = _content_words(text.replace(frames.title_words(text, clause), " "), lang)
    found = [d for d in kb.details(asked, (clause.id,)) if d.sentence != clause.units_quote]
    if not found or found[0].score < DETAIL_MIN_SCORE or found[0].shared < 2:
        return None
    aspect = lang.aspect_of(text) or "info"
    reply = frame_answers.detail(kb, clause, found[0].sentence, units=aspect == "lead_unit", silent_on=aspect)
    return _clause_answered(reply, clause.id, aspect)


def _content_words(text: str, lang: Language) -> str:
    """What a question is about: without who the user is, the document's names for itself and the
    words of what is asked (an aspect says what, not about what)."""
    plain = lang.frames.document_words(text)  # '扇贝', '海带': where the document says 贝类、藻类
    text = f"{frames.without_description(text, lang)} {plain}"
    text = lang.frames.this_document.sub(" ", lang.frames.document.sub(" ", text))
    for cue in lang.aspects.values():
        text = cue.sub(" ", text)
    return lang.frames.content_noise.sub(" ", text)


def _name_pieces(name: str) -> list[str]:
    """The two-character pieces of a measure's name ('研发', '发支', '支持'): words a user repeats of it."""
    return [name[i : i + 2] for i in range(len(name) - 1)]


def _paying_beside(kb: KnowledgeBase, target: Target) -> list[str]:
    """The measures with a stated sum whose words are in the sentence that sets `target`."""
    quote = "".join(target.quote.split())
    said = next((s for s in (("".join(x.split())) for x in sentences(kb.clause(target.clause).text)) if quote in s), "")
    quotes = {m.id: "".join(m.quote.split()) for m in kb.measures_in_clause(target.clause) if m.amount.value_yuan}
    return [m for m, quote in quotes.items() if said and (quote in said or said in quote)]


def _measure_targets(kb: KnowledgeBase, measure_id: str) -> list[Target]:
    """The targets a measure's clause sets for what the measure's name names (科技特派员研发支持 →
    科技特派员's 千人规模)."""
    measure = kb.measure(measure_id)
    return [t for t in kb.targets if t.clause == measure.clause and t.indicator in measure.name]


def _after_targets(question: Question, kb: KnowledgeBase, lang: Language, frame: Frame, previous: Frame) -> Answer:
    """'孵化器和众创空间呢？' names other targets; '到哪年' asks about the same ones; '是谁负责的？' the lead
    units of their clause."""
    named = [kb.target(key) for key in dict.fromkeys(h.key for h in kb.find_targets(question.text))]
    chosen = named or [kb.target(t) for t in previous.targets]
    if frame.aspect in ("lead_unit", "how_to_apply", "conditions") and not named:
        return _clause_reply(kb, kb.clause(chosen[0].clause), question.text, frame.aspect)
    return _targets_answer(kb, chosen, question.text, lang)


def _clause_reply(kb: KnowledgeBase, clause: Clause, text: str, aspect: str) -> Answer:
    return _clause_answered(render.clause_answer(kb, clause, text, aspect), clause.id, aspect)


def _clause_answered(reply: render.Reply, clause_id: str, aspect: str, measures: tuple[str, ...] = ()) -> Answer:
    """An answer about a clause, remembered so that '谁牵头' next leans on it."""
    return Answer(
        Outcome.answered,
        Topic.clause,
        [reply],
        aspect=aspect,
        measures=measures,
        clause=clause_id,
        memory={"last_aspect": aspect, "measure": None, "clause": clause_id},
    )


def _targets_answered(reply: render.Reply, chosen: list[Target]) -> Answer:
    return Answer(
        Outcome.answered,
        Topic.targets,
        [reply],
        aspect="targets",
        targets=tuple(t.id for t in chosen),
        memory={"last_aspect": "targets"},
    )


def _document_asked(
    question: Question, context: Context, kb: KnowledgeBase, lang: Language, frame: Frame
) -> Answer | None:
    """The document itself ('这个文件有几条', '还管用吗'), not a document it cites ('按哪些文件给奖励' after a
    measure) nor the document's words about something ('文件里西洋参说的啥')."""
    if frame.subject is not Subject.document:
        return None
    previous = context.frame
    if previous is not None and previous.measures and not lang.frames.this_document.search(question.text):
        return None
    themed = any(cue.search(question.text) for cue in lang.themes.values())
    if frame.doc_aspect in (None, "all") and (question.sure_values("measure") or themed):
        return None  # 'the maximum R&D subsidy under 威政办发〔2018〕32号': the measure (or theme), in the document
    if frame.doc_aspect in ("summary", "issuer") and themed:
        return None  # '这份意见在金融方面怎么说的，哪个部门牵头': the theme, not the document's header
    structure_of_part = frame.doc_aspect == "structure" and frame.part is not None  # '保障措施有几条'
    by_number = kb.document.number in question.text or bool(lang.frames.this_document.search(question.text))
    if (
        not structure_of_part
        and not by_number
        and (
            kb.find_clause_by_title(question.text)
            or kb.find_targets(question.text)
            or kb.clear_hit(question.text, min_score=DOCUMENT_QUESTION_SCORE)
        )
    ):
        return None
    part = None if lang.frames.whole_structure.search(question.text) else frame.part
    return _document_frame(kb, frame.doc_aspect or ("structure" if part else "all"), part)


def _targets_asked(
    question: Question, context: Context, kb: KnowledgeBase, lang: Language, frame: Frame
) -> Answer | None:
    after_targets = context.frame is not None and context.frame.subject is Subject.targets
    if (
        frame.subject is Subject.targets
        and frame.operation is Operation.lookup
        and (lang.target_question.search(question.text) or after_targets)
    ):
        named = [kb.target(t) for t in frame.targets]
        named += [t for t in _targets_named(kb, question.text) if t not in named]  # '…和经纪人的目标'
        # '技术转移转化方面，到2020年要达到什么目标': every target of the theme's clauses
        themes = {topic for topic, cue in lang.themes.items() if cue.search(question.text)}
        clauses = {m.clause for m in kb.measures if m.topic in themes}
        named += [t for t in kb.targets if t.clause in clauses and t not in named]
        return _targets_answer(kb, named, question.text, lang)
    if frame.subject is Subject.measure and lang.target_question.search(question.text) and not frame.count:
        # '特派员 规模 到哪年': a number to reach, of the target its clause sets for what the measure names
        said = [e.get("text") or "" for e in question.entities if e.get("entity") == "measure"]
        chosen = [
            t
            for m in frame.measures
            for t in kb.targets
            if t.clause == kb.measure(m).clause and any(w and w in t.indicator for w in said)
        ]
        if chosen and not read_figures(question.text, lang):
            return _targets_answer(kb, chosen, question.text, lang)
    return None


def _clause_asked(
    question: Question, context: Context, kb: KnowledgeBase, lang: Language, frame: Frame
) -> Answer | None:
    if frame.subject is not Subject.clause or not frame.clause:
        return None
    if frame.measures and question.sure_values("measure"):
        return None  # '第二部分第十二条的创新券': the measure; a typo-like match ('标准' ~ 奖励标准) is not one
    previous = context.frame
    if previous is not None and previous.part:  # '第三条讲什么' after the safeguards: 三（三）
        refs = frames.clause_refs(question.text, kb.data.clauses, default_part=previous.part)
        frame = replace(frame, clause=refs[0] if refs else frame.clause)
    return _clause_frame(question, context, kb, lang, frame)


def _document_frame(kb: KnowledgeBase, aspect: str, part: str | None = None) -> Answer:
    return Answer(
        Outcome.answered,
        Topic.document,
        [frame_answers.document_answer(kb, aspect, part)],
        aspect="info",
        doc_aspect=aspect,
        part=part,
        memory={"last_aspect": "info", "measure": None, "clause": None},
    )


def _theme_asked(question: Question, kb: KnowledgeBase, lang: Language, frame: Frame) -> Answer | None:
    """'人才 牵头单位', '科技金融 牵头': a theme named with an aspect and no measure: its one measure, or its
    one clause."""
    if frame.measures or frame.aspect in (None, "info") or question.values("measure"):
        return None
    found = [(m.start(), topic, m.group(0)) for topic, cue in lang.themes.items() if (m := cue.search(question.text))]
    if not found or len(frames.residue(question.text, lang, (min(found)[2],))) > lang.frames.partial_max_chars:
        return None  # only the theme and what is asked of it ('人才 牵头单位'), not a sentence about it
    topic = min(found)[1]
    in_theme = [m for m in kb.measures if m.topic == topic]
    clauses = {m.clause for m in in_theme}
    if len(in_theme) == 1:
        measure = in_theme[0]
        return _measure(question, Context(), kb, lang, measure, frame.aspect, frame.district, [measure.id])
    if len(clauses) == 1:
        clause = kb.clause(clauses.pop())
        return _clause_reply(kb, clause, question.text, frame.aspect)
    return None


def _clause_frame(question: Question, context: Context, kb: KnowledgeBase, lang: Language, frame: Frame) -> Answer:
    """'二（二） 上限', '第二部分第九条 牵头', '32号文 二（八）': the clause, or its one measure that answers."""
    clause = kb.clause(frame.clause or "")
    aspect = frame.aspect or _aspect(question, context, lang)
    in_clause = kb.measures_in_clause(clause.id)
    with_money = [m for m in in_clause if m.amount.value_yuan]
    chosen = None
    if aspect in ("amount", "cost_share") and len(with_money) == 1:
        chosen = with_money[0]
    elif len(in_clause) == 1 and aspect not in ("info", "lead_unit"):
        chosen = in_clause[0]
    if chosen is not None:
        return _measure(
            question, context, kb, lang, chosen, aspect, question.first("district") or context.district, [chosen.id]
        )
    if aspect == "amount" and len(with_money) > 1:  # '第二部分第三条 奖励标准': every sum the clause states
        reply = frame_answers.clause_money(kb, clause.id)
        return _clause_answered(reply, clause.id, aspect, tuple(m.id for m in with_money))
    answer = _clause_reply(kb, clause, question.text, aspect)
    if aspect == "lead_unit" and lang.is_yes_no(question.text):
        # '科技金融那条是科技局牵头的吗': the units put forward against the clause's lead units
        named = {h.key for h in kb.find_units(question.text)}
        leads = {u.id for u in kb.lead_units(clause.id)}
        if named:
            agrees = named == leads if lang.frames.only.search(question.text) else named <= leads
            answer.replies = [render.verdict_first(r, agrees) for r in answer.replies]
    return answer


def _again(
    question: Question, context: Context, kb: KnowledgeBase, lang: Language, previous: Frame, brevity: str
) -> Answer:
    """'说简单点' / '详细点': the last answer again, shorter (its first line and citation) or with the
    document's own words."""
    if previous.subject is Subject.document:
        answer = _document_frame(kb, previous.doc_aspect or "summary")
    elif previous.subject is Subject.targets and previous.targets:
        chosen = [kb.target(t) for t in previous.targets]
        answer = _targets_answer(kb, chosen, "", lang)
        if brevity == "long":  # '详细点' after 经纪人: the sentence it is set in (100家服务机构 beside it)
            answer.replies = [render.with_sentences(r, _target_sentences(kb, chosen)) for r in answer.replies]
            return answer
    elif previous.measures:
        measure = kb.measure(previous.measures[0])
        answer = _measure(
            replace(question, text=""),
            context,
            kb,
            lang,
            measure,
            previous.aspect or "info",
            previous.district or context.district,
            [measure.id],
        )
    elif previous.clause:
        clause = kb.clause(previous.clause)
        reply = render.clause_answer(kb, clause, "", previous.aspect or "info", whole=brevity == "long")
        answer = Answer(
            Outcome.answered,
            Topic.clause,
            [reply],
            aspect=previous.aspect,
            clause=clause.id,
            memory={"clause": clause.id, "measure": None},
        )
    else:
        return _no_measure(question, context, kb, "info")
    if brevity == "short" and answer.topic is Topic.targets:
        return answer  # a target is one line each already: shorter would drop one
    replies = [
        render.shorter(r) if brevity == "short" else render.longer(kb, r, answer.measures, answer.clause)
        for r in answer.replies
    ]
    answer.replies = replies
    return answer


def _target_sentences(kb: KnowledgeBase, chosen: list[Target]) -> list[str]:
    """The document's sentences that set the targets, each once."""
    found = []
    for target in chosen:
        quote = "".join(target.quote.split())
        found += [s for s in sentences(kb.clause(target.clause).text) if quote in "".join(s.split())][:1]
    return list(dict.fromkeys(found))


def _counted_measures(text: str, kb: KnowledgeBase, lang: Language, measures: list[str]) -> dict[str, int]:
    """'一个县和两个镇': the count each named measure is taken with, by the word after the count
    (a character of that measure's name and of no other named one)."""
    found: dict[str, int] = {}
    for match in lang.frames.count.finditer(text):
        number = frames.count_value(match.group("n"), lang)
        noun = text[match.end() : match.end() + 2].lstrip("的")
        if not number or not noun:
            continue
        for measure_id in measures:
            others = [kb.measure(o).name for o in measures if o != measure_id]
            if noun[0] in kb.measure(measure_id).name and not any(noun[0] in name for name in others):
                found.setdefault(measure_id, number)
    return found


def _places(question: Question, measures: list[str]) -> int | None:
    """'文登区和乳山市都创成…一共多少': as many as the districts named, for one measure given per district."""
    places = len(set(question.values("district")))
    return places if places > 1 and len(measures) == 1 else None


def _counted_money_measures(text: str, kb: KnowledgeBase, lang: Language) -> dict[str, int]:
    """'一个县和两个镇': measures with a sum, named by the words right after a count, each word in the
    name of exactly one of them ('县' → 国家创新型县（市）奖励, '镇' → 国家创新型乡镇奖励)."""
    money = frame_answers.money_measures(kb)
    found: dict[str, int] = {}
    for match in lang.frames.count.finditer(text):
        number = frames.count_value(match.group("n"), lang)
        after = text[match.end() : match.end() + 6].lstrip("的它下面还有")
        for size in range(min(len(after), 5), 0, -1):
            holders = [m for m in money if after[:size] in m.name]
            if len(holders) == 1 and number:
                found.setdefault(holders[0].id, number)
                break
    return found


def _joined_money_measures(text: str, kb: KnowledgeBase, lang: Language) -> list[str]:
    """The measures with a sum that the parts of 'A和B' name by a word in exactly one of their names."""
    money = frame_answers.money_measures(kb)
    found: list[str] = []
    for part in re.split(f"{lang.joined.pattern}|比(?!例|重|率)", text):
        words = [
            part[start : start + size]
            for size in range(min(len(part), 4), 0, -1)
            for start in range(len(part) - size + 1)
        ]
        for word in words:
            holders = [m.id for m in money if word.strip() and word in m.name]
            if len(holders) == 1:
                found.append(holders[0])
                break
    return found


def _arithmetic(question: Question, context: Context, kb: KnowledgeBase, lang: Language, frame: Frame) -> Answer | None:
    """Sums, count × amount and differences over the document's figures, each input shown with its clause."""
    # the user's own sums are split by the shares (_own_arithmetic), never summed with the document's
    if (
        frame.operation is Operation.lookup
        and not _counted_amount(question.text, kb, lang)
        and not _count_follow_up(question, context, frame, lang)
    ) or _own_figures(question, lang):
        return None
    measures = list(frame.measures) or list(question.values("measure"))
    previous = context.frame
    if previous is not None and previous.measures and not measures and not frame.targets:
        measures = list(previous.measures[:3])  # '两名一共至少多少' after the commissioners; '加起来呢'
    elif (
        previous is not None
        and len(previous.measures) == 1
        and len(measures) == 1
        and previous.measures[0] != measures[0]
        and frame.operation in (Operation.add, Operation.compare)
    ):
        measures = [previous.measures[0], *measures]  # '加上乡镇奖励一共多少' after the county award
    if _both_last(question, lang, frame, previous, kb):
        measures = [previous.measures[0], previous.earlier[0]]  # type: ignore[union-attr]
    targets = list(frame.targets) or (list(previous.targets) if previous is not None and not measures else [])
    counted = _counted_money_measures(question.text, kb, lang)
    if len(counted) > len(measures):  # '一个县和两个镇都评上，一共多少'
        measures = list(counted)
    if len(measures) < 2 and frame.operation in (Operation.add, Operation.compare):  # '乡镇奖励和县奖励加一块多少'
        measures += [m for m in _joined_money_measures(question.text, kb, lang) if m not in measures]
    reply = None
    if frame.operation is Operation.compare and len(measures) >= 2:
        reply = frame_answers.compare(kb, kb.measure(measures[0]), kb.measure(measures[1]))
    elif len(measures) >= 2:
        counts = {**_counted_measures(question.text, kb, lang, measures), **counted}
        reply = frame_answers.add(kb, [kb.measure(m) for m in measures[:3]], _carried(question, previous, counts))
    elif count := _count_of(question, frame, measures, counted):
        level = next((name for name, cue in lang.levels.items() if cue.search(question.text)), None)
        district = question.first("district") or context.district
        reply = frame_answers.multiply(kb, kb.measure(measures[0]), count, level, district) if measures else None
    if reply is None and frame.operation is Operation.multiply and frame.count and targets:
        reply = frame_answers.multiply_target(kb, kb.target(targets[0]), frame.count)
    if reply is None:
        return None
    return Answer(
        Outcome.answered,
        Topic.measures if len(measures) > 1 else Topic.measure,
        [reply],
        aspect="amount",
        measures=tuple(measures),
        memory={"last_aspect": "amount", "measure": measures[0] if measures else None},
    )


def _carried(question: Question, previous: Frame | None, counts: dict[str, int]) -> dict[str, int]:
    """'三个镇都评上了，一共多少' then '再加上区本身的创新型县呢': the three towns are still counted."""
    if previous is None or not previous.count or not previous.measures:
        return counts
    last = previous.measures[0]
    if counts.get(last, 1) == 1 and last not in question.values("measure"):
        return {**counts, last: previous.count}
    return counts


def _own_figures(question: Question, lang: Language) -> list[Figure]:
    return [f for f in read_figures(question.text, lang) if f.role is not Role.claim]


def _own_arithmetic(
    question: Question, context: Context, kb: KnowledgeBase, lang: Language, frame: Frame
) -> Answer | None:
    own = _own_figures(question, lang)
    return _counted_own(question, context, kb, lang, frame, own[0]) if own else None


def _counted_own(
    question: Question, context: Context, kb: KnowledgeBase, lang: Language, frame: Frame, figure: Figure
) -> Answer | None:
    """'今年有4家企业各拿到400万元研发补助，市级合计要出多少': the level's share of the user's sum, times
    the count; None (the measure's own split of the sum answers) without a count or a level."""
    measures = list(frame.measures) or question.values("measure")
    counts = [frames.count_value(m.group("n"), lang) for m in lang.frames.count.finditer(question.text)]
    counted = [n for n in counts if n and n > 1]
    level = next((name for name, cue in lang.levels.items() if cue.search(question.text)), None)
    if len(measures) != 1 or len(counted) != 1 or level is None or figure.role is not Role.subsidy:
        return None
    measure = kb.measure(measures[0])
    district = question.first("district") or context.district
    reply = frame_answers.multiply_own(kb, measure, counted[0], figure.yuan, level, district)
    if reply is None:
        return None
    memory = {"last_aspect": "cost_share", "measure": measure.id}
    return Answer(Outcome.answered, Topic.measure, [reply], aspect="cost_share", measures=(measure.id,), memory=memory)


def _count_follow_up(question: Question, context: Context, frame: Frame, lang: Language) -> bool:
    """'我们县有两个呢' after what one 科技特派员 gets: that many of the last measure."""
    previous = context.frame
    if previous is None or len(previous.measures) != 1 or frame.names_subject:
        return False
    if not frames.is_follow_up(question.text, lang) or previous.aspect not in ("amount", "conditions", "info"):
        return False
    return bool(_count_in(question.text, lang))


def _count_in(text: str, lang: Language) -> int | None:
    values = frames.counts_said(text, lang)
    return values[0] if len(values) == 1 and values[0] > 1 else None


def _counted_amount(text: str, kb: KnowledgeBase, lang: Language) -> bool:
    """'假设有50名科技特派员被择优给予研发支持，至少要多少钱': the amount of a count of one measure's
    recipients, without a word of a total."""
    counted = _counted_money_measures(text, kb, lang)
    return len(counted) == 1 and max(counted.values()) > 1 and lang.aspect_of(text) == "amount"


def _between_targets(question: Question, kb: KnowledgeBase, lang: Language) -> Answer | None:
    """'省级以上创新平台扣掉国家级的还剩多少' (330 − 30), '经纪人总数除以服务机构数，平均每家多少名'
    (1000 ÷ 100): two counted targets, one taken from or shared over the other, in the order asked."""
    text = question.text
    divide, subtract = lang.frames.divide.search(text), lang.frames.subtract.search(text)
    if not (divide or subtract):
        return None
    named = _targets_named(kb, text)
    if len(named) != 2 or any(t.kind is not TargetKind.level or t.value is None for t in named):
        return None
    units = [t.unit for t in named]
    asked = re.search(r"(?:几|多少)(家|个|名|人|位)", text)
    per = re.search(r"(?:每|一)(?:一)?(家|个|名|人|位)", text)
    if divide and asked and units.count(asked.group(1)) == 1:
        # '一家机构几名经纪人': the count asked for (名) is shared out, whichever was named first
        if named[1].unit == asked.group(1):
            named.reverse()
    elif divide and per and units.count(per.group(1)) == 1 and named[0].unit == per.group(1):
        named.reverse()  # '平均每家多少': shared over the one counted in 家, whichever was named first
    reply = frame_answers.between_targets(kb, named[0], named[1], "divide" if divide else "subtract")
    return None if reply is None else _targets_answered(reply, named)


def _targets_named(kb: KnowledgeBase, text: str) -> list[Target]:
    """The targets a message names, in its order: by name or alias, or outside those by a head or tail of
    a name no other target shares ('国家级' of 国家级创新平台, '服务机构' of 技术转移服务机构, '经纪人')."""
    hits = kb.find_targets(text)
    starts = {hit.key: hit.start for hit in reversed(hits)}
    taken = [range(hit.start, hit.end) for hit in hits]
    for target in kb.targets:
        name = target.indicator
        pieces = sorted({name[:n] for n in range(3, len(name))} | {name[-n:] for n in range(3, len(name))}, key=len)
        for piece in reversed(pieces):
            at = text.find(piece)
            if at < 0 or target.id in starts or any(at in span for span in taken):
                continue
            if not any(piece in other.indicator for other in kb.targets if other is not target):
                starts[target.id] = at
    return [kb.target(key) for key in sorted(starts, key=starts.__getitem__)]


def _count_of(question: Question, frame: Frame, measures: list[str], counted: dict[str, int]) -> int | None:
    """How many of the one measure asked: the count × amount question's, the count said beside the
    measure's own applicant ('一个区里有两个镇都评上了国家创新型乡镇': 2, the 区 holds them), or places."""
    if frame.operation is Operation.multiply:
        return frame.count
    if frame.operation is Operation.lookup and (said := _count_in(question.text, language())):
        return said  # '我们县有两个呢'
    if len(measures) == 1 and counted.get(measures[0], 0) > 1:
        return counted[measures[0]]
    return _places(question, measures)


def _both_last(question: Question, lang: Language, frame: Frame, previous: Frame | None, kb: KnowledgeBase) -> bool:
    """'乡镇奖多少' → '县呢' → '俩加一块多少': the sum of the last two measures answered, when the message
    names none ('俩' with no noun after it is the two, not a count of people)."""
    if previous is None or len(previous.measures) != 1 or not previous.earlier or question.values("measure"):
        return False
    if frame.operation is Operation.multiply and not lang.frames.both.search(question.text):
        return False
    pair = [kb.measure(previous.measures[0]), kb.measure(previous.earlier[0])]
    return frame.operation is not Operation.compare and all(m.amount.value_yuan for m in pair)


def _basis_asked(
    question: Question, context: Context, kb: KnowledgeBase, lang: Language, frame: Frame
) -> Answer | None:
    """'上一条的依据是哪个文件', '人才奖励按哪个文件执行': the documents the measure's clause cites."""
    if not lang.frames.basis.search(question.text) or frame.subject is Subject.document:
        return None
    if lang.frames.this_document.search(question.text):
        return None  # '这份实施意见是根据省里哪个文件制定的': the document's own basis
    if lang.levels["province"].search(question.text) and not question.sure_values("measure"):
        # '它是根据省里哪个文件制定的': the measures rest on the city's documents; the province's is the
        # document's own basis
        return _document_frame(kb, "basis")
    previous = context.frame
    measures = list(frame.measures) or (list(previous.measures[:1]) if previous and not frame.names_subject else [])
    clause = frame.clause if frame.subject is Subject.clause else None
    if not measures and previous and not frame.names_subject:
        clause = previous.clause  # '这一条落实的是哪个文件' after a question about 二（十）
    if clause and not frame.measures:  # '二（五） 依据哪几个文件'
        in_clause = kb.measures_in_clause(clause)
        measures = [in_clause[0].id] if in_clause else []
    if len(measures) != 1:
        return None
    measure = kb.measure(measures[0])
    reply = frame_answers.basis(kb, measure)
    return Answer(
        Outcome.answered,
        Topic.measure,
        [reply],
        aspect="info",
        measures=(measure.id,),
        memory={"last_aspect": "info", "measure": measure.id, "clause": None},
    )


def _other_level(question: Question, kb: KnowledgeBase, frame: Frame) -> Answer | None:
    """'省级创新型乡镇也能拿100万吧': the document rewards the national level only; it does not decide the
    provincial one. Never 是的 from the national figure."""
    for measure_id in frame.measures:
        measure = kb.measure(measure_id)
        if not measure.name.startswith("国家"):
            continue
        named = re.fullmatch(r"(.+?)(奖励|奖补|补助|支持)?", measure.name.removeprefix("国家"))
        core, kind = (named.group(1), named.group(2) or "支持") if named else (measure.name, "支持")
        other = re.search(rf"(省级|省|市级|区级|县级)\s*{re.escape(core[:4])}", question.text)
        if other:
            reply = frame_answers.undecided(kb, measure, f"{other.group(1)}{core}的{kind}")
            return Answer(
                Outcome.answered,
                Topic.measure,
                [reply],
                aspect="info",
                measures=(measure.id,),
                memory={"last_aspect": "info", "measure": measure.id, "clause": None},
            )
    return None


def _undecided(
    question: Question, context: Context, kb: KnowledgeBase, lang: Language, frame: Frame, partial: bool
) -> Answer | None:
    """A yes/no question the document does not decide ('能和别的补助叠加吗', '2025年还能申请吗'): never 是/不是."""
    text = _last_sentence(question.text)  # '…以便对接到账时间。这600万元里县级承担多少？' asks the last
    what = lang.frames.undecided_of(text) or _unstated_rule(text, kb, lang)
    year = frame.year
    if what is None and year is None:
        return None
    if year is not None and not (lang.is_yes_no(text) or "还能" in text or "能不能" in text):
        return None
    previous = context.frame
    measures = list(frame.measures) or (list(previous.measures[:1]) if previous and not frame.names_subject else [])
    hit = None if measures or what is None else kb.clear_hit(question.text)
    if hit is not None and hit.kind == "measure":
        measures = [hit.id]  # '乡镇的100万奖励到今年还在执行吧': the measure its words plainly describe
    if not measures:
        if year is not None:
            return _document_frame(kb, "validity")
        return None
    measure = kb.measure(measures[0])
    reply = frame_answers.undecided(kb, measure, what or "", year if what is None else None)
    return Answer(
        Outcome.answered,
        Topic.measure,
        [reply],
        aspect="info",
        measures=(measure.id,),
        memory={"last_aspect": "info", "measure": measure.id, "clause": None},
    )


def _unstated_rule(text: str, kb: KnowledgeBase, lang: Language) -> str | None:
    """'500万奖励必须专款专用，是不是这么规定的': a rule put forward whose words ('专款专用') are neither
    the document's nor its terms' is one the document does not decide, whatever the figure beside it."""
    if not (lang.is_yes_no(text) and lang.frames.obligation.search(text)):
        return None
    if kb.find_applicant_types(text):
        return None  # '只能是高校的老师，学生不行': who may apply is the measure's own answer (maybe_for, ✗ or ✓)
    import jieba  # imported late, as policy_kb.terms does: most questions never need it

    known = {term for kinds in kb.term_lists().values() for terms in kinds.values() for term in terms}
    document = _document_text(kb)
    unstated = [
        word
        for word in dict.fromkeys(jieba.cut(text))
        if len(word) >= 2
        and all("\u4e00" <= ch <= "\u9fff" for ch in word)
        and word not in document
        and word not in known
        and word not in lang.frames.claim_fillers
        and not lang.frames.obligation.fullmatch(word)
        and not lang.is_yes_no(word)
    ]
    return "、".join(f"“{word}”" for word in unstated) or None


def _last_sentence(text: str) -> str:
    parts = [p for p in re.split(r"(?<=[。；;])", text) if p.strip()]
    return parts[-1] if parts else text


def _not_covered(question: Question, kb: KnowledgeBase, lang: Language, hotline: str) -> Answer | None:
    """'高新技术企业认定需要什么条件', '专利费能减免吗': a topic the document does not cover, even near its
    words: say so, what it says nearby, and where to ask. Not for someone telling who they are."""
    text = _last_sentence(question.text)  # the question itself, not the story before it
    if lang.target_question.search(re.split(r"[，,]", text)[-1]):
        return None  # '正在争取认定…，市里这块有目标数吗' asks a target
    found = lang.frames.not_covered.search(text)
    if found is None or lang.profile.search(text) or found.group(0) in _document_text(kb):
        return None
    if lang.frames.done_before.search(text[: found.start()]) or lang.frames.done_after.search(text[found.end() :]):
        return None  # '俺是新型职业农民，去年刚认定的，有啥培训': what happened to the user, not what is asked
    named = question.sure_values("measure")
    if named and _told(text, found.start(), lang):
        return None  # '我司营业执照在荣成市，研发补助县一级按多大比例分担': where they are, not what is asked
    # what the document says nearby: a measure the rest of the question names plainly ('高新技术企业认定')
    hit = kb.clear_hit(question.text.replace(found.group(0), ""), min_score=UNSURE_INTENT_SCORE)
    nearby = kb.measure(named[0]) if named else kb.measure(hit.id) if hit and hit.kind == "measure" else None
    reply = frame_answers.not_covered(kb, found.group(0), nearby, hotline)
    return Answer(Outcome.out_of_scope, Topic.out_of_scope, [reply])


def _told(text: str, at: int, lang: Language) -> bool:
    """Whether the part of `text` around `at` tells something rather than asks it: a comma-separated
    part with no question in it, followed by more."""
    start = max((m.end() for m in re.finditer(r"[，,。；;！!？?]", text[:at])), default=0)
    stop = re.compile(r"[，,。；;！!？?]").search(text, at)
    if stop is None or stop.end() >= len(text.rstrip()) or text[stop.start()] in "？?":
        return False
    part = text[start : stop.start()]
    return not (lang.open_question.search(part) or lang.yes_no.search(part))


def _technique_asked(question: Question, kb: KnowledgeBase, lang: Language, hotline: str) -> Answer | None:
    """'海参冬天池子里怎么养才不死': how to raise a product the document names, in no words of policy: the
    document teaches no technique; say so, what it says about the product, and where to ask."""
    text = question.text
    if not lang.frames.technique.search(text) or lang.frames.policy_words.search(text):
        return None
    named = question.values("measure")
    if len(named) != 1 or not _named_by_product(kb, question, named[0]):
        return None
    measure = kb.measure(named[0])
    product = next((p for p in measure.products if p in text), measure.products[0])
    return Answer(Outcome.out_of_scope, Topic.out_of_scope, [frame_answers.technique(kb, product, measure, hotline)])


_QUOTED = re.compile(r"[“\"‘'「]([^”\"’'」]{2,16})[”\"’'」]")


def _where_quoted(question: Question, kb: KnowledgeBase, lang: Language) -> Answer | None:
    """'“市县两级”这个说法在文件哪些条款里出现过': every clause that says the quoted words, with its sentence."""
    if not lang.frames.where_said.search(question.text):
        return None
    quoted = [m.group(1) for m in _QUOTED.finditer(question.text)]
    for words in quoted:
        squeezed = "".join(words.split())
        # a quotation that runs over a sentence's end is a pasted passage, not a phrase to look up: the
        # question after the paste is answered by the other steps
        holding = (
            (c, _sentence_holding(c.text, squeezed)) for c in kb.data.clauses if squeezed in "".join(c.text.split())
        )
        places = [(c, s) for c, s in holding if s is not None]
        if places:
            units = len(places) == 1 or lang.aspect_of(question.text) == "lead_unit"
            places = [(c, "".join(s.split())) for c, s in places]
            reply = frame_answers.where_quoted(kb, words, places, units)
            return _clause_answered(reply, places[0][0].id, "info")
    return None


def _sentence_holding(text: str, squeezed: str) -> str | None:
    """The sentence of `text` that holds `squeezed` (whitespace aside), if one does."""
    return next((s for s in sentences(text) if squeezed in "".join(s.split())), None)


# A quotation this long that the document holds verbatim is the document's words, not the user's.
QUOTE_MIN_CHARS = 6


def _quote_explained(question: Question, kb: KnowledgeBase, lang: Language) -> Answer | None:
    """'文件说大学科技园要“提前介入高校院所的研发、中试活动”，这么做图的是什么': what the quoted words
    mean or are for is said in the sentence around them: that sentence, whole."""
    if not lang.frames.meaning.search(question.text) or read_figures(question.text, lang):
        return None
    for match in _QUOTED.finditer(question.text):
        words = "".join(match.group(1).split())
        if len(words) < QUOTE_MIN_CHARS:
            continue
        found = [d for d in kb.details(words) if words in "".join(d.sentence.split())]
        if found:
            clause = kb.clause(found[0].clause)
            return _clause_answered(frame_answers.detail(kb, clause, found[0].sentence, units=False), clause.id, "info")
    return None


def names_a_passage(kb: KnowledgeBase, question: Question) -> bool:
    """'俺是村里的嫁接能手，算乡土人才不，有奖励没' reads like who the user is, but names words the document
    says in one or two clauses: those clauses answer, not the policy calculator's list."""
    text = clean(question.text)
    lang = language()
    entities = tuple(frames.self_described(text, list(question.entities), kb, lang))  # as `decide` reads them
    frame = frames.read(text, entities, kb, lang)
    asked = replace(question, text=text, entities=entities)
    # '文件里的“各区市”包括我们南海新区吗': what the text says, asked by someone who says who they are
    return bool(_passages_of(asked, kb, lang, frame, partial=False)) or (
        _content_asked(asked, kb, lang, frame, partial=False) is not None
    )


def _passage_asked(question: Question, kb: KnowledgeBase, lang: Language, frame: Frame, partial: bool) -> Answer | None:
    found = _passages_of(question, kb, lang, frame, partial)
    if not found:
        return None
    return _passage_answer(question, kb, lang, frame, found)


def _passages_of(question: Question, kb: KnowledgeBase, lang: Language, frame: Frame, partial: bool) -> list[Passage]:
    """'俺是乡土人才，文件说俺们啥了', '农技协 科协 这文件让他们干啥活': words of the document no measure is
    named by, in one or two clauses: the document's sentence that says them. A measure named in longer
    words, or in the same clause, is answered as that measure; a document aspect, a clause number, a target
    or a sum is answered by its own step; a follow-up
    ('那国家级的呢') leans on the last answer; the user's own figures go to the measure they are about."""
    if partial or frame.operation is not Operation.lookup or frame.clause or frame.targets or frame.year is not None:
        return []
    if read_figures(question.text, lang) or any(p in question.text for p in kb.document.other_places):
        return []  # the user's own figures, or another city's policy: answered by the measure steps
    cues = (lang.target_question, lang.frames.divide, lang.frames.subtract)
    if any(cue.search(question.text) for cue in cues):
        return []  # numbers to reach, and sums over them: the target steps
    if lang.frames.undecided_of(question.text) and kb.clear_hit(question.text):
        return []  # '科技管理专题培训班在哪儿办、几月份办': what the document leaves open about a measure
    # '一事一议 涉及哪几条', '回老家创业 文件有啥说法' are no questions of structure; '有几条' is
    where = lang.frames.where_said.search(question.text) or not re.search(r"几|多少", question.text)
    if frame.subject is Subject.document and frame.doc_aspect not in (
        None,
        "all",
        "summary",
        *(("structure",) if where and frame.part is None else ()),
    ):
        return []
    # the document's words for itself ('这份实施意见', its title and number) point at no clause
    words = question.text.replace(kb.document.title, " ").replace(kb.document.number, " ")
    words = lang.frames.this_document.sub(" ", lang.frames.document.sub(" ", words))
    words = f"{words} {lang.frames.document_words(words)}"  # '回县里创业' is where the document says 县域就业创业
    who = [e.get("text") or "" for e in question.entities if e.get("entity") in ("applicant_type", "district")]
    who += frames.self_description_of(question.text, lang)  # '我们是一家技术转移服务机构'
    particular = _particular(question, kb, lang, words, who)
    found = kb.passages(words, lang.frames.passage_edges, particular) or _said_to_whom(question, kb, lang, words, who)
    if not found or kb.find_targets(frames.without_description(question.text, lang)):
        return []
    found = _beside_named(question, kb, found)
    if not found:
        return []
    return found


def _particular(
    question: Question, kb: KnowledgeBase, lang: Language, words: str, who: list[str]
) -> Callable[[str], bool]:
    """Whether a phrase of the question points at the place that says it: not generic words, not a match
    glued across a term's edge, not a product, and a kind of applicant only when it is what is asked."""
    # a kind of applicant ('科技服务机构') is who asks, a district where: unless it is all the message asks about
    profile = bool(lang.profile.search(question.text))

    products = _products(kb)  # '海参' (海珍品) is the product steps' sign of who the user is
    plain = lang.frames.document_words(question.text).split()

    cuts = {edge for span in word_spans(words) for edge in span}

    def particular(phrase: str) -> bool:
        if not lang.frames.names_a_place(phrase) or any(
            _within(phrase, w) and _overlap(words, phrase, w) for w in who if w
        ):
            return False
        at = words.find(phrase)
        if at >= 0 and at + len(phrase) not in cuts:
            return False  # '科技支' of '科技支撑' ends inside a word of the question: no phrase of it
        if phrase in products:
            return False
        if phrase in plain:
            return True  # '种地的想学技术': the document's phrase for the user's words is the topic
        if not (kb.find_applicant_types(phrase) or kb.find_districts(phrase)):
            return True
        where = words.find(phrase)
        if lang.frames.membership_asked.search(words[max(0, where - 5) : where]):
            return True  # '俺算是个乡土人才吧，有奖励不': whether they are one is the question
        if lang.frames.given.match(words[where + len(phrase) :].lstrip("有没啥什么哪些")):
            return True  # '乡土人才有奖励不': what the kind is given is the question
        return not profile and len(frames.residue(words, lang, (phrase,))) <= lang.frames.passage_who_max_chars

    return particular


def _said_to_whom(question: Question, kb: KnowledgeBase, lang: Language, words: str, who: list[str]) -> list[Passage]:
    """'俺是新型职业农民，谁给俺们培训': the measure named by the word (三（三）'s 科技管理专题培训) is not for
    who the user is, and another clause says that word to them (二（十一）: 对新型职业农民…的培训): that
    place, not a ✗. The passages of the user's kind are kept by `_beside_named` only where the measure's
    word is in the same sentence."""
    applicant = question.first("applicant_type")
    named = question.sure_values("measure")
    if applicant is None or len(named) != 1:
        return []
    if kb.verdict(named[0], Profile(applicant_type=applicant)).status is not Status.not_met:
        return []

    def of_the_kind(phrase: str) -> bool:
        return (
            lang.frames.names_a_place(phrase)
            and bool(kb.find_applicant_types(phrase))
            and not any(_straddles(phrase, w) for w in who if w)
        )

    clause = kb.measure(named[0]).clause
    return [p for p in kb.passages(words, lang.frames.passage_edges, of_the_kind) if p.clause != clause]


def _overlap(text: str, phrase: str, term: str) -> bool:
    """Whether `phrase` where `text` says it shares characters with `term` where `text` says that: the
    '服务' of '公共创新服务' is not the '服务' of '技术转移服务机构' said before it."""
    at = text.find(phrase)
    if at < 0:
        return True
    starts = [m.start() for m in re.finditer(re.escape(term), text)]
    return not starts or any(s < at + len(phrase) and at < s + len(term) for s in starts)


def _within(phrase: str, term: str) -> bool:
    """'开发区' of '火炬高技术产业开发区', '家高新' of '一家高新技术企业': a piece of who the user is."""
    return (phrase in term and phrase != term) or _straddles(phrase, term)


def _straddles(phrase: str, term: str) -> bool:
    """'家高新' in '一家高新技术企业': a match glued across a term's edge, half of it the term's."""
    if phrase in term or term in phrase:
        return False
    return any(term.startswith(phrase[i:]) or term.endswith(phrase[: len(phrase) - i]) for i in range(1, len(phrase)))


def _passage_answer(
    question: Question, kb: KnowledgeBase, lang: Language, frame: Frame, found: list[Passage]
) -> Answer:
    phrase, clauses = found[0].phrase, {p.clause for p in found}
    aspect = frame.aspect or "info"
    quoted = [m for m in kb.measures if m.clause in clauses and phrase in "".join(m.quote.split())]
    if len(found) == 1 and len(quoted) == 1:  # the words are one measure's: its answer, with its figures
        measure = quoted[0]
        return _measure(question, Context(), kb, lang, measure, aspect, frame.district, [measure.id])
    giving = [m for m in kb.measures if m.clause in clauses and m.amount.kind is not AmountKind.none]
    if len(giving) == 1 and (aspect == "amount" or (aspect == "info" and lang.frames.given.search(question.text))):
        # '算乡土人才不，有奖励没': of the clauses that say the phrase, the one measure that gives something
        # answers what is given, and the other places that say the phrase follow it
        measure = giving[0]
        answer = _measure(question, Context(), kb, lang, measure, aspect, frame.district, [measure.id])
        others = [p for p in found if p.clause != measure.clause]
        answer.replies = [_with_passages(kb, r, measure.clause, others) for r in answer.replies]
        return answer
    return _clause_answered(frame_answers.passage(kb, found, aspect), found[0].clause, aspect)


def _unit_asked(question: Question, context: Context, kb: KnowledgeBase, lang: Language) -> Answer | None:
    """'统计局在这条里是啥角色', '市科协负责哪几条': the clauses that name the department, the last answer's
    clause alone when it names it."""
    units = list(dict.fromkeys(h.key for h in kb.find_units(question.text)))
    if len(units) != 1 or not lang.frames.unit_role.search(question.text) or question.sure_values("measure"):
        return None
    name = kb.unit(units[0]).name
    short = name.removeprefix("市")
    naming = [c.id for c in kb.data.clauses if c.units_quote and short in c.units_quote]
    previous = context.clause or (kb.measure(context.measure).clause if context.measure else None)
    if previous in naming:
        naming = [previous]
    if not naming:
        return None
    return _clause_answered(frame_answers.unit_role(kb, name, naming), naming[0], "lead_unit")


def _beside_named(question: Question, kb: KnowledgeBase, found: list[Passage]) -> list[Passage]:
    """With a measure named, a passage counts only where its sentence holds the measure's words too
    ('新型职业农民有啥培训': 培训 beside 新型职业农民 is 二（十一）'s, not the officials' 科技管理专题培训);
    a phrase within a measure's name is that measure's question, one holding a name says more than it.
    Only names found whole count."""
    named = [
        e["text"]
        for e in question.entities
        if e.get("entity") == "measure"
        and e.get("text")
        and e.get("confidence_entity", 1.0) >= 1.0
        and not _named_by_product(kb, question, e["value"])  # '种苹果的' says who the user is
    ] + [
        hit.text
        for hit in kb.find_measures(frames.without_description(question.text, language()), fuzzy=False)
        if hit.text not in _products(kb)  # not who the user is ('我们是技术转移服务机构')
    ]
    if not named:  # at most a typo-like match ('经费' ~ a measure's word): the document's own phrase wins
        return found
    if any(found[0].phrase in word for word in named):
        return []  # the phrase is (part of) the measure's own name
    if any(word in found[0].phrase for word in named):
        return found  # the phrase says more than the name it holds ('技术市场登记和服务机构在县域')
    return [p for p in found if all(word in "".join(p.sentence.split()) for word in named)]


def _products(kb: KnowledgeBase) -> set[str]:
    return {p for m in kb.measures for p in m.products}


def _document_text(kb: KnowledgeBase) -> str:
    return "".join("".join(c.text.split()) for c in kb.data.clauses)
