"""Compare every table derived from the records with a fresh aggregation in SQL; report and repair differences."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, literal, null, or_, select, union_all
from sqlalchemy.orm import Session

from data_model.audit.changelog import log_change
from data_model.basics.permissions import Actor, require_admin
from data_model.definitions.activity_types import load_activity_types
from data_model.records.summaries import (
    DerivedTable,
    lock_tables,
    rebuild_summaries,
    rebuild_table,
    record_language_table,
    summary_tables,
)
from data_model.reference.languages import LANGUAGES
from data_model.schema.models import NO_COMMUNE, NO_UNIT, ReportingUnit, Unit, Village
from data_model.texts.formatting import format_number

LISTED_PER_TABLE = 20
TABLE_LABELS = {
    "record_language": "Ngôn ngữ của từng bản ghi (record_language)",
    "activity_summary": "Tổng hợp theo loại, xã, đơn vị (activity_summary)",
    "village_summary": "Tổng hợp theo bản (village_summary)",
    "language_summary": "Tổng hợp theo ngôn ngữ (language_summary)",
    "activity_rollup": "Tổng hợp theo năm, loại, đơn vị (activity_rollup)",
}


@dataclass(frozen=True)
class Difference:
    """One key whose stored values differ from the fresh aggregation (None: no such row)."""

    key: dict[str, object]
    stored: dict[str, int] | None
    expected: dict[str, int] | None


@dataclass(frozen=True)
class TableCheck:
    """How many keys of one derived table differ, and the first few of them."""

    table: str
    count: int
    listed: tuple[Difference, ...]


@dataclass(frozen=True)
class CheckResult:
    """Every derived table compared with the records."""

    tables: tuple[TableCheck, ...]
    names: dict[str, dict] = field(default_factory=dict, compare=False)

    @property
    def differences(self) -> int:
        return sum(t.count for t in self.tables)

    @property
    def ok(self) -> bool:
        return self.differences == 0


def derived_tables(*, session: Session) -> tuple[DerivedTable, ...]:
    """Every table computed from the records, in the order a repair rebuilds them."""
    languages = record_language_table(dialect=session.get_bind().dialect.name)
    # languages as the records spell them, so that a damaged record_language cannot hide or invent a difference
    return (languages, *summary_tables(record_languages=languages.fresh.subquery("languages")))


def _compare(session: Session, derived: DerivedTable, limit: int) -> TableCheck:
    """Keys missing, extra or different: both sides stacked and grouped by key (rows of zeros count as no row)."""
    t = derived.table
    keys, values = derived.keys, derived.values
    fresh = derived.fresh.subquery("fresh")
    fresh_cols = dict(zip((*keys, *values), fresh.c))
    stored_query = select(*[t.c[c] for c in (*keys, *values)])
    if values:
        stored_query = stored_query.where(or_(*[t.c[v] != 0 for v in values]))
    stored = stored_query.subquery("stored")
    # one pass over each side (a FULL JOIN that SQLite before 3.39 lacks, without its index problems)
    stacked = union_all(
        select(*[fresh_cols[k].label(k) for k in keys], *[fresh_cols[v].label(f"e_{v}") for v in values],
               *[null().label(f"s_{v}") for v in values], literal(1).label("in_fresh"), literal(0).label("in_stored")),
        select(*[stored.c[k].label(k) for k in keys], *[null().label(f"e_{v}") for v in values],
               *[stored.c[v].label(f"s_{v}") for v in values], literal(0).label("in_fresh"),
               literal(1).label("in_stored")),
    ).subquery("stacked")
    c = stacked.c
    in_fresh, in_stored = func.max(c.in_fresh), func.max(c.in_stored)
    grouped = (
        select(*[c[k] for k in keys], in_fresh.label("has_expected"), in_stored.label("has_stored"),
               *[func.max(c[f"e_{v}"]).label(f"e_{v}") for v in values],
               *[func.max(c[f"s_{v}"]).label(f"s_{v}") for v in values], func.count().over().label("total"))
        .group_by(*[c[k] for k in keys])
        .having(or_(in_fresh == 0, in_stored == 0, *[func.max(c[f"e_{v}"]) != func.max(c[f"s_{v}"]) for v in values]))
        .order_by(*[c[k] for k in keys]).limit(limit)
    )
    rows = session.execute(grouped).mappings().all()
    listed = tuple(
        Difference(
            key={k: row[k] for k in keys},
            stored={v: int(row[f"s_{v}"] or 0) for v in values} if row["has_stored"] else None,
            expected={v: int(row[f"e_{v}"] or 0) for v in values} if row["has_expected"] else None,
        )
        for row in rows
    )
    return TableCheck(table=t.name, count=int(rows[0]["total"]) if rows else 0, listed=listed)


def _names(session: Session, tables: tuple[TableCheck, ...]) -> dict[str, dict]:
    """Display names of the communes, units and villages in the listed differences."""
    keys = [d.key for t in tables for d in t.listed]
    communes = {k["commune_key"] for k in keys if k.get("commune_key")}
    units = {k["reporting_unit_id"] for k in keys if k.get("reporting_unit_id")}
    villages = {k["village_id"] for k in keys if k.get("village_id")}
    return {
        "commune_key": dict(session.execute(select(Unit.key, Unit.name).where(Unit.key.in_(communes))).all())
        if communes else {},
        "reporting_unit_id": dict(session.execute(
            select(ReportingUnit.id, ReportingUnit.name).where(ReportingUnit.id.in_(units))).all())
        if units else {},
        "village_id": dict(session.execute(select(Village.id, Village.name).where(Village.id.in_(villages))).all())
        if villages else {},
    }


def check_derived_tables(*, session: Session, limit: int = LISTED_PER_TABLE) -> CheckResult:
    """Compare record_language and every summary table with a fresh aggregation of the records."""
    tables = tuple(_compare(session, d, limit) for d in derived_tables(session=session))
    return CheckResult(tables=tables, names=_names(session, tables))


def repair_derived_tables(*, session: Session, actor: Actor, limit: int = LISTED_PER_TABLE) -> CheckResult:
    """When anything differs, rebuild record_language (if wrong) and every summary in the caller's transaction.

    Admins only; returns what was wrong before, which the audit log keeps too.
    """
    require_admin(actor)
    tables = derived_tables(session=session)
    lock_tables(session=session, tables=[d.table for d in tables])
    before = check_derived_tables(session=session, limit=limit)
    if before.ok:
        return before
    language_rows = tables[0]
    if before.tables[0].count:
        rebuild_table(session=session, derived=language_rows)
    rebuild_summaries(session=session)  # after record_language: language_summary is aggregated over it
    log_change(session=session, actor=actor, action="repair", entity="summary",
               new={t.table: t.count for t in before.tables if t.count})
    return before


def _key_text(key: dict[str, object], names: dict[str, dict]) -> str:
    parts = []
    for column, value in key.items():
        if column == "year":
            parts.append(f"năm {value}")
        elif column == "type_code":
            definition = load_activity_types().get(str(value))
            parts.append(definition.name_vi if definition else f"loại «{value}»")
        elif column == "commune_key":
            parts.append("không ghi xã" if value == NO_COMMUNE else f"xã {names['commune_key'].get(value, value)}")
        elif column == "reporting_unit_id":
            parts.append("không ghi đơn vị" if value == NO_UNIT else
                         f"đơn vị {names['reporting_unit_id'].get(value, f'số {value}')}")
        elif column == "village_id":
            parts.append(f"bản {names['village_id'].get(value, f'số {value}')}")
        elif column == "language":
            parts.append(LANGUAGES.get(str(value), (f"ngôn ngữ «{value}»",))[0])
        elif column == "record_id":
            parts.append(f"bản ghi số {value}")
    return ", ".join(parts)


def _value_labels(key: dict[str, object]) -> dict[str, str]:
    labels = {"n_records": "số bản ghi"}
    definition = load_activity_types().get(str(key.get("type_code")))
    for measure in definition.measures if definition else ():
        labels[measure.sum_column] = measure.label_vi.lower()
    return labels


def _values_text(values: dict[str, int], labels: dict[str, str]) -> str:
    shown = [f"{labels.get(c, c)} {format_number(v)}" for c, v in values.items() if v or c == "n_records"]
    return ", ".join(shown)


def _difference_text(d: Difference, labels: dict[str, str]) -> str:
    if d.stored is None:
        return f"thiếu dòng (đúng là: {_values_text(d.expected, labels)})" if d.expected else "thiếu dòng"
    if d.expected is None:
        return f"dòng thừa ({_values_text(d.stored, labels)})" if d.stored else "dòng thừa"
    changed = [c for c in d.expected if d.expected[c] != d.stored[c]]
    return "; ".join(f"{labels.get(c, c)} đang ghi {format_number(d.stored[c])}, đúng là {format_number(d.expected[c])}"
                     for c in changed)


def describe_check(result: CheckResult) -> list[str]:
    """The differences as readable Vietnamese lines, at most the listed ones per table."""
    lines = []
    for table in result.tables:
        if not table.count:
            continue
        lines.append(f"{TABLE_LABELS.get(table.table, table.table)}: {format_number(table.count)} dòng lệch")
        for d in table.listed:
            lines.append(f"  - {_key_text(d.key, result.names)}: {_difference_text(d, _value_labels(d.key))}")
        if table.count > len(table.listed):
            lines.append(f"  … và {format_number(table.count - len(table.listed))} dòng lệch khác")
    return lines
