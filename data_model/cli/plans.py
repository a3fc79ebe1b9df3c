"""`python -m data_model plan export|import` (the yearly plan as a spreadsheet) and `progress` (against the plan)."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

from data_model.basics.permissions import PermissionDenied
from data_model.files.limits import FileError, check_upload_size
from data_model.files.tabular import ImportRejected
from data_model.plans.plan_file import describe_plan_import, import_plan, plan_template, preview_plan
from data_model.plans.progress import PROGRESS_BYS, progress
from data_model.plans.targets import PlanError
from data_model.schema.db import read_session, write_session
from data_model.texts.formatting import format_number

TABLE_HEADERS = [("name", "Đơn vị / xã"), ("type_name", "Loại hoạt động"), ("measure_label", "Chỉ tiêu"),
                 ("target", "Kế hoạch"), ("actual", "Thực hiện"), ("percent", "Đạt (%)"),
                 ("expected_percent", "Cần đạt đến nay (%)"), ("behind", "Chậm")]


def _fail(message: str, status: int = 2) -> int:
    print(f"Lỗi: {message}".replace("\n", " "), file=sys.stderr)
    return status


def cmd_plan_export(args: argparse.Namespace) -> int:
    """Write the plan template of a year (current targets filled in) as CSV or XLSX."""
    from data_model.cli.common import open_engine

    out = Path(args.out)
    suffix = out.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        return _fail("--out phải là tệp .csv hoặc .xlsx")
    engine = open_engine()
    try:
        with read_session(engine) as session:
            data = plan_template(session=session, year=args.year, fmt=suffix[1:])
    finally:
        engine.dispose()
    out.write_bytes(data)
    print(f"Đã ghi {out} ({format_number(len(data))} byte).")
    return 0


def cmd_plan_import(args: argparse.Namespace) -> int:
    """Check a plan file and (unless --dry-run) write every row in one transaction; any bad row: nothing written."""
    from data_model.cli.common import actor_for, open_engine

    path = Path(args.file)
    if not path.is_file():
        return _fail(f"không có tệp {path}")
    try:
        check_upload_size(size=path.stat().st_size)  # before reading it whole; the dashboard's limit
    except FileError as exc:
        return _fail(str(exc))
    data = path.read_bytes()
    engine = open_engine()
    try:
        with read_session(engine) as session:
            actor = actor_for(session, args.user)
        if args.dry_run:
            with read_session(engine) as session:
                preview = preview_plan(session=session, data=data, filename=path.name)
            _print_report(preview)
            if not preview.ok:
                return _fail(_rejected(preview), 1)
            print(describe_plan_import(preview, written=False))
            return 0
        with write_session(engine) as session:
            preview = import_plan(session=session, actor=actor, data=data, filename=path.name)
        _print_report(preview)
        print(describe_plan_import(preview, written=True))
        return 0
    except ImportRejected as exc:
        _print_report(exc.preview)
        return _fail(_rejected(exc.preview), 1)
    except (PermissionDenied, PlanError) as exc:
        return _fail(str(exc))
    finally:
        engine.dispose()


def _rejected(preview) -> str:
    if preview.file_errors:
        return preview.file_errors[0] + " Chưa ghi gì."
    return f"{sum(r.has_error for r in preview.rows)} dòng có lỗi, không ghi dòng nào."


def _print_report(preview) -> None:
    for line in preview.report_lines():
        print(line)


def format_progress_table(frame: pd.DataFrame) -> str:
    """Progress as an aligned text table with a header row, Vietnamese numbers."""
    if frame.empty:
        return "Chưa có chỉ tiêu kế hoạch nào cho năm và cấp đã chọn."
    headers = [(c, h) for c, h in TABLE_HEADERS if c != "expected_percent" or frame[c].notna().any()]
    lines = [[h for _, h in headers]]
    for rec in frame.to_dict(orient="records"):
        cells = []
        for column, _ in headers:
            value = rec[column]
            if column in ("target", "actual"):
                cells.append(format_number(value))
            elif column in ("percent", "expected_percent"):
                cells.append("" if value is None or pd.isna(value) else format_number(value, decimals=1))
            elif column == "behind":
                cells.append("chậm" if value else "")
            else:
                cells.append(str(value))
        lines.append(cells)
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    numeric = {i for i, (c, _) in enumerate(headers) if c in ("target", "actual", "percent", "expected_percent")}
    return "\n".join("  ".join(c.rjust(widths[i]) if i in numeric else c.ljust(widths[i]) for i, c in enumerate(line))
                     .rstrip() for line in lines)


def _json_value(value: object) -> object:
    if hasattr(value, "item"):
        return value.item()  # numpy numbers
    return str(value)


def cmd_progress(args: argparse.Namespace) -> int:
    """Target, actual (the figures of `summary`), percent achieved and the share due by today."""
    from data_model.cli.common import open_engine

    engine = open_engine()
    try:
        with read_session(engine) as session:
            frame = progress(session=session, year=args.year, by=args.by)
    finally:
        engine.dispose()
    frame = frame.astype(object).where(frame.notna(), None)
    if args.format == "json":
        print(json.dumps(frame.to_dict(orient="records"), ensure_ascii=False, indent=1, default=_json_value))
    elif args.format == "csv":
        sys.stdout.write(frame.to_csv(index=False))
    else:
        print(format_progress_table(frame))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `plan export|import` and `progress` to `python -m data_model`."""
    from data_model.cli.common import _Parser, year

    p = subparsers.add_parser("plan", help="kế hoạch năm: xuất tệp mẫu, nhập tệp kế hoạch")
    sub = p.add_subparsers(dest="plan_command", required=True, parser_class=_Parser)
    q = sub.add_parser("export", help="ghi tệp kế hoạch của một năm (mỗi dòng một đơn vị × loại × chỉ tiêu)")
    q.add_argument("--year", type=year, required=True)
    q.add_argument("--out", required=True, help="tệp .csv hoặc .xlsx")
    q.set_defaults(func=cmd_plan_export)
    q = sub.add_parser("import", help="nhập tệp kế hoạch (tất cả hoặc không dòng nào)")
    q.add_argument("file", help="tệp .csv hoặc .xlsx")
    q.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra, không ghi")
    q.add_argument("--user", help="tên tài khoản thực hiện (mặc định: hệ thống)")
    q.set_defaults(func=cmd_plan_import)
    p = subparsers.add_parser("progress", help="tiến độ thực hiện kế hoạch năm")
    p.add_argument("--year", type=year, required=True)
    p.add_argument("--by", choices=PROGRESS_BYS, required=True)
    p.add_argument("--format", choices=("table", "json", "csv"), default="table")
    p.set_defaults(func=cmd_progress)
