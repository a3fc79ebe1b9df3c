"""Bulk insert and update of activity records with Core (the ORM is several times slower here), summaries kept exact."""
from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Dialect, delete, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from data_model.audit.changelog import change_entry
from data_model.basics.permissions import Actor
from data_model.definitions.fields import RECORD_FIELDS
from data_model.records.summaries import RecordFigures, SummaryDelta, apply_delta, rebuild_summaries, summary_delta
from data_model.records.write_checks import MonthKey, check_bulk_writes, record_months
from data_model.schema.models import ActivityRecord, ChangeLog, RecordLanguage, new_uid, utcnow

RECORD_COLUMNS = ("uid", *RECORD_FIELDS, "source_key", "source_hash", "import_batch_id", "is_demo", "created_by", "created_at",
                  "delete_reason")
UPDATED_COLUMNS = RECORD_FIELDS


def _complete(row: dict) -> dict:
    full = {c: row.get(c) for c in RECORD_COLUMNS}
    full["uid"] = full["uid"] or new_uid()  # a record is given its global id once, here or in the ORM default
    full["year"] = full["year"] or full["start_date"].year
    full["languages"] = full["languages"] or ""
    full["topic"] = full["topic"] or ""
    full["note"] = full["note"] or ""
    full["is_demo"] = bool(full["is_demo"])
    full["created_at"] = full["created_at"] or utcnow()
    full["delete_reason"] = full["delete_reason"] or ""
    return full


SQLITE_IMPORT_CACHE_KIB = 64 * 1024  # keeps the record indexes in memory while a big insert grows them


@dataclass(frozen=True)
class PreparedRecords:
    """Record rows completed (global ids made), as driver parameters for one dialect, with their summary deltas."""

    rows: list[dict]
    columns: tuple[str, ...]  # of params: RECORD_COLUMNS without the late ones
    params: list[tuple]  # converted for the driver
    late: tuple[str, ...]  # columns whose value is only known in the transaction, the same for every row
    languages: list[tuple[int, str]]  # (index in rows, language)
    delta: SummaryDelta
    dialect: str
    staged: dict[str, str] = field(default_factory=dict)  # SQLite: temporary tables holding params (stage_writes)
    months: frozenset[MonthKey] = frozenset()  # (unit, year, month) the rows touch, for the closed-year guard
    years: frozenset[int] = frozenset()


def _months(rows: Iterable[Mapping[str, Any] | None]) -> frozenset[MonthKey]:
    return frozenset(k for row in rows for k in record_months(row))


def prepare_records(rows: Sequence[dict], *, dialect: Dialect, late: Sequence[str] = ()) -> PreparedRecords:
    """Everything an insert needs that does not touch the database, done before a write transaction begins."""
    full = [_complete(r) for r in rows]
    table = ActivityRecord.__table__
    columns = tuple(c for c in RECORD_COLUMNS if c not in late)
    processors = [table.c[c].type.bind_processor(dialect) for c in columns]
    params = [tuple(p(row[c]) if p and row[c] is not None else row[c] for c, p in zip(columns, processors))
              for row in full]
    languages = [(i, lang) for i, row in enumerate(full) for lang in dict.fromkeys(row["languages"].split(",")) if lang]
    return PreparedRecords(full, columns, params, tuple(late), languages,
                           summary_delta(added=[RecordFigures.of(r) for r in full]), dialect.name,
                           months=_months(full), years=frozenset(int(r["year"]) for r in full))


def insert_records(*, session: Session, rows: Sequence[dict] | PreparedRecords, rebuild: bool = False,
                   late: Mapping[str, Any] | None = None) -> list[int]:
    """Insert validated record rows in a few statements; returns their ids. rebuild=True recomputes summaries fully.

    late: the values of the prepared rows' late columns (e.g. the import batch, made in the same transaction).
    """
    dialect = session.get_bind().dialect
    prepared = rows if isinstance(rows, PreparedRecords) else prepare_records(rows, dialect=dialect)
    if prepared.dialect != dialect.name or set(late or {}) != set(prepared.late):
        raise ValueError(f"records prepared for {prepared.dialect} with late columns {prepared.late}")
    if not prepared.rows:
        return []
    late_values = tuple((late or {})[c] for c in prepared.late)
    for row in prepared.rows:
        row.update(late or {})
    connection = session.connection()
    ids = _reserve_ids(session, len(prepared.rows))
    sqlite = dialect.name == "sqlite"
    if sqlite:
        cache = connection.exec_driver_sql("PRAGMA cache_size").scalar()
        connection.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_IMPORT_CACHE_KIB}")
    try:
        # the driver's bulk path on parameters converted beforehand: SQLAlchemy's per-row parameter processing would
        # double the time the write lock is held, and RETURNING in parameter order inserts one row at a time on
        # SQLite (hence the ids reserved up front); rows staged in temporary tables are copied by one INSERT … SELECT
        columns = ("id", *prepared.columns, *prepared.late)
        if "records" in prepared.staged:
            quote = dialect.identifier_preparer.quote
            connection.exec_driver_sql(
                f"INSERT INTO main.{quote(ActivityRecord.__table__.name)} ({', '.join(quote(c) for c in columns)}) "
                f"SELECT ? + n, {', '.join([quote(c) for c in prepared.columns] + ['?'] * len(late_values))} "
                f"FROM temp.{prepared.staged['records']} ORDER BY n", (ids[0], *late_values))
        else:
            _write_rows(session, ActivityRecord.__table__.name, columns,
                        [(rid, *p, *late_values) for rid, p in zip(ids, prepared.params)])
        if "languages" in prepared.staged:
            connection.exec_driver_sql(f"INSERT INTO main.record_language (record_id, language) SELECT ? + n, language "
                                       f"FROM temp.{prepared.staged['languages']}", (ids[0],))
        elif prepared.languages:
            _write_rows(session, RecordLanguage.__table__.name, ("record_id", "language"),
                        [(ids[i], lang) for i, lang in prepared.languages])
    finally:
        if sqlite:
            connection.exec_driver_sql(f"PRAGMA cache_size = {int(cache)}")
    if rebuild:
        rebuild_summaries(session=session)
    else:
        apply_delta(session=session, delta=prepared.delta)
    check_bulk_writes(session=session, months=prepared.months, years=prepared.years)
    return ids


def _write_rows(session: Session, table: str, columns: Sequence[str], rows: Sequence[tuple]) -> None:
    """Insert many rows: COPY on PostgreSQL (executemany there sends a statement per row), executemany on SQLite."""
    dialect = session.get_bind().dialect
    if dialect.name == "postgresql":
        quote = dialect.identifier_preparer.quote
        statement = f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
        raw = session.connection().connection.driver_connection
        try:
            with raw.cursor() as cursor:
                with cursor.copy(statement) as copy:
                    for row in rows:
                        copy.write_row(row)
        except dialect.loaded_dbapi.IntegrityError as exc:  # as SQLAlchemy reports it for every other statement
            raise IntegrityError(statement, None, exc) from exc
        return
    session.connection().exec_driver_sql(_insert_sql(dialect, table, columns), list(rows))


def _mark(dialect: Dialect) -> str:
    return "?" if dialect.paramstyle == "qmark" else "%s"


def _insert_sql(dialect: Dialect, table: str, columns: Sequence[str]) -> str:
    quote = dialect.identifier_preparer.quote
    marks = ", ".join([_mark(dialect)] * len(columns))
    return f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) VALUES ({marks})"


def _reserve_ids(session: Session, n: int) -> list[int]:
    """n new record ids: from the sequence on PostgreSQL, after the largest id on SQLite (the caller holds the lock)."""
    if session.get_bind().dialect.name == "postgresql":
        sequence = session.scalar(text("SELECT pg_get_serial_sequence('activity_record', 'id')"))
        return list(session.scalars(text("SELECT nextval(:seq) FROM generate_series(1, :n)"),
                                    {"seq": sequence, "n": n}))
    first = session.scalar(select(func.coalesce(func.max(ActivityRecord.id), 0))) + 1
    return list(range(first, first + n))


@dataclass(frozen=True)
class RecordUpdate:
    """One checked edit of a live record: its columns before and after, and their readable form for the log."""

    record_id: int
    old: Mapping[str, Any]
    new: Mapping[str, Any]
    old_text: Mapping[str, Any]
    new_text: Mapping[str, Any]
    reason: str = ""


@dataclass(frozen=True)
class PreparedUpdates:
    """Checked edits as driver parameters (grouped by the columns they change), language rows, deltas, log rows."""

    groups: dict[tuple[str, ...], list[tuple]]  # changed columns → (values…, updated_by, updated_at, id) per record
    language_ids: list[int]  # records whose languages change
    languages: list[tuple[int, str]]
    delta: SummaryDelta
    log_columns: tuple[str, ...]
    log_rows: list[tuple]
    dialect: str
    staged: dict[str, str] = field(default_factory=dict)  # SQLite: temporary tables holding params (stage_writes)
    months: frozenset[MonthKey] = frozenset()  # (unit, year, month) before and after, for the closed-year guard
    years: frozenset[int] = frozenset()


def prepare_updates(updates: Sequence[RecordUpdate], *, actor: Actor, dialect: Dialect,
                    now: dt.datetime | None = None) -> PreparedUpdates:
    """Everything an update of many records needs that does not touch the database, done before the lock."""
    now = now or utcnow()
    table, log_table = ActivityRecord.__table__, ChangeLog.__table__
    process = {c: table.c[c].type.bind_processor(dialect) for c in (*UPDATED_COLUMNS, "updated_at")}

    def value(column: str, v: Any) -> Any:
        return process[column](v) if process[column] and v is not None else v

    stamp = (actor.user_id, value("updated_at", now))
    groups: dict[tuple[str, ...], list[tuple]] = {}
    language_ids, languages = [], []
    for u in updates:
        changed = tuple(c for c in UPDATED_COLUMNS if u.new.get(c) != u.old.get(c))
        groups.setdefault(changed, []).append((*(value(c, u.new.get(c)) for c in changed), *stamp, u.record_id))
        if "languages" in changed:
            language_ids.append(u.record_id)
            languages += [(u.record_id, x) for x in dict.fromkeys((u.new.get("languages") or "").split(",")) if x]
    entries = [{**change_entry(actor=actor, action="update", entity="record", entity_id=u.record_id, old=u.old_text,
                               new=u.new_text, reason=u.reason), "at": now} for u in updates]
    log_columns = tuple(entries[0]) if entries else ()
    log_process = [log_table.c[c].type.bind_processor(dialect) for c in log_columns]
    log_rows = [tuple(p(e[c]) if p and e[c] is not None else e[c] for c, p in zip(log_columns, log_process))
                for e in entries]
    delta = summary_delta(removed=[RecordFigures.of(u.old) for u in updates],
                          added=[RecordFigures.of(u.new) for u in updates])
    return PreparedUpdates(groups, language_ids, languages, delta, log_columns, log_rows, dialect.name,
                           months=_months([u.old for u in updates] + [u.new for u in updates]),
                           years=frozenset(int(c["year"]) for u in updates for c in (u.old, u.new) if c.get("year")))


def update_records(*, session: Session, updates: PreparedUpdates) -> None:
    """Write prepared edits: changed columns only, languages of the records whose languages change, one summary
    delta, one change-log entry per record."""
    dialect = session.get_bind().dialect
    if updates.dialect != dialect.name:
        raise ValueError(f"updates prepared for {updates.dialect}, not {dialect.name}")
    connection = session.connection()
    quote, mark = dialect.identifier_preparer.quote, _mark(dialect)
    record = quote(ActivityRecord.__table__.name)
    for number, (changed, rows) in enumerate(updates.groups.items()):
        columns = (*changed, "updated_by", "updated_at")
        if f"update {number}" in updates.staged:
            assignments = ", ".join(f"{quote(c)} = s.{quote(c)}" for c in columns)
            connection.exec_driver_sql(f"UPDATE main.{record} AS r SET {assignments} "
                                       f"FROM temp.{updates.staged[f'update {number}']} AS s WHERE r.id = s.id")
        elif dialect.name == "postgresql":  # COPY into a scratch table, then one UPDATE … FROM
            scratch = f"import_update_{number}"
            connection.exec_driver_sql(
                f"CREATE TEMPORARY TABLE {scratch} ON COMMIT DROP AS SELECT {', '.join(quote(c) for c in columns)}, "
                f"id FROM {record} WITH NO DATA")
            _write_rows(session, scratch, (*columns, "id"), rows)
            assignments = ", ".join(f"{quote(c)} = s.{quote(c)}" for c in columns)
            connection.exec_driver_sql(f"UPDATE {record} AS r SET {assignments} FROM {scratch} AS s WHERE r.id = s.id")
        else:
            assignments = ", ".join(f"{quote(c)} = {mark}" for c in columns)
            connection.exec_driver_sql(f"UPDATE {record} SET {assignments} WHERE {quote('id')} = {mark}", rows)
    for chunk in chunked(updates.language_ids, 500):
        connection.execute(delete(RecordLanguage.__table__).where(RecordLanguage.record_id.in_(chunk)))
    if updates.languages:
        _write_rows(session, RecordLanguage.__table__.name, ("record_id", "language"), updates.languages)
    apply_delta(session=session, delta=updates.delta)
    check_bulk_writes(session=session, months=updates.months, years=updates.years)
    if "log" in updates.staged:
        names = ", ".join(quote(c) for c in updates.log_columns)
        connection.exec_driver_sql(f"INSERT INTO main.{quote(ChangeLog.__table__.name)} ({names}) SELECT {names} "
                                   f"FROM temp.{updates.staged['log']}")
    elif updates.log_rows:
        _write_rows(session, ChangeLog.__table__.name, updates.log_columns, updates.log_rows)


def stage_writes(*, connection: Connection, records: PreparedRecords, updates: PreparedUpdates) -> list[str]:
    """SQLite: copy prepared rows into temporary tables of the connection that will write them, before it takes the
    write lock; the write transaction then copies them with INSERT/UPDATE … SELECT, in about half the time that
    binding every row takes. A temporary table is private to its connection and locks nothing else. Returns the
    tables for drop_staged; nothing to do on PostgreSQL (COPY, and writers there do not wait for a file lock)."""
    if connection.dialect.name != "sqlite":
        return []
    tables: list[str] = []

    def stage(key: str, staged: dict[str, str], columns: Sequence[str], rows: Sequence[tuple]) -> None:
        name = f"staged_{uuid.uuid4().hex[:12]}"
        quote = connection.dialect.identifier_preparer.quote
        connection.exec_driver_sql(f"CREATE TEMPORARY TABLE {name} ({', '.join(quote(c) for c in columns)})")
        tables.append(name)
        connection.exec_driver_sql(_insert_sql(connection.dialect, name, columns).replace(
            "INSERT INTO ", "INSERT INTO temp.", 1), list(rows))
        staged[key] = name

    with connection.begin():
        if records.rows:
            stage("records", records.staged, ("n", *records.columns), [(i, *p) for i, p in enumerate(records.params)])
        if records.languages:
            stage("languages", records.staged, ("n", "language"), records.languages)
        for number, (changed, rows) in enumerate(updates.groups.items()):
            stage(f"update {number}", updates.staged, (*changed, "updated_by", "updated_at", "id"), rows)
        if updates.log_rows:
            stage("log", updates.staged, updates.log_columns, updates.log_rows)
    return tables


def drop_staged(*, connection: Connection, tables: Sequence[str]) -> None:
    """Drop the temporary tables of stage_writes (outside any transaction: no write lock needed)."""
    raw = connection.connection.driver_connection
    for name in tables:
        raw.execute(f"DROP TABLE IF EXISTS temp.{name}")


def chunked(rows: Iterable[Any], size: int) -> Iterable[list[Any]]:
    """Lists of at most size rows."""
    chunk: list[Any] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
