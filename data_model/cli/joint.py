"""`python -m data_model joint list|merge|dismiss|undo-merge|undo-dismiss`: joint activities from the command line."""
from __future__ import annotations

import argparse
import json

from data_model.basics.issues import Issue, ValidationError
from data_model.definitions.activity_types import get_activity_type
from data_model.joint.candidates import find_candidates
from data_model.joint.review import dismiss_pair, merge_pair, undo_dismissal, undo_merge
from data_model.schema.db import read_session, write_session
from data_model.texts.formatting import format_number


def cmd_joint_list(args: argparse.Namespace) -> int:
    """Candidate pairs, best first: records, units, score and reasons."""
    from data_model.cli.common import open_engine

    with read_session(open_engine()) as session:
        found = find_candidates(session=session, year=args.year, limit=args.limit)
    if args.format == "json":
        print(json.dumps([{"first": c.first_id, "second": c.second_id, "type": c.type_code, "units":
                           [c.first_unit, c.second_unit], "score": c.score, "reasons": c.reasons} for c in found],
                         ensure_ascii=False, indent=1))
        return 0
    if not found:
        print("Không có cặp hoạt động nào có thể trùng.")
    for c in found:
        print(f"{c.first_id} / {c.second_id}  {get_activity_type(c.type_code).name_vi}  {c.first_unit} / "
              f"{c.second_unit}  {format_number(c.score * 100)}%  {c.reasons}")
    return 0


def _figures(pairs: list[str] | None) -> dict[str, int | None]:
    figures: dict[str, int | None] = {}
    for text in pairs or []:
        code, _, value = text.partition("=")
        if not value.strip().isdigit():
            raise ValidationError([Issue(code, f"--figure: cần dạng chỉ_tiêu=số, không phải «{text}»")])
        figures[code.strip()] = int(value)
    return figures


def cmd_joint_merge(args: argparse.Namespace) -> int:
    """Merge two records into one joint activity."""
    from data_model.cli.common import actor_for, open_engine

    with write_session(open_engine()) as session:
        link = merge_pair(session=session, actor=actor_for(session, args.user), keep_id=args.keep,
                          merge_id=args.merge, figures=_figures(args.figure), reason=args.note or "")
    print(f"Đã gộp hoạt động số {args.merge} vào số {args.keep} (hoạt động phối hợp, liên kết số {link}).")
    return 0


def cmd_joint_dismiss(args: argparse.Namespace) -> int:
    """Record two records as different activities."""
    from data_model.cli.common import actor_for, open_engine

    with write_session(open_engine()) as session:
        dismiss_pair(session=session, actor=actor_for(session, args.user), first_id=args.first,
                     second_id=args.second, reason=args.note or "")
    print(f"Đã ghi nhận hai hoạt động số {args.first} và {args.second} là khác nhau.")
    return 0


def cmd_joint_undo(args: argparse.Namespace) -> int:
    """Undo a merge (by link number) or a dismissal (by its number), with a reason."""
    from data_model.cli.common import actor_for, open_engine

    with write_session(open_engine()) as session:
        actor = actor_for(session, args.user)
        if args.joint_command == "undo-merge":
            undo_merge(session=session, actor=actor, link_id=args.id, reason=args.reason)
        else:
            undo_dismissal(session=session, actor=actor, dismissal_id=args.id, reason=args.reason)
    print("Đã hoàn tác.")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `joint list|merge|dismiss|undo-merge|undo-dismiss` to `python -m data_model`."""
    from data_model.cli.common import year

    p = subparsers.add_parser("joint", help="hoạt động phối hợp: cặp có thể trùng giữa hai đơn vị, gộp, tách")
    sub = p.add_subparsers(dest="joint_command", required=True, parser_class=type(p))
    q = sub.add_parser("list", help="các cặp có thể là một hoạt động phối hợp, giống nhất trước")
    q.add_argument("--year", type=year)
    q.add_argument("--limit", type=int, default=100)
    q.add_argument("--format", choices=("table", "json"), default="table")
    q.set_defaults(func=cmd_joint_list)
    q = sub.add_parser("merge", help="gộp: cùng một hoạt động (tính một lần, ghi công cả hai đơn vị)")
    q.add_argument("keep", type=int, help="số hoạt động giữ lại")
    q.add_argument("merge", type=int, help="số hoạt động gộp vào")
    q.add_argument("--figure", action="append", help="số liệu giữ lại, dạng chỉ_tiêu=số (mặc định: số người lớn hơn)")
    q.add_argument("--user", help="tên tài khoản thực hiện (lãnh đạo, quản trị)")
    q.add_argument("--note")
    q.set_defaults(func=cmd_joint_merge)
    q = sub.add_parser("dismiss", help="khác nhau: không đề xuất cặp này nữa")
    q.add_argument("first", type=int)
    q.add_argument("second", type=int)
    q.add_argument("--user")
    q.add_argument("--note")
    q.set_defaults(func=cmd_joint_dismiss)
    for name, what in (("undo-merge", "bỏ gộp (quản trị, ghi lý do)"),
                       ("undo-dismiss", "bỏ xác định khác nhau (quản trị, ghi lý do)")):
        q = sub.add_parser(name, help=what)
        q.add_argument("id", type=int)
        q.add_argument("--user")
        q.add_argument("--reason", required=True)
        q.set_defaults(func=cmd_joint_undo)
