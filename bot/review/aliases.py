"""Accepting alias suggestions: a word users use for a measure goes into the KB data file.

The reviewer wrote the word down (问题复核 → 用户对该措施的叫法); a person accepts it here. The data
file is edited in place, one alias appended to the measure's flow list, so the diff a maintainer reads
is one line per measure, and the result must pass the same check against the official text as any
other edit (`python -m policy_kb check`) before it replaces the file. The entity ruler and the jieba
dictionary are built from these aliases (`make model`), so the NLU finds the word whole afterwards.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from policy_kb.loader import load_file
from policy_kb.query import KnowledgeBase
from policy_kb.verify import KnowledgeBaseError, Problem

_SECTION = re.compile(r"^(?P<name>[a-z_]+):")
_ITEM = re.compile(r"^  - id: (?P<id>\S+)\s*$")
_ALIASES = re.compile(r"^(?P<indent>\s+)aliases: \[(?P<items>.*)\]\s*$")
# Words YAML reads as themselves inside a flow list; anything else is written as a JSON string, which
# is valid YAML too.
_PLAIN = re.compile(r"[0-9A-Za-z\u3400-\u9fff]+(?: [0-9A-Za-z\u3400-\u9fff]+)*")


@dataclass(frozen=True)
class Refused:
    measure: str
    word: str
    why: str


def refusals(kb: KnowledgeBase, words: list[tuple[str, str]]) -> list[Refused]:
    """Words that must not become a measure's alias: unknown measures, and words the KB already reads
    as something else (another measure, an applicant type, a district, a unit, a target), which the
    alias would shadow."""
    refused: list[Refused] = []
    known = {m.id for m in kb.measures}
    terms = kb.term_lists()
    for measure, word in words:
        if measure not in known:
            refused.append(Refused(measure, word, f"知识库里没有措施 {measure}"))
            continue
        for kind, names in terms.items():
            owner = next((key for key, values in names.items() if word in values), None)
            if owner is not None and (kind, owner) != ("measure", measure):
                refused.append(Refused(measure, word, f"“{word}”在知识库里已是{_KIND_NAMES[kind]} {owner} 的叫法"))
                break
    return refused


_KIND_NAMES = {"measure": "措施", "district": "区市", "applicant_type": "申请主体", "unit": "单位", "target": "目标"}


def add_aliases(path: Path, words: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Append each (measure id, word) to that measure's aliases in the data file at `path`; returns the
    pairs added (a word the measure already has is skipped). Raises KnowledgeBaseError, leaving the
    file untouched, when the edited file fails the KB check (e.g. the word is another measure's alias)."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    added: list[tuple[str, str]] = []
    for measure, word in words:
        index = _aliases_line(lines, measure)
        if index is None:
            raise KnowledgeBaseError([Problem(f"measures[{measure}].aliases", "no one-line aliases list to add to")])
        match = _ALIASES.match(lines[index].rstrip("\n"))
        assert match is not None
        current = yaml.safe_load(f"[{match['items']}]") or []
        if word in current:
            continue
        item = word if _PLAIN.fullmatch(word) else json.dumps(word, ensure_ascii=False)
        items = f"{match['items']}, {item}" if match["items"].strip() else item
        lines[index] = f"{match['indent']}aliases: [{items}]\n"
        added.append((measure, word))
    if not added:
        return []
    # Checked in the same folder: the data file names its official text relative to itself.
    candidate = path.with_name(path.name + ".new")
    candidate.write_text("".join(lines), encoding="utf-8")
    try:
        data = load_file(candidate)
        aliases = {m.id: m.aliases for m in data.measures}
        missing = [(m, w) for m, w in added if w not in aliases.get(m, [])]
        if missing:  # the edit did not say what it meant to: never write it
            raise KnowledgeBaseError([Problem(f"measures[{m}].aliases", f"{w!r} not read back") for m, w in missing])
        os.replace(candidate, path)
    finally:
        candidate.unlink(missing_ok=True)
    return added


def _aliases_line(lines: list[str], measure: str) -> int | None:
    section, inside = "", False
    for index, line in enumerate(lines):
        line = line.rstrip("\n")
        if top := _SECTION.match(line):
            section, inside = top["name"], False
        elif item := _ITEM.match(line):
            inside = section == "measures" and item["id"] == measure
        elif inside and _ALIASES.match(line):
            return index
    return None
