"""Demo data: the report's 2012–2020 figures exactly, every record valid for its type, places and dates sane."""
from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict

import pytest
from entry_helpers import summary_mismatches
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data_model.analytics.filters import Filters
from data_model.analytics.summary import summarise
from data_model.definitions.activity_types import ActivityType, get_activity_type
from data_model.definitions.fields import MEASURE_COLUMNS
from data_model.demo.context import DEMO_NOTE, partition
from data_model.demo.load import load_demo
from data_model.reference.boundaries import REORGANISATION_2025
from data_model.schema.db import build_engine, write_session
from data_model.schema.models import (
    ActivityRecord,
    ReportingUnit,
    StationCoverage,
    Unit,
    UnitFact,
    UnitLanguage,
    Village,
)

D = dt.date

# The source report's 2012–2020 figures, written out here independently of data_model.demo.
REPORT_FIGURES = [
    ("outreach_session", "sessions", 824), ("outreach_session", "attendances", 41_262),
    ("study_session", "sessions", 1_146), ("study_session", "soldier_attendances", 52_621),
    ("leaflet_issue", "copies", 67_850),
    ("patrol", "patrols", 30_248), ("patrol", "soldier_participations", 164_582),
    ("patrol", "civilian_patrols", 7_612), ("patrol", "civilian_participations", 23_814),
    ("cultural_performance", "performances", 48),
    ("loudspeaker_broadcast", "sessions", 2_462),
    ("radio_tv_item", "reportages", 37), ("radio_tv_item", "segments", 134), ("radio_tv_item", "news_items", 328),
    ("training_course", "courses", 5),
    ("special_event", "events", 1),
]
# "over N" in the report: a figure just above N.
OVER_FIGURES = [("cultural_performance", "viewers", 20_000), ("press_item", "items", 2_600)]
WORKING_GROUP_COMMUNES = ["Mù Cả", "Huổi Luông", "Dào San", "Tung Qua Lìn", "Pa Vây Sử", "Nậm Ban", "Trung Chải"]


def record_problems(record: ActivityRecord, definition: ActivityType) -> list[str]:
    """What is wrong with a record against its type's definition (measures, rules, places, dates)."""
    problems = []
    values = {m.code: getattr(record, m.column) for m in definition.measures}
    for m in definition.measures:
        value = values[m.code]
        if value is None:
            if m.required:
                problems.append(f"{m.code} missing")
        elif not m.min <= value <= m.max:
            problems.append(f"{m.code}={value} outside [{m.min}, {m.max}]")
    used = {m.column for m in definition.measures}
    problems += [f"{c} set but unused" for c in MEASURE_COLUMNS if c not in used and getattr(record, c) is not None]
    problems += [f"rule broken: {r.message_en}" for r in definition.rules if not r.holds(values)]
    if not (record.start_date <= record.end_date and record.start_date.year == record.end_date.year == record.year):
        problems.append("dates not within one calendar year")
    if not definition.period and record.start_date != record.end_date:
        problems.append("a single-day type spans several days")
    for attr, need in (("commune_key", definition.commune), ("village_id", definition.village),
                       ("languages", definition.languages)):
        present = bool(getattr(record, attr))
        if (need == "required" and not present) or (need == "none" and present):
            problems.append(f"{attr} is {need} but {'set' if present else 'empty'}")
    return problems


def _summary_totals(session: Session, *, years: tuple[int, int] = (2012, 2020), **options) -> dict[tuple[str, str], int]:
    frame = summarise(session=session, filters=Filters(*years, **options), by="type")
    return {(r.type, r.measure): int(r.value) for r in frame.itertuples()}


@pytest.fixture
def demo_session(demo_engine):
    with Session(demo_engine) as s:
        yield s


@pytest.mark.parametrize("type_code, measure, expected", REPORT_FIGURES)
def test_demo_2012_2020_totals_are_the_report_figures(demo_session, type_code, measure, expected):
    assert _summary_totals(demo_session).get((type_code, measure)) == expected


@pytest.mark.parametrize("type_code, measure, floor", OVER_FIGURES)
def test_demo_figures_the_report_gives_as_over_n_are_just_above_n(demo_session, type_code, measure, floor):
    assert floor < _summary_totals(demo_session)[(type_code, measure)] <= floor * 1.02


def test_no_twinning_before_2021_and_it_continues_after(demo_session):
    before = _summary_totals(demo_session)
    after = _summary_totals(demo_session, years=(2021, 2025))
    assert ("twinning_exchange", "exchanges") not in before
    assert after[("twinning_exchange", "exchanges")] > 0
    for type_code, measure, value in REPORT_FIGURES + OVER_FIGURES:
        if measure in ("sessions", "patrols", "copies", "items"):
            yearly_before, yearly_after = value / 9, after[(type_code, measure)] / 5
            assert 0.6 * yearly_before < yearly_after < 1.6 * yearly_before, (type_code, measure)


@pytest.mark.parametrize("years", [(2012, 2020), (2012, 2025), (2025, 2025)])
def test_totals_equal_on_historical_and_current_boundaries(demo_session, years):
    historical = summarise(session=demo_session, filters=Filters(*years), by="commune")
    current = summarise(session=demo_session, filters=Filters(*years, boundaries="current", on=D(2026, 1, 1)),
                        by="commune")
    assert historical.groupby(["type", "measure"])["value"].sum().to_dict() == \
        current.groupby(["type", "measure"])["value"].sum().to_dict()


def test_summaries_equal_a_group_by_over_the_records(demo_session):
    assert summary_mismatches(demo_session) == []


def test_every_demo_record_follows_its_type_and_places(demo_session):
    units = {u.id: u for u in demo_session.scalars(select(ReportingUnit))}
    communes = {u.key: u for u in demo_session.scalars(select(Unit).where(Unit.level == "commune"))}
    village_commune = dict(demo_session.execute(select(Village.id, Village.unit_key)).all())
    coverage = defaultdict(list)
    for c in demo_session.scalars(select(StationCoverage)):
        coverage[(c.station_id, c.unit_key)].append((c.valid_from, c.valid_to))
    problems: Counter[str] = Counter()
    records = demo_session.scalars(select(ActivityRecord).where(ActivityRecord.is_demo.is_(True))).all()
    assert len(records) > 5_000
    for rec in records:
        definition = get_activity_type(rec.type_code)
        found = record_problems(rec, definition)
        unit = units[rec.reporting_unit_id]
        if unit.kind not in definition.reporting_kinds:
            found.append(f"{unit.kind} may not report {rec.type_code}")
        if rec.commune_key:
            commune = communes[rec.commune_key]
            if not (commune.valid_on(rec.start_date) and commune.valid_on(rec.end_date)):
                found.append("commune not valid on the record's dates")
            if commune.border_status not in ("confirmed", "probable", "possible"):
                found.append("not a border commune")
            if unit.kind == "station" and not any(
                    (f is None or f <= rec.start_date) and (t is None or rec.end_date < t)
                    for f, t in coverage[(unit.id, rec.commune_key)]):
                found.append("station does not cover the commune")
        if rec.village_id and village_commune[rec.village_id] != rec.commune_key:
            found.append("village of another commune")
        if not (D(2012, 1, 1) <= rec.start_date and rec.end_date <= D(2025, 12, 31)):
            found.append("outside 2012–2025")
        if rec.note != DEMO_NOTE:
            found.append("note does not say demo")
        problems.update(f"{rec.type_code}: {p}" for p in found)
    assert not problems, problems.most_common(10)


def test_records_name_old_communes_before_july_2025_and_new_ones_after(demo_session):
    r, u = ActivityRecord, Unit
    rows = demo_session.execute(select(r.start_date, u.valid_from, u.valid_to, u.name)
                                .join(u, u.key == r.commune_key)).all()
    after = [row for row in rows if row.start_date >= REORGANISATION_2025]
    before = [row for row in rows if row.start_date < REORGANISATION_2025]
    assert after and before
    assert all(row.valid_from == REORGANISATION_2025 for row in after)
    assert all(row.valid_to is not None and row.valid_to <= REORGANISATION_2025 for row in before)
    ma_li_chai = [row.start_date for row in rows if row.name == "Ma Li Chải"]
    assert ma_li_chai and max(ma_li_chai) < D(2020, 2, 1)


def test_ten_loudspeaker_clusters_in_two_languages(demo_session):
    r, ru = ActivityRecord, ReportingUnit
    rows = demo_session.execute(
        select(r.reporting_unit_id, r.commune_key, r.languages, ru.kind, ru.commune_key, ru.parent_id, ru.name)
        .join(ru, ru.id == r.reporting_unit_id)
        .where(r.type_code == "loudspeaker_broadcast", r.year.between(2012, 2020))).all()
    assert len({row.reporting_unit_id for row in rows}) == 10
    assert {row.kind for row in rows} == {"loudspeaker_cluster"}
    spoken = defaultdict(set)
    for key, lang in demo_session.execute(select(UnitLanguage.unit_key, UnitLanguage.language)):
        spoken[key].add(lang)
    for row in rows:
        vi, local = row.languages.split(",")
        assert vi == "vi" and local in spoken[row.commune_key] and local != "vi"
        assert row.commune_key == row[4] and row.parent_id is not None and "(mẫu)" in row.name


def test_working_groups_stay_in_the_communes_the_report_names(demo_session):
    names = set(demo_session.scalars(
        select(Unit.name).join(ActivityRecord, ActivityRecord.commune_key == Unit.key)
        .where(ActivityRecord.type_code == "village_working_group", ActivityRecord.year <= 2020)))
    assert names == set(WORKING_GROUP_COMMUNES)


def test_tv_bridge_programme_is_there(demo_session):
    topics = demo_session.scalars(select(ActivityRecord.topic).where(
        ActivityRecord.type_code == "special_event", ActivityRecord.year <= 2020)).all()
    assert topics == ["Cầu truyền hình “Âm vang biên giới”"]


def _monthly(session: Session, type_code: str, column: str) -> dict[int, int]:
    r = ActivityRecord
    month = func.extract("month", r.start_date)
    rows = session.execute(select(month, func.sum(getattr(r, column))).where(
        r.type_code == type_code, r.year <= 2020).group_by(month)).all()
    return {int(m): int(v) for m, v in rows}


@pytest.mark.parametrize("type_code, column", [("outreach_session", "m1"), ("loudspeaker_broadcast", "m1")])
def test_gatherings_peak_before_tet_and_drop_in_the_rainy_season(demo_session, type_code, column):
    months = _monthly(demo_session, type_code, column)
    assert (months[1] + months[2]) / 2 > 1.8 * (months[6] + months[7] + months[8]) / 3


def test_patrols_are_steady_with_a_peak_at_tet(demo_session):
    months = _monthly(demo_session, "patrol", "m1")
    mean = sum(months.values()) / 12
    assert min(months.values()) > 0.75 * mean
    assert months[2] > 1.1 * mean


def test_demo_villages_and_populations_are_marked_and_real_ones_kept(demo_session):
    real = demo_session.scalars(select(Village).where(Village.is_demo.is_(False))).all()
    assert len(real) == 39
    demo = demo_session.scalars(select(Village).where(Village.is_demo.is_(True))).all()
    assert demo and all(DEMO_NOTE in v.note and not v.verified for v in demo)
    assert {v.unit_key for v in demo} >= {"c03562@2025", "c03571@2025", "c03490@1900"}
    facts = demo_session.scalars(select(UnitFact).where(UnitFact.fact == "population")).all()
    real_facts = [f for f in facts if not f.is_demo]
    assert real_facts and all(f.verified for f in real_facts)
    assert all(not f.verified and DEMO_NOTE in f.note for f in facts if f.is_demo)
    with_population = {f.unit_key for f in facts if f.village_id is None and not f.village_text}
    border = demo_session.scalars(select(Unit.key).where(
        Unit.level == "commune", Unit.border_status.in_(["confirmed", "probable", "possible"]))).all()
    assert set(border) <= with_population
    villages_with_population = {f.village_id for f in facts if f.village_id is not None}
    border_villages = demo_session.scalars(select(Village.id).where(Village.unit_key.in_(border))).all()
    assert set(border_villages) <= villages_with_population


def _fingerprint(url: str) -> list[tuple]:
    engine = build_engine(url=url)
    try:
        with write_session(engine) as session:
            load_demo(session=session)
        with Session(engine) as session:
            r = ActivityRecord
            return session.execute(select(
                r.type_code, r.start_date, r.end_date, r.reporting_unit_id, r.commune_key, r.village_id, r.languages,
                r.topic, *[getattr(r, c) for c in MEASURE_COLUMNS]).order_by(r.id)).all()
    finally:
        engine.dispose()


def test_demo_is_deterministic(databases):
    urls = [databases.fresh(demo=False) for _ in range(2)]
    try:
        first, second = (_fingerprint(url) for url in urls)
    finally:
        for url in urls:
            databases.drop(url)
    assert first == second and len(first) > 5_000


@pytest.mark.parametrize("total, weights, lows, highs", [
    (10, [1, 1, 1], None, None),
    (824, [1.0] * 777, [1] * 777, [3] * 777),
    (7_612, [5, 1, 0, 2], [0, 0, 0, 0], [5_000, 5_000, 10, 5_000]),
    (3, [0.0, 0.0, 1.0], None, None),
    (0, [1, 2], None, None),
    (6, [1, 1, 1], [2, 2, 2], [2, 2, 2]),
])
def test_partition_sums_exactly_within_bounds(total, weights, lows, highs):
    parts = partition(total, weights, rng=random.Random(1), lows=lows, highs=highs)
    assert sum(parts) == total and len(parts) == len(weights)
    for i, part in enumerate(parts):
        assert (lows[i] if lows else 0) <= part <= (highs[i] if highs else total)
    assert parts == partition(total, weights, rng=random.Random(1), lows=lows, highs=highs)


@pytest.mark.parametrize("total, weights, lows, highs", [
    (10, [1, 1], [6, 6], None),  # lows above the total
    (10, [1, 1], None, [4, 4]),  # highs below it
    (5, [], None, None),
])
def test_partition_refuses_impossible_splits(total, weights, lows, highs):
    with pytest.raises(ValueError):
        partition(total, weights, rng=random.Random(1), lows=lows, highs=highs)
