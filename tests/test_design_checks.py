"""`make lint` checks the design: each check is run on a copy of the tree with one violation put in, and
must fail there with the violation named (and pass on the tree as it is)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# The packages the contracts and mypy read (pyproject.toml's root_packages and [tool.mypy] files).
PACKAGES = (
    "infra",
    "policy_kb",
    "policy_answers",
    "policy_rasa",
    "app_store",
    "actions",
    "bot",
    "supervise",
    "harness",
    "tests",
)


def _copy(tmp_path: Path) -> Path:
    """The Python sources of the tree and its pyproject.toml (no data, caches or venv)."""
    copy = tmp_path / "tree"
    copy.mkdir()
    shutil.copy(REPO / "pyproject.toml", copy / "pyproject.toml")

    def not_python(folder: str, names: list[str]) -> set[str]:
        return {n for n in names if n == "__pycache__" or (not n.endswith(".py") and not Path(folder, n).is_dir())}

    for package in PACKAGES:
        shutil.copytree(REPO / package, copy / package, ignore=not_python)
    return copy


def _run(tool: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    # PYTHONPATH: the copy's packages, not the checkout's, are the ones the tool finds.
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    return subprocess.run(
        [str(BIN / tool), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def _append(path: Path, line: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + line + "\n", encoding="utf-8")


def test_the_import_contracts_hold_on_the_tree() -> None:
    result = _run("lint-imports", "--no-cache", cwd=REPO)
    assert result.returncode == 0, result.stdout
    assert "0 broken" in result.stdout


def test_storage_importing_the_answer_engine_breaks_the_layers(tmp_path: Path) -> None:
    copy = _copy(tmp_path)
    _append(copy / "app_store" / "privacy.py", "import policy_answers.clean  # noqa: E402")
    result = _run("lint-imports", "--no-cache", cwd=copy)
    assert result.returncode != 0
    assert "Storage (app_store) does not import the answer engine BROKEN" in result.stdout
    assert "app_store.privacy -> policy_answers.clean" in result.stdout


def test_the_knowledge_base_importing_the_engine_breaks_the_layers(tmp_path: Path) -> None:
    copy = _copy(tmp_path)
    _append(copy / "policy_kb" / "query.py", "import policy_answers.render  # noqa: E402")
    result = _run("lint-imports", "--no-cache", cwd=copy)
    assert result.returncode != 0
    assert "policy_kb.query -> policy_answers.render" in result.stdout
    assert "{actions, bot} BROKEN" in result.stdout


def test_a_cycle_between_the_review_and_the_staff_pages_is_refused(tmp_path: Path) -> None:
    copy = _copy(tmp_path)
    _append(copy / "bot" / "review" / "aspects.py", "import bot.staff.analytics  # noqa: E402")
    result = _run("lint-imports", "--no-cache", cwd=copy)
    assert result.returncode != 0
    assert "No cycles are allowed in bot" in result.stdout


def test_the_benchmark_harness_may_not_import_a_test(tmp_path: Path) -> None:
    copy = _copy(tmp_path)
    _append(copy / "harness" / "stack.py", "import tests.conftest  # noqa: E402")
    result = _run("lint-imports", "--no-cache", cwd=copy)
    assert result.returncode != 0
    assert "harness.stack -> tests.conftest" in result.stdout


def test_mypy_refuses_a_type_error_in_a_checked_package(tmp_path: Path) -> None:
    copy = _copy(tmp_path)
    _append(copy / "infra" / "outcome.py", "\n\ndef broken() -> int:\n    return label('answered')")
    result = _run("mypy", "--cache-dir", str(tmp_path / "cache"), cwd=copy)
    assert result.returncode != 0
    assert "infra/outcome.py" in result.stdout
    assert 'Incompatible return value type (got "str", expected "int")' in result.stdout


def test_ruff_refuses_a_function_over_the_complexity_limit(tmp_path: Path) -> None:
    copy = _copy(tmp_path)
    branches = "".join(f"    if x == {i}:\n        return {i}\n" for i in range(12))
    _append(copy / "infra" / "outcome.py", f"\n\ndef branchy(x: int) -> int:\n{branches}    return -1")
    result = _run("ruff", "check", "--no-cache", "--output-format", "concise", "infra", cwd=copy)
    assert result.returncode != 0
    assert "C901 `branchy` is too complex (13 > 12)" in result.stdout


@pytest.mark.parametrize("tool", ["ruff", "mypy", "lint-imports"])
def test_make_lint_runs_each_check(tool: str) -> None:
    recipe = (REPO / "Makefile").read_text(encoding="utf-8").split("\nlint:", 1)[1].split("\n\n", 1)[0]
    assert f".venv/bin/{tool}" in recipe


def test_ruff_format_refuses_unformatted_code(tmp_path: Path) -> None:
    copy = _copy(tmp_path)
    _append(copy / "infra" / "outcome.py", "\n\ndef crammed( x:int )->int :\n    return x")
    result = _run("ruff", "format", "--check", "--no-cache", "infra", cwd=copy)
    assert result.returncode != 0
    assert "infra/outcome.py" in result.stdout and "1 file would be reformatted" in result.stdout


def test_make_lint_checks_the_formatting() -> None:
    recipe = (REPO / "Makefile").read_text(encoding="utf-8").split("\nlint:", 1)[1].split("\n\n", 1)[0]
    assert ".venv/bin/ruff format --check ." in recipe
