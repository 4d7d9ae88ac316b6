"""Read a policy data file, validate it and check it against the official text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from policy_kb.schema import PolicyData
from policy_kb.verify import KnowledgeBaseError, Problem, find_problems

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_DATA_FILE = DATA_DIR / "weihai-2018-32.yml"


def load_file(path: Path = DEFAULT_DATA_FILE) -> PolicyData:
    """The validated data of `path`; raises KnowledgeBaseError naming every failing field."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise KnowledgeBaseError([Problem(str(path), f"cannot read: {exc}")]) from exc
    try:
        data = PolicyData.parse_obj(raw)
    except ValidationError as exc:
        raise KnowledgeBaseError([Problem(_field_name(raw, err["loc"]), err["msg"]) for err in exc.errors()]) from exc
    source_path = path.parent / data.document.source
    try:
        source_text = source_path.read_text(encoding="utf-8")
    except OSError as exc:
        raise KnowledgeBaseError([Problem("document.source", f"cannot read {source_path}: {exc}")]) from exc
    problems = find_problems(data, source_text)
    if problems:
        raise KnowledgeBaseError(problems)
    return data


def _field_name(raw: Any, loc: tuple[int | str, ...]) -> str:
    """('measures', 10, 'cost_shares', 'default') -> 'measures[rd_subsidy].cost_shares.default': list
    items named by their id as the text check names them, so the editor can search the file for it."""
    name, node = "", raw
    for part in loc:
        if isinstance(part, int):
            node = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
            label = node.get("id", node.get("level", part)) if isinstance(node, dict) else part
            name += f"[{label}]"
        else:
            name += f".{part}" if name else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return name


def data_files(directory: Path = DATA_DIR) -> list[Path]:
    """Every document the bureau has added: one YAML file per document."""
    return sorted(directory.glob("*.yml"))
