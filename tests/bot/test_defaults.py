"""Defaults are written once (deploy/defaults.env): the shell's scripts/env.sh and the gateway's settings
read the same file and agree, including values built from other settings."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bot.settings import DEFAULTS, DEFAULTS_FILE, REPO_ROOT, Settings, load_settings, read_defaults


def shell_env(environ: dict[str, str]) -> dict[str, str]:
    """What scripts/env.sh exports, starting from `environ` alone."""
    printed = subprocess.run(["env", "-i", *(f"{k}={v}" for k, v in environ.items()), "bash", "-c",
                              "source scripts/env.sh && env -0"], cwd=REPO_ROOT, check=True,
                             capture_output=True, text=True).stdout
    return dict(entry.split("=", 1) for entry in printed.split("\0") if entry)


@pytest.mark.parametrize("environ", [{}, {"RASA_PORT": "6005", "PORT": "9000"}, {"ACTION_URL": "http://a:1"},
                                     {"RASA_URL": ""}])
def test_the_shell_exports_what_the_gateway_takes_as_default(environ: dict[str, str]) -> None:
    exported = shell_env(environ)
    defaults = read_defaults(environ)
    assert {key: exported[key] for key in defaults} == {**defaults, **{k: v for k, v in environ.items() if v}}


def test_the_gateway_defaults_are_the_files(tmp_path: Path) -> None:
    settings = load_settings({}, var_dir=tmp_path)
    built = Settings(app_db_url=settings.app_db_url, app_secret=settings.app_secret,
                     tracker_db_url=settings.tracker_db_url)
    assert settings == built
    # the tracker store the purge reaches is the one the defaults give Rasa
    assert settings.tracker_db_url.endswith(DEFAULTS.get("TRACKER_DB", "var/tracker.db"))
    assert (settings.port, settings.rasa_url, settings.action_url) == (
        int(DEFAULTS["PORT"]), DEFAULTS["RASA_URL"], DEFAULTS["ACTION_URL"])


def test_a_changed_default_reaches_the_gateway(tmp_path: Path) -> None:
    edited = tmp_path / "defaults.env"
    edited.write_text(DEFAULTS_FILE.read_text().replace("RASA_PORT=5005", "RASA_PORT=5999"))
    assert read_defaults({}, edited)["RASA_URL"] == "http://127.0.0.1:5999"
    # A port given in the environment fills the URL the same way (as env.sh does).
    assert load_settings({"RASA_PORT": "6001"}, var_dir=tmp_path).rasa_url == "http://127.0.0.1:6001"
