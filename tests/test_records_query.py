"""Records page query: keyset pages cover every live record once, in order; filters; counts from the summary."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text, update

from data_model.analytics.filters import Filters
from data_model.analytics.records_query import count_records, fetch_records, records_statement
from data_model.records.bulk import insert_records
from data_model.records.summaries import RecordFigures, apply_changes
from data_model.schema.db import write_session
from data_model.schema.models import ActivityRecord, ReportingUnit

MA_LI_CHAI, SI_LO_LAU, SI_LO_LAU_2025, MU_CA = "c03556@1900", "c03550@1900", "c03562@2025", "c03451@1900"


@pytest.fixture
def filled(engine):
    """23 records over three years, several on the same day (ties broken by id), one deleted."""
    with write_session(engine) as s:
        unit = {u.key: u.id for u in s.scalars(select(ReportingUnit))}
        rows = []
        for i in range(23):
            year = 2019 + i % 3
            day = dt.date(year, 1 + i % 4, 10)  # four distinct days per year: many ties
            commune = (MA_LI_CHAI, SI_LO_LAU, MU_CA)[i % 3 if year != 2021 else 1]
            station = "st_mu_ca" if commune == MU_CA else "st_si_lo_lau"
            rows.append(dict(type_code="outreach_session" if i % 2 else "leaflet_issue", start_date=day, end_date=day,
                             year=year, reporting_unit_id=unit[station], commune_key=commune,
                             m1=i + 1, m2=(i + 1) * 10 if i % 2 else None, topic=f"Chủ đề {i}"))
        ids = insert_records(session=s, rows=rows)
        deleted = s.get(ActivityRecord, ids[5])
        apply_changes(session=s, removed=[RecordFigures.of(deleted)])
        s.execute(update(ActivityRecord).where(ActivityRecord.id == ids[5]).values(deleted_at=dt.datetime(2024, 1, 1)))
    return engine


def _all_pages(session, filters, *, newest_first=True, page_size=5):
    seen, after, pages = [], None, 0
    while True:
        page = fetch_records(session=session, filters=filters, after=after, newest_first=newest_first,
                             page_size=page_size)
        seen.extend(zip(page.rows["start_date"], page.rows["id"]))
        pages += 1
        if page.next_cursor is None:
            return seen, pages
        after = page.next_cursor


@pytest.mark.parametrize("newest_first", [True, False])
def test_pages_cover_every_live_record_once_in_order(session, filled, newest_first):
    seen, pages = _all_pages(session, Filters(2019, 2021), newest_first=newest_first)
    live = session.execute(select(ActivityRecord.start_date, ActivityRecord.id)
                           .where(ActivityRecord.deleted_at.is_(None))).all()
    assert len(seen) == len(set(seen)) == len(live) == 22
    assert seen == sorted((tuple(r) for r in live), reverse=newest_first)
    assert pages == 5  # 22 records, 5 per page; the last page knows it is the last without a COUNT


def test_count_comes_from_the_summary_and_matches(session, filled):
    for filters in (Filters(2019, 2021), Filters(2020, 2020), Filters(2019, 2021, types=("leaflet_issue",)),
                    Filters(2019, 2021, communes=(SI_LO_LAU_2025,), boundaries="current")):
        seen, _ = _all_pages(session, filters, page_size=50)
        assert count_records(session=session, filters=filters) == len(seen)


def test_filters_narrow_the_records(session, filled):
    rows = fetch_records(session=session, filters=Filters(2021, 2021), page_size=100).rows
    assert set(rows["commune_key"]) == {SI_LO_LAU} and all(d.year == 2021 for d in rows["start_date"])
    recorded = fetch_records(session=session, filters=Filters(2019, 2021, communes=(SI_LO_LAU,)), page_size=100).rows
    now = Filters(2019, 2021, communes=(SI_LO_LAU_2025,), boundaries="current")
    current = fetch_records(session=session, filters=now,
                            page_size=100).rows
    assert set(current["commune_key"]) == {SI_LO_LAU, MA_LI_CHAI}  # the 2025 commune includes its predecessors
    assert set(recorded["commune_key"]) == {SI_LO_LAU} and len(current) > len(recorded)
    leaflets = fetch_records(session=session, filters=Filters(2019, 2021, types=("leaflet_issue",)), page_size=100).rows
    assert set(leaflets["type"]) == {"leaflet_issue"}
    assert fetch_records(session=session, filters=Filters(2030, 2031)).rows.empty


def test_rows_are_readable(session, filled):
    outreach = Filters(2019, 2021, types=("outreach_session",))
    row = fetch_records(session=session, filters=outreach, page_size=1).rows.iloc[0]
    assert row["type_name"] == "Tuyên truyền tại bản"
    assert row["unit"] in ("Sì Lở Lầu", "Mù Cả")
    assert row["figures"].startswith("Số buổi: ") and "Lượt người nghe: " in row["figures"]


def test_sqlite_walks_the_start_date_index(session, filled):
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("query plan checked on SQLite")
    stmt = records_statement(session=session, filters=Filters(2019, 2021)).limit(51)
    sql = str(stmt.compile(session.get_bind(), compile_kwargs={"literal_binds": True}))
    plan = " ".join(str(r[-1]) for r in session.execute(text("EXPLAIN QUERY PLAN " + sql)))
    assert "ix_record_start_id" in plan and "TEMP B-TREE" not in plan  # no sort of the whole table
