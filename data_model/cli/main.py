"""Command line: python -m data_model init | serve | generate | check | summary | import | export | report | user |
xlsform …"""
from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence

from sqlalchemy.exc import OperationalError, SQLAlchemyError

from data_model.basics.permissions import SYSTEM
from data_model.cli import joint as cli_joint
from data_model.cli import plans as cli_plans
from data_model.cli import records as cli_records
from data_model.cli import report as cli_report
from data_model.cli import reporting as cli_reporting
from data_model.cli import summary as cli_summary
from data_model.cli import transfer as cli_transfer
from data_model.cli import users as cli_users
from data_model.cli import xlsform as cli_xlsform
from data_model.cli.common import CliError, _Parser, open_engine, year
from data_model.cli.language import chosen_language, cli_language, say, shown, speaking
from data_model.schema.db import DatabaseNotInitialised, read_session, shown_url, write_session
from data_model.schema.settings import get_settings
from data_model.startup.init_db import initialise_database, set_demo_pending
from data_model.startup.prepare import (
    check_exposure,
    is_loopback,
    prepare_app_database,
    streamlit_command,
    streamlit_environment,
)
from data_model.texts.catalogue import LANGUAGES, Number
from data_model.texts.errors import UserError

MAX_GENERATE = 5_000_000


def cmd_init(args: argparse.Namespace) -> int:
    """Create or migrate the schema, load reference data and, with --demo, demo data."""
    engine = open_engine(create=True)
    added = initialise_database(engine=engine, reference_dir=get_settings().reference_dir, demo=args.demo)
    if not args.demo:  # whoever runs init without --demo makes this a production database
        set_demo_pending(engine=engine, pending=False)
    if added:
        print(say("Đã thêm: {added}", added=", ".join(f"{k} {Number(v).render(cli_language())}" for k, v in added.items())))
    else:
        print(say("Cơ sở dữ liệu đã sẵn sàng, không có gì mới để thêm."))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Prepare the database (first start: the embedded one, with demo data), check exposure, start the dashboard."""
    settings = get_settings()
    environment = streamlit_environment(settings=settings)
    print(say("Chuẩn bị cơ sở dữ liệu {shown_url} …", shown_url=shown_url(settings.database_url)), flush=True)
    prepared = prepare_app_database(settings=settings)
    try:
        if prepared.created:
            print(say("Đã tạo cơ sở dữ liệu mới với dữ liệu mẫu (demo).") if prepared.added.get("demo_records")
                  else say("Đã tạo cơ sở dữ liệu mới, chưa có tài khoản nào."))
        check_exposure(engine=prepared.engine, address=settings.server_address)
    finally:
        prepared.engine.dispose()
    where = f"{settings.server_address}:{settings.server_port}"
    if is_loopback(settings.server_address):
        print(say("Chỉ máy này mở được: http://{where} (đặt SERVER_ADDRESS=0.0.0.0 để mở ra mạng)", where=where))
    else:
        print(say("CHÚ Ý: bảng điều khiển mở ra mạng tại {where}; mọi máy trong mạng đều thấy trang đăng nhập.",
                  where=where))
    sys.stdout.flush()
    command = streamlit_command(settings=settings)
    os.execve(command[0], command, environment)
    return 0  # not reached: the process is now the Streamlit server


def cmd_generate(args: argparse.Namespace) -> int:
    """Add synthetic records for benchmarks."""
    if not 1 <= args.records <= MAX_GENERATE:
        raise CliError("--records phải từ 1 đến {max_generate}", max_generate=Number(MAX_GENERATE))
    from data_model.demo.synthetic import generate_records  # only needed for benchmarks

    engine = open_engine(create=True)
    initialise_database(engine=engine, reference_dir=get_settings().reference_dir)
    started = time.perf_counter()
    try:
        result = generate_records(engine=engine, n=args.records, seed=args.seed)
    except ValueError as exc:
        raise CliError(str(exc)) from exc
    seconds = time.perf_counter() - started
    print(f"{result.rows} rows in {seconds:.1f} s: {result.rows / max(seconds, 1e-9):,.0f} rows/s")
    return 0


def cmd_outliers(args: argparse.Namespace) -> int:
    """List the records of a year whose figures are unusual for their type or for their unit."""
    from data_model.records.outliers import find_outliers

    with read_session(open_engine()) as session:
        found = find_outliers(session=session, year=args.year)
    if found.empty:
        print(say("Không có hoạt động nào có số liệu khác thường trong năm {year}.", year=args.year))
        return 0
    print(say("{n} hoạt động có số liệu khác thường trong năm {year} (range: ngoài mức thường gặp của loại hoạt động; "
              "unit: khác xa mức thường của đơn vị):", n=Number(len(found)), year=args.year))
    print(found.to_csv(index=False), end="")
    return 1


def cmd_check(args: argparse.Namespace) -> int:
    """Compare the summary tables with the records; with --repair rebuild them in one transaction."""
    from data_model.joint.credits import check_joint
    from data_model.records.summary_check import check_derived_tables, describe_check, repair_derived_tables

    engine = open_engine()
    with read_session(engine) as session:
        result = check_derived_tables(session=session)
        joint = check_joint(session=session)
    if joint:  # the rule "a joint activity counts once": a repair of the totals cannot decide which record counts
        print(say("Hoạt động phối hợp bị tính sai: {count} vấn đề.", count=Number(len(joint))))
        print("\n".join(joint))
    if result.ok:
        print(say("Các bảng tổng hợp khớp với bản ghi: không có gì cần sửa.") if args.repair
              else say("Các bảng tổng hợp khớp với bản ghi: không có chênh lệch."))
        return 1 if joint else 0
    if not args.repair:
        print(say("Các bảng tổng hợp lệch so với bản ghi: {differences} dòng.", differences=Number(result.differences)))
        print("\n".join(describe_check(result)))
        print(say("Chạy `python -m data_model check --repair` để tính lại các bảng tổng hợp từ bản ghi."))
        return 1
    with write_session(engine) as session:  # the write lock only while repairing
        fixed = repair_derived_tables(session=session, actor=SYSTEM)
    if fixed.ok:
        print(say("Các bảng tổng hợp khớp với bản ghi: không có gì cần sửa."))
    else:
        print(say("Đã tính lại các bảng tổng hợp từ bản ghi, sửa {differences} dòng lệch:",
                  differences=Number(fixed.differences)))
        print("\n".join(describe_check(fixed)))
    with read_session(engine) as session:
        after = check_derived_tables(session=session)
    if not after.ok:
        print(say("Sau khi sửa vẫn còn chênh lệch:") + "\n" + "\n".join(describe_check(after)))
        return 1
    return 1 if joint else 0


def cmd_makemigration(args: argparse.Namespace) -> int:
    """Autogenerate a migration from the models."""
    from data_model.schema.migrate import make_migration

    make_migration(engine=open_engine(), message=args.message)
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = _Parser(prog="python -m data_model", description=say("Thông tin, tuyên truyền khu vực biên giới – dòng "
                                                                  "lệnh"))
    parser.add_argument("--lang", choices=LANGUAGES, default=cli_language(),
                        help=say("ngôn ngữ của dòng lệnh (mặc định: UI_LANGUAGE, không có thì tiếng Việt)"))
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    p = sub.add_parser("init", help=say("tạo/cập nhật lược đồ, nạp dữ liệu tham chiếu (và dữ liệu mẫu)"))
    p.add_argument("--demo", action="store_true", help=say("nạp dữ liệu mẫu (demo)"))
    p.set_defaults(func=cmd_init)
    p = sub.add_parser("serve", help=say("chuẩn bị cơ sở dữ liệu rồi chạy bảng điều khiển (như make run)"))
    p.set_defaults(func=cmd_serve)
    p = sub.add_parser("generate", help=say("thêm bản ghi tổng hợp để đo hiệu năng"))
    p.add_argument("--records", type=int, required=True)
    p.add_argument("--seed", type=int, default=1)
    p.set_defaults(func=cmd_generate)
    p = sub.add_parser("check", help=say("so các bảng tổng hợp với bản ghi (--repair: tính lại)"))
    p.add_argument("--repair", action="store_true", help=say("tính lại các bảng tổng hợp lệch, trong một giao dịch"))
    p.set_defaults(func=cmd_check)
    p = sub.add_parser("outliers", help=say("liệt kê hoạt động có số liệu khác thường trong một năm"))
    p.add_argument("--year", type=year, required=True)
    p.set_defaults(func=cmd_outliers)
    p = sub.add_parser("makemigration", help=say("sinh migration từ models (cho nhà phát triển)"))
    p.add_argument("message")
    p.set_defaults(func=cmd_makemigration)
    for module in (cli_summary, cli_records, cli_users, cli_report, cli_xlsform, cli_transfer, cli_reporting,
                   cli_plans, cli_joint):
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command in the chosen language (--lang, else UI_LANGUAGE); user errors print one line, never a
    traceback, and return non-zero."""
    argv = list(sys.argv[1:] if argv is None else argv)
    with speaking(chosen_language(argv)):
        return _run(argv)


def _run(argv: list[str]) -> int:
    def fail(message: str, status: int) -> int:
        print(say("Lỗi: {message}", message=message).replace("\n", " "), file=sys.stderr)
        return status

    try:
        args = build_parser().parse_args(argv)
        handler: Callable[[argparse.Namespace], int] = args.func
        return int(handler(args) or 0)
    except DatabaseNotInitialised as exc:
        return fail(shown(exc), 3)
    except UserError as exc:  # CliError, QueryError, DatabaseUrlError, DemoRefused, ExposureRefused, …
        return fail(shown(exc), 2)
    except OperationalError as exc:
        return fail(say("không kết nối được cơ sở dữ liệu ({reason})",
                        reason=str(exc.orig).splitlines()[0] if exc.orig else exc), 3)
    except SQLAlchemyError as exc:
        return fail(say("lỗi cơ sở dữ liệu: {reason}", reason=str(exc).splitlines()[0]), 3)
    except OSError as exc:
        return fail(say("không mở được tệp hoặc thư mục: {reason}", reason=exc), 3)
    except KeyboardInterrupt:
        return fail(say("đã dừng"), 130)
