"""The answer engine: `decide(question, context, kb) -> Answer`, a pure function of what the user said,
what the conversation already established, and the knowledge base. No Rasa here: the custom actions
adapt a tracker to a `Question` and a `Context` and send `Answer.replies`; tests call `decide` directly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any

from policy_answers import render
from policy_answers.clean import clean
from policy_answers.figures import Figure, Role, count_claim, counts, read_figures, read_share_claim
from policy_answers.language import Language, language
from policy_answers.outcome import Outcome
from policy_answers.settings import DEFAULT_HOTLINE
from policy_kb.query import KnowledgeBase, Profile
from policy_kb.schema import Measure, Target

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

    def values(self, entity: str) -> list[Any]:
        return list(dict.fromkeys(e["value"] for e in self.entities if e.get("entity") == entity))

    def sure_values(self, entity: str) -> list[Any]:
        """Values found by an exact name or alias, not by a one-character typo."""
        return list(dict.fromkeys(e["value"] for e in self.entities
                                  if e.get("entity") == entity and e.get("confidence_entity", 1.0) >= 1.0))

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


@dataclass
class Answer:
    outcome: Outcome
    topic: Topic
    replies: list[render.Reply]
    aspect: str | None = None
    measures: tuple[str, ...] = ()
    clause: str | None = None
    figures: tuple[Figure, ...] = ()
    # what the next turn should know; keys are the slot names, None clears a slot
    memory: dict[str, Any] = field(default_factory=dict)

    @property
    def decision(self) -> tuple[Any, ...]:
        """What was understood, independent of wording: the metamorphic tests compare this."""
        return (self.outcome, self.topic, self.aspect, self.measures, self.clause,
                tuple((f.yuan, f.role) for f in self.figures))


def decide(question: Question, context: Context, kb: KnowledgeBase) -> Answer:
    question = replace(question, text=clean(question.text))
    lang = language()
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
    head, tail = text[: several.start()], text[several.start():]
    cuts = list(lang.joined.finditer(head))
    if len(cuts) != 1:
        return []
    cut = cuts[0]
    spans = [(0, cut.start()), (cut.end(), len(head))]
    if any(end - start < 2 for start, end in spans):
        return []
    halves = []
    for start, end in spans:
        entities = tuple(e for e in question.entities
                         if e.get("start") is None or start <= e["start"] < end or e["start"] >= len(head))
        halves.append(replace(question, text=head[start:end] + tail, entities=entities))
    return halves


def _together(answers: list[Answer]) -> Answer:
    """The answers to each half as one turn: one reply each, the first one remembered for follow-ups."""
    first = answers[0]
    return Answer(Outcome.answered, Topic.measures, [r for a in answers for r in a.replies], aspect=first.aspect,
                  measures=tuple(m for a in answers for m in a.measures), clause=first.clause,
                  memory=first.memory)


def _decide(question: Question, context: Context, kb: KnowledgeBase, lang: Language) -> Answer:
    follow_up = target_follow_up(kb, question.text, context)
    if follow_up:  # '创新平台呢？' after a target: that target, not the measure of the same name
        return _targets_answer(kb, follow_up, question.text, lang)
    if question.intent == "ask_targets":
        return _targets(question, context, kb, lang)
    if question.intent == "ask_document":
        return _document(question, context, kb, lang)
    return _policy(question, context, kb, lang)


def calculator(kb: KnowledgeBase, applicant: str | None, district: str | None,
               hotline: str = DEFAULT_HOTLINE) -> Answer:
    """The measures for who the user is (and where, for the shares), with the money first."""
    if applicant is None:
        return Answer(Outcome.clarify, Topic.calculator, [render.fixed("utter_ask_who_again")])
    verdicts = kb.measures_for(Profile(applicant_type=applicant, district=district))
    name = kb.district(district).name if district else None
    reply = render.calculator(kb, verdicts, kb.applicant_name(applicant), name, hotline)
    return Answer(Outcome.answered, Topic.calculator, [reply], aspect="calculator",
                  measures=tuple(v.measure.id for v in verdicts),
                  memory={"last_aspect": "calculator", "applicant_type": applicant, "district": district})


def likely_measures(kb: KnowledgeBase, text: str) -> list[Measure]:
    """Measures a vague question may be about, by keyword search, best first."""
    hits = [h for h in kb.search(text, 8) if h.kind == "measure" and h.score >= LIKELY_MEASURE_SCORE]
    return [kb.measure(h.id) for h in hits][:4]


def plainly_answerable(question: Question, kb: KnowledgeBase, context: Context | None = None) -> bool:
    """An unsure intent the engine can still answer: a measure named outright, a plain search hit, or a
    follow-up to a target ('国家级的呢？')."""
    text = clean(question.text)
    return bool(question.sure_values("measure")) or kb.clear_hit(text, min_score=UNSURE_INTENT_SCORE) is not None \
        or bool(context and target_follow_up(kb, text, context))


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
    said = INTENT_ASPECT.get(question.intent or "")
    cue = lang.aspect_of(question.text)
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


def _policy(question: Question, context: Context, kb: KnowledgeBase, lang: Language) -> Answer:
    text = question.text
    aspect = _aspect(question, context, lang)
    place = next((p for p in kb.document.other_places if p in text), None)
    if place and kb.document.city not in text:
        reply = render.cannot_help(kb, "utter_other_city", context.hotline, city=kb.document.city, place=place)
        return Answer(Outcome.out_of_scope, Topic.out_of_scope, [reply])
    named = question.values("measure")
    if kb.find_targets(text) and lang.target_question.search(text) and not read_figures(text, lang):
        return _targets(question, context, kb, lang)  # '到2020年要有多少科技特派员': a target, not the measure
    district = question.first("district") or context.district
    applicant = question.first("applicant_type")
    if question.intent == "inform" and context.last_aspect == "calculator" and not named:
        return calculator(kb, applicant or context.applicant_type, district, context.hotline)  # '乳山' after the list
    if applicant and lang.profile.search(text) and all(_named_by_product(kb, question, m) for m in named) \
            and not quotes_a_measure(kb, question) and (named or not lang.theme_of(text)):
        return calculator(kb, applicant, district, context.hotline)  # '我们是做海参养殖的合作社，有什么政策'
    by_name = [m for m in named if not _named_by_product(kb, question, m)]
    if by_name and set(by_name) & set(question.sure_values("measure")):
        named = by_name  # '种苹果的，想请个专家': the measure named by its own words wins over the product
    hit = kb.clear_hit(text)
    sure = set(question.sure_values("measure"))
    if named and hit and not sure and hit.clause not in {kb.measure(m).clause for m in named}:
        named = []  # only a typo-like match ('创新链' ~ 创新券) against a plain hit elsewhere
    if len(named) > 1:
        scores = {h.id: h.score for h in kb.search(text, 8) if h.kind == "measure"}
        if hit and hit.kind == "measure" and hit.id in named and all(
            scores.get(m, 0.0) < PLAIN_LEAD * hit.score for m in named if m != hit.id
        ):
            named = [hit.id]
        else:
            return _several(question, context, kb, lang, named, aspect)
    measure_id = named[0] if named else None
    if measure_id is None:
        # no measure named: the question may still plainly be about a clause or a measure
        # ('实施全域统筹重点突破由谁牵头', '中药材种植有科技支持吗'); otherwise it leans on the
        # measure or clause of the previous answer ('找谁', '那文登区呢')
        titled = kb.find_clause_by_title(text)
        theme = None if titled or aspect != "info" else lang.theme_of(text)
        if theme is not None:  # '科技金融有哪些政策': the theme's measures
            in_theme = [m for m in kb.measures if m.topic == theme]
            # '我们是企业，金融方面有什么支持': the theme's measures for them, if any are
            for_them = [m for m in in_theme if applicant and any(kb.applicant_covers(b, applicant)
                                                                  for b in m.beneficiaries)]
            in_theme = for_them or in_theme
            if len(in_theme) == 1:
                return _measure(question, context, kb, lang, in_theme[0], aspect, district, named)
            return _theme(kb, theme, in_theme, aspect)
        previous = context.measure
        clause = titled
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
            return Answer(Outcome.answered, Topic.clause, [reply], aspect=aspect, clause=clause.id,
                          memory={"last_aspect": aspect, "measure": None, "clause": clause.id})
        measure_id = measure_id or previous
        if measure_id and measure_id == previous and applicant:
            measure_id = _sibling_for(kb, measure_id, applicant)  # '乡镇呢？' after the county award
    if measure_id is None:
        return _no_measure(question, context, kb, aspect)
    return _measure(question, context, kb, lang, kb.measure(measure_id), aspect, district, named)


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
    siblings = [m for m in kb.measures if m.clause == measure.clause and m.id != measure_id
                and any(kb.applicant_covers(b, applicant) for b in m.beneficiaries)]
    return siblings[0].id if len(siblings) == 1 else measure_id


def _measure(question: Question, context: Context, kb: KnowledgeBase, lang: Language, measure: Measure,
             aspect: str, district: str | None, named: list[str]) -> Answer:
    text = question.text
    figures = tuple(read_figures(text, lang))
    figure = figures[0] if figures else None
    if figure is None and not named and context.last_aspect in ("cost_share", "amount") and context.amount:
        figure = Figure(int(context.amount), Role.subsidy, "")  # '那文登区呢' after a split of the user's figure
    applicant = question.first("applicant_type") or context.applicant_type
    memory: dict[str, Any] = {"measure": measure.id, "clause": None, "district": district, "amount": None}
    share_claim = read_share_claim(text, lang) if measure.cost_shares else None

    def answer(reply: render.Reply, final_aspect: str) -> Answer:
        return Answer(Outcome.answered, Topic.measure, [reply], aspect=final_aspect, measures=(measure.id,),
                      figures=figures, memory={**memory, "last_aspect": final_aspect})

    if figure is not None and figure.role is Role.claim:
        bound = "ceiling" if lang.ceiling.search(text) else "floor" if lang.floor.search(text) else None
        return answer(render.amount_claim(kb, measure, figure.yuan, bound), "amount")
    if share_claim is not None and figure is None:
        return answer(render.share_claim(kb, measure, district, share_claim.level, share_claim.percent),
                      "cost_share")
    if figure is not None and figure.role is Role.spending and not measure.limits:
        return answer(render.own_spending(kb, measure, figure.yuan, district), "amount")
    money = figure.yuan if figure is not None else None
    if money is not None and aspect == "eligibility" and lang.aspect_of(text) == "amount" \
            and not lang.aspects["eligibility"].search(text):
        # '我们区县级专项是800万，能分多少' reads like a profile (we are ...), but with the user's own
        # figure and no word about who may apply it asks what that figure gives
        aspect = "amount"
    if money is not None and aspect in ("amount", "info") and measure.cost_shares:
        aspect = "cost_share"  # '批了八百万，市里出多少' is about shares of the user's figure
    if aspect == "cost_share" and not measure.cost_shares:
        aspect = "amount"  # '县级资金300万，市里能分多少': the measure's cap on the user's figure
    limits = kb.limits_for(measure.id, money) if money is not None and measure.limits else []
    verdict = kb.verdict(measure.id, Profile(applicant_type=applicant, district=district)) \
        if aspect == "eligibility" and applicant else None
    reply = render.measure_answer(kb, measure, aspect, district=district, amount_yuan=money,
                                  verdict=verdict, limits=limits, question=text)
    memory["amount"] = money
    agrees = _claim_agrees(kb, measure, aspect, text, lang)
    return answer(reply if agrees is None else render.verdict_first(reply, agrees), aspect)


def _claim_agrees(kb: KnowledgeBase, measure: Measure, aspect: str, text: str, lang: Language) -> bool | None:
    """A yes/no question that puts a unit or a count forward: does the document agree? None when the
    question puts nothing forward to check."""
    if not lang.is_yes_no(text):
        return None
    if aspect == "lead_unit":
        named = {h.key for h in kb.find_units(text)}
        return named <= {u.id for u in kb.lead_units(measure.id)} if named else None
    claimed = count_claim(text, lang, frozenset({kb.document.period.end_year}))
    if not claimed:
        return None
    stated = [measure.quote, *(f.quote for f in [measure.frequency] if f), *(limit.quote for limit in measure.limits)]
    return set(claimed) <= set(counts("".join(stated)))


def _several(question: Question, context: Context, kb: KnowledgeBase, lang: Language, named: list[str],
             aspect: str) -> Answer:
    """Two measures named ('创新型县奖多少钱，创新型乡镇呢'): answer each, one reply per measure.
    When the question asks nothing the measures share (no aspect in words), ask which was meant."""
    if lang.aspect_of(question.text) is None and question.intent not in INTENT_ASPECT:
        reply = render.ask_which(kb, [kb.measure(m) for m in named], aspect)
        return Answer(Outcome.clarify, Topic.none, [reply], aspect=aspect, memory={"last_aspect": aspect})
    district = question.first("district") or context.district
    answers = [_measure(question, context, kb, lang, kb.measure(m), aspect, district, named)
               for m in named[:MAX_MEASURES_PER_ANSWER]]
    last = answers[-1]
    return Answer(Outcome.answered, Topic.measures, [a.replies[0] for a in answers], aspect=aspect,
                  measures=tuple(m for a in answers for m in a.measures), figures=last.figures,
                  memory={**last.memory, "measure": answers[0].measures[0]})


def _theme(kb: KnowledgeBase, topic_id: str, measures: list[Measure], aspect: str) -> Answer:
    name = next(t.name for t in kb.data.topics if t.id == topic_id)
    clauses = {m.clause for m in measures}
    # a follow-up ('谁牵头？') leans on the clause when the theme is one clause
    clause = clauses.pop() if len(clauses) == 1 else None
    return Answer(Outcome.answered, Topic.measures, [render.theme(kb, name, measures)], aspect=aspect,
                  measures=tuple(m.id for m in measures), clause=clause,
                  memory={"last_aspect": aspect, "measure": None, "clause": clause})


def _no_measure(question: Question, context: Context, kb: KnowledgeBase, aspect: str) -> Answer:
    if question.values("target"):
        reply = render.targets(kb, [kb.target(t) for t in question.values("target")])
        return Answer(Outcome.answered, Topic.targets, [reply], aspect=aspect)
    candidates = likely_measures(kb, question.text)
    if not candidates:
        # nothing in the document comes close: say what the bot covers and where else to ask
        buttons = [{"title": m.name, "payload": f'/ask_measure_info{{"measure":"{m.id}"}}'}
                   for m in kb.measures if m.amount.value_yuan][:3]
        reply = render.cannot_help(kb, "utter_no_match", context.hotline, buttons)
        return Answer(Outcome.fallback, Topic.none, [reply], aspect=aspect, memory={"last_aspect": aspect})
    return Answer(Outcome.clarify, Topic.none, [render.ask_which(kb, candidates, aspect)], aspect=aspect,
                  memory={"last_aspect": aspect})


# --- targets and the document ---------------------------------------------------------------------

def _targets(question: Question, context: Context, kb: KnowledgeBase, lang: Language) -> Answer:
    chosen = [kb.target(t) for t in question.values("target")]
    hit = kb.clear_hit(question.text)
    target_clauses = {t.clause for t in kb.targets}
    if not chosen and not question.values("measure") and hit and hit.clause not in target_clauses:
        return _policy(question, context, kb, lang)  # '高企 培育'
    # targets named in words a measure's name claimed first ('技术经纪人和技术转移服务机构的目标')
    chosen += [kb.target(h.key) for h in kb.find_targets(question.text) if kb.target(h.key) not in chosen]
    if not chosen:
        # '特派员要达到多少人': the targets of the clause that holds the named measure
        for measure_id in question.values("measure"):
            chosen += [t for t in kb.targets if t.clause == kb.measure(measure_id).clause]
    return _targets_answer(kb, chosen, question.text, lang)


def _targets_answer(kb: KnowledgeBase, chosen: list[Target], text: str, lang: Language) -> Answer:
    reply = render.targets(kb, chosen)
    claimed = count_claim(text, lang, frozenset({kb.document.period.end_year}))
    if claimed:
        # '技术交易额目标是50亿吗': 是/不是 first
        stated = counts("".join(t.quote for t in (chosen or kb.targets)))
        reply = render.verdict_first(reply, set(claimed) <= set(stated))
    return Answer(Outcome.answered, Topic.targets, [reply], aspect="targets", memory={"last_aspect": "targets"})


def _document(question: Question, context: Context, kb: KnowledgeBase, lang: Language) -> Answer:
    clause = kb.find_clause_by_title(question.text)  # '文件的基本原则是啥' → 一（二）
    if clause:
        reply = render.clause_answer(kb, clause, question.text, "info", whole=True)
        return Answer(Outcome.answered, Topic.clause, [reply], aspect="info", clause=clause.id,
                      memory={"clause": clause.id, "measure": None})
    if kb.clear_hit(question.text, min_score=DOCUMENT_QUESTION_SCORE):
        return _policy(question, context, kb, lang)
    return Answer(Outcome.answered, Topic.document, [render.document(kb)])
