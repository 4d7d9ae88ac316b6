"""Staff accounts from the command line (there is no sign-up page on purpose).

    python -m bot.accounts create USERNAME --role staff|analyst      # asks for the password twice
    echo "$PW" | python -m bot.accounts create USERNAME --role analyst --password-stdin
    python -m bot.accounts list
    python -m bot.accounts set-password USERNAME [--password-stdin]
    python -m bot.accounts set-role USERNAME --role staff|analyst
    python -m bot.accounts disable USERNAME | enable USERNAME

The database is APP_DB_URL (default var/app.db) or --url; it must be migrated (python -m bot.migrate).
"""

from __future__ import annotations

import argparse
import getpass
import sys

from app_store import engine_for
from app_store.accounts import (
    ROLE_NAMES,
    ROLES,
    AccountError,
    check_password,
    create_account,
    list_accounts,
    set_disabled,
    set_password,
    set_role,
)
from app_store.settings import app_db_url


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.accounts", description="管理工作人员账号")
    parser.add_argument("--url", help="应用数据库的 SQLAlchemy URL（默认：APP_DB_URL 或 var/app.db）")
    commands = parser.add_subparsers(dest="command", required=True)

    create = commands.add_parser("create", help="新建账号")
    create.add_argument("username")
    create.add_argument("--role", required=True, choices=ROLES, help="staff：热线坐席；analyst：政策分析")
    create.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码（一行）")

    commands.add_parser("list", help="列出账号")

    password = commands.add_parser("set-password", help="重设密码")
    password.add_argument("username")
    password.add_argument("--password-stdin", action="store_true")

    role = commands.add_parser("set-role", help="修改角色")
    role.add_argument("username")
    role.add_argument("--role", required=True, choices=ROLES)

    for name, text in (("disable", "停用账号"), ("enable", "启用账号")):
        commands.add_parser(name, help=text).add_argument("username")

    args = parser.parse_args(argv)
    engine = engine_for(args.url or app_db_url())
    try:
        if args.command == "create":
            account_id = create_account(engine, args.username, args.role, _password(args.password_stdin))
            print(f"已创建账号 {args.username.strip().lower()}（{ROLE_NAMES[args.role]}），编号 {account_id}")
        elif args.command == "list":
            for account in list_accounts(engine):
                state = "已停用" if account.disabled else "正常"
                print(f"{account.username}\t{ROLE_NAMES.get(account.role, account.role)}\t{state}")
        elif args.command == "set-password":
            _done(set_password(engine, args.username, _password(args.password_stdin)), args.username, "密码已重设")
        elif args.command == "set-role":
            _done(set_role(engine, args.username, args.role), args.username, f"角色已改为{ROLE_NAMES[args.role]}")
        else:
            _done(
                set_disabled(engine, args.username, args.command == "disable"),
                args.username,
                "已停用" if args.command == "disable" else "已启用",
            )
    except AccountError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    return 0


def _password(from_stdin: bool) -> str:
    if from_stdin:
        # One line; the trailing newline of `echo` is not part of the password.
        return check_password(sys.stdin.readline().rstrip("\r\n"))
    first = getpass.getpass("密码：")
    check_password(first)
    if getpass.getpass("再输入一次：") != first:
        raise AccountError("两次输入的密码不一致")
    return first


def _done(found: bool, username: str, message: str) -> None:
    if not found:
        raise AccountError(f"没有账号 {username}")
    print(f"{username}：{message}")


if __name__ == "__main__":
    sys.exit(main())
