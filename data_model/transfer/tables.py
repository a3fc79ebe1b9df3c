"""The generic steps over every table of the models: which hold rows, clear, write in batches, fix ids, count."""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from sqlalchemy import Connection, Engine, Integer, Table, bindparam, func, insert, inspect, select, text, update

from data_model.schema.models import Base


class TransferError(Exception):
    """A copy, backup or restore that was refused or failed; the message says why, in Vietnamese."""


def model_tables() -> list[Table]:
    """Every table of the models, parents before the tables that point at them."""
    return list(Base.metadata.sorted_tables)


def deferred_columns(tables: Sequence[Table]) -> dict[str, list[str]]:
    """Per table, the foreign-key columns pointing at itself or a later table: written empty, filled in at the end."""
    position = {t.name: i for i, t in enumerate(tables)}
    deferred: dict[str, list[str]] = {}
    for t in tables:
        for fk in t.foreign_keys:
            if position.get(fk.column.table.name, -1) >= position[t.name] and fk.parent.nullable:
                deferred.setdefault(t.name, []).append(fk.parent.name)
    return deferred


def rows_held(*, engine: Engine, tables: Sequence[Table]) -> dict[str, int]:
    """The tables of the models that exist at the engine and hold rows, with their row counts."""
    present = set(inspect(engine).get_table_names())
    with engine.connect() as conn:
        counts = {t.name: conn.scalar(select(func.count()).select_from(t)) or 0 for t in tables if t.name in present}
    return {name: n for name, n in counts.items() if n}


def count_rows(*, conn: Connection, tables: Sequence[Table]) -> dict[str, int]:
    """The row count of every table, read on this connection (inside its transaction)."""
    return {t.name: conn.scalar(select(func.count()).select_from(t)) or 0 for t in tables}


def clear_tables(*, conn: Connection, tables: Sequence[Table]) -> None:
    """Delete every row of these tables inside the connection's transaction (children first)."""
    if conn.dialect.name == "postgresql":
        names = ", ".join(conn.dialect.identifier_preparer.quote(t.name) for t in tables)
        conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY")
        return
    conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")  # rows pointing at rows of the same table; ends at commit
    for t in reversed(tables):
        conn.execute(t.delete())


def read_batches(*, conn: Connection, table: Table, batch: int) -> Iterator[Sequence[tuple]]:
    """The table's rows in key order, in batches, as tuples in the order of table.columns."""
    order = list(table.primary_key.columns) or list(table.columns)
    result = conn.execution_options(yield_per=batch).execute(select(*table.columns).order_by(*order))
    for part in result.partitions():
        yield [tuple(row) for row in part]


def write_table(*, conn: Connection, table: Table, batches: Iterable[Sequence[tuple]],
                deferred: Sequence[str]) -> list[dict]:
    """Insert the batches; deferred columns are written NULL and returned (with the key) to be set afterwards."""
    keys = [c.key for c in table.columns]
    pk = [c.key for c in table.primary_key.columns]
    later: list[dict] = []
    for rows in batches:
        values = [dict(zip(keys, row)) for row in rows]
        for row in values:
            held = {col: row[col] for col in deferred if row[col] is not None}
            if held:
                later.append({**{f"k_{k}": row[k] for k in pk}, **{f"v_{c}": v for c, v in held.items()}})
                row.update(dict.fromkeys(held))
        if values:
            conn.execute(insert(table), values)
    return later


def fill_deferred(*, conn: Connection, table: Table, rows: Sequence[dict]) -> None:
    """Set the deferred foreign keys once every row they point at exists."""
    for row in rows:  # few rows (a parent unit, a parent reporting unit), columns differ from row to row
        columns = [k[2:] for k in row if k.startswith("v_")]
        where = [c == bindparam(f"k_{c.key}") for c in table.primary_key.columns]
        conn.execute(update(table).where(*where).values({c: bindparam(f"v_{c}") for c in columns}), [row])


def reset_sequences(*, conn: Connection, tables: Sequence[Table]) -> None:
    """PostgreSQL: let every id sequence continue after the highest id copied (SQLite follows the rows itself)."""
    if conn.dialect.name != "postgresql":
        return
    for t in tables:
        pk = list(t.primary_key.columns)
        if len(pk) != 1 or not isinstance(pk[0].type, Integer):
            continue
        sequence = conn.scalar(text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": t.name, "c": pk[0].name})
        if sequence:
            highest = conn.scalar(select(func.max(pk[0])))
            conn.execute(text("SELECT setval(CAST(:s AS regclass), :v, false)"),
                         {"s": sequence, "v": (highest or 0) + 1})
