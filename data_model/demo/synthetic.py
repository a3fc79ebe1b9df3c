"""Synthetic activity records for benchmarks: every commune, unit and type, 2012–2025, bulk Core inserts per batch."""
from __future__ import annotations

import datetime as dt
import random
import time
from bisect import bisect_right
from dataclasses import dataclass

from sqlalchemy import Engine, func, insert, select, text
from sqlalchemy.orm import Session

from data_model.definitions.activity_types import ActivityType, list_activity_types
from data_model.definitions.fields import MEASURE_COLUMNS
from data_model.records.summaries import RecordFigures, apply_changes
from data_model.reference.languages import LANGUAGES
from data_model.schema.db import write_session
from data_model.schema.models import (
    ActivityRecord,
    RecordLanguage,
    ReportingUnit,
    StationCoverage,
    Unit,
    UnitLanguage,
    Village,
    new_uid,
    utcnow,
)

MAX_RECORDS = 5_000_000
SYNTHETIC_NOTE = "synthetic"
FIRST_DAY = dt.date(2012, 1, 1)
END_DAY = dt.date(2026, 1, 1)  # exclusive
SQLITE_CACHE_KIB = 256 * 1024
TYPICAL_MAX = 200  # most synthetic measures stay small, as real records do
# How often each kind of activity happens relative to the others (types not listed: 1).
_FREQUENCY = {"patrol": 6, "loudspeaker_broadcast": 6, "outreach_session": 4, "study_session": 3}


@dataclass(frozen=True)
class GenerateResult:
    """How many rows were added and how long it took."""

    rows: int
    seconds: float

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True)
class _Place:
    key: str
    villages: tuple[int, ...]
    languages: tuple[str, ...]
    stations: tuple[int, ...]


@dataclass(frozen=True)
class _Epoch:
    """A stretch of days on which the same communes and coverage links hold."""

    start: dt.date
    end: dt.date  # exclusive
    places: tuple[_Place, ...]


@dataclass(frozen=True)
class _Plan:
    epochs: tuple[_Epoch, ...]
    starts: tuple[int, ...]  # epoch starts as ordinals, for bisect
    units_by_kind: dict[str, tuple[int, ...]]
    types: tuple[ActivityType, ...]
    type_weights: tuple[float, ...]


def _breakpoints(dates: list[dt.date | None]) -> list[dt.date]:
    inside = {d for d in dates if d is not None and FIRST_DAY < d < END_DAY}
    return sorted({FIRST_DAY, *inside})


def _valid(start: dt.date | None, end: dt.date | None, day: dt.date) -> bool:
    return (start is None or start <= day) and (end is None or day < end)


def _load_plan(session: Session) -> _Plan:
    communes = session.execute(select(Unit.key, Unit.valid_from, Unit.valid_to)
                               .where(Unit.level == "commune").order_by(Unit.key)).all()
    coverage = session.execute(select(StationCoverage.station_id, StationCoverage.unit_key, StationCoverage.valid_from,
                                      StationCoverage.valid_to).order_by(StationCoverage.id)).all()
    units = session.execute(select(ReportingUnit.id, ReportingUnit.kind)
                            .where(ReportingUnit.active.is_(True)).order_by(ReportingUnit.id)).all()
    if not communes or not units:
        raise ValueError("Chưa có dữ liệu tham chiếu (xã, đơn vị báo cáo): hãy chạy `python -m data_model init` trước")
    villages: dict[str, list[int]] = {}
    for vid, key in session.execute(select(Village.id, Village.unit_key).order_by(Village.id)):
        villages.setdefault(key, []).append(vid)
    languages: dict[str, list[str]] = {}
    for key, lang in session.execute(select(UnitLanguage.unit_key, UnitLanguage.language)
                                     .where(UnitLanguage.village_id.is_(None)).order_by(UnitLanguage.id)):
        if lang != "vi":
            languages.setdefault(key, []).append(lang)
    points = _breakpoints([d for _, f, t in communes for d in (f, t)] + [d for *_, f, t in coverage for d in (f, t)])
    epochs = []
    for i, start in enumerate(points):
        end = points[i + 1] if i + 1 < len(points) else END_DAY
        places = tuple(
            _Place(key=key, villages=tuple(villages.get(key, ())), languages=tuple(languages.get(key, ())),
                   stations=tuple(sorted(sid for sid, ukey, cf, ct in coverage if ukey == key and _valid(cf, ct, start))))
            for key, f, t in communes if _valid(f, t, start)
        )
        epochs.append(_Epoch(start=start, end=end, places=places))
    by_kind: dict[str, list[int]] = {}
    for uid, kind in units:
        by_kind.setdefault(kind, []).append(uid)
    types = tuple(list_activity_types())
    return _Plan(
        epochs=tuple(epochs), starts=tuple(e.start.toordinal() for e in epochs),
        units_by_kind={k: tuple(v) for k, v in by_kind.items()}, types=types,
        type_weights=tuple(float(_FREQUENCY.get(t.code, 1)) for t in types),
    )


def _measures(definition: ActivityType, rng: random.Random) -> dict[str, int]:
    """Values within each measure's range, then nudged until every rule of the type holds."""
    values = {}
    for m in definition.measures:
        if not m.required and rng.random() < 0.3:
            values[m.code] = m.min
            continue
        span = min(m.max, max(m.min, TYPICAL_MAX)) - m.min
        values[m.code] = m.min + int(rng.random() ** 2 * (span + 1))
    for _ in range(4):
        broken = [r for r in definition.rules if not r.holds(values)]
        if not broken:
            return values
        for rule in broken:
            target = sum(int(t) if t.isdigit() else values.get(t, 0) for t in rule.right) * rule.factor
            first = next(t for t in rule.left if not t.isdigit())
            others = sum(int(t) if t.isdigit() else values.get(t, 0) for t in rule.left if t != first)
            measure = definition.measure(first)
            wanted = target - others + (1 if rule.op == ">" else -1 if rule.op == "<" else 0)
            if rule.op in ("<=", "<"):
                values[first] = max(measure.min, min(values[first], wanted))
            else:
                values[first] = min(measure.max, max(values[first], wanted))
    if all(r.holds(values) for r in definition.rules):
        return values
    raise ValueError(f"rules of {definition.code} cannot be met by the generator")


def _unit_for(plan: _Plan, definition: ActivityType, place: _Place | None, rng: random.Random) -> int | None:
    kinds = [k for k in definition.reporting_kinds if plan.units_by_kind.get(k)]
    if not kinds:
        return None
    kind = kinds[0] if rng.random() < 0.75 else kinds[int(rng.random() * len(kinds))]
    if kind == "station" and place is not None and place.stations:
        return place.stations[int(rng.random() * len(place.stations))]
    pool = plan.units_by_kind[kind]
    return pool[int(rng.random() * len(pool))]


def _row(plan: _Plan, rng: random.Random, entered: dt.datetime) -> dict:
    definition = rng.choices(plan.types, weights=plan.type_weights)[0]
    span = END_DAY.toordinal() - FIRST_DAY.toordinal()
    start = dt.date.fromordinal(FIRST_DAY.toordinal() + int(rng.random() * span))
    epoch = plan.epochs[bisect_right(plan.starts, start.toordinal()) - 1]
    end = start
    if definition.period and rng.random() < 0.5:
        limit = min(epoch.end - dt.timedelta(days=1), dt.date(start.year, 12, 31))
        end = min(start + dt.timedelta(days=int(rng.random() * 31)), limit)
    place = None
    if definition.commune == "required" or (definition.commune == "optional" and rng.random() < 0.7):
        place = epoch.places[int(rng.random() * len(epoch.places))]
    village = None
    if place is not None and place.villages and definition.village != "none" and rng.random() < 0.6:
        village = place.villages[int(rng.random() * len(place.villages))]
    languages = ""
    if definition.languages == "required" or (definition.languages == "optional" and rng.random() < 0.3):
        local = place.languages if place is not None and place.languages else _LOCAL
        languages = "vi," + local[int(rng.random() * len(local))]
    values = _measures(definition, rng)
    row = {
        "uid": new_uid(), "type_code": definition.code, "start_date": start, "end_date": end, "year": start.year,
        "reporting_unit_id": _unit_for(plan, definition, place, rng), "commune_key": place.key if place else None,
        "village_id": village, "languages": languages, "topic": "", "note": SYNTHETIC_NOTE, "is_demo": True,
        "created_at": entered, "delete_reason": "", **dict.fromkeys(MEASURE_COLUMNS),
    }
    for m in definition.measures:
        row[m.column] = values[m.code]
    return row


_LOCAL = tuple(code for code in LANGUAGES if code != "vi")


def _reserve_ids(session: Session, n: int) -> list[int]:
    """n new record ids: from the sequence on PostgreSQL, after the largest id on SQLite (the write lock is held)."""
    if session.get_bind().dialect.name == "postgresql":
        sequence = session.scalar(text("SELECT pg_get_serial_sequence('activity_record', 'id')"))
        return list(session.scalars(text("SELECT nextval(:seq) FROM generate_series(1, :n)"), {"seq": sequence, "n": n}))
    first = session.scalar(select(func.coalesce(func.max(ActivityRecord.id), 0))) + 1
    return list(range(first, first + n))


def _copy(session: Session, table: str, columns: tuple[str, ...], rows: list[dict]) -> None:
    """PostgreSQL COPY … FROM STDIN on the session's connection (several times faster than INSERT)."""
    raw = session.connection().connection.driver_connection
    with raw.cursor() as cursor:
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(tuple(row[c] for c in columns))


def _insert_batch(session: Session, rows: list[dict]) -> None:
    """Insert records and their language rows with ids chosen up front (no RETURNING needed)."""
    for rid, row in zip(_reserve_ids(session, len(rows)), rows):
        row["id"] = rid
    languages = [{"record_id": row["id"], "language": lang} for row in rows
                 for lang in dict.fromkeys(row["languages"].split(",")) if lang]
    if session.get_bind().dialect.name == "postgresql":
        _copy(session, ActivityRecord.__tablename__, tuple(rows[0]), rows)
        _copy(session, RecordLanguage.__tablename__, ("record_id", "language"), languages)
        return
    # a bigger page cache keeps the five record indexes in memory while they grow
    session.connection().exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
    # the table, not the ORM class: the ORM bulk path splits rows by which columns are None (many small statements)
    session.connection().execute(insert(ActivityRecord.__table__), rows)
    if languages:
        session.connection().execute(insert(RecordLanguage.__table__), languages)


def generate_records(*, engine: Engine, n: int, seed: int = 1, batch_size: int = 20_000) -> GenerateResult:
    """Add n synthetic records (note "synthetic", marked demo) in committed batches, each with its summary deltas."""
    if not 1 <= n <= MAX_RECORDS:
        raise ValueError(f"Số bản ghi phải từ 1 đến {MAX_RECORDS:,}".replace(",", "."))
    started = time.perf_counter()
    with write_session(engine) as session:
        plan = _load_plan(session)
    rng = random.Random(seed)
    done = 0
    while done < n:
        size = min(batch_size, n - done)
        entered = utcnow()
        # in date order, so that the date index grows at its end
        rows = sorted((_row(plan, rng, entered) for _ in range(size)), key=lambda r: r["start_date"])
        figures = [RecordFigures.of(row) for row in rows]
        with write_session(engine) as session:
            _insert_batch(session, rows)
            # in the batch's own transaction: an interruption (even kill -9) never leaves records outside the summaries
            apply_changes(session=session, added=figures)
        done += size
    return GenerateResult(rows=done, seconds=time.perf_counter() - started)
