"""Defaults are written once (deploy/defaults.env) and read by one module (infra/settings.py): the shell's
scripts/env.sh and the Python side agree, including values built from other settings; every name the
product reads is declared there, and nothing outside infra reads the environment."""

from __future__ import annotations

import ast
import subprocess
from pathlib import Path

import pytest

from app_store.retention import Retention
from bot.settings import DEFAULTS, Settings, load_settings
from infra import settings as infra_settings
from infra.settings import DEFAULTS_FILE, REPO_ROOT, UndeclaredSettingError, read_defaults
from policy_answers.settings import DEFAULT_HOTLINE, hotline

PRODUCT = ("infra", "policy_kb", "policy_answers", "policy_rasa", "app_store", "actions", "bot", "supervise")
# The functions that read a setting by name: infra.settings' getters and the gateway's and the process
# list's checking readers (bot/settings.py, supervise/processes.py), which read infra's Environment.
READERS = {
    "get",
    "optional",
    "get_int",
    "default",
    "_int",
    "_number",
    "_flag",
    "_choice",
    "_urls",
    "_positive_float",
    "_addresses",
    "_origins",
}


def shell_env(environ: dict[str, str]) -> dict[str, str]:
    """What scripts/env.sh exports, starting from `environ` alone."""
    printed = subprocess.run(
        ["env", "-i", *(f"{k}={v}" for k, v in environ.items()), "bash", "-c", "source scripts/env.sh && env -0"],
        cwd=REPO_ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return dict(entry.split("=", 1) for entry in printed.split("\0") if entry)


@pytest.mark.parametrize(
    "environ", [{}, {"RASA_PORT": "6005", "PORT": "9000"}, {"ACTION_URL": "http://a:1"}, {"RASA_URL": ""}]
)
def test_the_shell_exports_what_the_gateway_takes_as_default(environ: dict[str, str]) -> None:
    exported = shell_env(environ)
    defaults = read_defaults(environ)
    # An empty variable counts as unset, as in env.sh.
    given = {key: value for key, value in environ.items() if value}
    expected = {key: value for key, value in {**defaults, **given}.items() if value}
    assert {key: exported.get(key) for key in expected} == expected
    # A declared setting without a default is not exported (empty), but for the tokens env.sh derives.
    assert {key for key in defaults if key not in expected and key in exported} == {"ACTION_TOKEN", "RASA_TOKEN"}


def test_the_gateway_defaults_are_the_files(tmp_path: Path) -> None:
    settings = load_settings({}, var_dir=tmp_path)
    built = Settings(
        app_db_url=settings.app_db_url, app_secret=settings.app_secret, tracker_db_url=settings.tracker_db_url
    )
    assert settings == built
    # the tracker store the purge reaches is the one the defaults give Rasa
    assert settings.tracker_db_url.endswith(DEFAULTS.get("TRACKER_DB", "var/tracker.db"))
    assert (settings.port, settings.rasa_url, settings.action_url) == (
        int(DEFAULTS["PORT"]),
        DEFAULTS["RASA_URL"],
        DEFAULTS["ACTION_URL"],
    )


def test_a_changed_default_reaches_the_gateway(tmp_path: Path) -> None:
    edited = tmp_path / "defaults.env"
    edited.write_text(DEFAULTS_FILE.read_text().replace("RASA_PORT=5005", "RASA_PORT=5999"))
    assert read_defaults({}, edited)["RASA_URL"] == "http://127.0.0.1:5999"
    # A port given in the environment fills the URL the same way (as env.sh does).
    assert load_settings({"RASA_PORT": "6001"}, var_dir=tmp_path).rasa_url == "http://127.0.0.1:6001"


def _product_modules() -> list[Path]:
    return [path for package in PRODUCT for path in sorted((REPO_ROOT / package).rglob("*.py"))]


def _setting_names(tree: ast.AST) -> set[str]:
    """The upper-case names handed to a reader (`get("HOTLINE")`, `_int(env, "PORT", ...)`) or looked up
    in a mapping called env (`env["TRACKER_DB"]`, `env.get("RASA_TOKEN")`)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            on_env = isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "env"
            if called in READERS or on_env:
                names |= {
                    arg.value
                    for arg in node.args[:2]
                    if isinstance(arg, ast.Constant)
                    and isinstance(arg.value, str)
                    and arg.value.isupper()
                    and arg.value.isidentifier()
                }
        elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == "env":
            key = node.slice
            if isinstance(key, ast.Constant) and isinstance(key.value, str) and key.value.isupper():
                names.add(key.value)
    return names


def test_every_setting_the_product_reads_is_declared_with_its_default() -> None:
    read = {
        name: path.relative_to(REPO_ROOT)
        for path in _product_modules()
        for name in _setting_names(ast.parse(path.read_text(encoding="utf-8")))
    }
    undeclared = {name: str(path) for name, path in read.items() if name not in DEFAULTS}
    assert undeclared == {}
    # The scan finds the readers at all (the settings whose defaults were once written in code among them).
    assert {
        "HOTLINE",
        "RETAIN_CONVERSATION_DAYS",
        "RETAIN_TICKET_PHONE_DAYS",
        "CALLBACK_HOLD_MINUTES",
        "PURGE_EVERY_HOURS",
        "TRACKER_DIALECT",
        "RASA_PROCESSES",
        "ACTION_HOST",
        "POLICY_KB_DB_URL",
        "WIDGET_DIST",
        "RUN_DIR",
        "APP_DB_URL",
    } <= set(read)


def test_nothing_outside_infra_reads_the_environment() -> None:
    readers = []
    for path in _product_modules():
        if path == REPO_ROOT / "infra" / "settings.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "environb"):
                readers.append(f"{path.relative_to(REPO_ROOT)}:{node.lineno}")
            if (
                isinstance(node, ast.ImportFrom)
                and node.module == "os"
                and {alias.name for alias in node.names} & {"environ", "getenv", "environb"}
            ):
                readers.append(f"{path.relative_to(REPO_ROOT)}:{node.lineno}")
    assert readers == []


def test_the_defaults_once_in_code_are_the_files() -> None:
    assert DEFAULT_HOTLINE == DEFAULTS["HOTLINE"] == "12345"
    assert Retention() == Retention(
        int(DEFAULTS["RETAIN_CONVERSATION_DAYS"]),
        int(DEFAULTS["RETAIN_TICKET_PHONE_DAYS"]),
        int(DEFAULTS["CALLBACK_HOLD_MINUTES"]),
    )
    from policy_rasa.tracker_store import DEFAULT_WINDOW_TURNS

    assert int(DEFAULTS["TRACKER_WINDOW_TURNS"]) == DEFAULT_WINDOW_TURNS


def test_the_environment_wins_over_the_file_unless_empty(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTLINE", "0631-12345")
    assert hotline() == "0631-12345"
    monkeypatch.setenv("HOTLINE", "")
    assert hotline() == DEFAULTS["HOTLINE"]
    assert infra_settings.get("ACTION_PROCESSES", {"RASA_PROCESSES": "3"}) == "3"  # ${RASA_PROCESSES}
    assert infra_settings.optional("APP_SECRET", {}) is None


def test_a_name_not_in_the_file_is_refused() -> None:
    with pytest.raises(UndeclaredSettingError, match="NO_SUCH_SETTING"):
        infra_settings.get("NO_SUCH_SETTING")
    # Not a KeyError: a lookup with a fallback must not hide it either.
    with pytest.raises(UndeclaredSettingError):
        infra_settings.environment({}).get("NO_SUCH_SETTING", "fallback")
