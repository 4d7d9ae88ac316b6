"""The answer card as plain text an agent can read out on the phone.

No markup, no bullets or brackets to stumble over, one fact per short line, figures as the document
states them, the lead unit, and the citation as the last line (依据：威政办发〔2018〕32号 二（十二）).
"""

from __future__ import annotations

from typing import Any

# Lines longer than this are broken after a clause mark (；，、。) so they can be read in one breath; a
# document title (《…》) has no such mark and stays whole.
LINE_MAX_CHARS = 32


def card_text(card: dict[str, Any]) -> str:
    """Plain text of a card made by policy_answers.render.card."""
    lines = [card["title"]]
    lines += _short_lines(f"支持内容：{card['support']}")
    lines += _short_lines(f"对象：{card['who']}")
    lines += _short_lines(f"金额：{card['amount']}")
    if card.get("shares"):
        parts = [
            f"{share['level']}{share['percent']}%" + (f" {share['amount']}" if share.get("amount") else "")
            for share in card["shares"]
        ]
        lines += _short_lines("分担：" + "，".join(parts))
    lines += _short_lines("牵头单位：" + "、".join(card["lead_units"]))
    lines.append(card["citation"])
    return "\n".join(lines)


def clause_text(title: str, lead_units: list[str], measure_names: list[str], citation: str) -> str:
    """Plain text for a clause hit: what the clause is about, its measures, the lead unit, the citation."""
    lines = [title]
    if measure_names:
        lines += _short_lines("包括：" + "、".join(measure_names))
    if lead_units:
        lines += _short_lines("牵头单位：" + "、".join(lead_units))
    lines.append(citation)
    return "\n".join(lines)


def _short_lines(text: str) -> list[str]:
    text = text.strip().rstrip("。")
    if len(text) <= LINE_MAX_CHARS:
        return [text]
    lines: list[str] = []
    current = ""
    for piece in _pieces(text):
        if current and len(current) + len(piece) > LINE_MAX_CHARS:
            lines.append(current)
            current = ""
        current += piece
    if current:
        lines.append(current)
    return lines


def _pieces(text: str) -> list[str]:
    """`text` cut after each clause mark, except inside a document title (《…》)."""
    pieces, start, depth = [], 0, 0
    for index, char in enumerate(text):
        depth += {"《": 1, "》": -1}.get(char, 0)
        if char in "；。，、" and depth == 0:
            pieces.append(text[start : index + 1])
            start = index + 1
    if start < len(text):
        pieces.append(text[start:])
    return pieces
