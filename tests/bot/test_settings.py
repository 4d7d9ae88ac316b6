from __future__ import annotations

import stat
from pathlib import Path

import pytest

from app_store.settings import read_or_create_secret
from bot.settings import Settings, SettingsError, load_settings


def test_defaults(tmp_path: Path) -> None:
    settings = load_settings({}, var_dir=tmp_path / "var")
    assert settings.port == 8080
    assert settings.host == "127.0.0.1"
    assert settings.rasa_url == "http://127.0.0.1:5005"
    assert settings.action_url == "http://127.0.0.1:5055"
    assert settings.app_db_url == f"sqlite:///{tmp_path / 'var' / 'app.db'}"
    assert settings.hotline == "12345"
    assert settings.max_message_chars == 2000
    assert settings.rasa_timeout_s == 10.0
    assert (tmp_path / "var").is_dir()


def test_environment_overrides(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "PORT": "9090",
            "HOST": "0.0.0.0",
            "RASA_URL": "http://rasa:5005/",
            "ACTION_URL": "http://actions:5055",
            "APP_DB_URL": "postgresql+psycopg2://u@db/app",
            "APP_SECRET": "s3cret",
            "HOTLINE": "0631-12345",
            "MAX_MESSAGE_CHARS": "200",
            "RASA_TIMEOUT_S": "2.5",
        },
        var_dir=tmp_path,
    )
    assert (settings.port, settings.host) == (9090, "0.0.0.0")
    assert settings.rasa_url == "http://rasa:5005"  # no trailing slash: paths are appended
    assert settings.action_url == "http://actions:5055"
    assert settings.app_db_url == "postgresql+psycopg2://u@db/app"
    assert settings.app_secret == "s3cret"
    assert settings.hotline == "0631-12345"
    assert settings.max_message_chars == 200
    assert settings.rasa_timeout_s == 2.5
    assert not (tmp_path / "secret.key").exists()


def test_secret_is_created_once_with_mode_600(tmp_path: Path) -> None:
    first = load_settings({}, var_dir=tmp_path).app_secret
    key_file = tmp_path / "secret.key"
    assert len(first) == 64
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert load_settings({}, var_dir=tmp_path).app_secret == first
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".")] == []


def test_existing_secret_file_wins(tmp_path: Path) -> None:
    (tmp_path / "secret.key").write_text("from-the-action-server\n")
    assert read_or_create_secret(tmp_path / "secret.key") == "from-the-action-server"


def test_secret_is_not_in_repr(tmp_path: Path) -> None:
    settings = Settings(app_db_url="sqlite://", app_secret="do-not-print")
    assert "do-not-print" not in repr(settings)


def test_settings_are_frozen() -> None:
    settings = Settings(app_db_url="sqlite://", app_secret="x")
    with pytest.raises(AttributeError):
        settings.port = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PORT", "eighty"),
        ("PORT", "70000"),
        ("MAX_MESSAGE_CHARS", "0"),
        ("RASA_TIMEOUT_S", "-1"),
        ("RASA_TIMEOUT_S", "nan"),
        ("RASA_URL", "localhost:5005"),
    ],
)
def test_bad_values_are_refused_with_the_variable_name(tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        load_settings({name: value, "APP_SECRET": "x"}, var_dir=tmp_path)


WECHAT_ENV = {
    "WECHAT_TOKEN": "weihaiKjj2018",
    "WECHAT_APPID": "wx5f3c1a2b4d6e8f90",
    "WECHAT_AES_KEY": "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA",
}


def test_wechat_channel_is_off_by_default_and_secrets_stay_out_of_repr(tmp_path: Path) -> None:
    assert load_settings({}, var_dir=tmp_path).wechat_token is None
    settings = load_settings(WECHAT_ENV, var_dir=tmp_path)
    assert (settings.wechat_token, settings.wechat_appid, settings.wechat_aes_key) == tuple(WECHAT_ENV.values())
    assert WECHAT_ENV["WECHAT_TOKEN"] not in repr(settings) and WECHAT_ENV["WECHAT_AES_KEY"] not in repr(settings)


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"WECHAT_TOKEN": "ab"}, "WECHAT_TOKEN"),  # the console wants 3 to 32 letters or digits
        ({"WECHAT_TOKEN": "has space"}, "WECHAT_TOKEN"),
        ({"WECHAT_APPID": "5f3c1a2b4d6e8f90"}, "WECHAT_APPID"),
        ({"WECHAT_AES_KEY": "tooShort"}, "WECHAT_AES_KEY"),
        ({"WECHAT_AES_KEY": "!" * 43}, "WECHAT_AES_KEY"),
        ({"WECHAT_TOKEN": ""}, "WECHAT_AES_KEY needs"),  # safe mode without its token
        ({"WECHAT_APPID": ""}, "WECHAT_AES_KEY needs"),
    ],
)
def test_wechat_settings_are_checked(tmp_path: Path, overrides: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        load_settings({**WECHAT_ENV, **overrides}, var_dir=tmp_path)


def test_retention_periods_and_purge_schedule(tmp_path: Path) -> None:
    defaults = load_settings({}, var_dir=tmp_path)
    assert (defaults.retention.conversation_days, defaults.retention.ticket_phone_days) == (180, 90)
    assert (defaults.retention.callback_hold_minutes, defaults.purge_every_hours) == (60, 0)
    assert defaults.tracker_db_url.startswith("sqlite:///") and defaults.tracker_db_url.endswith("var/tracker.db")
    assert defaults.rasa_token is None
    chosen = load_settings(
        {
            "RETAIN_CONVERSATION_DAYS": "30",
            "RETAIN_TICKET_PHONE_DAYS": "7",
            "PURGE_EVERY_HOURS": "24",
            "CALLBACK_HOLD_MINUTES": "15",
            "RASA_TOKEN": "t0ken",
            "TRACKER_DB_HOST": "db.local",
            "TRACKER_DB_PORT": "5433",
            "TRACKER_DB_NAME": "rasa",
            "TRACKER_DB_USER": "policy",
            "TRACKER_DB_PASSWORD": "p@ss",
        },
        var_dir=tmp_path,
    )
    assert (chosen.retention.conversation_days, chosen.retention.ticket_phone_days) == (30, 7)
    assert (chosen.retention.callback_hold_minutes, chosen.purge_every_hours) == (15, 24)
    assert chosen.tracker_db_url == "postgresql+psycopg2://policy:p%40ss@db.local:5433/rasa"
    assert "t0ken" not in repr(chosen)
    for name, raw in (
        ("RETAIN_CONVERSATION_DAYS", "0"),
        ("RETAIN_TICKET_PHONE_DAYS", "一年"),
        ("PURGE_EVERY_HOURS", "-1"),
        ("TRACKER_DIALECT", "mysql"),
    ):
        with pytest.raises(SettingsError, match=name):
            load_settings({name: raw}, var_dir=tmp_path)
