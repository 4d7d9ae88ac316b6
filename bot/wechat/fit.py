"""Making the bot's replies fit a WeChat text message.

A passive reply is one plain-text message (no markdown, no buttons, no cards) of at most
TEXT_LIMIT_BYTES. So: markup becomes plain text, buttons become numbered options the follower answers
with a digit, the answer card becomes its text summary when no text carries it, and a reply over the
limit is split into parts (the follower replies 0 for the next) at line, sentence or clause ends,
never inside a figure. The citation line ends every part, so no part goes out without its source.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.wechat import messages

# WeChat drops a passive text reply whose Content is over 2,048 bytes (UTF-8: about 680 Chinese
# characters); the bot's policy replies are 150–260 characters at the median and p90.
TEXT_LIMIT_BYTES = 2048
MORE = "0"  # the digit that asks for the next part of a long reply

_CITATION = re.compile(r"^依据：")
_SEE_CARD, _SEE_BELOW = "见卡片", "见下"
# A figure with its unit ("1000万元", "50%", "3.5亿元", "2018年", "〔2018〕32号"). A part never ends inside
# one, so no reader sees "10" at the end of one message and "00万元" at the start of the next.
_FIGURE = re.compile(r"〔[0-9]{4}〕[0-9]+号|[0-9０-９][0-9０-９.,．]*\s*(?:万元|亿元|元|万|亿|%|％|年|个|项|家|人)?")
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])")
_CLAUSE_END = re.compile(r"(?<=[，、：,:])")
_MARKDOWN = (
    (re.compile(r"\[([^\]\n]+)\]\((https?://[^)\s]+)\)"), r"\1（\2）"),  # [text](url) → text（url）
    (re.compile(r"(\*\*|__)(.+?)\1"), r"\2"),  # **bold**, __bold__
    (re.compile(r"`([^`\n]+)`"), r"\1"),  # `code`
    (re.compile(r"^#{1,6}\s+", re.MULTILINE), ""),  # # heading
    (re.compile(r"^\s*[-*]\s+", re.MULTILINE), "· "),  # - item
    (re.compile(r"<[^>\n]{1,200}>"), ""),  # <b>, <br> and the like
)


@dataclass(frozen=True)
class Fitted:
    parts: tuple[str, ...]  # what to send: the first now, the others when the follower replies MORE
    options: tuple[tuple[str, str], ...] = ()  # (title, payload) of option 1, 2, …


def fit(replies: Sequence[Mapping[str, Any]], limit_bytes: int = TEXT_LIMIT_BYTES) -> Fitted:
    """The replies of one turn, in /api/chat's shape ({"text", "buttons", "custom"}), as WeChat text."""
    texts = [plain(reply["text"]) for reply in replies if isinstance(reply.get("text"), str) and reply["text"].strip()]
    cards = [reply["custom"] for reply in replies if _is_card(reply.get("custom"))]
    if not texts:
        texts = [card_summary(card) for card in cards]
    elif cards and any(_SEE_CARD in text for text in texts):
        # The text already summarises the card, except where it sends the reader to it ("全部牵头单位见
        # 卡片", measure.yml): WeChat shows no card, so those lines come from the card instead.
        texts = [text.replace(_SEE_CARD, _SEE_BELOW) for text in texts] + [_card_units(card) for card in cards]
    options = _options(replies)
    lines = [line for text in texts for line in text.splitlines() if line.strip()]
    citations = list(dict.fromkeys(line for line in lines if _CITATION.match(line)))
    body = "\n".join(line for line in lines if not _CITATION.match(line))
    option_lines = [messages.OPTION.format(number=n, title=title) for n, (title, _) in enumerate(options, 1)]
    tail = "\n".join(citations)

    def compose(chunk: str, more: bool) -> str:
        footer = [*option_lines, messages.MORE_HINT.format(digit=MORE)] if more else option_lines
        return "\n".join(part for part in (chunk, tail, "\n".join(footer)) if part)

    whole = compose(body, more=False)
    if _size(whole) <= limit_bytes or not body:
        return Fitted((whole,) if whole else (), options)
    budget = limit_bytes - _size(compose("", more=True)) - 1  # the newline before the tail
    chunks = split(body, max(budget, 64))
    return Fitted(tuple(compose(chunk, more=i < len(chunks) - 1) for i, chunk in enumerate(chunks)), options)


def plain(text: str) -> str:
    """Markdown and HTML markup as plain text (WeChat shows them literally)."""
    for pattern, replacement in _MARKDOWN:
        text = pattern.sub(replacement, text)
    return text.strip()


def card_summary(card: Mapping[str, Any]) -> str:
    """The answer card as the few lines a follower needs: what, who, how much, who leads, the source."""
    lines = [str(card.get("title") or "")]
    for label, key in (("支持内容", "support"), ("申请主体", "who"), ("金额", "amount")):
        if card.get(key):
            lines.append(f"{label}：{card[key]}")
    lines.append(_card_units(card))
    if card.get("citation"):
        lines.append(str(card["citation"]))
    return "\n".join(line for line in lines if line)


def _card_units(card: Mapping[str, Any]) -> str:
    units = card.get("lead_units")
    if not (isinstance(units, list) and units):
        return ""
    return "牵头单位：" + "、".join(str(unit) for unit in units)


def split(text: str, budget: int) -> list[str]:
    """`text` in pieces of at most `budget` bytes, cut at line, then sentence, then clause ends, and
    failing those anywhere but inside a figure."""
    pieces: list[str] = []
    for unit in _units(text, budget):
        joiner = "\n" if unit.startswith("\n") else ""
        unit = unit.lstrip("\n")
        if pieces and _size(pieces[-1] + joiner + unit) <= budget:
            pieces[-1] += joiner + unit
        else:
            pieces.append(unit)
    return [piece.strip() for piece in pieces if piece.strip()]


def _units(text: str, budget: int) -> list[str]:
    """Smallest pieces that fit; a piece that starts a new line begins with "\\n"."""
    units: list[str] = []
    for number, line in enumerate(text.split("\n")):
        prefix = "\n" if number else ""
        for i, piece in enumerate(_fitting(line, budget, (_SENTENCE_END, _CLAUSE_END))):
            units.append((prefix if i == 0 else "") + piece)
    return units


def _fitting(text: str, budget: int, separators: tuple[re.Pattern[str], ...]) -> list[str]:
    if _size(text) <= budget:
        return [text]
    if not separators:
        return _hard_split(text, budget)
    pieces = [piece for piece in separators[0].split(text) if piece]
    if len(pieces) == 1:
        return _fitting(text, budget, separators[1:])
    return [small for piece in pieces for small in _fitting(piece, budget, separators[1:])]


def _hard_split(text: str, budget: int) -> list[str]:
    inside = {i for match in _FIGURE.finditer(text) for i in range(match.start() + 1, match.end())}
    pieces = []
    while _size(text) > budget:
        cut = len(text[:budget].encode("utf-8")[:budget].decode("utf-8", "ignore"))
        while cut > 1 and cut in inside:
            cut -= 1
        if cut <= 1:  # a single "figure" longer than a whole message: nothing sensible is left to do
            cut = len(text.encode("utf-8")[:budget].decode("utf-8", "ignore"))
        pieces.append(text[:cut])
        text = text[cut:]
        inside = {i - cut for i in inside if i > cut}
    return [*pieces, text] if text else pieces


def _options(replies: Sequence[Mapping[str, Any]]) -> tuple[tuple[str, str], ...]:
    found: dict[str, str] = {}
    for reply in replies:
        for button in reply.get("buttons") or ():
            title, payload = button.get("title"), button.get("payload")
            if isinstance(title, str) and isinstance(payload, str) and payload not in found:
                found[payload] = plain(title)
    return tuple((title, payload) for payload, title in found.items())


def _is_card(custom: Any) -> bool:
    return isinstance(custom, Mapping) and custom.get("type") == "policy_card"


def _size(text: str) -> int:
    return len(text.encode("utf-8"))
