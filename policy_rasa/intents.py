"""Rasa NLU component: let the knowledge base's entities correct the intent where they are sure.

- A profile question that names a measure is a question about that measure: "我们是做海参的骨干企业，
  有啥技术攻关项目" reads like ask_what_can_i_get (which starts the policy calculator's form), but it
  names the directed agricultural projects, so the user wants that measure's eligibility.
- A question that names a measure outright is about it even when DIET is unsure: the fallback
  classifier's nlu_fallback gives way to the best policy intent DIET saw ("创业投资引导基金有吗").
- Asking for a person ('说了半天没整明白，能找个人工不？') is a hand-off, whatever small talk DIET saw.
- A question about a whole theme of the document with nobody named ('县域科技金融有哪些措施', '农业方面
  有啥支持') is about the theme's measures, not a profile for the calculator's form nor small talk.
- Policy content first: a message that names a measure or a target cannot be taken by small talk or
  out of scope ("你好，研发补助多少", "谢谢，顺便问一下特派员", a phone number beside "想问研发补助").
  DIET on sparse features sends unseen noise to the nearest small-talk intent with high confidence.

Deciding this from the KB's exact names is sure; leaving it to dialogue rules would depend on how the
policy ranks a rule with entities against one without, and the two-stage fallback would revert the
answer's slots on the next turn.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from policy_answers.frames import signals
from policy_answers.language import language

REMAP = {"ask_what_can_i_get": "ask_eligibility"}
# Intents a named policy term overrules: they would answer something other than the question.
YIELDING = frozenset(
    {
        DEFAULT_NLU_FALLBACK_INTENT_NAME,
        "greet",
        "thank",
        "goodbye",
        "bot_challenge",
        "what_can_you_do",
        "chitchat",
        "affirm",
        "deny",
        "out_of_scope",
    }
)
# Intents a question about a theme overrules (with nobody named: a profile goes to the calculator).
THEME_YIELDING = YIELDING | {"ask_what_can_i_get"}
# Intents a plain request for a person overrules ('你是真人吗' stays a bot challenge).
TO_HANDOFF = YIELDING - {"bot_challenge", "what_can_you_do"}
# Intents the frame's words overrule: a correction is not a denial, '县呢' is not small talk, and
# '按哪些文件给奖励' without anyone named is not a profile for the calculator's form.
FRAME_YIELDING = YIELDING | {"ask_what_can_i_get", "inform"}
# Intents a short follow-up ('其中国家级的呢') overrules: the replies to a conversation's end, not a
# question about the bot or the weather ('你是谁呢', '今天天气怎么样呢').
FOLLOW_UP_YIELDING = frozenset({"affirm", "deny", "thank", "goodbye"})
# A reply to the bot ('好的', '不是的，谢谢') is short; a longer message that asks something is a question.
REPLY_MAX_CHARS = 12
# Intents of talk about the conversation, not the document ('你好', '谢谢', '你能干啥').
SMALL_TALK = FOLLOW_UP_YIELDING | {"greet", "chitchat", "what_can_you_do"}
POLICY_INTENTS = (
    "ask_measure_info",
    "ask_eligibility",
    "ask_amount",
    "ask_cost_share",
    "ask_conditions",
    "ask_how_to_apply",
    "ask_lead_unit",
    "ask_targets",
)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class MeasureIntentRefiner(GraphComponent):
    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> MeasureIntentRefiner:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            name = intent.get(INTENT_NAME_KEY)
            entities = message.get(ENTITIES, [])
            measures = [e for e in entities if e.get("entity") == "measure"]
            sure = [
                e
                for e in entities
                if e.get("entity") in ("measure", "target") and e.get("confidence_entity", 1.0) >= 1.0
            ]
            if measures and name in REMAP and not _profile_by_product(message, measures):
                message.set(INTENT, {**intent, INTENT_NAME_KEY: REMAP[name]}, add_to_output=True)
            elif not measures and name in TO_HANDOFF and language().handoff.search(message.get(TEXT) or ""):
                message.set(
                    INTENT,
                    {INTENT_NAME_KEY: "handoff", "confidence": intent.get("confidence", 0.0)},
                    add_to_output=True,
                )
            elif (
                not measures
                and not sure
                and name in THEME_YIELDING
                and not _names_applicant(message, beside_theme=True)
                and language().theme_of(message.get(TEXT) or "")
            ):
                message.set(
                    INTENT,
                    {INTENT_NAME_KEY: "ask_measure_info", "confidence": intent.get("confidence", 0.0)},
                    add_to_output=True,
                )
            elif _frame_may_overrule(message, name) and (routed := _by_frame(message, name, measures)):
                message.set(
                    INTENT, {INTENT_NAME_KEY: routed, "confidence": intent.get("confidence", 0.0)}, add_to_output=True
                )
            elif sure and (name in YIELDING or _unasked_handoff(message, name)):
                default = "ask_targets" if all(e["entity"] == "target" for e in sure) else "ask_measure_info"
                ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") in POLICY_INTENTS]
                best = ranking[0] if ranking else {"name": default, "confidence": 0.0}
                message.set(
                    INTENT,
                    {INTENT_NAME_KEY: best["name"], "confidence": best.get("confidence", 0.0)},
                    add_to_output=True,
                )
        return messages


def _unasked_handoff(message: Message, name: str | None) -> bool:
    """A hand-off DIET saw in words that ask for nobody ('要多少人', '我们特派员团队5个人…')."""
    return name == "handoff" and not language().handoff.search(message.get(TEXT) or "")


def _frame_may_overrule(message: Message, name: str | None) -> bool:
    """Whether the frame's words may overrule the intent: those of FRAME_YIELDING, and a hand-off asked
    in words that ask for nobody ('刚才那个是哪一条来着' after an answer)."""
    return name in FRAME_YIELDING or _unasked_handoff(message, name)


def _profile_by_product(message: Message, measures: list[dict[str, Any]]) -> bool:
    """'我们是做海参养殖的合作社，有什么政策': who the user is, with a product word beside it; the
    policy calculator answers, not the one measure the product belongs to (the engine decides)."""
    return _names_applicant(message) and all(e.get("product") for e in measures)


def _names_applicant(message: Message, beside_theme: bool = False) -> bool:
    """Whether someone's kind is named; `beside_theme`: not counting the theme's own word ('集聚人才方面
    有什么政策': 人才 is the theme, not who asks)."""
    text = message.get(TEXT) or ""
    themes = [cue for cue in language().themes.values()] if beside_theme else []
    return any(
        e.get("entity") == "applicant_type" and not any(cue.fullmatch(e.get("text") or "") for cue in themes)
        for e in message.get(ENTITIES, [])
    ) and bool(text)


def _by_frame(message: Message, name: str, measures: list[dict[str, Any]]) -> str | None:
    """The intent the message's frame words give it (policy_answers.frames.signals), or None."""
    text = message.get(TEXT) or ""
    named = tuple(e["text"] for e in message.get(ENTITIES, []) if e.get("entity") != "measure" and e.get("text"))
    found = signals(text, language(), names_subject=bool(measures), named=named)
    if name == "ask_what_can_i_get":
        # '那些特色农产品都有哪些', '有啥奖励': nobody says who they are; the form would ask a stranger
        # question. '我能享受哪些政策' speaks of the user: the calculator's form asks who they are.
        # '文件里的“区市”包括我们南海新区吗' speaks of the user but asks what the text says
        if _names_applicant(message) or (
            language().frames.self_reference.search(text) and language().profile.search(text)
        ):
            return None
        return "ask_measure_info"
    if "document" in found and not measures:
        return "ask_document"
    unsure_but_about_policy = name == DEFAULT_NLU_FALLBACK_INTENT_NAME and (
        measures or _names_other(message) or language().aspect_of(text)
    )  # the engine asks which, if need be
    # a topic the document does not cover stays out_of_scope: its action asks the engine what is near it
    open_point = "open_point" in found and name != "out_of_scope"
    if found & {"clause", "operation", "basis"} or open_point or unsure_but_about_policy:
        ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") in POLICY_INTENTS[:-1]]
        return ranking[0]["name"] if ranking else "ask_measure_info"
    if found & {"correction", "brevity", "previous"} and name != "inform":
        return "inform"
    if "follow_up" in found and name in FOLLOW_UP_YIELDING:
        return "inform"  # '其中国家级的呢' is no 'ok'
    long_question = len(text) > REPLY_MAX_CHARS and language().open_question.search(text)
    if long_question and (name in FOLLOW_UP_YIELDING or (name in SMALL_TALK and (measures or _names_other(message)))):
        # '我们厂四十来号人，还没有研发部门，文件里…有啥说法？' is no '不是', '帮邻居问一下，老人办公交卡
        # 去哪儿办？' no greeting: a question; the engine answers it or says what it does not cover
        return "ask_measure_info"
    if "partial" in found and name == DEFAULT_NLU_FALLBACK_INTENT_NAME:
        return "inform"  # '到哪年': the engine leans on the last frame
    if "partial" in found and name != "inform" and (language().aspect_of(text) or _names_other(message)):
        return "inform"  # '那荣成呢' is not a greeting, '谁牵头呢' no chitchat
    return None


def _names_other(message: Message) -> bool:
    return any(e.get("entity") in ("district", "applicant_type", "money", "target") for e in message.get(ENTITIES, []))
