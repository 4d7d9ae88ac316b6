"""Accounts: the command line, argon2 hashes, and migration 0003."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from app_store import engine_for
from app_store.accounts import StaffAccountRow, authenticate, list_accounts
from bot.accounts import main
from bot.migrate import downgrade, upgrade

REPO = Path(__file__).resolve().parents[2]


def _run(monkeypatch: pytest.MonkeyPatch, url: str, *args: str, stdin: str = "") -> int:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    return main(["--url", url, *args])


def test_create_with_password_from_stdin_stores_an_argon2id_hash(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], app_db_url: str
) -> None:
    code = _run(
        monkeypatch,
        app_db_url,
        "create",
        "Zhang.Wei",
        "--role",
        "staff",
        "--password-stdin",
        stdin="a long enough secret\n",
    )
    assert code == 0
    assert "已创建账号 zhang.wei（热线坐席）" in capsys.readouterr().out
    with Session(engine_for(app_db_url)) as session:
        row = session.execute(select(StaffAccountRow)).scalar_one()
    assert row.username == "zhang.wei" and row.role == "staff" and not row.disabled
    assert row.password_hash.startswith("$argon2id$") and "a long enough secret" not in row.password_hash
    assert authenticate(engine_for(app_db_url), "ZHANG.WEI", "a long enough secret") is not None
    assert authenticate(engine_for(app_db_url), "zhang.wei", "a long enough secreT") is None


def test_create_prompts_twice_when_not_reading_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], app_db_url: str
) -> None:
    answers = iter(["first password!!", "other password!!"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    assert main(["--url", app_db_url, "create", "li", "--role", "analyst"]) == 2
    assert "两次输入的密码不一致" in capsys.readouterr().err
    answers = iter(["same password!!", "same password!!"])
    assert main(["--url", app_db_url, "create", "li", "--role", "analyst"]) == 0
    assert [(a.username, a.role) for a in list_accounts(engine_for(app_db_url))] == [("li", "analyst")]


@pytest.mark.parametrize(
    "args, stdin, message",
    [
        (["create", "a", "--role", "staff", "--password-stdin"], "a long enough secret", "用户名应为2到64个字符"),
        (["create", "wang", "--role", "staff", "--password-stdin"], "short", "密码太短，至少10个字符"),
        (["create", "wang", "--role", "staff", "--password-stdin"], " padded secret ", "密码首尾不能有空格"),
        (["set-password", "nobody", "--password-stdin"], "a long enough secret", "没有账号 nobody"),
        (["disable", "nobody"], "", "没有账号 nobody"),
    ],
)
def test_bad_input_is_refused_in_chinese(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    app_db_url: str,
    args: list[str],
    stdin: str,
    message: str,
) -> None:
    assert _run(monkeypatch, app_db_url, *args, stdin=stdin) == 2
    assert message in capsys.readouterr().err


def test_a_username_is_taken_once(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], app_db_url: str
) -> None:
    args = ("create", "wang", "--role", "staff", "--password-stdin")
    assert _run(monkeypatch, app_db_url, *args, stdin="a long enough secret") == 0
    assert (
        _run(
            monkeypatch,
            app_db_url,
            "create",
            "WANG",
            "--role",
            "analyst",
            "--password-stdin",
            stdin="a long enough secret",
        )
        == 2
    )
    assert "用户名 wang 已存在" in capsys.readouterr().err


def test_list_disable_enable_set_role_and_password(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], app_db_url: str
) -> None:
    engine = engine_for(app_db_url)
    _run(monkeypatch, app_db_url, "create", "wang", "--role", "staff", "--password-stdin", stdin="a long enough secret")
    assert _run(monkeypatch, app_db_url, "disable", "wang") == 0
    assert authenticate(engine, "wang", "a long enough secret") is None
    assert _run(monkeypatch, app_db_url, "enable", "wang") == 0
    assert _run(monkeypatch, app_db_url, "set-role", "wang", "--role", "analyst") == 0
    assert _run(monkeypatch, app_db_url, "set-password", "wang", "--password-stdin", stdin="another long one") == 0
    account = authenticate(engine, "wang", "another long one")
    assert account is not None and account.role == "analyst"
    capsys.readouterr()
    assert _run(monkeypatch, app_db_url, "list") == 0
    assert capsys.readouterr().out == "wang\t政策分析\t正常\n"


def test_the_command_runs_as_a_module_with_app_db_url(app_db_url: str) -> None:
    env = {**os.environ, "APP_DB_URL": app_db_url}
    result = subprocess.run(
        [sys.executable, "-m", "bot.accounts", "create", "zhao", "--role", "analyst", "--password-stdin"],
        input="a long enough secret\n",
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "已创建账号 zhao（政策分析）" in result.stdout


def test_migration_0003_adds_and_removes_the_accounts_table(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(url)
    inspector = inspect(engine_for(url))
    assert "staff_accounts" in inspector.get_table_names()
    [index] = [i for i in inspector.get_indexes("staff_accounts") if i["name"] == "ix_staff_accounts_username"]
    assert index["unique"]
    downgrade(url, "0002")
    assert "staff_accounts" not in inspect(engine_for(url)).get_table_names()
    upgrade(url)
