"""Summary tables kept exactly equal to the live records: deltas on every write, full rebuild after bulk loads."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import FromClause, Select, Table, Text, cast, delete, func, insert, literal, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from data_model.definitions.fields import MAX_MEASURES, MEASURE_COLUMNS, SUM_COLUMNS
from data_model.schema.models import (
    NO_COMMUNE,
    NO_UNIT,
    ActivityRecord,
    ActivityRollup,
    ActivitySummary,
    LanguageSummary,
    RecordLanguage,
    VillageSummary,
)

VILLAGE_SUMS = SUM_COLUMNS[:2]  # the village summary sums slots 1 and 2
LANGUAGE_SUMS = SUM_COLUMNS[:1]  # the language summary sums slot 1 (every type's main measure)
ROLLUP_KEY = ("year", "type_code", "reporting_unit_id")
ROLLUP_VALUES = ("n_records", *SUM_COLUMNS)


@dataclass(frozen=True)
class RecordFigures:
    """What a live record contributes to the summaries."""

    year: int
    type_code: str
    commune_key: str | None
    reporting_unit_id: int | None
    village_id: int | None
    languages: tuple[str, ...]
    measures: tuple[int, ...]  # by slot (MEASURE_COLUMNS), None as 0

    @classmethod
    def of(cls, record: ActivityRecord | Mapping) -> RecordFigures:
        """Figures of an ORM record or a mapping with the record's columns."""
        get = (lambda k: record.get(k)) if isinstance(record, Mapping) else (lambda k: getattr(record, k))
        langs = get("languages") or ""
        return cls(
            year=int(get("year")), type_code=get("type_code"), commune_key=get("commune_key"),
            reporting_unit_id=get("reporting_unit_id"), village_id=get("village_id"),
            languages=tuple(sorted(code for code in langs.split(",") if code)),
            measures=tuple(int(get(c) or 0) for c in MEASURE_COLUMNS),
        )


def _upsert_add(session: Session, table, key_cols: tuple[str, ...], rows: list[dict]) -> None:
    """Add each row's numbers to the existing row with the same key (insert when missing)."""
    if not rows:
        return
    value_cols = [c for c in rows[0] if c not in key_cols]
    dialect = session.get_bind().dialect.name
    ins = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    stmt = ins.on_conflict_do_update(
        index_elements=list(key_cols),
        set_={c: table.c[c] + ins.excluded[c] for c in value_cols},
    )
    # sorted keys: concurrent writers lock summary rows in the same order (no deadlock); one executemany
    session.execute(stmt, sorted(rows, key=lambda r: tuple(str(r[k]) for k in key_cols)))


def _delta_rows(changes: Iterable[tuple[RecordFigures, int]]) -> tuple[list[dict], list[dict], list[dict]]:
    main: dict[tuple, list[int]] = defaultdict(lambda: [0] * (MAX_MEASURES + 1))
    village: dict[tuple, list[int]] = defaultdict(lambda: [0] * (len(VILLAGE_SUMS) + 1))
    language: dict[tuple, list[int]] = defaultdict(lambda: [0] * (len(LANGUAGE_SUMS) + 1))
    for fig, sign in changes:
        acc = main[(fig.year, fig.type_code, fig.commune_key or NO_COMMUNE, fig.reporting_unit_id or NO_UNIT)]
        acc[0] += sign
        for i, value in enumerate(fig.measures):
            acc[i + 1] += sign * value
        if fig.village_id:
            v = village[(fig.year, fig.type_code, fig.village_id)]
            v[0] += sign
            for i in range(len(VILLAGE_SUMS)):
                v[i + 1] += sign * fig.measures[i]
        for lang in fig.languages:
            l_acc = language[(fig.year, fig.type_code, fig.commune_key or NO_COMMUNE, lang)]
            l_acc[0] += sign
            for i in range(len(LANGUAGE_SUMS)):
                l_acc[i + 1] += sign * fig.measures[i]
    main_rows = [
        {"year": k[0], "type_code": k[1], "commune_key": k[2], "reporting_unit_id": k[3], "n_records": v[0],
         **{SUM_COLUMNS[i]: v[i + 1] for i in range(MAX_MEASURES)}}
        for k, v in main.items() if any(v)
    ]
    village_rows = [
        {"year": k[0], "type_code": k[1], "village_id": k[2], "n_records": v[0], **dict(zip(VILLAGE_SUMS, v[1:]))}
        for k, v in village.items() if any(v)
    ]
    language_rows = [
        {"year": k[0], "type_code": k[1], "commune_key": k[2], "language": k[3], "n_records": v[0],
         **dict(zip(LANGUAGE_SUMS, v[1:]))}
        for k, v in language.items() if any(v)
    ]
    return main_rows, village_rows, language_rows


@dataclass(frozen=True)
class SummaryDelta:
    """What a set of record changes adds to each summary table, one row per summary key."""

    main: list[dict]
    village: list[dict]
    language: list[dict]

    @property
    def rollup(self) -> list[dict]:
        """The main rows added up per (year, type, reporting unit): what activity_rollup gains."""
        acc: dict[tuple, dict] = {}
        for row in self.main:
            key = (row["year"], row["type_code"], row["reporting_unit_id"])
            total = acc.setdefault(key, {"year": key[0], "type_code": key[1], "reporting_unit_id": key[2],
                                         **dict.fromkeys(ROLLUP_VALUES, 0)})
            for c in ROLLUP_VALUES:
                total[c] += row[c]
        return [r for r in acc.values() if any(r[c] for c in ROLLUP_VALUES)]


def summary_delta(*, removed: Iterable[RecordFigures] = (), added: Iterable[RecordFigures] = ()) -> SummaryDelta:
    """Aggregate record figures into summary deltas (no database: bulk writers do this before taking the lock)."""
    return SummaryDelta(*_delta_rows([(f, -1) for f in removed] + [(f, 1) for f in added]))


def apply_delta(*, session: Session, delta: SummaryDelta) -> None:
    """Add aggregated deltas to every summary, in the caller's transaction."""
    main_key = ("year", "type_code", "commune_key", "reporting_unit_id")
    _upsert_add(session, ActivitySummary.__table__, main_key, delta.main)
    _upsert_add(session, ActivityRollup.__table__, ROLLUP_KEY, delta.rollup)
    _upsert_add(session, VillageSummary.__table__, ("year", "type_code", "village_id"), delta.village)
    _upsert_add(session, LanguageSummary.__table__, ("year", "type_code", "commune_key", "language"), delta.language)


def apply_changes(*, session: Session, removed: Iterable[RecordFigures] = (), added: Iterable[RecordFigures] = ()) -> None:
    """Subtract removed and add added records' figures to every summary, in the caller's transaction."""
    apply_delta(session=session, delta=summary_delta(removed=removed, added=added))


@dataclass(frozen=True)
class DerivedTable:
    """A table computed from the records: its key and value columns and the SELECT that computes it afresh."""

    table: Table
    keys: tuple[str, ...]
    values: tuple[str, ...]
    fresh: Select


def summary_tables(*, record_languages: FromClause | None = None) -> tuple[DerivedTable, ...]:
    """The four summary tables with their aggregation of the live records (one GROUP BY each).

    Languages come from record_language unless another (record_id, language) source is given.
    """
    r = ActivityRecord
    live = r.deleted_at.is_(None)
    commune = func.coalesce(r.commune_key, literal(NO_COMMUNE))
    unit = func.coalesce(r.reporting_unit_id, literal(NO_UNIT))
    sums = [func.coalesce(func.sum(getattr(r, m)), 0) for m in MEASURE_COLUMNS]
    rl = RecordLanguage.__table__ if record_languages is None else record_languages
    return (
        DerivedTable(
            ActivitySummary.__table__, ("year", "type_code", "commune_key", "reporting_unit_id"),
            ("n_records", *SUM_COLUMNS),
            select(r.year, r.type_code, commune, unit, func.count(), *sums).where(live)
            .group_by(r.year, r.type_code, commune, unit)),
        DerivedTable(
            VillageSummary.__table__, ("year", "type_code", "village_id"), ("n_records", *VILLAGE_SUMS),
            select(r.year, r.type_code, r.village_id, func.count(), *sums[:len(VILLAGE_SUMS)])
            .where(live, r.village_id.is_not(None)).group_by(r.year, r.type_code, r.village_id)),
        DerivedTable(
            LanguageSummary.__table__, ("year", "type_code", "commune_key", "language"), ("n_records", *LANGUAGE_SUMS),
            select(r.year, r.type_code, commune, rl.c.language, func.count(), *sums[:len(LANGUAGE_SUMS)])
            .join(rl, rl.c.record_id == r.id).where(live)
            .group_by(r.year, r.type_code, commune, rl.c.language)),
        DerivedTable(
            ActivityRollup.__table__, ROLLUP_KEY, ROLLUP_VALUES,
            select(r.year, r.type_code, unit, func.count(), *sums).where(live).group_by(r.year, r.type_code, unit)),
    )


def record_language_table(*, dialect: str) -> DerivedTable:
    """record_language as the languages column of every record spells it (split on commas in SQL)."""
    r = ActivityRecord
    position = func.strpos if dialect == "postgresql" else func.instr
    split = select(r.id.label("record_id"), cast(literal(""), Text).label("language"),
                   cast(r.languages + ",", Text).label("rest")).where(r.languages != "").cte("split", recursive=True)
    cut = position(split.c.rest, ",")
    split = split.union_all(select(split.c.record_id, func.substr(split.c.rest, 1, cut - 1),
                                   func.substr(split.c.rest, cut + 1)).where(split.c.rest != ""))
    fresh = select(split.c.record_id, split.c.language).where(split.c.language != "").distinct()
    return DerivedTable(RecordLanguage.__table__, ("record_id", "language"), (), fresh)


def lock_tables(*, session: Session, tables: Iterable[Table]) -> None:
    """Hold off other writers of these tables until the caller's transaction ends (SQLite: BEGIN IMMEDIATE does)."""
    # PostgreSQL: writers' deltas wait until the rebuilt rows are committed, so none is lost or counted twice
    if session.get_bind().dialect.name == "postgresql":
        names = ", ".join(t.name for t in tables)
        session.execute(text(f"LOCK TABLE {names} IN EXCLUSIVE MODE"))


def rebuild_table(*, session: Session, derived: DerivedTable) -> None:
    """Replace a derived table's rows with its fresh aggregation, in the caller's transaction."""
    lock_tables(session=session, tables=[derived.table])
    session.execute(delete(derived.table))
    session.execute(insert(derived.table).from_select([*derived.keys, *derived.values], derived.fresh))


def rebuild_summaries(*, session: Session) -> None:
    """Recompute every summary from the live records (after bulk loads; also a repair tool)."""
    tables = summary_tables()
    lock_tables(session=session, tables=[d.table for d in tables])
    for derived in tables:
        rebuild_table(session=session, derived=derived)
