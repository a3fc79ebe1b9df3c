"""`python -m data_model import FILE [--dry-run]` and `export --out FILE [filters]`: records from and to spreadsheets."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sqlalchemy import select

from data_model.basics.permissions import PermissionDenied
from data_model.cli.common import actor_for, open_engine, year
from data_model.cli.language import cli_language, say, say_plural, shown
from data_model.definitions.activity_types import load_activity_types
from data_model.files.export import ExportFilters, export_csv, export_xlsx
from data_model.files.limits import FileError, check_upload_size
from data_model.files.records_import import (
    ImportConflict,
    ImportRejected,
    list_held,
    preview_import,
    run_import,
    summarise_result,
)
from data_model.schema.clock import convert_to_local
from data_model.schema.db import read_session
from data_model.schema.models import ReportingUnit
from data_model.texts.catalogue import Number
from data_model.texts.formatting import format_number


def _fail(message: str, status: int = 2) -> int:
    print(say("Lỗi: {message}", message=shown(message)).replace("\n", " "), file=sys.stderr)
    return status




def cmd_import(args: argparse.Namespace) -> int:
    """Import the file (when given), then list the submissions held back (with --held)."""
    if not args.file and not args.held:
        return _fail(say("cần tên tệp, hoặc --held để xem các bản gửi bị giữ lại"))
    status = _import_file(args) if args.file else 0
    return _print_held(args) if args.held and status in (0, 1) else status


def _print_held(args: argparse.Namespace) -> int:
    """The submissions of servers' exports held back that the user may import, one a line with every reason."""
    engine = open_engine()
    try:
        with read_session(engine) as session:
            actor = actor_for(session, args.user)
            held = list_held(session=session, actor=actor)
    except PermissionDenied as exc:
        return _fail(exc)
    finally:
        engine.dispose()
    print(say_plural("{count} bản gửi bị giữ lại (nhập lại khi tệp xuất sau của máy chủ đã sửa):", len(held),
                     count=Number(len(held))))
    for row in held.itertuples():
        when = convert_to_local(utc=row.seen_at).strftime("%d/%m/%Y %H:%M")
        print(say("- {submitter} ({instance}), {unit}, tệp {filename} ({when}): {problems}",
                  submitter=row.submitter or "?", instance=row.instance_id, unit=row.unit or "?",
                  filename=row.filename, when=when, problems=row.problems.replace("\n", "; ")))
    return 0


def _import_file(args: argparse.Namespace) -> int:
    """Check the file, then (unless --dry-run) write it in one short transaction: an office file all rows or none,
    a server's export its valid submissions (the refused ones held back)."""
    path = Path(args.file)
    if not path.is_file():
        return _fail(say("không có tệp {path}", path=path))
    try:
        check_upload_size(size=path.stat().st_size)  # before reading it whole; the dashboard's limit
    except FileError as exc:
        return _fail(shown(exc))
    if args.type and args.type not in load_activity_types():
        return _fail(say("không có loại hoạt động «{code}»", code=args.type))
    data = path.read_bytes()
    engine = open_engine()
    try:
        with read_session(engine) as session:
            actor = actor_for(session, args.user)
        if args.dry_run:
            with read_session(engine) as session:
                preview = preview_import(session=session, actor=actor, data=data, filename=path.name,
                                         default_type=args.type)
            _print_report(preview)
            if not preview.ok:
                return _fail(_rejected_line(preview), 1)
            counts = preview.counts()
            print(say("Kiểm tra xong (chưa ghi): {new} dòng thêm mới, {update} cập nhật, {unchanged} không đổi, "
                      "{skip} bỏ qua.", new=format_number(counts['new']), update=format_number(counts['update']),
                      unchanged=format_number(counts['unchanged']), skip=format_number(counts['skip'])))
            if preview.held_rows():
                print(say_plural("{count} bản gửi có lỗi sẽ được giữ lại, không nhập.", len(preview.held_rows()),
                                 count=Number(len(preview.held_rows()))))
            return 0
        # the file is read and checked without the write lock; only the writing holds it
        preview, result = run_import(engine=engine, actor=actor, data=data, filename=path.name,
                                     default_type=args.type)
        _print_report(preview)
        print(summarise_result(result))
        return 0
    except ImportRejected as exc:
        _print_report(exc.preview)
        return _fail(_rejected_line(exc.preview), 1)
    except ImportConflict as exc:
        return _fail(exc, 1)
    except PermissionDenied as exc:
        return _fail(exc)
    finally:
        engine.dispose()


def _rejected_line(preview) -> str:
    if preview.file_errors:
        return say("{error} Chưa ghi gì.", error=shown(preview.file_errors[0]))
    bad = sum(r.has_error for r in preview.rows)
    return say_plural("{count} dòng có lỗi, không ghi dòng nào.", bad, count=Number(bad))


def _print_report(preview) -> None:
    for line in preview.report_lines(cli_language()):
        print(line)


def cmd_export(args: argparse.Namespace) -> int:
    """Write the filtered live records as CSV or XLSX (by the file extension) in the import format."""
    out = Path(args.out)
    suffix = out.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        return _fail(say("--out phải là tệp .csv hoặc .xlsx"))
    if args.year_from and args.year_to and args.year_from > args.year_to:
        return _fail(say("--from ({year_from}) lớn hơn --to ({year_to})", year_from=args.year_from, year_to=args.year_to))
    types = tuple(args.type or ())
    unknown = [t for t in types if t not in load_activity_types()]
    if unknown:
        return _fail(say("không có loại hoạt động {codes}", codes=", ".join(unknown)))
    engine = open_engine()
    try:
        with read_session(engine) as session:
            unit_ids: tuple[int, ...] = ()
            if args.unit:
                units = dict(session.execute(select(ReportingUnit.key, ReportingUnit.id)
                                             .where(ReportingUnit.key.in_(args.unit))).all())
                missing = [u for u in args.unit if u not in units]
                if missing:
                    return _fail(say("không có đơn vị {units}", units=", ".join(missing)))
                unit_ids = tuple(units.values())
            filters = ExportFilters(year_from=args.year_from, year_to=args.year_to, types=types,
                                    reporting_unit_ids=unit_ids)
            data = (export_csv if suffix == ".csv" else export_xlsx)(session=session, filters=filters)
    finally:
        engine.dispose()
    out.write_bytes(data)
    print(say("Đã ghi {out} ({data} byte).", out=out, data=Number(len(data))))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `import` and `export` to `python -m data_model`."""
    p = subparsers.add_parser("import", help=say("nhập hoạt động từ tệp CSV/XLSX (tất cả hoặc không dòng nào)"))
    p.add_argument("file", nargs="?", help=say("tệp .csv, .xlsx hoặc .zip (tệp xuất của ODK Central)"))
    p.add_argument("--held", action="store_true",
                   help=say("liệt kê các bản gửi của tệp xuất máy chủ bị giữ lại (người gửi, câu hỏi, lý do)"))
    p.add_argument("--dry-run", action="store_true", help=say("chỉ kiểm tra, không ghi"))
    p.add_argument("--user", help=say("tên tài khoản thực hiện (mặc định: hệ thống)"))
    p.add_argument("--type", help=say("loại hoạt động khi tệp không có cột «Loại hoạt động»"))
    p.set_defaults(func=cmd_import)
    p = subparsers.add_parser("export", help=say("xuất hoạt động ra CSV/XLSX theo đúng mẫu nhập"))
    p.add_argument("--out", required=True, help=say("tệp .csv hoặc .xlsx"))
    p.add_argument("--from", dest="year_from", type=year)
    p.add_argument("--to", dest="year_to", type=year)
    p.add_argument("--type", action="append", help=say("mã loại hoạt động (có thể lặp lại)"))
    p.add_argument("--unit", action="append", help=say("mã đơn vị thực hiện, ví dụ st_dao_san (có thể lặp lại)"))
    p.set_defaults(func=cmd_export)
