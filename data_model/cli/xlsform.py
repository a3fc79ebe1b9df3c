"""`python -m data_model xlsform --out FILE.xlsx [--unit KEY]`: the offline entry form for ODK Collect / KoboCollect."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from data_model.files.xlsform.form import FormError, build_xlsform
from data_model.files.xlsform.workbook import xlsform_bytes
from data_model.schema.db import read_session
from data_model.schema.settings import get_settings
from data_model.startup.init_db import open_database
from data_model.texts.formatting import format_number


def cmd_xlsform(args: argparse.Namespace) -> int:
    """Write the XLSForm for one unit (and the units under it, such as its loudspeaker clusters) or for all units."""
    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        print("Lỗi: --out phải là tệp .xlsx", file=sys.stderr)
        return 2
    settings = get_settings()
    engine = open_database(url=settings.database_url, busy_timeout_s=settings.sqlite_busy_timeout_s)
    try:
        with read_session(engine) as session:
            form = build_xlsform(session=session, unit_keys=args.unit or None)
    except FormError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    data = xlsform_bytes(form)
    out.write_bytes(data)
    units = ", ".join(u.key for u in form.units[:5]) + (" …" if len(form.units) > 5 else "")
    print(f"Đã ghi {out} ({format_number(len(data))} byte): biểu mẫu «{form.form_id}», phiên bản {form.version}, "
          f"{format_number(len(form.units))} đơn vị ({units}), {format_number(len(form.types))} loại hoạt động.")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `xlsform` to `python -m data_model`."""
    p = subparsers.add_parser("xlsform", help="biểu mẫu XLSForm để nhập ngoại tuyến bằng ODK Collect / KoboCollect")
    p.add_argument("--out", required=True, help="tệp .xlsx")
    p.add_argument("--unit", action="append", help="mã đơn vị, ví dụ st_dao_san (có thể lặp lại; mặc định: mọi đơn vị)")
    p.set_defaults(func=cmd_xlsform)
