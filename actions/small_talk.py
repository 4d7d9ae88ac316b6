"""Small talk, unless it asks about the last answer.

'会上干什么' reads to the NLU like a question about the bot, '那个活动叫什么名字' like small talk; right
after an answer they ask about it. The engine answers them from the last answer's clause when its words
are there (engine.answers_follow_up); a question in the document's own words ('医疗健康方面有没有科技支持'
read as '你能干啥') is answered as plainly as the fallback would; otherwise the small-talk reply.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.policy import context_of, deliver, ends_turn, question_of
from policy_answers.engine import answers_follow_up, decide, plainly_answerable
from policy_kb.query import get_kb

# The reply each small-talk intent gets when it is small talk.
RESPONSES = {"chitchat": "utter_chitchat", "what_can_you_do": "utter_capabilities"}


class ActionSmallTalk(Action):
    def name(self) -> str:
        return "action_small_talk"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        kb = await get_kb()
        question, context = question_of(tracker), context_of(tracker)
        if answers_follow_up(question, kb, context) or plainly_answerable(question, kb, context):
            # '会上干什么' after an answer; '医疗健康方面有没有科技支持' in the document's words
            return ends_turn(tracker, deliver(dispatcher, decide(question, context, kb)))
        dispatcher.utter_message(response=RESPONSES.get(question.intent or "", "utter_chitchat"))
        return ends_turn(tracker, [])
