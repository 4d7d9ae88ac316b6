"""The reply wording, one YAML file per reply kind in templates/: a Rasa engineer finds the words in
files, not in Python. A template line is a `str.format` string; a line whose fields are all empty is
dropped, so optional details need no branches in code."""

from __future__ import annotations

import string
from functools import cache
from pathlib import Path
from typing import Any

import yaml

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
_FORMATTER = string.Formatter()


@cache
def templates(kind: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((TEMPLATE_DIR / f"{kind}.yml").read_text(encoding="utf-8"))
    return loaded


def _fields(template: str) -> list[str]:
    return [name for _, name, _, _ in _FORMATTER.parse(template) if name]


def fill(template: str, fields: dict[str, Any]) -> str:
    """The template with its fields, or "" when every field it names is empty, or one whose name says
    the line is only for it ('{who_if_no_conditions}', '{conditions_if_any}')."""
    names = _fields(template)
    empty = [name for name in names if fields.get(name) in (None, "", [])]
    if names and (len(empty) == len(names) or any("_if_" in name for name in empty)):
        return ""
    return template.format(**{name: fields.get(name) or "" for name in names})


def say(kind: str, *path: str, **fields: Any) -> str:
    """One template of `kind` at `path` ('claims', 'amount', 'fixed_yes'), filled."""
    node: Any = templates(kind)
    for key in path:
        node = node[key]
    return fill(node, fields)


def words(*path: str, **fields: Any) -> str:
    """The reply words at `path` of templates/reply.yml with their fields, every line kept."""
    node: Any = templates("reply")
    for key in path:
        node = node[key]
    text: str = node.format(**fields)
    return text


def lines(kind: str, part: str, **fields: Any) -> list[str]:
    """The lines of `kind`'s `part`, filled, empty ones dropped."""
    return [line for line in (fill(t, fields) for t in templates(kind)[part]) if line]
