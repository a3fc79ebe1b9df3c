"""`python -m data_model copy|backup|restore`: move the whole database, back it up while the app runs, restore it."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from data_model.records.summary_check import describe_check
from data_model.schema.db import build_engine, shown_url
from data_model.schema.settings import get_settings
from data_model.startup.init_db import open_database
from data_model.texts.formatting import format_number
from data_model.transfer.backup import backup_database, restore_database
from data_model.transfer.copy import TransferResult, copy_database
from data_model.transfer.tables import TransferError

KEY_TABLES = ("activity_record", "app_user", "change_log")  # what an operator looks at first


def _fail(message: str) -> int:
    print(f"Lỗi: {message}".replace("\n", " "), file=sys.stderr)
    return 2


class _Progress:
    """Prints a line every 100,000 rows of a big table, so that a long copy shows it is moving."""

    def __init__(self) -> None:
        self.table, self.rows = "", 0

    def __call__(self, table: str, rows: int) -> None:
        if table != self.table:
            self.table, self.rows = table, 0
        if rows // 100_000 > self.rows // 100_000:
            print(f"  {table}: {format_number(rows)} dòng …", flush=True)
        self.rows = rows


def _report(result: TransferResult) -> int:
    """Counts per table (source, target) and the summary check; 0 when both agree."""
    print(f"{'bảng':<20} {'nguồn':>12} {'đích':>12}")
    for name, n in result.source_counts.items():
        got = result.target_counts.get(name)
        mark = "" if got == n else "  ≠"
        print(f"{name:<20} {format_number(n):>12} {format_number(got or 0):>12}{mark}")
    print(f"Số dòng khớp ở cả {len(result.source_counts)} bảng ({result.seconds:.1f} s).")
    if result.check.ok:
        print("Kiểm tra tổng hợp (check): các bảng tổng hợp khớp với bản ghi.")
        return 0
    print(f"Kiểm tra tổng hợp (check): lệch {format_number(result.check.differences)} dòng:")
    print("\n".join(describe_check(result.check)))
    print("Dữ liệu đã chép nguyên như ở nguồn. Chạy `python -m data_model check --repair` trên cơ sở dữ liệu đích "
          "để tính lại các bảng tổng hợp.")
    return 1


def cmd_copy(args: argparse.Namespace) -> int:
    """Copy everything from DATABASE_URL into --to."""
    settings = get_settings()
    try:
        source = open_database(url=settings.database_url, busy_timeout_s=settings.sqlite_busy_timeout_s)
        target = build_engine(url=args.to, busy_timeout_s=settings.sqlite_busy_timeout_s, create=True)
        print(f"Chép {shown_url(settings.database_url)} → {shown_url(args.to)} …", flush=True)
        try:
            result = copy_database(source=source, target=target, replace=args.replace, progress=_Progress())
        finally:
            source.dispose()
            target.dispose()
    except TransferError as exc:
        return _fail(str(exc))
    return _report(result)


def cmd_backup(args: argparse.Namespace) -> int:
    """Write a consistent backup of DATABASE_URL to --out while the app goes on."""
    settings = get_settings()
    engine = open_database(url=settings.database_url, busy_timeout_s=settings.sqlite_busy_timeout_s)
    try:
        result = backup_database(engine=engine, out=Path(args.out))
    except TransferError as exc:
        return _fail(str(exc))
    finally:
        engine.dispose()
    kind = "tệp SQLite" if result.kind == "sqlite" else "tệp nén .zip (JSON từng bảng, kèm manifest)"
    size = result.path.stat().st_size
    key = ", ".join(f"{t} {format_number(result.counts.get(t, 0))}" for t in KEY_TABLES)
    print(f"Đã sao lưu vào {result.path} ({kind}, {format_number(size // 1024)} KB, lược đồ {result.revision}, "
          f"{result.seconds:.1f} s): {format_number(sum(result.counts.values()))} dòng ở {len(result.counts)} bảng "
          f"({key}).")
    print(f"Khôi phục: DATABASE_URL=<cơ sở dữ liệu trống> python -m data_model restore {result.path}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    """Restore a backup into DATABASE_URL, which must be empty."""
    settings = get_settings()
    try:
        target = build_engine(url=settings.database_url, busy_timeout_s=settings.sqlite_busy_timeout_s, create=True)
        print(f"Khôi phục {args.file} → {shown_url(settings.database_url)} …", flush=True)
        try:
            result = restore_database(backup=Path(args.file), target=target, progress=_Progress())
        finally:
            target.dispose()
    except TransferError as exc:
        return _fail(str(exc))
    return _report(result)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `copy`, `backup` and `restore` to `python -m data_model`."""
    p = subparsers.add_parser("copy", help="chép toàn bộ dữ liệu sang một cơ sở dữ liệu khác (vd. PostgreSQL)")
    p.add_argument("--to", required=True, metavar="URL", help="cơ sở dữ liệu đích, vd. postgresql+psycopg://…")
    p.add_argument("--replace", action="store_true", help="xóa hết dữ liệu đang có ở đích rồi chép")
    p.set_defaults(func=cmd_copy)
    p = subparsers.add_parser("backup", help="sao lưu khi ứng dụng vẫn chạy")
    p.add_argument("--out", required=True, metavar="FILE", help="tệp sao lưu (không ghi đè tệp đã có)")
    p.set_defaults(func=cmd_backup)
    p = subparsers.add_parser("restore", help="khôi phục bản sao lưu vào một cơ sở dữ liệu trống (DATABASE_URL)")
    p.add_argument("file", metavar="FILE")
    p.set_defaults(func=cmd_restore)
