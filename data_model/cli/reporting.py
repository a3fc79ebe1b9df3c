"""`python -m data_model completeness` and `year close|status|reopen`: monthly reporting and closed years."""
from __future__ import annotations

import argparse
import json
import sys

import pandas as pd

from data_model.basics.permissions import PermissionDenied
from data_model.reporting.completeness import STATUS_LABELS, Completeness, year_completeness
from data_model.reporting.deadline import ReportingError
from data_model.reporting.year_close import close_year, reopen_year, year_status
from data_model.schema.db import read_session, write_session
from data_model.texts.formatting import format_date, format_number

SYMBOLS = {"on_time": "✓", "late": "!", "missing": "✗", "open": "·", "not_expected": " "}
LEGEND = "✓ đúng hạn  ! trễ hạn  ✗ chưa xác nhận, quá hạn  · chưa đến hạn  * đã sửa sau khi xác nhận"


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{format_number(value * 100, decimals=1)}%"


def format_completeness(result: Completeness) -> str:
    """The unit × month grid with each unit's reporting rate and the province's, as aligned text."""
    lines = [f"Tiến độ báo cáo năm {result.year} (hạn: ngày {result.deadline_day} tháng sau; "
             f"tính đến {format_date(result.today)})", LEGEND, ""]
    if result.units.empty:
        return "\n".join(lines + ["Không có đơn vị nào phải báo cáo hằng tháng."])
    width = max(len(u) for u in result.units["unit"])
    months = " ".join(f"{m:>3}" for m in range(1, 13))
    lines.append(f"{'Đơn vị'.ljust(width)}  {months}   Tỷ lệ  Đúng hạn")
    for unit in result.units.itertuples(index=False):
        cells = result.grid[result.grid["unit_id"] == unit.unit_id]
        marks = " ".join(f"{SYMBOLS[s] + ('*' if r else ' '):>3}" for s, r in zip(cells["status"], cells["revised"]))
        lines.append(f"{unit.unit.ljust(width)}  {marks}  {_percent(unit.rate):>6}  {_percent(unit.on_time_rate):>8}")
    p = result.province
    lines += ["", f"Toàn tỉnh: {format_number(p['confirmed'])}/{format_number(p['expected'])} tháng đã xác nhận "
                  f"({_percent(p['rate'])}), đúng hạn {_percent(p['on_time_rate'])}; "
                  f"{p['units_complete']}/{p['units']} đơn vị báo cáo đủ {p['months_due']} tháng."]
    return "\n".join(lines)


def completeness_json(result: Completeness) -> dict:
    """The completeness as plain data: per unit its months and rates, and the province's figures."""
    units = []
    for unit in result.units.to_dict(orient="records"):
        cells = result.grid[result.grid["unit_id"] == unit["unit_id"]]
        units.append({**{k: unit[k] for k in ("unit_key", "unit", "kind", "expected", "on_time", "late", "missing",
                                              "rate", "on_time_rate", "complete")},
                      "months": [{"month": int(c["month"]), "status": c["status"], "revised": bool(c["revised"]),
                                  "confirmed_at": c["confirmed_at"].isoformat(timespec="seconds")
                                  if c["confirmed_at"] is not None and not pd.isna(c["confirmed_at"]) else None,
                                  "confirmed_by": c["confirmed_by"], "deadline": c["deadline"].isoformat()}
                                 for c in cells.to_dict(orient="records")]})
    return {"year": result.year, "as_of": result.today.isoformat(), "deadline_day": result.deadline_day,
            "units": units, "province": result.province}


def completeness_csv(result: Completeness) -> str:
    """One row per unit and month: status, revised, who confirmed when, and the unit's rates."""
    grid = result.grid.merge(result.units[["unit_id", "rate", "on_time_rate"]], on="unit_id")
    grid = grid.assign(status_vi=[STATUS_LABELS[s][0] for s in grid["status"]])
    return grid[["unit_key", "unit", "month", "status", "status_vi", "revised", "confirmed_at", "confirmed_by",
                 "deadline", "rate", "on_time_rate"]].to_csv(index=False)


def cmd_completeness(args: argparse.Namespace) -> int:
    """Per unit and month: confirmed on time, late, missing, not yet due; reporting rates."""
    from data_model.cli.common import open_engine

    with read_session(open_engine()) as session:
        result = year_completeness(session=session, year=args.year)
    if args.format == "json":
        print(json.dumps(completeness_json(result), ensure_ascii=False, indent=1))
    elif args.format == "csv":
        sys.stdout.write(completeness_csv(result))
    else:
        print(format_completeness(result))
    return 0


def _write(args: argparse.Namespace, action) -> object:
    from data_model.cli.common import CliError, actor_for, open_engine

    engine = open_engine()
    try:
        with read_session(engine) as session:
            actor = actor_for(session, args.user)
        with write_session(engine) as session:
            return action(session, actor)
    except (PermissionDenied, ReportingError) as exc:
        raise CliError(str(exc)) from None


def cmd_year_close(args: argparse.Namespace) -> int:
    """Close a year: its figures become the published ones."""
    close = _write(args, lambda s, a: close_year(session=s, actor=a, year=args.year, note=args.note or ""))
    print(f"Đã khóa sổ năm {close.year}: số liệu hiện tại được lưu là số liệu công bố ({close.closed_by_name}). "
          "Từ nay chỉ quản trị viên điều chỉnh được hoạt động của năm này, kèm lý do.")
    return 0


def cmd_year_reopen(args: argparse.Namespace) -> int:
    """Reopen a closed year (admins, with a reason)."""
    close = _write(args, lambda s, a: reopen_year(session=s, actor=a, year=args.year, reason=args.reason))
    print(f"Đã mở lại năm {close.year} (lý do: {close.reopen_reason}). Số liệu đã công bố và các điều chỉnh vẫn được "
          "lưu trong lịch sử.")
    return 0


def cmd_year_status(args: argparse.Namespace) -> int:
    """Every year: closed or open, when and by whom, published records, revisions since."""
    from data_model.cli.common import open_engine

    with read_session(open_engine()) as session:
        frame = year_status(session=session)
    if args.format == "json":
        rows = [{**r, "closed_at": r["closed_at"].isoformat(timespec="seconds") if r["closed"] else None,
                 "records": int(r["records"]) if r["closed"] else None} for r in frame.to_dict(orient="records")]
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return 0
    if frame.empty:
        print("Chưa có năm nào có số liệu.")
        return 0
    for r in frame.to_dict(orient="records"):
        if r["closed"]:
            line = (f"{r['year']}  đã khóa sổ {r['closed_at']:%d/%m/%Y %H:%M} ({r['closed_by']}), "
                    f"{format_number(r['records'])} hoạt động công bố, {r['revisions']} điều chỉnh sau khóa sổ")
        else:
            line = f"{r['year']}  đang mở" + (f" (đã mở lại {r['reopened']} lần)" if r["reopened"] else "")
        print(line)
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `completeness` and `year close|status|reopen` to `python -m data_model`."""
    from data_model.cli.common import year

    p = subparsers.add_parser("completeness", help="tiến độ báo cáo hằng tháng của các đơn vị trong một năm")
    p.add_argument("--year", type=year, required=True)
    p.add_argument("--format", choices=("table", "json", "csv"), default="table")
    p.set_defaults(func=cmd_completeness)
    p = subparsers.add_parser("year", help="khóa sổ năm (số liệu công bố), xem trạng thái, mở lại")
    sub = p.add_subparsers(dest="year_command", required=True, parser_class=type(p))
    q = sub.add_parser("close", help="khóa sổ một năm (lãnh đạo, quản trị)")
    q.add_argument("year", type=year)
    q.add_argument("--user", required=True, help="tên tài khoản thực hiện")
    q.add_argument("--note", help="ghi chú, ví dụ số văn bản báo cáo")
    q.set_defaults(func=cmd_year_close)
    q = sub.add_parser("status", help="các năm đã khóa sổ hay đang mở")
    q.add_argument("--format", choices=("table", "json"), default="table")
    q.set_defaults(func=cmd_year_status)
    q = sub.add_parser("reopen", help="mở lại năm đã khóa sổ (quản trị, ghi lý do)")
    q.add_argument("year", type=year)
    q.add_argument("--user", required=True, help="tên tài khoản thực hiện")
    q.add_argument("--reason", required=True, help="lý do mở lại")
    q.set_defaults(func=cmd_year_reopen)
