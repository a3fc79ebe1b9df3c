"""`python -m data_model summary`: totals of every measure per group, as a table with headers, JSON or CSV."""
from __future__ import annotations

import argparse
import json
import sys

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from data_model.analytics.filters import Filters, QueryError
from data_model.analytics.summary import GROUP_BYS, summarise
from data_model.analytics.units import format_validity, with_cluster_units
from data_model.basics.cells import build_csv_text
from data_model.cli.language import cli_language, say
from data_model.definitions.activity_types import get_activity_type
from data_model.schema.db import read_session
from data_model.schema.models import ReportingUnit, Unit
from data_model.texts.catalogue import N_, translate
from data_model.texts.formatting import format_number

GROUP_HEADERS = {  # the table's group columns: (frame column, header msgid)
    "year": [("year", N_("Năm"))],
    "type": [],
    "commune": [("commune", N_("Xã")), ("commune_key", N_("Mã đơn vị")), ("validity", N_("Hiệu lực"))],
    "district": [("district", N_("Huyện")), ("district_key", N_("Mã đơn vị")), ("validity", N_("Hiệu lực"))],
    "station": [("station", N_("Đơn vị")), ("station_key", N_("Mã đơn vị"))],
}
MEASURE_HEADERS = (N_("Loại hoạt động"), N_("Chỉ tiêu"), N_("Giá trị"), N_("Đơn vị tính"))


def format_table(frame: pd.DataFrame, *, by: str, lang: str = "vi") -> str:
    """The summary as an aligned text table with a header row; every unit group shows its key and validity."""
    if frame.empty:
        return translate("Không có hoạt động nào trong khoảng đã chọn.", lang=lang)
    groups = GROUP_HEADERS[by]
    lines = [[translate(h, lang=lang) for _, h in groups] + [translate(h, lang=lang) for h in MEASURE_HEADERS]]
    for rec in frame.to_dict(orient="records"):
        rec["validity"] = format_validity(start=rec.get("valid_from"), end=rec.get("valid_to"))
        definition = get_activity_type(rec["type"])
        measure = definition.measure(rec["measure"])
        lines.append([str(rec[c]) for c, _ in groups]
                     + [definition.name(lang), measure.label(lang), format_number(rec["value"], lang), measure.unit(lang)])
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    value = len(groups) + 2  # the value column is aligned right
    return "\n".join("  ".join(cell.rjust(widths[i]) if i == value else cell.ljust(widths[i])
                               for i, cell in enumerate(line)).rstrip() for line in lines)


def _missing(session: Session, keys: list[str], level: str) -> list[str]:
    found = set(session.scalars(select(Unit.key).where(Unit.key.in_(keys), Unit.level == level)))
    return [k for k in keys if k not in found]


def build_filters(*, session: Session, args: argparse.Namespace) -> Filters:
    """The summary's filters from the command line, unit keys checked against the database."""
    communes, district, units = args.commune or [], args.district, args.unit or []
    for keys, level in ((communes, "commune"), ([district] if district else [], "district")):
        missing = _missing(session, keys, level)
        if missing and level == "commune":
            raise QueryError("Không có xã mã {missing}", missing=', '.join(missing))
        if missing:
            raise QueryError("Không có huyện mã {missing}", missing=', '.join(missing))
    ids = dict(session.execute(select(ReportingUnit.key, ReportingUnit.id).where(ReportingUnit.key.in_(units))).all())
    missing = [u for u in units if u not in ids]
    if missing:
        raise QueryError("Không có đơn vị mã {missing}", missing=', '.join(missing))
    return Filters(year_from=args.year_from, year_to=args.year_to, types=tuple(args.type or ()),
                   communes=tuple(communes), district=district, boundaries=args.boundaries,
                   stations=with_cluster_units(session=session, station_ids=tuple(ids[u] for u in units)))


def _json_value(value: object) -> object:
    return value.isoformat() if hasattr(value, "isoformat") else int(value)  # dates; numpy integers


def cmd_summary(args: argparse.Namespace) -> int:
    """Totals of every measure per group and type."""
    from data_model.cli.common import CliError, open_engine

    if args.year_from > args.year_to:
        raise CliError("--from ({year_from}) lớn hơn --to ({year_to})", year_from=args.year_from, year_to=args.year_to)
    engine = open_engine()
    with read_session(engine) as session:
        frame = summarise(session=session, filters=build_filters(session=session, args=args), by=args.by)
    if args.format == "json":
        rows = frame.to_dict(orient="records")
        print(json.dumps(rows, ensure_ascii=False, indent=1, default=_json_value))
    elif args.format == "csv":
        sys.stdout.write(build_csv_text(frame=frame))
    else:
        print(format_table(frame, by=args.by, lang=cli_language()))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `summary` to `python -m data_model`."""
    from data_model.cli.common import year  # the parser module is fully loaded when it calls register()

    p = subparsers.add_parser("summary", help=say("tổng hợp theo năm, xã, đồn hoặc loại hoạt động"))
    p.add_argument("--from", dest="year_from", type=year, required=True)
    p.add_argument("--to", dest="year_to", type=year, required=True)
    p.add_argument("--by", choices=GROUP_BYS, required=True)
    p.add_argument("--boundaries", choices=("historical", "current"), default="historical")
    p.add_argument("--format", choices=("table", "json", "csv"), default="table")
    p.add_argument("--type", action="append", help=say("mã loại hoạt động (có thể lặp lại)"))
    p.add_argument("--commune", action="append", help=say("mã xã theo địa giới đã chọn, ví dụ c03451@2025 (có thể "
                                                          "lặp lại)"))
    p.add_argument("--district", help=say("mã huyện, ví dụ d107@1900 (chỉ với địa giới như khi ghi nhận)"))
    p.add_argument("--unit", action="append", help=say("mã đơn vị thực hiện, ví dụ st_dao_san, gồm cả cụm loa của "
                                                       "đồn (có thể lặp lại)"))
    p.set_defaults(func=cmd_summary)
