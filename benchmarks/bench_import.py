"""Time the import of a generated N-row CSV (and XLSX) into a fresh SQLite database: preview, write, re-import.

Usage: .venv/bin/python benchmarks/bench_import.py [--rows 50000] [--xlsx] [--url sqlite:////tmp/bench.sqlite]
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select

from data_model.basics.permissions import SYSTEM
from data_model.files.export import ExportFilters, export_csv
from data_model.files.records_import import preview_import, run_import
from data_model.schema.db import build_engine, read_session
from data_model.schema.models import ActivityRecord, ActivitySummary, ReportingUnit, Unit
from data_model.schema.settings import get_settings
from data_model.startup.init_db import initialise_database


def make_csv(*, rows: int, communes: list[tuple[str, str]], stations: list[str], seed: int = 1) -> bytes:
    """Outreach sessions over pre-2025 communes, Vietnamese headers, dd/mm/yyyy dates and "1.262" counts."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Loại hoạt động", "Ngày bắt đầu", "Đơn vị thực hiện", "Mã xã", "Xã", "Chủ đề", "Số buổi",
                     "Lượt người nghe"])
    start = dt.date(2012, 1, 1)
    for i in range(rows):
        code, name = rng.choice(communes)
        day = start + dt.timedelta(days=rng.randrange(0, 365 * 13))
        attendances = rng.randrange(10, 1500)
        writer.writerow(["Tuyên truyền tại bản", day.strftime("%d/%m/%Y"), rng.choice(stations), code, name,
                         f"Chủ đề {i % 50}", rng.randrange(1, 4), f"{attendances:,}".replace(",", ".")])
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(data: bytes) -> bytes:
    """The same rows as an XLSX workbook."""
    import pandas as pd

    frame = pd.read_csv(io.BytesIO(data), dtype=str, encoding="utf-8-sig")
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False, sheet_name="Tuyên truyền tại bản")
    return buffer.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--xlsx", action="store_true", help="also time the same rows as XLSX")
    parser.add_argument("--url", default="")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="bench-import-")
    url = args.url or f"sqlite:///{tmp}/bench.sqlite"
    engine = build_engine(url=url, create=True)
    initialise_database(engine=engine, reference_dir=get_settings().reference_dir)
    with read_session(engine) as session:
        on = dt.date(2020, 1, 1)
        communes = [(u.code, u.name) for u in session.scalars(select(Unit).where(
            Unit.level == "commune", Unit.border_status == "confirmed", Unit.valid_to == dt.date(2025, 7, 1),
            (Unit.valid_from.is_(None)) | (Unit.valid_from <= on)))]
        communes = [c for c in communes if c[1] != "Ma Li Chải"]
        stations = list(session.scalars(select(ReportingUnit.short_name).where(ReportingUnit.kind == "station")))
    data = make_csv(rows=args.rows, communes=communes, stations=stations)
    today = dt.date(2025, 6, 30)
    print(f"{args.rows:,} rows, CSV {len(data) / 1e6:.1f} MB, {engine.dialect.name}")

    with read_session(engine) as session:
        t0 = time.perf_counter()
        preview = preview_import(session=session, actor=SYSTEM, data=data, filename="bench.csv", today=today)
        t_preview = time.perf_counter() - t0
    print(f"preview (read, match, validate, duplicates): {t_preview:.2f} s, ok={preview.ok}, {preview.counts()}")

    t0 = time.perf_counter()
    _, result = run_import(engine=engine, actor=SYSTEM, data=data, filename="bench.csv", today=today)
    t_import = time.perf_counter() - t0
    print(f"import CSV (check without the lock, then bulk insert + summaries in one transaction): {t_import:.2f} s "
          f"= {args.rows / t_import:,.0f} rows/s; added {result.added:,}; "
          f"write transaction {result.write_seconds:.2f} s")

    t0 = time.perf_counter()
    _, again = run_import(engine=engine, actor=SYSTEM, data=data, filename="bench.csv", today=today)
    print(f"re-import of the same file: {time.perf_counter() - t0:.2f} s, added {again.added}, skipped {again.skipped:,}")

    t0 = time.perf_counter()
    with read_session(engine) as session:
        exported = export_csv(session=session, filters=ExportFilters())
    t_export = time.perf_counter() - t0
    t0 = time.perf_counter()
    _, round_trip = run_import(engine=engine, actor=SYSTEM, data=exported, filename="export.csv", today=today)
    print(f"export CSV: {t_export:.2f} s; re-import of the export: {time.perf_counter() - t0:.2f} s, "
          f"added {round_trip.added}, unchanged {round_trip.unchanged:,}")

    with read_session(engine) as session:
        n = session.scalar(select(func.count()).select_from(ActivityRecord))
        s = session.scalar(select(func.sum(ActivitySummary.n_records)))
    print(f"records in database: {n:,}; summary n_records: {s:,}")

    if args.xlsx:
        xdata = to_xlsx(data)
        engine2 = build_engine(url=f"sqlite:///{tmp}/bench_xlsx.sqlite", create=True)
        initialise_database(engine=engine2, reference_dir=get_settings().reference_dir)
        t0 = time.perf_counter()
        _, result = run_import(engine=engine2, actor=SYSTEM, data=xdata, filename="bench.xlsx", today=today)
        t_x = time.perf_counter() - t0
        print(f"import XLSX ({len(xdata) / 1e6:.1f} MB): {t_x:.2f} s = {args.rows / t_x:,.0f} rows/s; "
              f"added {result.added:,}")
        engine2.dispose()
    engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
