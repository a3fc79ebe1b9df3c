"""`python -m data_model report`: the yearly or period report as DOCX, PDF, XLSX or Markdown."""
from __future__ import annotations

import argparse
from pathlib import Path

from data_model.cli.language import cli_language, say
from data_model.schema.db import read_session
from data_model.schema.settings import get_settings
from data_model.startup.init_db import open_database


def cmd_report(args: argparse.Namespace) -> int:
    """Write the report for the years and scope to --out (format from the file's suffix)."""
    from data_model.report import FORMATS, Period, ReportError, Scope, save_report

    out = Path(args.out)
    if out.suffix.lower().lstrip(".") not in FORMATS:
        raise ReportError("--out phải là tệp .docx, .pdf, .xlsx hoặc .md, không phải {name!r}", name=out.name)
    if not out.parent.is_dir():
        raise ReportError("thư mục {parent!r} không tồn tại", parent=str(out.parent))
    period = Period(args.year_from, args.year_to)
    period.check()
    scope = Scope.parse(args.scope)
    settings = get_settings()
    engine = open_database(url=settings.database_url, busy_timeout_s=settings.sqlite_busy_timeout_s)
    try:
        with read_session(engine) as session:
            written = save_report(session=session, scope=scope, period=period, lang=args.lang, path=out)
    finally:
        engine.dispose()
    for path in written:
        print(say("Đã ghi {path}", path=path))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `report` to `python -m data_model`."""
    from data_model.cli.common import year  # the parser module is fully loaded when it calls register()

    p = subparsers.add_parser("report", help=say("báo cáo năm hoặc giai đoạn (.docx, .pdf, .xlsx, .md)"))
    p.add_argument("--from", dest="year_from", type=year, required=True, help=say("năm đầu"))
    p.add_argument("--to", dest="year_to", type=year, required=True, help=say("năm cuối"))
    p.add_argument("--scope", default="province",
                   help=say("province | district:MÃ | station:MÃ | commune:MÃ (mã như c03451@1900, st_ka_lang)"))
    p.add_argument("--lang", choices=("vi", "en"), default=cli_language(), help=say("ngôn ngữ báo cáo"))
    p.add_argument("--out", required=True, help=say("tệp kết quả: .docx, .pdf, .xlsx hoặc .md"))
    p.set_defaults(func=cmd_report)
