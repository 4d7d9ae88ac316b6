"""A copy of this checkout for the review loop to change: its KB data and reviewed NLU file are edited
by `python -m bot.review`, and `make model` run inside it builds its own KB database, spaCy pipeline and
model, so a test retrains without touching the working tree or the model the other tests use."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from harness.stack import REPO

# Outputs of the build and the working tree's own state: rebuilt in the copy, or not needed there.
_NOT_COPIED = {
    ".git",
    ".venv",
    "node_modules",
    "models",
    "var",
    "build",
    "docs",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    ".rasa",
    "results",
}
# Built once for the checkout and only read by the services: shared by a link.
_LINKED = (".venv", "widget/dist", "bot/staff/node_modules")
# Settings that would point the copy's commands back at this checkout's databases or model.
_OWN_SETTINGS = ("PYTHONPATH", "POLICY_KB_DB_URL", "APP_DB_URL", "RASA_MODEL", "TRACKER_DB")


def checkout_copy(destination: Path) -> Path:
    def ignored(folder: str, names: list[str]) -> set[str]:
        here = Path(folder).relative_to(REPO)
        return {n for n in names if n in _NOT_COPIED or (here / n).as_posix() in _LINKED}

    shutil.copytree(REPO, destination, ignore=ignored, symlinks=True)
    for relative in _LINKED:
        if (REPO / relative).exists():
            (destination / relative).symlink_to((REPO / relative).resolve())
    return destination


def copy_env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in _OWN_SETTINGS}
    return {**env, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "3"}


def run_in(root: Path, args: list[str], timeout: float = 900) -> str:
    """Run a command in the copy; its output, or a failure that shows it."""
    result = subprocess.run(
        args, cwd=root, env=copy_env(), capture_output=True, text=True, timeout=timeout, check=False
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"{' '.join(args)} exited {result.returncode}:\n{output[-4000:]}"
    return output
