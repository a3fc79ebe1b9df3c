"""Copy every table of one database into another (empty) one, in one transaction, verified by counts and the check."""
from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from alembic.util import CommandError
from sqlalchemy import Connection, Engine, Table

from data_model.records.summary_check import CheckResult, check_derived_tables
from data_model.schema.db import parse_database_url, read_session, sqlite_file, write_bind
from data_model.schema.migrate import current_revision, head_revision, upgrade_schema
from data_model.transfer.tables import (
    TransferError,
    clear_tables,
    count_rows,
    deferred_columns,
    fill_deferred,
    model_tables,
    read_batches,
    reset_sequences,
    rows_held,
    write_table,
)

BATCH = 5_000
Progress = Callable[[str, int], None]  # (table, rows so far)
Reader = Callable[[Table], Iterable[Sequence[tuple]]]  # a table's rows in batches, tuples in table.columns order


@dataclass(frozen=True)
class TransferResult:
    """What a copy or restore wrote: rows per table at the source and at the target, and the summary check after."""

    source_counts: dict[str, int]
    target_counts: dict[str, int]
    check: CheckResult
    seconds: float

    @property
    def ok(self) -> bool:
        return self.source_counts == self.target_counts and self.check.ok


@contextmanager
def snapshot(engine: Engine) -> Iterator[Connection]:
    """A read transaction whose reads all see one moment of the database while others go on writing."""
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():  # SQLite in WAL mode: the first read fixes the snapshot until the end
            yield conn


def same_database(first: str, second: str) -> bool:
    """Whether two URLs name the same database (same SQLite file, or same server and database name)."""
    a, b = sqlite_file(first), sqlite_file(second)
    if a is not None or b is not None:
        return a is not None and b is not None and a.resolve() == b.resolve()
    ua, ub = parse_database_url(first), parse_database_url(second)
    return (ua.host or "localhost", ua.port or 5432, ua.database) == (ub.host or "localhost", ub.port or 5432,
                                                                      ub.database)


def describe_held(held: Mapping[str, int]) -> str:
    """A short list of the tables holding rows, e.g. 'activity_record 1.200, app_user 4 …'."""
    from data_model.texts.formatting import format_number

    parts = [f"{name} {format_number(n)}" for name, n in sorted(held.items(), key=lambda kv: -kv[1])[:5]]
    return ", ".join(parts) + (" …" if len(held) > 5 else "")


def prepare_target(*, target: Engine, replace: bool, replace_hint: str = "", revision: str = "head") -> bool:
    """Refuse a target holding rows (unless replace); bring its schema to the revision (newest). Returns: clear it."""
    held = rows_held(engine=target, tables=model_tables())
    if held and not replace:
        raise TransferError(f"Cơ sở dữ liệu đích đã có dữ liệu ({describe_held(held)}): không ghi đè. "
                            f"Dùng một cơ sở dữ liệu trống (chưa chạy init){replace_hint}")
    try:
        upgrade_schema(engine=target, revision=revision)
    except CommandError as exc:
        raise TransferError(f"Lược đồ của cơ sở dữ liệu đích không nhận ra được ({exc}): có thể do phiên bản "
                            "chương trình mới hơn tạo") from exc
    return bool(held)


def write_all(*, target: Engine, read: Reader, source_counts: Mapping[str, int], clear: bool,
              progress: Progress | None = None, tables: Sequence[Table] | None = None) -> dict[str, int]:
    """In one transaction: clear if asked, write every table, fix ids, compare counts; rolled back on any mismatch.

    tables: the target's tables (default: the models'), parents first.
    """
    tables = list(tables) if tables is not None else model_tables()
    deferred = deferred_columns(tables)
    with write_bind(target).begin() as conn:
        if clear:
            clear_tables(conn=conn, tables=tables)
        later: dict[str, list[dict]] = {}
        for table in tables:
            def counted(batches: Iterable[Sequence[tuple]], name: str = table.name) -> Iterator[Sequence[tuple]]:
                done = 0
                for rows in batches:
                    done += len(rows)
                    if progress:
                        progress(name, done)
                    yield rows
            later[table.name] = write_table(conn=conn, table=table, batches=counted(read(table)),
                                            deferred=deferred.get(table.name, ()))
        for table in tables:
            if later[table.name]:
                fill_deferred(conn=conn, table=table, rows=later[table.name])
        reset_sequences(conn=conn, tables=tables)
        written = count_rows(conn=conn, tables=tables)
        if written != dict(source_counts):
            wrong = [f"{t}: nguồn {source_counts.get(t)}, đích {n}" for t, n in written.items()
                     if source_counts.get(t) != n]
            raise TransferError("Số dòng ở đích khác nguồn, không ghi gì: " + "; ".join(wrong))
    return written


def check_target(*, target: Engine) -> CheckResult:
    """The summary check (summary tables against the records) on the target after the copy."""
    with read_session(target) as session:
        return check_derived_tables(session=session)


def copy_database(*, source: Engine, target: Engine, replace: bool = False, batch: int = BATCH,
                  progress: Progress | None = None) -> TransferResult:
    """Copy every table from source to target (schema by the project's migrations), then verify counts and the check."""
    started = time.perf_counter()
    if same_database(source.url.render_as_string(hide_password=False),
                     target.url.render_as_string(hide_password=False)):
        raise TransferError("Nguồn và đích là cùng một cơ sở dữ liệu")
    if current_revision(engine=source) != head_revision():
        raise TransferError("Cơ sở dữ liệu nguồn chưa ở lược đồ mới nhất: "
                            "chạy `python -m data_model init` với nó trước")
    clear = prepare_target(target=target, replace=replace,
                           replace_hint=", hoặc thêm --replace để xóa hết dữ liệu ở đích rồi chép")
    tables = model_tables()
    with snapshot(source) as conn:
        counts = count_rows(conn=conn, tables=tables)
        written = write_all(target=target, read=lambda t: read_batches(conn=conn, table=t, batch=batch),
                            source_counts=counts, clear=clear, progress=progress)
    return TransferResult(source_counts=counts, target_counts=written, check=check_target(target=target),
                          seconds=time.perf_counter() - started)
