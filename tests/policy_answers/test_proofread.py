"""A pasted draft held against the document: figures and lead units it states are checked, the user's own
figures and counts are passed over (real KB, no Rasa)."""

from __future__ import annotations

from policy_answers import proofread
from policy_answers.engine import Context, Topic
from policy_answers.language import language
from policy_kb.query import KnowledgeBase
from policy_kb.schema import Measure
from tests.policy_answers.test_engine import ask, text_of


def _themed(kb: KnowledgeBase):  # type: ignore[no-untyped-def]
    lang = language()

    def themed(segment: str) -> list[Measure]:
        topics = [topic for topic, cue in lang.themes.items() if cue.search(segment)]
        return [m for m in kb.measures if m.topic in topics[:1]]

    return themed


def test_wrong_and_right_figures_and_lead_units(kb: KnowledgeBase) -> None:
    draft = (
        "技术交易额达到50亿元，省级以上创新平台达到330个。对创建为国家创新型乡镇的镇，市级给予200万元奖励；"
        "对创建为国家创新型县（市）的区市，市级给予500万元奖励。科技金融：由市科技局牵头。"
    )
    found = {(f.said, f.right, f.clause) for f in proofread.findings(kb, draft, _themed(kb))}
    assert found == {
        ("技术交易额达到50亿元", False, "一（三）"),
        ("省级以上创新平台达到330个", True, "一（三）"),
        ("市级给予200万元奖励", False, "二（三）"),
        ("市级给予500万元奖励", True, "二（三）"),
        ("由市科技局牵头", False, "二（十）"),
    }


def test_the_users_own_sums_and_counts_are_not_checked(kb: KnowledgeBase) -> None:
    # a subsidy received is no cap, five commissioners brought in is no target, a count of farmers is nothing
    draft = "该企业今年获得研发补助600万元。我镇引进科技特派员5名，带动养殖户300余户。"
    assert proofread.findings(kb, draft, _themed(kb)) == []


def test_a_pasted_draft_to_check_is_answered_with_the_documents_figures(kb: KnowledgeBase) -> None:
    text = (
        "我在准备镇里的科技工作汇报，草稿如下，请帮我核对：“到“十三五”末，全市科技进步贡献率年均增长1.5个百分点，"
        "技术交易额达到50亿元，省级以上创新平台达到330个。我镇将以建设创新型乡镇为抓手，力争创建为国家创新型乡镇，"
        "争取市级给予的200万元奖励资金，并积极对接科技特派员，发挥好科技特派员的指导作用。”"
        "我不太确定里面这两个数写得对不对，正确的应该是多少？"
    )
    answer = ask(kb, text, "ask_amount", Context())
    reply = text_of(answer)
    assert answer.topic is Topic.clause
    assert "✗ “技术交易额达到50亿元”" in reply and "35 亿元" in reply and "100 万元" in reply
    assert "✓ “省级以上创新平台达到330个”" in reply


def test_a_draft_whose_question_is_the_users_own_figure_gets_that_answer(kb: KnowledgeBase) -> None:
    text = (
        "下面是初稿一段：“实施企业研究开发财政补助政策，符合条件的给予单个企业最高1000万元补助，按照省级、市级、"
        "县级比例分担。记者采访了荣成市一家企业，该企业今年获得研发补助600万元。”请帮我核对一下：这600万元里荣成市"
        "要承担多少？"
    )
    reply = text_of(ask(kb, text, "ask_cost_share", Context()))
    assert "核对了" not in reply and "县级50% 300万元" in reply


def test_a_check_then_a_question_of_its_own_gets_both(kb: KnowledgeBase) -> None:
    text = (
        "群里转发了一段话，麻烦帮忙核实一下：“一是对企业研究开发实行财政补助，符合条件的单个企业最高可以补500万元，"
        "由省、市、县三级分担；二是科技特派员工作成效好的，有研发支持。协会下周组织一次政策解读会，欢迎参加。”"
        "请问最高500万对不对？另外县级要承担多少比例？"
    )
    reply = text_of(ask(kb, text, "ask_cost_share", Context()))
    assert "✗ “符合条件的单个企业最高可以补500万元”" in reply and "1000 万元" in reply
    assert "县级25% 250万元" in reply  # the second question, on the measure checked


def test_questions_after_a_pasted_clause_lean_on_it(kb: KnowledgeBase) -> None:
    text = (
        "我把文件里的一段复制过来了：“各区市要积极引进国内外知名高校院所、科研机构、技术转移机构来威建立分校（院）"
        "或共建二级学院、特色学院、工业技术研究院、技术转移服务机构等机构，打造各类开放式公共创新平台，市级将按"
        "‘一事一议’原则，给予不超过县级出资额度的支持。”麻烦解释一下：第一，市级的支持最多能到多少？"
        "第二，这段属于文件的哪一条，牵头单位是谁？"
    )
    reply = text_of(ask(kb, text, "ask_amount", Context()))
    assert "县级出资" in reply and "二（八）" in reply and "市科技局" in reply


def test_the_question_after_a_pasted_clause_is_asked_with_its_own_quotes(kb: KnowledgeBase) -> None:
    # the paste (with a quotation inside it) ends at its own closing mark; the question after it keeps its
    # figure, though it quotes a phrase of its own
    text = (
        "下面是我从文件里复制的一段：“实施企业研究开发财政补助政策，符合条件的给予单个企业最高1000万元补助，"
        "按照省级50%、市级25%、县级25%（荣成市按50%）比例分担。用好“科技创新券”政策。”我们在荣成，研发补助"
        "核定为900万元，请问荣成市要承担多少？另外，括号里“荣成市按50%”是什么意思？"
    )
    reply = text_of(ask(kb, text, "ask_cost_share", Context()))
    assert "县级50% 450万元" in reply


def test_shares_in_a_draft_are_checked_level_by_level(kb: KnowledgeBase) -> None:
    draft = (
        "企业研究开发财政补助单个企业最高1000万元，按省级50%、市级30%、县级20%分担；"
        "对工作成效好的科技特派员给予不低于10万元研发支持。"
    )
    found = {(f.said, f.right) for f in proofread.findings(kb, draft, _themed(kb))}
    assert ("按省级50%、市级30%、县级20%分担", False) in found
    assert ("对工作成效好的科技特派员给予不低于10万元研发支持", True) in found  # the measure's floor, not its target
