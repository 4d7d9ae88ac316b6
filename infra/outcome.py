"""What a turn ended as: the one definition the actions, the question log and the analytics share. It lives
in infra/ because the app database (app_store) stores it and may not import the answer engine."""

from __future__ import annotations

from enum import Enum


class Outcome(str, Enum):
    answered = "answered"  # a policy answer with its citation
    clarify = "clarify"  # the bot asked which measure or who the user is
    fallback = "fallback"  # nothing in the document came close
    out_of_scope = "out_of_scope"  # outside this document (another policy, another city)
    handoff = "handoff"  # a ticket for a person
    smalltalk = "smalltalk"  # greeting, thanks, goodbye, "are you a bot"
    form = "form"  # the bot is asking for a fact (who the user is, a callback number)
    error = "error"  # the gateway could not get an answer
    unknown = "unknown"  # logged before outcomes were recorded


# Chinese labels for the analytics page and its exports.
OUTCOME_LABELS: dict[Outcome, str] = {
    Outcome.answered: "已回答",
    Outcome.clarify: "追问澄清",
    Outcome.fallback: "未理解",
    Outcome.out_of_scope: "超出范围",
    Outcome.handoff: "转人工",
    Outcome.smalltalk: "寒暄闲聊",
    Outcome.form: "填写信息",
    Outcome.error: "系统故障",
    # Rasa answered without saying how the turn ended (or the row predates outcomes): not "其他（问候等）"
    Outcome.unknown: "结果未记录",
}

# Turns the bureau should read: the bot did not answer them.
UNANSWERED: frozenset[Outcome] = frozenset({Outcome.fallback, Outcome.out_of_scope, Outcome.error})


def label(outcome: str) -> str:
    """The Chinese label of a stored outcome; an unknown string is shown as it is."""
    try:
        return OUTCOME_LABELS[Outcome(outcome)]
    except ValueError:
        return outcome
