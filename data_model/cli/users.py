"""`python -m data_model user add|list|reset-password`: accounts from the command line (passwords asked, never arguments)."""
from __future__ import annotations

import argparse
import getpass
import sys

from data_model.accounts.users import AccountError, check_username, create_user, list_users, reset_password
from data_model.basics.permissions import ROLES, SYSTEM, PermissionDenied
from data_model.cli.common import open_engine
from data_model.cli.language import say, shown
from data_model.schema.clock import convert_to_local
from data_model.schema.db import read_session, write_session


def _fail(message: str) -> int:
    print(say("Lỗi: {message}", message=shown(message)).replace("\n", " "), file=sys.stderr)
    return 2


def _ask_new_password() -> str:
    first = getpass.getpass(say("Mật khẩu mới: "))
    second = getpass.getpass(say("Nhập lại mật khẩu: "))
    if first != second:
        raise AccountError("Hai lần nhập mật khẩu không khớp")
    return first


def cmd_user_add(args: argparse.Namespace) -> int:
    """Create an account; whoever can reach the database acts as the system administrator."""
    try:
        check_username(args.name)  # fail before asking for a password
        if args.role == "staff" and not args.unit:
            raise AccountError("Đơn vị: cán bộ nhập liệu cần --unit MÃ_ĐƠN_VỊ (ví dụ st_dao_san)")
        engine = open_engine()  # a database that is not there is said before the password is asked
        password = _ask_new_password()
        with write_session(engine) as session:
            create_user(session=session, actor=SYSTEM, username=args.name, password=password, role=args.role,
                        unit_keys=args.unit or [], full_name=args.full_name or "")
    except (AccountError, PermissionDenied) as exc:
        return _fail(exc)
    except (EOFError, KeyboardInterrupt):
        return _fail(say("đã hủy, chưa tạo tài khoản"))
    print(say("Đã tạo tài khoản {name} ({role}).", name=args.name.strip().lower(), role=args.role))
    return 0


def cmd_user_list(args: argparse.Namespace) -> int:
    """Print the accounts: name, role, units, active, last login."""
    with read_session(open_engine()) as session:
        frame = list_users(session=session)
    if frame.empty:
        print(say("Chưa có tài khoản nào. Tạo quản trị viên: python -m data_model user add --role admin TÊN"))
        return 0
    for row in frame.itertuples(index=False):
        state = say("hoạt động") if row.active else say("đã khóa")
        last = (convert_to_local(utc=row.last_login_at).strftime("%d/%m/%Y %H:%M") if row.last_login_at is not None
                else say("chưa đăng nhập"))
        demo = " (demo)" if row.is_demo else ""
        print(f"{row.username}{demo}\t{row.role}\t{row.units or '-'}\t{state}\t{last}")
    return 0


def cmd_user_reset_password(args: argparse.Namespace) -> int:
    """Set a new password for an account (asked twice) and lift its login delay."""
    try:
        engine = open_engine()
        password = _ask_new_password()
        with write_session(engine) as session:
            reset_password(session=session, actor=SYSTEM, username=args.name, new_password=password)
    except (AccountError, PermissionDenied) as exc:
        return _fail(exc)
    except (EOFError, KeyboardInterrupt):
        return _fail(say("đã hủy, mật khẩu không đổi"))
    print(say("Đã đặt mật khẩu mới cho {name}.", name=args.name.strip().lower()))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `user add|list|reset-password` to `python -m data_model`."""
    user = subparsers.add_parser("user", help=say("quản lý tài khoản người dùng"))
    sub = user.add_subparsers(dest="user_command", required=True, parser_class=type(user))
    p = sub.add_parser("add", help=say("tạo tài khoản (mật khẩu được hỏi, không nhập trên dòng lệnh)"))
    p.add_argument("--role", choices=ROLES, required=True)
    p.add_argument("--unit", action="append", metavar="KEY", help=say("mã đơn vị của cán bộ nhập liệu, ví dụ "
                                                                      "st_dao_san"))
    p.add_argument("--full-name", default="", help=say("họ tên"))
    p.add_argument("name")
    p.set_defaults(func=cmd_user_add)
    p = sub.add_parser("list", help=say("liệt kê tài khoản"))
    p.set_defaults(func=cmd_user_list)
    p = sub.add_parser("reset-password", help=say("đặt lại mật khẩu (được hỏi hai lần)"))
    p.add_argument("name")
    p.set_defaults(func=cmd_user_reset_password)
