"""Checking the document's figures and lead units in a draft the user pastes ('请帮我核对：“…技术交易额达到50
亿元…市级给予200万元奖励…”'): each figure or lead unit said beside something the document states one for
is held against the document's own. Only what the document states is checked: a sum the user received, a
count of their own or anything the document leaves open is passed over, never called right or wrong."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from policy_kb.figures import money_spans
from policy_kb.query import KnowledgeBase
from policy_kb.schema import AmountKind, Measure, Target

# A draft is read sentence by sentence, each in segments: a figure belongs to the thing named last before it
# in its sentence ('对创建为国家创新型乡镇的镇，市级给予200万元奖励'), never to one of another sentence.
_SENTENCES = re.compile(r"[。；;！!？?\n]")
_SEGMENTS = re.compile(r"[，,：:]")
_UNIT_YUAN = {"元": 1, "万元": 10_000, "亿元": 100_000_000}
_LEAD = re.compile(r"牵头")
# A level's share as a draft writes it ('省级50%、市级30%'); the levels by the KB's ids
_SHARE = re.compile(r"(省级|市级|县级|区级|省里|市里|县里|区里)\s*(\d{1,3})\s*[%％]")
_LEVELS = {"省级": "province", "省里": "province", "市级": "city", "市里": "city"} | {
    w: "county" for w in ("县级", "区级", "县里", "区里")
}


@dataclass(frozen=True)
class Finding:
    said: str  # the draft's words, as written
    right: bool
    stated: str  # what the document says
    clause: str
    measure: str | None = None  # the measure it was said of (None: a target)


def _measure_figure(measure: Measure, segment: str, yuan: int) -> tuple[bool, str] | None:
    """Whether `yuan`, said of `measure`, is the document's figure; None when the document states none or the
    figure is of another kind (a cap is checked only where the draft speaks of a cap)."""
    amount = measure.amount
    if amount.value_yuan is None:
        return None
    if amount.kind is AmountKind.max and not re.search(r"最高|不超过|上限|封顶|最多", segment):
        return None  # '获得研发补助600万元' is the user's own subsidy, not the cap
    if amount.kind is AmountKind.min and not re.search(r"不低于|至少|最低|下限", segment):
        return None
    return yuan == amount.value_yuan, amount.quote


# Words that state a target ('技术交易额达到50亿元'); a count without them is the user's own ('引进科技特派员5名')
_TARGET_WORDS = re.compile(r"达到|目标|建成|培育|增长|提高|翻番|规模|跻身")


def _target_figure(target: Target, segment: str) -> tuple[bool, str] | None:
    if target.value is None or not _TARGET_WORDS.search(segment):
        return None
    if target.unit in _UNIT_YUAN:
        said = [yuan for _s, _e, _surface, yuan in money_spans(segment)]
        if not said:
            return None
        return said[0] == round(target.value * _UNIT_YUAN[target.unit]), target.quote
    found = re.search(rf"(\d+(?:\.\d+)?)\s*{re.escape(target.unit)}", segment)
    if found is None:
        return None
    return float(found.group(1)) == target.value, target.quote


# A measure a segment names in words of its own ('对企业研究开发实行财政补助') is taken only from a search hit
# this strong and clear of other clauses' hits (a figure is then held against it).
SEARCH_MIN_SCORE = 30.0


def _searched(kb: KnowledgeBase, segment: str) -> list[Measure]:
    hit = kb.clear_hit(segment, min_score=SEARCH_MIN_SCORE)
    return [kb.measure(hit.id)] if hit is not None and hit.kind == "measure" else []


def findings(kb: KnowledgeBase, draft: str, themed: Callable[[str], list[Measure]]) -> list[Finding]:
    """What the draft says of the document's figures and lead units, each held against the document.
    `themed(text)`: the measures of a theme the text names ('科技金融'), for a lead unit said of a theme."""
    found: list[Finding] = []
    # a sum said where no measure is named ('创建成功后，市级将给予我镇200万元奖励'): the one measure with a
    # stated sum the draft names anywhere, if there is exactly one
    fixed = {h.key for h in kb.find_measures(draft, fuzzy=False) if kb.measure(h.key).amount.kind is AmountKind.fixed}
    default = kb.measure(fixed.pop()) if len(fixed) == 1 else None
    for sentence in _SENTENCES.split(draft):
        subject: Measure | Target | None = None
        for segment in (s.strip() for s in _SEGMENTS.split(sentence)):
            if not segment:
                continue
            measures = [kb.measure(h.key) for h in kb.find_measures(segment, fuzzy=False)] or _searched(kb, segment)
            targets = [kb.target(h.key) for h in kb.find_targets(segment)]
            theme = themed(segment)
            if targets and not (measures and money_spans(segment)):  # '科技特派员给予不低于10万元': the measure
                subject = targets[-1]
            elif measures:
                subject = measures[-1]
            elif theme and len({m.clause for m in theme}) == 1:
                subject = theme[0]
            if subject is None and default is not None and money_spans(segment):
                subject = default
            if subject is None:
                continue
            verdict = _verdict(kb, subject, segment)
            if verdict is not None:
                measure_id = subject.id if isinstance(subject, Measure) else None
                found.append(Finding(segment, verdict[0], verdict[1], subject.clause, measure_id))
    return found


def _verdict(kb: KnowledgeBase, subject: Measure | Target, segment: str) -> tuple[bool, str] | None:
    if isinstance(subject, Target):
        return _target_figure(subject, segment)
    spans = money_spans(segment)
    if spans:
        return _measure_figure(subject, segment, spans[0][3])
    said_shares = {_LEVELS[word]: int(percent) for word, percent in _SHARE.findall(segment)}
    if said_shares and subject.cost_shares is not None:  # '按省级50%、市级30%、县级20%分担'
        stated = {s.level: s.percent for s in kb.cost_split(subject.id, None, None).shares}
        return all(stated.get(level) == percent for level, percent in said_shares.items()), subject.cost_shares.quote
    units = [h.key for h in kb.find_units(segment)]
    if units and _LEAD.search(segment):  # '由市科技局牵头'
        leads = kb.lead_units(subject.id)
        return set(units) <= {u.id for u in leads}, "、".join(u.name for u in leads) + "牵头"
    return None
