"""Crafted uploads (issue 18, point 4) through the import page's own call: time to the answer and peak memory.

Each case is built once into a temporary folder, then checked by preview_import (what «Nhập từ tệp» calls) in a
fresh process on a SQLite database with the reference data; the process's peak resident memory is reset just before
the call (/proc/self/clear_refs), so "peak +" is what the check itself took.

Usage: .venv/bin/python benchmarks/bench_uploads.py [--timeout 120] [--cases csv_100mb,zip_bomb_1gb]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import upload_cases as cases

CASES = {
    "csv_100mb": ("records CSV of 100 MB", "lon.csv", lambda: cases.big_csv(mb=100)),
    "csv_200k_rows": ("CSV of 200,000 one-cell rows (0.4 MB)", "dai.csv", lambda: cases.tall_csv(rows=200_000)),
    "xlsx_400mb_xml": ("XLSX whose sheet XML is 400 MB", "xml.xlsx", lambda: cases.huge_xml_xlsx(mb=400)),
    "xlsx_25m_cells": ("XLSX of 25M empty cells", "o25.xlsx", lambda: cases.empty_cells_xlsx(cells=25_000_000)),
    "xlsx_4m_cells": ("XLSX of 4M empty cells", "o4.xlsx", lambda: cases.empty_cells_xlsx(cells=4_000_000)),
    "xlsx_far_cell": ("XLSX with a value in cell XFD2", "cot.xlsx", lambda: cases.far_cell_xlsx(column="XFD")),
    "zip_bomb_1gb": ("zip of one 1 GB member of zeros", "bom.xlsx", lambda: cases.zip_bomb(mb=1024)),
    "real_csv_5k": ("5,000 real rows, for scale", "that.csv", lambda: _real_rows(5_000)),
}


def _real_rows(rows: int) -> bytes:
    from bench_import import make_csv

    return make_csv(rows=rows, communes=[("03439", "Ka Lăng"), ("03457", "Mù Cả"), ("03403", "Dào San")],
                    stations=["st_ka_lang", "st_mu_ca", "st_dao_san"])


def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) // 1024
    return 0


def run_child(*, path: Path, filename: str, url: str) -> None:
    """In the child process: one preview_import of the file, then its figures on one line."""
    from data_model.basics.permissions import SYSTEM
    from data_model.files.records_import import preview_import
    from data_model.schema.db import build_engine, read_session

    engine = build_engine(url=url)
    data = path.read_bytes()
    with read_session(engine) as session:  # warm, as a running server is: the catalogue, the CSV and XLSX readers
        for warm, name in ((cases.big_csv(mb=0.001), "a.csv"), (cases.far_cell_xlsx(), "a.xlsx")):
            preview_import(session=session, actor=SYSTEM, data=warm, filename=name)
    Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM to the current resident size
    before = _status("VmRSS")
    cpu, start = time.process_time(), time.perf_counter()
    with read_session(engine) as session:
        preview = preview_import(session=session, actor=SYSTEM, data=data, filename=filename)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    answer = preview.file_errors[0] if preview.file_errors else f"previewed {len(preview.rows):,} rows"
    print(f"{wall:.3f}\t{cpu:.3f}\t{before}\t{_status('VmHWM')}\t{answer}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--timeout", type=float, default=120, help="stop a case after this many seconds")
    parser.add_argument("--cases", default=",".join(CASES), help="comma-separated, of: " + ", ".join(CASES))
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(path=Path(args.child[0]), filename=args.child[1], url=args.child[2])
        return 0
    from data_model.schema.db import build_engine
    from data_model.schema.settings import get_settings
    from data_model.startup.init_db import initialise_database

    with tempfile.TemporaryDirectory(prefix="bench_uploads_") as tmp:
        url = f"sqlite:///{tmp}/bench.sqlite"
        engine = build_engine(url=url, create=True)
        initialise_database(engine=engine, reference_dir=get_settings().reference_dir, demo=False)
        engine.dispose()
        print(f"load average {os.getloadavg()[0]:.1f}; {os.cpu_count()} cores; timeout {args.timeout:.0f} s per case")
        print(f"{'case':<16} {'upload':>10} {'wall s':>8} {'cpu s':>8} {'RSS MB':>7} {'peak +MB':>8}  answer")
        for name in args.cases.split(","):
            label, filename, build = CASES[name]
            data = build()
            path = Path(tmp) / filename
            path.write_bytes(data)
            size = f"{len(data) / 1024:,.0f} KB" if len(data) < 10 * cases.MB else f"{len(data) / cases.MB:,.0f} MB"
            del data
            try:
                done = subprocess.run([sys.executable, __file__, "--child", str(path), filename, url],
                                      capture_output=True, text=True, timeout=args.timeout, check=False)
            except subprocess.TimeoutExpired:
                print(f"{name:<16} {size:>10} {'>' + format(args.timeout, '.0f'):>8} {'':>8} {'':>7} {'':>8}  "
                      f"still reading when stopped ({label})")
                continue
            if done.returncode:
                print(f"{name:<16} {size:>10} failed: {done.stderr.strip().splitlines()[-1:]}")
                continue
            wall, cpu, before, peak, answer = done.stdout.strip().splitlines()[-1].split("\t", 4)
            print(f"{name:<16} {size:>10} {float(wall):>8.3f} {float(cpu):>8.3f} {before:>7} "
                  f"{int(peak) - int(before):>8}  {answer[:90]} ({label})")
            path.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
