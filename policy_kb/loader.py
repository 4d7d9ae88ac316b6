"""Read a policy data file, validate it and check it against the official text."""

from __future__ import annotations

from pathlib import Path

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
        raise KnowledgeBaseError(
            [Problem(".".join(str(p) for p in err["loc"]), err["msg"]) for err in exc.errors()]
        ) from exc
    source_path = path.parent / data.document.source
    try:
        source_text = source_path.read_text(encoding="utf-8")
    except OSError as exc:
        raise KnowledgeBaseError([Problem("document.source", f"cannot read {source_path}: {exc}")]) from exc
    problems = find_problems(data, source_text)
    if problems:
        raise KnowledgeBaseError(problems)
    return data


def data_files(directory: Path = DATA_DIR) -> list[Path]:
    """Every document the bureau has added: one YAML file per document."""
    return sorted(directory.glob("*.yml"))
