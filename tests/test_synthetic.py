"""Synthetic benchmark records: exact counts, valid records over every place and type, exact summaries."""
from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from entry_helpers import summary_mismatches
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from test_demo import record_problems

from data_model.definitions.activity_types import get_activity_type, list_activity_types
from data_model.definitions.fields import MEASURE_COLUMNS
from data_model.demo.synthetic import MAX_RECORDS, SYNTHETIC_NOTE, generate_records
from data_model.reference.boundaries import REORGANISATION_2025
from data_model.schema.db import build_engine
from data_model.schema.migrate import upgrade_schema
from data_model.schema.models import ActivityRecord, ReportingUnit, StationCoverage, Unit, Village

D = dt.date


def _synthetic(session: Session) -> list[ActivityRecord]:
    return session.scalars(select(ActivityRecord).where(ActivityRecord.note == SYNTHETIC_NOTE)).all()


def test_generate_adds_n_valid_records_with_exact_summaries(engine):
    result = generate_records(engine=engine, n=5_000, seed=7, batch_size=1_500)
    assert result.rows == 5_000 and result.seconds > 0
    with Session(engine) as session:
        records = _synthetic(session)
        assert len(records) == 5_000 and all(r.is_demo for r in records)
        assert summary_mismatches(session) == []
        units = {u.id: u for u in session.scalars(select(ReportingUnit))}
        communes = {u.key: u for u in session.scalars(select(Unit).where(Unit.level == "commune"))}
        village_commune = dict(session.execute(select(Village.id, Village.unit_key)).all())
        covered = {(c.station_id, c.unit_key) for c in session.scalars(select(StationCoverage))}
        problems: Counter[str] = Counter()
        for rec in records:
            definition = get_activity_type(rec.type_code)
            found = record_problems(rec, definition)
            if rec.reporting_unit_id is not None and units[rec.reporting_unit_id].kind not in definition.reporting_kinds:
                found.append("reporting unit of a kind the type does not allow")
            if rec.commune_key:
                commune = communes[rec.commune_key]
                if not (commune.valid_on(rec.start_date) and commune.valid_on(rec.end_date)):
                    found.append("commune not valid on the record's dates")
            if rec.village_id and village_commune[rec.village_id] != rec.commune_key:
                found.append("village of another commune")
            problems.update(f"{rec.type_code}: {p}" for p in found)
        assert not problems, problems.most_common(10)
        # spread: every type, every year, most communes of both periods, stations covering their communes
        assert {r.type_code for r in records} == {t.code for t in list_activity_types()}
        assert {r.year for r in records} == set(range(2012, 2026))
        old = {r.commune_key for r in records if r.commune_key and r.start_date < REORGANISATION_2025}
        new = {r.commune_key for r in records if r.commune_key and r.start_date >= REORGANISATION_2025}
        assert len(old) > 90 and len(new) > 25
        assert all(communes[k].valid_from == REORGANISATION_2025 for k in new)
        assert any(r.village_id for r in records)
        # a station reports in a commune it covers whenever the commune has a covering station
        has_station = {k for _, k in covered}
        assert all((r.reporting_unit_id, r.commune_key) in covered for r in records
                   if r.commune_key in has_station and units[r.reporting_unit_id].kind == "station")


def test_generate_on_top_of_demo_data_keeps_summaries_exact(demo_engine):
    with Session(demo_engine) as session:
        before = session.scalar(select(func.count()).select_from(ActivityRecord))
    generate_records(engine=demo_engine, n=2_000, seed=2)
    with Session(demo_engine) as session:
        assert session.scalar(select(func.count()).select_from(ActivityRecord)) == before + 2_000
        assert summary_mismatches(session) == []
        clusters = session.scalar(select(func.count()).select_from(ActivityRecord).join(
            ReportingUnit, ReportingUnit.id == ActivityRecord.reporting_unit_id).where(
            ActivityRecord.note == SYNTHETIC_NOTE, ReportingUnit.kind == "loudspeaker_cluster"))
        assert clusters > 0


def _fingerprint(engine) -> list[tuple]:
    r = ActivityRecord
    with Session(engine) as session:
        return session.execute(select(r.type_code, r.start_date, r.end_date, r.reporting_unit_id, r.commune_key,
                                      r.village_id, r.languages, *[getattr(r, c) for c in MEASURE_COLUMNS])
                               .where(r.note == SYNTHETIC_NOTE).order_by(r.id)).all()


def test_same_seed_same_records(databases):
    urls = [databases.fresh(demo=False) for _ in range(2)]
    engines = [build_engine(url=u) for u in urls]
    try:
        for e in engines:
            generate_records(engine=e, n=1_000, seed=5, batch_size=300)
        first, second = (_fingerprint(e) for e in engines)
    finally:
        for e, u in zip(engines, urls):
            e.dispose()
            databases.drop(u)
    assert first == second and len(first) == 1_000


@pytest.mark.parametrize("n", [0, -1, MAX_RECORDS + 1])
def test_generate_refuses_a_bad_count(engine, n):
    with pytest.raises(ValueError, match="Số bản ghi"):
        generate_records(engine=engine, n=n)


def test_generate_needs_reference_data(tmp_path):
    engine = build_engine(url=f"sqlite:///{tmp_path / 'empty.sqlite'}", create=True)
    try:
        upgrade_schema(engine=engine)
        with pytest.raises(ValueError, match="dữ liệu tham chiếu"):
            generate_records(engine=engine, n=10)
        with Session(engine) as session:
            assert session.scalar(select(func.count()).select_from(ActivityRecord)) == 0
    finally:
        engine.dispose()
