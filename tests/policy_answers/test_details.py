"""What the document says in its own sentences: a detail of the last answer asked in words no aspect
knows, a question about the text itself, who the user says they are. Conversations are played turn by
turn through the engine with each answer's memory as the next turn's context, as the actions do."""

from __future__ import annotations

import pytest

from policy_answers.engine import Answer, Context, Question, Topic, answers_follow_up
from policy_answers.frames import self_described
from policy_answers.language import language
from policy_answers.outcome import Outcome
from policy_kb.query import KnowledgeBase
from tests.policy_answers.test_engine import ask, text_of

MEMORY = ("measure", "clause", "district", "amount", "last_aspect", "frame")


def after(answer: Answer, context: Context) -> Context:
    kept = {name: getattr(context, name) for name in MEMORY}
    kept.update({k: v for k, v in answer.memory.items() if k in MEMORY})
    return Context(**kept)


def talk(kb: KnowledgeBase, *turns: tuple[str, str]) -> Answer:
    """Each (message, intent) in turn; the last answer."""
    context, answer = Context(), None
    for text, intent in turns:
        answer = ask(kb, text, intent, context)
        context = after(answer, context)
    assert answer is not None
    return answer


# (turns, what the last reply must hold, what it must not)
FOLLOW_UPS = [
    # a detail in words no aspect knows: the last clause's sentence that says it
    (
        [("市县科技工作会商会议谁牵头", "ask_lead_unit"), ("会上干什么", "what_can_you_do")],
        ["审议、协调", "三（二）"],
        [],
    ),
    ([("高新技术企业数量目标是多少", "ask_targets"), ("跟哪个时期比", "nlu_fallback")], ["十二五", "一（三）"], []),
    ([("三（三）讲的啥", "ask_measure_info"), ("那个活动叫什么名字", "chitchat")], ["科技创新大讲堂"], []),
    ([("乳山企业研发补助1000万各级怎么分", "ask_cost_share"), ("为什么不是50%", "inform")], ["荣成市按50%"], []),
    ([("乡镇奖励多少", "ask_amount"), ("奖励钱市财政局管吗", "ask_lead_unit")], ["市财政局", "二（三）"], []),
    # the measure beside a target, the target beside a measure
    ([("科技特派员到2020年要多少人", "ask_targets"), ("刚才说的研发支持是多少", "ask_amount")], ["不低于10万元"], []),
    ([("科技特派员能拿多少", "ask_amount"), ("要多少人", "inform")], ["千人规模"], []),
    # a clause's basis; the province's document is the whole document's basis
    ([("科技金融谁牵头", "ask_lead_unit"), ("这一条落实的是哪个文件", "ask_document")], ["威政发〔2017〕20号"], []),
    (
        [("标准制定修订有支持吗", "ask_amount"), ("它是根据省里哪个文件制定的？", "ask_document")],
        ["鲁政办发〔2018〕12号"],
        [],
    ),
    # '详细点' after a target: the sentence that sets it, whatever else the message asks of it
    ([("技术经纪人目标多少", "ask_targets"), ("详细点", "inform")], ["100家服务机构"], []),
    (
        [("科技特派员到2020年要多少人", "ask_targets"), ("详细点，连支持的钱数一起说", "ask_measure_info")],
        ["不低于10万元", "千人规模"],
        [],
    ),
    # a count after what one gets: that many; a sum asked after a target: the sentence's measure
    ([("工作成效好的科技特派员有什么支持？", "ask_conditions"), ("我们县有两个呢", "inform")], ["不低于20万元"], []),
    (
        [("特派员到2020年多少人", "ask_targets"), ("工作好的给多少", "ask_amount")],
        ["不低于10万元"],
        [],
    ),
    # a number to reach after a measure: the target its clause sets for what the measure names
    (
        [("科技特派员制度文件里怎么说的", "ask_measure_info"), ("到2020年规模要多大", "ask_targets")],
        ["千人规模"],
        ["35亿"],
    ),
    # a running sum: the towns counted before stay counted
    (
        [
            ("国家创新型乡镇的市级奖励是多少？", "ask_amount"),
            ("我们区三个镇都评上了，一共多少", "ask_amount"),
            ("再加上区本身也评上国家创新型县（市）呢", "ask_eligibility"),
        ],
        ["800万元"],
        ["600万元"],
    ),
]


@pytest.mark.parametrize(("turns", "holds", "lacks"), FOLLOW_UPS, ids=[t[0][-1][0] for t in FOLLOW_UPS])
def test_a_follow_up_is_answered_from_the_last_answer(
    kb: KnowledgeBase, turns: list[tuple[str, str]], holds: list[str], lacks: list[str]
) -> None:
    answer = talk(kb, *turns)
    text = text_of(answer).replace(" ", "")
    assert answer.outcome is Outcome.answered, text
    for part in holds:
        assert part in text, (part, text)
    for part in lacks:
        assert part not in text, (part, text)


# questions about what the text says, with nothing a measure is named by
SAYS = [
    ("镇里的科技工作由谁来指导？", "ask_lead_unit", ["镇级科技工作指导", "三（一）"]),
    (
        "卫健部门想知道文件里跟医疗健康有关的内容有哪些，哪个部门是责任单位",
        "ask_lead_unit",
        ["健康大数据", "市卫生计生委"],
    ),
    (
        "我在南海新区管委工作，文件里反复说“各区市”，我们南海新区算在里面吗？",
        "ask_measure_info",
        ["一（二）", "南海新区"],
    ),
    ("促进社会事业发展那条涉及哪些领域？", "ask_conditions", ["大气污染防治", "二（十三）"]),
    ("乡村振兴那条点名了哪些特色产品？", "ask_measure_info", ["海珍品", "二（七）"]),
    ("文件说大学科技园要“提前介入高校院所的研发、中试活动”，这么做图的是什么？", "ask_measure_info", ["优先转化权"]),
    ("海洋木场 休闲鱼业 这些文件里有啥说道", "ask_measure_info", ["海洋牧场", "二（七）"]),
    ("做基因检测的企业，能对上这个文件的哪一条？", "ask_document", ["基因精准医学", "二（十三）"]),
    ("俺家养扇贝还有海带 跟这文件沾边不", "ask_document", ["贝类", "二（七）"]),
    # '科技支撑' is no typo of 科技支行: 支撑 is a word of its own
    ("文件里有没有讲科技支撑医疗健康的", "ask_measure_info", ["二（十三）"]),
]


@pytest.mark.parametrize(("text", "intent", "holds"), SAYS, ids=[s[0] for s in SAYS])
def test_the_sentence_that_says_it(kb: KnowledgeBase, text: str, intent: str, holds: list[str]) -> None:
    answer = ask(kb, text, intent)
    reply = text_of(answer).replace(" ", "")
    assert answer.outcome is Outcome.answered and answer.topic in (Topic.clause, Topic.measure), reply
    for part in holds:
        assert part in reply, (part, reply)


def test_who_the_user_is_is_what_they_say_they_are(kb: KnowledgeBase) -> None:
    text = "我们是一家技术转移服务机构，常年在乡镇给企业做检测和技术咨询，这种公共创新服务有没有奖补？"
    entities = [
        {"entity": "applicant_type", "value": "township", "text": "乡镇", "start": 17},
        {"entity": "applicant_type", "value": "enterprise", "text": "企业", "start": 20},
    ]
    assert [e["value"] for e in self_described(text, entities, kb, language()) if e["entity"] == "applicant_type"] == [
        "service_institution"
    ]
    answer = ask(kb, text, "ask_eligibility")
    reply = text_of(answer)
    # the 企业 they serve is not them: no ✗, no 不是, and the clause of 公共创新服务
    assert "✗" not in reply and not reply.startswith("不是") and "二（十二）" in reply, reply
    # who they are ('我是记者') names no kind the document knows: nobody to hold a verdict against
    assert (
        self_described("我是记者，企业能申请吗", [{"entity": "applicant_type", "value": "enterprise"}], kb, language())
        == []
    )


@pytest.mark.parametrize(
    ("text", "intent", "holds", "lacks"),
    [
        # '三块' is the three sums named, not three yuan
        (
            "某县创成国家创新型县，县里3个镇也都成了国家创新型乡镇，同年市级科技资金又按顶格分到手，三块加起来多少钱？",
            "ask_amount",
            ["1300万元"],
            ["3元"],
        ),
        # the count asked for (名) is shared out over the other (家)
        ("到2020年100家服务机构、1000名经纪人，平均下来一家机构几名经纪人？", "ask_targets", ["平均每家10名"], ["0.1"]),
        # background that names a topic the document leaves out is not the question
        (
            "我司营业执照在荣成市，研发财政补助里面县一级按多大比例分担？跟别的区市一样吗？",
            "ask_cost_share",
            ["50%", "二（六）"],
            ["没有涉及"],
        ),
        ("外地人在威海落户需要什么条件？", "ask_conditions", ["没有涉及"], ["依据"]),
        # a clause named by its title words, and a unit put forward as its lead: checked
        ("科技金融那条是科技局牵头的吗？", "ask_lead_unit", ["不是", "市金融办"], []),
        # a target named in the middle of its name
        ("到十三五末要有几个区市进国家创新型县？", "ask_targets", ["1—2"], []),
        ("特派员 规模 到哪年", "ask_measure_info", ["2020", "千人规模"], []),
        ("技术转移服务机构和经纪人的目标是多少？", "ask_targets", ["100家", "1000名"], []),
        # a number the clause of a measure does not set: not another measure's target
        ("县里要建几个星创天地农科驿站 有个数不", "ask_targets", ["二（十二）", "未规定"], ["千人"]),
        # a right figure with a way of paying the document does not decide: no 是的
        ("特派员那10万是直接打到个人卡上的吧？", "ask_cost_share", ["文件未规定发放方式"], ["是的"]),
        ("烟台有没有类似的县域创新奖励？跟威海比哪个给得多", "ask_amount", ["utter_other_city"], ["依据"]),
        # another city as where the user sets up: the document rewards that
        ("我们集团打算在上海张江设个研发中心，市里会不会给奖励？", "ask_amount", ["二（九）"], ["utter_other_city"]),
        ("每年的科技管理专题培训班在哪儿办、几月份办？", "ask_cost_share", ["文件未规定时间、地点", "三（三）"], []),
        ("When was this Weihai document issued?", "nlu_fallback", ["2018年11月8日"], []),
        # a measure whose clause sets no target, asked as a target: the measure, not a loop between the two
        ("农高企 2020目标", "ask_targets", ["50家", "二（七）"], []),
    ],
)
def test_reading_the_question(kb: KnowledgeBase, text: str, intent: str, holds: list[str], lacks: list[str]) -> None:
    reply = text_of(ask(kb, text, intent)).replace(" ", "")
    for part in holds:
        assert part in reply, (part, reply)
    for part in lacks:
        assert part not in reply, (part, reply)


def test_small_talk_stays_small_talk(kb: KnowledgeBase) -> None:
    first = ask(kb, "科技创新大讲堂是干啥的", "ask_measure_info")
    context = after(first, Context())
    assert answers_follow_up(ask_question("那个活动叫什么名字", "chitchat"), kb, context)
    assert not answers_follow_up(ask_question("你叫什么名字", "chitchat"), kb, context)
    assert not answers_follow_up(ask_question("那个活动叫什么名字", "chitchat"), kb, Context())


def ask_question(text: str, intent: str) -> Question:
    return Question(text, intent, (intent,), ())


def test_a_passage_said_by_someone_who_says_who_they_are(kb: KnowledgeBase) -> None:
    """The policy calculator's form gives way when the message asks what the text says (names_a_passage)."""
    from policy_answers.engine import names_a_passage

    text = "我们是技术转移服务机构，在乳山、文登给中小企业做检测和技术咨询这类公共创新服务，能享受什么奖补？"
    entities = ({"entity": "applicant_type", "value": "enterprise", "text": "企业", "start": 22, "end": 24},)
    assert names_a_passage(kb, Question(text, "ask_what_can_i_get", (), entities))
    assert not names_a_passage(kb, Question("我们是荣成的高新技术企业，能享受哪些政策", "ask_what_can_i_get"))
