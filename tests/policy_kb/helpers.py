"""Helpers for the knowledge-base tests: paths of the real data, the command line run as a process or
in-process, and editing a copy of the data file as an editor would."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from policy_kb.__main__ import main
from policy_kb.loader import DEFAULT_DATA_FILE

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA_FILE = DEFAULT_DATA_FILE
SOURCE_FILE = DATA_FILE.parent / "weihai-2018-32.txt"
SHARED_SOURCE = Path("/work/shared/policy/weihai-2018-32.txt")


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """`python -m policy_kb ARGS` in a fresh interpreter, as an operator would run it."""
    env = {k: v for k, v in os.environ.items() if k != "POLICY_KB_DB_URL"}
    return subprocess.run(
        [sys.executable, "-m", "policy_kb", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def run_main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """The same command line in this process (faster than a subprocess): (exit code, stdout, stderr)."""
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def copy_data(directory: Path) -> Path:
    """A copy of the data file with its official text beside it; returns the copy's path."""
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copy(SOURCE_FILE, directory / SOURCE_FILE.name)
    return Path(shutil.copy(DATA_FILE, directory / DATA_FILE.name))


def replace_once(path: Path, old: str, new: str) -> None:
    """Edit the YAML as an editor would: one exact occurrence of `old` becomes `new`."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"
