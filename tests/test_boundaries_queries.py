"""Boundary roll-up and the summary queries: as recorded vs current, equal totals, filters."""
import datetime as dt

import pytest
from sqlalchemy import func, select

from data_model.analytics.aggregate import first_and_last_year
from data_model.analytics.filters import Filters, QueryError
from data_model.analytics.summary import GROUP_BYS, summarise
from data_model.records.bulk import insert_records
from data_model.records.summaries import rebuild_summaries
from data_model.records.summary_check import check_derived_tables
from data_model.reference.boundaries import build_rollup, load_rollup, units_valid_on
from data_model.schema.models import ActivityRecord, ActivitySummary, ReportingUnit

D = dt.date
UNITS = {"a": (None, D(2020, 2, 1)), "b": (None, D(2025, 7, 1)), "c": (D(2025, 7, 1), None),
         "x": (None, D(2025, 7, 1)), "y": (D(2025, 7, 1), None), "z": (D(2025, 7, 1), None)}
LINKS = [("a", "b", D(2020, 2, 1), 1.0), ("b", "c", D(2025, 7, 1), 1.0),
         ("x", "y", D(2025, 7, 1), 0.25), ("x", "z", D(2025, 7, 1), 0.75)]


@pytest.mark.parametrize("key, on, expected", [
    ("a", D(2019, 1, 1), [("a", 1.0)]),  # still valid
    ("a", D(2021, 1, 1), [("b", 1.0)]),  # merged in 2020
    ("a", D(2026, 1, 1), [("c", 1.0)]),  # chain followed through 2025
    ("b", D(2026, 1, 1), [("c", 1.0)]),
    ("c", D(2026, 1, 1), [("c", 1.0)]),
    ("x", D(2026, 1, 1), [("y", 0.25), ("z", 0.75)]),  # a split carries shares
])
def test_build_rollup(key, on, expected):
    assert build_rollup(units=UNITS, links=LINKS, on=on)[key] == expected


def test_every_old_commune_reaches_a_2025_commune(session):
    rollup = load_rollup(session=session, on=D(2026, 1, 1))
    current = {u.key for u in units_valid_on(session=session, on=D(2026, 1, 1))}
    assert len(current) == 38
    assert all(all(t in current for t, _ in targets) for targets in rollup.values())
    assert rollup["c03556@1900"] == [("c03562@2025", 1.0)]  # Ma Li Chải → Sì Lở Lầu → Sì Lở Lầu 2025


@pytest.mark.parametrize("day, alive, gone", [
    (D(2019, 6, 1), "c03556@1900", "c03562@2025"),
    (D(2020, 6, 1), "c03550@1900", "c03556@1900"),
    (D(2025, 7, 1), "c03562@2025", "c03550@1900"),
])
def test_units_valid_on(session, day, alive, gone):
    keys = {u.key for u in units_valid_on(session=session, on=day)}
    assert alive in keys and gone not in keys


def _station(session, key):
    return session.scalar(select(ReportingUnit.id).where(ReportingUnit.key == key))


@pytest.fixture
def records(session):
    si_lo_lau = _station(session, "st_si_lo_lau")
    rows = [
        dict(type_code="outreach_session", start_date=D(2019, 3, 2), end_date=D(2019, 3, 2), commune_key="c03556@1900",
             reporting_unit_id=si_lo_lau, m1=1, m2=40),
        dict(type_code="outreach_session", start_date=D(2021, 3, 2), end_date=D(2021, 3, 2), commune_key="c03550@1900",
             reporting_unit_id=si_lo_lau, m1=2, m2=70),
        dict(type_code="outreach_session", start_date=D(2025, 9, 2), end_date=D(2025, 9, 2), commune_key="c03562@2025",
             reporting_unit_id=si_lo_lau, m1=1, m2=55),
        dict(type_code="patrol", start_date=D(2021, 1, 1), end_date=D(2021, 1, 31), commune_key="c03571@1900",
             reporting_unit_id=_station(session, "st_dao_san"), m1=20, m2=100, m3=4, m4=12),
        dict(type_code="press_item", start_date=D(2021, 1, 1), end_date=D(2021, 12, 31), commune_key=None,
             reporting_unit_id=None, m1=300),
        dict(type_code="loudspeaker_broadcast", start_date=D(2021, 5, 2), end_date=D(2021, 5, 2),
             commune_key="c03571@1900", reporting_unit_id=None, languages="vi,mong", m1=1, m2=60),
    ]
    insert_records(session=session, rows=rows)
    session.commit()
    return rows


def _totals(frame):
    return frame.groupby(["type", "measure"])["value"].sum().to_dict()


@pytest.mark.parametrize("by, boundaries", [
    (by, boundaries) for by in GROUP_BYS for boundaries in ("historical", "current")
    if not (by == "district" and boundaries == "current")  # districts exist only as recorded
])
def test_every_grouping_gives_the_same_grand_total(session, records, by, boundaries):
    expected = _totals(summarise(session=session, filters=Filters(2012, 2025), by="type"))
    assert expected[("outreach_session", "attendances")] == 165
    assert _totals(summarise(session=session, filters=Filters(2012, 2025, boundaries=boundaries), by=by)) == expected


def test_current_boundaries_roll_old_communes_up(session, records):
    hist = summarise(session=session, filters=Filters(2012, 2025, types=("outreach_session",)), by="commune")
    cur = summarise(session=session, filters=Filters(2012, 2025, types=("outreach_session",), boundaries="current"),
                    by="commune")
    def attendances(f):
        return dict(zip(f[f.measure == "attendances"].commune_key, f[f.measure == "attendances"].value))
    assert attendances(hist) == {"c03550@1900": 70, "c03556@1900": 40, "c03562@2025": 55}
    assert attendances(cur) == {"c03562@2025": 165}


def test_records_without_a_commune_form_a_none_group(session, records):
    frame = summarise(session=session, filters=Filters(2021, 2021, types=("press_item",)), by="commune")
    assert frame[["commune_code", "commune_key", "value"]].values.tolist() == [["none", "none", 300]]


def test_commune_filter_in_current_boundaries_includes_predecessors(session, records):
    filters = Filters(2012, 2025, communes=("c03562@2025",), boundaries="current", types=("outreach_session",))
    frame = summarise(session=session, filters=filters, by="year")
    assert frame[frame.measure == "attendances"].value.sum() == 165
    recorded = Filters(2012, 2025, communes=("c03562@2025",), types=("outreach_session",))
    assert summarise(session=session, filters=recorded, by="year").query("measure == 'attendances'").value.sum() == 55


def test_district_filter_and_grouping(session, records):
    frame = summarise(session=session, filters=Filters(2012, 2025, district="d109@1900"), by="district")
    assert set(frame.district_code) == {"109"}
    assert frame[(frame.type == "patrol") & (frame.measure == "patrols")].value.sum() == 20


def test_station_grouping_names_the_station(session, records):
    frame = summarise(session=session, filters=Filters(2021, 2021, types=("patrol",)), by="station")
    assert frame.station.tolist()[0] == "Dào San"


def test_summaries_equal_a_direct_group_by(session, records):
    assert check_derived_tables(session=session).ok
    rebuild_summaries(session=session)
    assert check_derived_tables(session=session).ok
    assert session.scalar(select(func.sum(ActivitySummary.n_records))) == \
        session.scalar(select(func.count()).select_from(ActivityRecord).where(ActivityRecord.deleted_at.is_(None)))


def test_first_and_last_year(session, records):
    assert first_and_last_year(session=session) == (2019, 2025)


@pytest.mark.parametrize("filters, message", [
    (Filters(2020, 2012), "lớn hơn"),
    (Filters(2012, 2020, types=("nope",)), "không tồn tại"),
    (Filters(2012, 2020, district="d109@1900", boundaries="current"), "huyện"),
])
def test_impossible_filters_are_refused(session, filters, message):
    with pytest.raises(QueryError, match=message):
        summarise(session=session, filters=filters, by="type")


def test_empty_database_gives_empty_frames(session):
    assert summarise(session=session, filters=Filters(2012, 2020), by="commune").empty
    assert first_and_last_year(session=session) is None
