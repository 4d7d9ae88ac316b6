"""The answer engine as a table of cases: question (with the intent the classifier gave), context,
and what must be decided and said. No Rasa server or model, but Rasa's code: entities come from the NLU
pipeline's own extractor (policy_rasa.entities, a Rasa component, so importing it loads Rasa and
TensorFlow) over the same terms."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from policy_answers.clean import clean
from policy_answers.engine import Answer, Context, Question, Topic, calculator, decide, plainly_answerable
from policy_answers.figures import Role
from policy_answers.language import language
from policy_answers.outcome import Outcome
from policy_kb.query import KnowledgeBase
from policy_rasa.kb_entities import extract_entities, ruler_patterns, term_indexes


class _NoEnts:
    ents: tuple[()] = ()  # the character matcher alone finds every KB term


def ask(kb: KnowledgeBase, text: str, intent: str, context: Context | None = None) -> Answer:
    products = frozenset(p for m in kb.measures for p in m.products)
    terms = term_indexes(ruler_patterns(kb.term_lists(), products))
    entities = extract_entities(clean(text), _NoEnts(), terms)
    return decide(Question(text, intent, (intent,), tuple(entities)), context or Context(), kb)


def text_of(answer: Answer) -> str:
    return "\n".join(r.text or r.response or "" for r in answer.replies)


@dataclass
class Case:
    text: str
    intent: str
    topic: Topic
    measures: tuple[str, ...] = ()
    first: str = ""  # what the first line must hold
    holds: list[str] = field(default_factory=list)
    lacks: list[str] = field(default_factory=list)
    aspect: str | None = None
    context: dict[str, Any] = field(default_factory=dict)


CASES = [
    Case("研发补助最多多少钱", "ask_amount", Topic.measure, ("rd_subsidy",), "1000万元", ["二（六）"], aspect="amount"),
    Case("研發補助最多多少錢", "ask_amount", Topic.measure, ("rd_subsidy",), "1000万元", aspect="amount"),
    Case(
        "who is the lead unit for 科技特派员",
        "chitchat",
        Topic.measure,
        ("tech_commissioner",),
        "市科技局",
        aspect="lead_unit",
    ),
    Case("R&D subsidy how much", "ask_amount", Topic.measure, ("rd_subsidy",), "1000万元"),
    Case(
        "我们公司在经区，去年研发投入了800万，能补多少",
        "ask_amount",
        Topic.measure,
        ("rd_subsidy",),
        "没有按企业自己的投入",
        ["1000万元", "二（六）"],
        ["400万元", "200万元"],
    ),
    Case(
        "研发补助批了200万，市里出多少",
        "ask_cost_share",
        Topic.measure,
        ("rd_subsidy",),
        "200万元",
        ["市级25% 50万元"],
        aspect="cost_share",
    ),
    Case(
        "创新型乡镇是不是奖50万？",
        "ask_amount",
        Topic.measure,
        ("innovative_township_award",),
        "不是",
        ["100万元", "二（三）"],
        ["25万元"],
    ),
    Case("国家创新型乡镇是奖100万吗", "ask_amount", Topic.measure, ("innovative_township_award",), "是的"),
    Case("研发补助县里出一半吧", "ask_cost_share", Topic.measure, ("rd_subsidy",), "不是", ["25%", "荣成市"]),
    Case("荣成的研发补助县里出一半吧", "ask_cost_share", Topic.measure, ("rd_subsidy",), "是的", context={}),
    # a floor the lead unit gives to those it selects (择优) is no 是的 to "each gets at least"
    Case(
        "我们特派员团队5个人，是不是每人至少给10万？",
        "inform",
        Topic.measure,
        ("tech_commissioner",),
        "不是人人都有",
        ["择优", "不低于10万元", "二（十二）"],
        ["50万"],
    ),
    # a ceiling holds for everyone, selected or not
    Case("研发补助是不是最多1000万？", "ask_amount", Topic.measure, ("rd_subsidy",), "是的", ["1000万元"]),
    Case("科技特派员最多就给10万吧？", "ask_amount", Topic.measure, ("tech_commissioner",), "不是", ["不低于10万元"]),
    Case(
        "乳山市评上国家创新型县奖多少钱，评上创新型乡镇呢",
        "ask_amount",
        Topic.measures,
        ("innovative_county_award", "innovative_township_award"),
        "500万元",
        ["100万元"],
    ),
    Case(
        "我是文登区一家做海参养殖的合作社，有什么政策能享受？",
        "ask_eligibility",
        Topic.calculator,
        first="文登区",
        holds=["星创天地"],
        lacks=["骨干企业"],
    ),
    Case(
        "俺是种苹果的，想请个专家到村里来讲讲技术",
        "ask_measure_info",
        Topic.measure,
        ("popular_science",),
        holds=["二（十一）"],
    ),
    Case(
        "县级科技专项资金1200万，市级最多能分给我们多少",
        "ask_amount",
        Topic.measure,
        ("fund_allocation",),
        holds=["240万元", "二（二）"],
    ),
    Case("我们区县级专项是800万，能分多少？", "ask_amount", Topic.measure, ("fund_allocation",), holds=["160万元"]),
    # read as a profile (ask_what_can_i_get → ask_eligibility), the user's figure still gets its sum
    Case(
        "我们区县级专项是800万，能分多少？",
        "ask_eligibility",
        Topic.measure,
        ("fund_allocation",),
        holds=["160万元"],
        aspect="amount",
    ),
    Case(
        "我们区县级专项是800万，能申请吗？",
        "ask_eligibility",
        Topic.measure,
        ("fund_allocation",),
        aspect="eligibility",
    ),
    Case("市里是按县级科技专项资金的30%来配的？", "ask_amount", Topic.measure, ("fund_allocation",), "不是", ["20%"]),
    Case(
        "科技工作会商会议是每年至少开两次吗？",
        "ask_measure_info",
        Topic.measure,
        ("consultation_meeting",),
        "不是",
        ["1次"],
    ),
    Case("科技支行是科技局牵头的吗？", "ask_lead_unit", Topic.measure, ("tech_bank",), "不是", ["市金融办"]),
    Case("技术交易额目标是50亿吗？", "ask_targets", Topic.targets, first="不是", holds=["35 亿元"]),
    Case("省级以上创新平台的目标是330个吗？", "ask_targets", Topic.targets, first="是的"),
    Case(
        "技术经纪人和技术转移服务机构到2020年的目标各是多少？",
        "ask_targets",
        Topic.targets,
        holds=["100 家", "1000 名"],
    ),
    Case("青岛的研发补助怎么申请", "ask_how_to_apply", Topic.out_of_scope),
    Case("实施全域统筹重点突破由谁牵头", "ask_lead_unit", Topic.clause, holds=["各区政府", "二（一）"]),
    Case(
        "科技金融和科普分别是谁牵头？",
        "ask_lead_unit",
        Topic.measures,
        ("tech_bank", "popular_science"),
        "科技支行",
        ["市金融办", "二（十）", "市科协", "二（十一）"],
    ),
    Case(
        "全域统筹和宣传总结这两条各是谁牵头？",
        "ask_lead_unit",
        Topic.measures,
        first="二（一）",
        holds=["各区政府", "市委宣传部", "三（四）"],
    ),
    Case("科普和送科技下基层是谁牵头", "ask_lead_unit", Topic.measure, ("popular_science",)),
    # a theme with nobody named: its measures, cited
    Case(
        "县域科技金融有哪些措施？",
        "ask_measure_info",
        Topic.measures,
        ("tech_bank", "tech_insurance", "tech_funds"),
        "科技金融",
        ["科技保险", "市金融办", "二（十）"],
    ),
    Case(
        "农业方面有啥支持",
        "ask_measure_info",
        Topic.measures,
        ("agri_service_platform", "agri_key_tech"),
        "农业",
        ["二（五）、二（七）"],
    ),
    # a theme of one clause asked with an aspect: the clause's lead units, not one of its measures
    Case(
        "科技金融谁牵头",
        "ask_lead_unit",
        Topic.clause,
        (),
        holds=["市金融办", "二（十）"],
        lacks=["科技支行的牵头单位"],
    ),
    # who the user is beside a theme: the theme's measures (for them, where some are), not the whole list
    Case(
        "我们是startup，有啥finance方面的支持？",
        "ask_what_can_i_get",
        Topic.measures,
        ("tech_bank", "tech_insurance", "tech_funds"),
        "科技金融",
    ),
    Case("人才方面有什么政策", "ask_what_can_i_get", Topic.measure, ("talent_support",), holds=["二（五）"]),
    Case("我们是合作社，有什么政策", "ask_what_can_i_get", Topic.calculator, holds=["星创天地"]),
    # a measure's name said in two halves ('搞研发，政府补助'), or far ahead of the others: no clarification
    Case("我们公司搞研发，政府补助最多能给到多少？", "ask_amount", Topic.measure, ("rd_subsidy",), holds=["1000万元"]),
    Case("想申请高新技术企业，市里有培育的计划吗？", "ask_eligibility", Topic.measure, ("enterprise_cultivation",)),
    Case("我们今年研发投入3000万，能补多少？", "ask_amount", Topic.measure, ("rd_subsidy",), holds=["1000万元"]),
    # everyday words for the document's phrases; a district that is all the message asks about
    Case(
        "俺家孩子大学毕业想回县里创业 这文件管这事不", "ask_measure_info", Topic.clause, (), "二（五）", ["高校毕业生"]
    ),
    Case("南海新区算不算文件里说的“区市”？", "ask_measure_info", Topic.clause, (), "一（二）", ["南海新区"]),
    Case("二（五） 依据哪几个文件", "ask_measure_info", Topic.measure, holds=["威发〔2018〕22号", "威发〔2017〕14号"]),
    Case(
        "省级以上创新平台330个，其中国家级30个，那国家级以外的有多少个？", "ask_targets", Topic.targets, (), "= 300个"
    ),
    # a rule put forward in words that are not the document's: not decided, never 是的
    Case(
        "创新型县的500万奖励必须专款专用，是不是这么规定的？",
        "ask_amount",
        Topic.measure,
        ("innovative_county_award",),
        "文件未规定“专款专用”",
        ["500万元"],
        lacks=["是的"],
    ),
    Case("研发补助必须先自己垫资吗", "ask_eligibility", Topic.measure, ("rd_subsidy",), "文件未规定“垫资”"),
    # the document's number beside a measure asks the measure; its parts asked as a whole; where it says
    # something; every sum of a clause
    Case(
        "What's the maximum R&D subsidy one company can receive under 威政办发〔2018〕32号?",
        "ask_amount",
        Topic.measure,
        ("rd_subsidy",),
        holds=["1000万元"],
    ),
    Case("文件一共分几大部分？重点任务有几条？", "ask_document", Topic.document, (), "文件分三部分", ["保障措施"]),
    Case("一事一议 涉及哪几条", "ask_document", Topic.clause, (), "二（四）", ["二（八）"]),
    Case("第二部分第三条 奖励标准 快", "ask_document", Topic.clause, (), "二（三）", ["500万元", "100万元"]),
    Case("二6 封顶额", "ask_amount", Topic.measure, ("rd_subsidy",), holds=["1000万元"]),
    # a department's part in the document; a share of the user's own spending is not the document's
    Case("市科协负责哪几条", "ask_lead_unit", Topic.clause, (), "市科协在文件中的分工", ["二（十一）"]),
    Case(
        "研发补助是按企业研发投入的10%给的，对吧",
        "ask_amount",
        Topic.measure,
        ("rd_subsidy",),
        "文件未规定按企业自身投入",
        lacks=["不是。"],
    ),
    Case(
        "Which agency leads the measures on sci-tech finance in this document?",
        "ask_lead_unit",
        Topic.clause,
        (),
        "二（十）",
        ["市金融办"],
    ),
    Case(
        "科技特派员怎么报名，找谁",
        "ask_lead_unit",
        Topic.measure,
        ("tech_commissioner",),
        holds=["市科技局", "文件未规定申报程序"],
    ),
    # '乡镇奖多少' → '县呢' → '俩加一块多少': the last two measures answered, summed
    Case(
        "俩加一块多少",
        "ask_amount",
        Topic.measures,
        holds=["600万元"],
        context={
            "measure": "innovative_county_award",
            "frame": {
                "document": "weihai-2018-32",
                "subject": "measure",
                "measures": ["innovative_county_award"],
                "earlier": ["innovative_township_award"],
            },
        },
    ),
    # a named district with the others asked beside it: the general shares and the district's
    Case(
        "荣成县级按多少分担？其他区市县级又是多少？",
        "ask_cost_share",
        Topic.measure,
        ("rd_subsidy",),
        holds=["县级25%", "荣成市", "县级50%"],
    ),
    # the count said beside the measure's own applicant; a share claimed where the document states none;
    # the document's own basis; everyday words around a place name
    Case(
        "一个区市下面3个镇都创成了国家创新型乡镇，市级奖励总共多少",
        "ask_amount",
        Topic.measure,
        ("innovative_township_award",),
        "3 × 100万元 = 300万元",
    ),
    Case(
        "科技创新券的奖补比例是50%吗",
        "ask_amount",
        Topic.measure,
        ("innovation_voucher",),
        "未规定具体金额或比例",
        lacks=["不是。"],
    ),
    Case("这个意见是根据省里哪个文件制定的", "ask_document", Topic.document, (), holds=["鲁政办发〔2018〕12号"]),
    Case("俺儿大学毕业了想回文登老家创业 文件有啥说法", "ask_measure_info", Topic.clause, (), "二（五）"),
    Case("2.2条上限多少", "ask_amount", Topic.measure, ("fund_allocation",), holds=["500万元"]),
    # one target taken from another, one shared over another: each input quoted with its clause
    Case(
        "省级以上创新平台目标里，扣掉国家级的，还剩多少个？",
        "ask_targets",
        Topic.targets,
        (),
        "= 300个",
        ["330个", "30个", "一（三）"],
    ),
    Case(
        "技术经纪人总数除以服务机构数，平均每家多少名", "ask_targets", Topic.targets, (), "平均每家10名", ["二（八）"]
    ),
    # a measure's present is not decided by the document: no 是的 even where the figure is right
    Case(
        "这个乡镇的100万奖励到今年应该还在执行吧？",
        "ask_amount",
        Topic.measure,
        ("innovative_township_award",),
        "文件未规定有效期",
        ["100万元", "市科技局"],
        lacks=["是的。"],
    ),
    # words of the document no measure is named by: the sentence that says them, verbatim, and who leads
    # there; a measure whose own words hold them answers as that measure
    Case("海洋牧场和休闲渔业，文件里怎么说的", "ask_measure_info", Topic.clause, (), "二（七）", ["“农业+”"]),
    Case(
        "俺是乡土人才 文件说俺们啥了",
        "ask_measure_info",
        Topic.clause,
        (),
        "二（五）",
        ["二（十一）", "人力资源社会保障局"],
    ),
    Case("农技协在这个文件里管啥", "ask_measure_info", Topic.measure, ("popular_science",), holds=["二（十一）"]),
    Case("农技协有没有经费", "ask_amount", Topic.measure, ("popular_science",), holds=["二（十一）"]),
    # the words of a measure named beside them decide between its sentence and another's
    Case("新型职业农民有啥培训", "ask_measure_info", Topic.measure, ("popular_science",), holds=["新型职业农民"]),
    Case("科技型企业买科技保险，这个文件里有没有提？", "ask_measure_info", Topic.measure, ("tech_insurance",)),
    # generic words ('补助政策') and who the user says they are point at no place; another city is out
    Case("烟台市对企业研发有什么补助政策？", "ask_measure_info", Topic.out_of_scope, lacks=["文件在"]),
    Case("我们是科技服务机构，有什么政策", "ask_measure_info", Topic.calculator, lacks=["文件在"]),
    # two questions of their own in one message: each answered, in the order asked
    Case(
        "两个问题：国家创新型县奖多少？技术交易额目标多少？",
        "ask_targets",
        Topic.measures,
        ("innovative_county_award",),
        holds=["500万元", "二（三）", "35亿元", "一（三）"],
    ),
    Case(
        "问两个事：研发补助单个企业上限是多少？另外科技金融那块是哪个部门牵头？",
        "ask_amount",
        Topic.measures,
        ("rd_subsidy",),
        holds=["1000万元", "二（六）", "市金融办", "二（十）"],
    ),
    # a second part that changes only the place: the general shares first, that place's line with them
    Case(
        "企业研发补助批了800万元，县级要出多少？如果企业在荣成呢？",
        "ask_cost_share",
        Topic.measure,
        ("rd_subsidy",),
        holds=["县级25% 200万元", "县级50% 400万元"],
    ),
    Case(
        "如果单个企业拿满研发补助上限，县级（不是荣成）出多少？荣成的话出多少？",
        "ask_cost_share",
        Topic.measure,
        ("rd_subsidy",),
        holds=["县级25% 250万元", "县级50% 500万元"],
    ),
    # a follow-up and its question stay one question
    Case("研发补助最多多少？荣成呢？", "ask_amount", Topic.measure, ("rd_subsidy",), holds=["荣成市分担"]),
    # the document's number is no figure put forward: no 不是 for '32号文里…有没有'
    Case(
        "这个32号文里对企业参与制定标准有没有支持的说法？",
        "ask_measure_info",
        Topic.measure,
        ("standards_support",),
        holds=["行业标准", "二（六）"],
        lacks=["不是"],
    ),
    Case("研发补助最高是不是500万", "ask_amount", Topic.measure, ("rd_subsidy",), "不是", ["1000万元"]),
    # 牵头 in what the user does is no question of who leads
    Case(
        "我们已经是高新技术企业了，打算牵头建一个技术创新中心，文件里市县两级怎么支持？",
        "ask_lead_unit",
        Topic.measure,
        ("tech_innovation_center",),
        holds=["协同支持"],
        aspect="info",
    ),
    Case(
        "这个文件对科技支行和合作银行提了什么要求？归哪个部门牵头？",
        "ask_lead_unit",
        Topic.measure,
        ("tech_bank",),
        holds=["产品和服务", "市金融办"],
    ),
    # a measure's word the document also says in another clause: both places
    Case(
        "咱这科技活动周都干些啥 能教俺们真技术不",
        "ask_measure_info",
        Topic.measure,
        ("innovation_events",),
        holds=["二（九）", "二（十一）", "技术对接"],
    ),
    Case("科技特派员有啥支持", "ask_measure_info", Topic.measure, ("tech_commissioner",), lacks=["三（一）"]),
    # a count of one measure's recipients times its sum, without a word of a total
    Case(
        "假设有50名科技特派员被择优给予研发支持，按文件标准至少要多少钱？",
        "ask_amount",
        Topic.measure,
        ("tech_commissioner",),
        holds=["不低于500万元", "二（十二）"],
    ),
    Case(
        "到2020年的经纪人队伍目标平均分到服务机构目标上，每家大概多少名？",
        "ask_targets",
        Topic.targets,
        holds=["10名", "二（八）"],
    ),
    # a kind of applicant asked about ('算乡土人才不'), not who asks: its places, what is given first
    Case(
        "俺是村里的嫁接能手 算乡土人才不 政府有奖励没",
        "ask_what_can_i_get",
        Topic.measure,
        ("talent_support",),
        holds=["威发〔2018〕22号", "二（五）", "二（十一）"],
    ),
    # the measure a word names is not for the user, another clause says the word to them
    Case(
        "俺是新型职业农民 想学点新技术 谁给俺们培训啊",
        "ask_lead_unit",
        Topic.measure,
        ("popular_science",),
        holds=["二（十一）", "科技创新指导团"],
        lacks=["✗"],
    ),
    # what was done to the user ('去年刚认定的') is their story, not a topic the document leaves out
    Case(
        "俺是新型职业农民 去年刚认定的 有没有啥培训能参加",
        "ask_eligibility",
        Topic.measure,
        ("popular_science",),
        lacks=["没有涉及"],
    ),
    Case("高新技术企业认定需要什么条件", "ask_conditions", Topic.out_of_scope, holds=["没有涉及“认定”"]),
    Case("申请发明专利的费用能减免吗？", "ask_amount", Topic.out_of_scope),
    # '详细讲讲' asks for the clause's own words too (here the shares)
    Case("企业研发补助政策详细讲讲", "ask_measure_info", Topic.measure, ("rd_subsidy",), holds=["县级25%"]),
    # a species the document names by its kind ('海参' is 海珍品, '扇贝' 贝类): the sentence of the kind
    Case("养海参扇贝的 有没有技术攻关项目", "ask_measure_info", Topic.measure, ("agri_key_tech",), holds=["海珍品"]),
    # a product says who the user is; the kind they ask about ('乡土人才有奖励不') is the question
    Case(
        "俺是种苹果的土专家 乡土人才有奖励不",
        "ask_amount",
        Topic.measure,
        ("talent_support",),
        holds=["二（五）", "威发〔2018〕22号"],
    ),
    # a farming technique is no policy question: said so, with what the document says of the product
    Case("海参冬天池子里怎么养才不死？", "ask_measure_info", Topic.out_of_scope, holds=["养殖技术", "二（七）"]),
    # the document's other recipients with its addressees
    Case("这个文件抄送了哪些单位？", "ask_document", Topic.document, holds=["抄送", "威海军分区"]),
    # an English target beside a clause number or the document is that target
    Case(
        "What's the technology transaction volume target in 一（三）?", "ask_targets", Topic.targets, holds=["35 亿元"]
    ),
    # 'only one leads' is a claim the document decides against when another leads too
    Case(
        "科普这一条只是市科技局一家牵头吧？", "ask_lead_unit", Topic.measure, ("popular_science",), "不是", ["市科协"]
    ),
    Case("科普是市科协牵头吧", "ask_lead_unit", Topic.measure, ("popular_science",), "是的"),
    # how often is asked of the measure, not a yes/no of who leads
    Case(
        "临港区科技主管部门每年要和市科技局开几次科技工作会商会议？",
        "ask_lead_unit",
        Topic.measure,
        ("consultation_meeting",),
        holds=["1次"],
        lacks=["是的"],
    ),
    # every place the document says the quoted words
    Case(
        "“市县两级”这个说法在文件哪些条款里出现过？",
        "ask_document",
        Topic.clause,
        holds=["二（六）", "二（九）", "二（十四）"],
    ),
    Case("文件里哪几处用了“一事一议”？", "ask_document", Topic.clause, holds=["二（四）", "二（八）"]),
    # a quotation that runs over a sentence's end is a paste, not a phrase to look up (it raised
    # StopIteration: the action server answered HTTP 500); the questions after it are answered
    Case(
        "我在网上看到一段话，复制过来了：“责任单位：各区市政府〔管委〕）”我们是文登区的一家机械制造企业，今年听说能拿到"
        "400万元的研发补助。这400万元里面文登区财政要出多少？市级要出多少？顺便告诉我这是文件哪一条。",
        "ask_conditions",
        Topic.measure,
        ("rd_subsidy",),
        holds=["二（六）", "县级25% 100万元", "市级25% 100万元"],
    ),
    # the user's own sums: a level's share times their count, never a sum with the document's figures
    Case(
        "今年有4家企业（都不在荣成）各拿到400万元研发补助，市级合计要出多少？",
        "ask_cost_share",
        Topic.measure,
        ("rd_subsidy",),
        "每家400万元，市级承担25% 即100万元；4 × 100万元 = 400万元",
    ),
    Case(
        "同样拿1000万元研发补助，一家在文登区，一家在荣成市，两地县级分别出多少？差多少？",
        "ask_cost_share",
        Topic.measure,
        ("rd_subsidy",),
        holds=["县级25% 250万元", "县级50% 500万元"],
        lacks=["科技特派员"],
    ),
    # a share put forward wrongly beside a right sum: 不是, whatever the sum
    Case(
        "市级财政科技资金按不超过县级财政科技专项资金的25%分配给区市，最高不超过500万元，对吗？",
        "ask_amount",
        Topic.measure,
        ("fund_allocation",),
        "不是",
        ["20%"],
    ),
    # another year of a target than the one the document sets it for: not said
    Case("技术交易额2019年目标多少", "ask_targets", Topic.targets, holds=["没有规定2019年", "35亿元"]),
]


@pytest.mark.parametrize("case", CASES, ids=[c.text for c in CASES])
def test_decision_table(kb: KnowledgeBase, case: Case) -> None:
    answer = ask(kb, case.text, case.intent, Context(**case.context))
    text = text_of(answer)
    assert answer.topic is case.topic, text
    if case.measures:
        assert answer.measures[: len(case.measures)] == case.measures, text
    if case.aspect:
        assert answer.aspect == case.aspect, text
    assert case.first in text.splitlines()[0], text
    for part in case.holds:
        assert part.replace(" ", "") in text.replace(" ", ""), (part, text)
    for part in case.lacks:
        assert part not in text, (part, text)
    if answer.topic in (Topic.measure, Topic.measures, Topic.clause):
        assert all(r.text.splitlines()[-1].startswith("依据：威政办发〔2018〕32号 ") for r in answer.replies)


def test_the_users_figures_have_roles(kb: KnowledgeBase) -> None:
    spent = ask(kb, "去年研发投入了800万，研发补助能补多少", "ask_amount")
    assert [(f.yuan, f.role) for f in spent.figures] == [(8_000_000, Role.spending)]
    granted = ask(kb, "研发补助批了200万，县里出多少", "ask_cost_share")
    assert [(f.yuan, f.role) for f in granted.figures] == [(2_000_000, Role.subsidy)]
    claimed = ask(kb, "创新型县是不是奖300万？", "ask_amount")
    assert [(f.yuan, f.role) for f in claimed.figures] == [(3_000_000, Role.claim)]


def test_noise_does_not_change_the_decision(kb: KnowledgeBase) -> None:
    clean_answer = ask(kb, "研发补助荣成市里出多少", "ask_cost_share")
    for noisy in [
        "你好，研发补助荣成市里出多少",
        "研发補助榮成市裡出多少",
        "<b>研发补助荣成市里出多少</b>",
        "我电话13812345678，研发补助荣成市里出多少🙏",
    ]:
        assert ask(kb, noisy, "ask_cost_share").decision == clean_answer.decision, noisy


def test_a_follow_up_naming_another_applicant_moves_to_its_measure(kb: KnowledgeBase) -> None:
    first = ask(kb, "评上国家创新型县奖励多少", "ask_amount")
    assert first.measures == ("innovative_county_award",)
    context = Context(**{k: v for k, v in first.memory.items() if k in Context.__dataclass_fields__})
    again = ask(kb, "乡镇呢？", "inform", context)
    assert again.measures == ("innovative_township_award",) and "100万元" in text_of(again)
    # an applicant the measure is for keeps it
    assert ask(kb, "区市呢", "inform", context).measures == ("innovative_county_award",)


def test_a_measure_in_its_own_words_is_no_profile(kb: KnowledgeBase) -> None:
    """An applicant word inside a measure's own wording does not make the question a profile."""
    answer = ask(kb, "指导企业建立技术研发和服务机构这条有啥政策", "ask_measure_info")
    assert answer.topic is Topic.measure, text_of(answer)
    assert ask(kb, "我们是科技服务机构，有什么政策", "ask_eligibility").topic is Topic.calculator


def test_a_follow_up_uses_the_previous_measure(kb: KnowledgeBase) -> None:
    first = ask(kb, "研发补助批了200万，市里出多少", "ask_cost_share")
    context = Context(**{k: v for k, v in first.memory.items() if k in Context.__dataclass_fields__})
    again = ask(kb, "那荣成呢", "inform", context)
    assert again.measures == ("rd_subsidy",) and "荣成市" in text_of(again) and "100万元" in text_of(again)


def test_calculator_needs_who(kb: KnowledgeBase) -> None:
    assert calculator(kb, None, None).outcome is Outcome.clarify
    answer = calculator(kb, "township", "rushan")
    assert answer.outcome is Outcome.answered and "100万元" in text_of(answer)


def test_nothing_close_is_a_fallback_with_the_hotline(kb: KnowledgeBase) -> None:
    answer = ask(kb, "今天天气怎么样呀朋友", "ask_measure_info", Context(hotline="0631-12345"))
    reply = answer.replies[0]
    assert answer.outcome is Outcome.fallback and reply.response == "utter_no_match"
    assert reply.variables["hotline"] == "0631-12345" and reply.buttons[-1]["payload"] == "/handoff"


def test_another_city_is_out_of_scope(kb: KnowledgeBase) -> None:
    answer = ask(kb, "青岛的研发补助怎么申请", "ask_how_to_apply")
    assert answer.outcome is Outcome.out_of_scope
    assert answer.replies[0].variables["place"] == "青岛" and answer.replies[0].variables["city"] == "威海"


def test_every_theme_is_a_topic_of_the_kb(kb: KnowledgeBase) -> None:
    assert set(language().themes) <= {t.id for t in kb.data.topics}


def test_a_follow_up_to_a_theme_leans_on_its_clause(kb: KnowledgeBase) -> None:
    theme = ask(kb, "科技金融有哪些政策？", "ask_measure_info")
    follow_up = ask(kb, "这个谁牵头？", "ask_lead_unit", Context(**theme.memory))
    assert follow_up.clause == "二（十）" and "市金融办" in text_of(follow_up), text_of(follow_up)


def test_a_short_follow_up_to_a_target_is_about_targets(kb: KnowledgeBase) -> None:
    first = ask(kb, "技术交易额目标多少？", "ask_targets")
    assert first.memory["last_aspect"] == "targets"
    platforms = ask(kb, "创新平台呢？", "ask_measure_info", Context(**first.memory))
    assert platforms.topic is Topic.targets and "330" in text_of(platforms), text_of(platforms)
    national = ask(kb, "那国家级的呢？", "nlu_fallback", Context(**platforms.memory))
    assert national.topic is Topic.targets and "国家级创新平台" in text_of(national), text_of(national)
    assert "330" not in text_of(national)
    # away from the targets, the same words name the measure
    assert ask(kb, "创新平台呢？", "ask_measure_info").topic is Topic.measure
    assert not plainly_answerable(Question("国家级的呢？"), kb, Context())
    assert plainly_answerable(Question("国家级的呢？"), kb, Context(last_aspect="targets"))


def test_no_sure_no_for_those_the_clause_may_mean(kb: KnowledgeBase) -> None:
    """A university teacher asking about 科技特派员 is not told ✗: 二（十二） recruits 高校院所的科研人员 and
    在校学生, so the document does not rule them out; the lead unit decides. An enterprise asking for the
    township award is outside those the clause names, and is told so."""
    teacher = text_of(ask(kb, "我是大学老师，可以去当科技特派员吗", "ask_eligibility"))
    assert "✗" not in teacher and "不符合" not in teacher and "招募高校院所的科研人员、在校学生" in teacher, teacher
    assert "以牵头单位审核为准" in teacher
    enterprise = text_of(ask(kb, "我们是企业，能申请创新型乡镇奖励吗", "ask_eligibility"))
    assert "✗ 申请主体为乡镇" in enterprise, enterprise
