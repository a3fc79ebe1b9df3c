"""The overview's first screen without Streamlit: which year it opens on, a year in progress against the same months of
last year, % of plan, reporting completeness and what needs attention."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from data_model.analytics.filters import Filters
from data_model.basics.permissions import SYSTEM
from data_model.plans.glance import build_overview_page, choose_overview_year, complete_years, months_ended
from data_model.plans.targets import set_target
from data_model.records.bulk import insert_records
from data_model.reporting.confirmations import expected_units
from data_model.schema.db import read_session, write_session
from data_model.schema.models import ReportingUnit
from data_model.schema.planning import MonthConfirmation, YearClose

TODAY = dt.date(2026, 12, 7)
MU_CA = "c03451@1900"


def _outreach(unit: int, day: dt.date, sessions: int, people: int = 10) -> dict:
    return dict(type_code="outreach_session", start_date=day, end_date=day, year=day.year, reporting_unit_id=unit,
                commune_key=MU_CA if day.year < 2025 else None, m1=sessions, m2=people)


@pytest.fixture
def station(engine) -> int:
    with read_session(engine) as s:
        return s.scalar(select(ReportingUnit.id).where(ReportingUnit.key == "st_mu_ca"))


@pytest.fixture
def filled(engine, station) -> None:
    """2 sessions a month in 2024 and 2025, 3 a month in 2026 up to 7 December."""
    rows = [_outreach(station, dt.date(y, m, 10), 2) for y in (2024, 2025) for m in range(1, 13)]
    rows += [_outreach(station, dt.date(2026, m, 10), 3) for m in range(1, 12)]
    rows += [_outreach(station, dt.date(2026, 12, 3), 3)]
    with write_session(engine) as s:
        insert_records(session=s, rows=rows)


def _confirm_all(engine, year: int, *, skip: tuple[int, int] | None = None) -> None:
    """Every expected unit confirms every month of the year (but the skipped (unit id, month))."""
    with write_session(engine) as s:
        for unit in expected_units(session=s):
            for month in range(1, 13):
                if (unit.id, month) != skip:
                    s.add(MonthConfirmation(reporting_unit_id=unit.id, year=year, month=month,
                                            confirmed_at=dt.datetime(year + (month == 12), month % 12 + 1, 2),
                                            deadline=dt.date(year + (month == 12), month % 12 + 1, 5)))


def _page(engine, year: int, **filters):
    with read_session(engine) as s:
        return build_overview_page(session=s, filters=Filters(2024, 2026, **filters), year=year, today=TODAY)


def _sessions(page):
    return page.glance.figures.set_index("type").loc["outreach_session"]


def test_the_overview_opens_on_the_last_year_over_not_on_a_year_just_begun(engine, filled):
    with read_session(engine) as s:
        assert choose_overview_year(session=s, today=TODAY) == 2025  # 2026 has records, but it is not over
        assert choose_overview_year(session=s, today=dt.date(2027, 1, 2)) == 2026


def test_complete_reporting_or_a_close_decides_the_year(engine, filled, station):
    _confirm_all(engine, 2024)
    _confirm_all(engine, 2025, skip=(station, 11))  # one month missing: 2025 is not complete
    with read_session(engine) as s:
        assert complete_years(session=s, today=TODAY) == [2024]
        assert choose_overview_year(session=s, today=TODAY) == 2024
    with write_session(engine) as s:
        s.add(YearClose(year=2025, current_year=2025, closed_at=dt.datetime(2026, 2, 1), closed_by_name="admin",
                        note="", reopened_by_name="", reopen_reason=""))
    with read_session(engine) as s:
        assert choose_overview_year(session=s, today=TODAY) == 2025  # closed, so settled


def test_an_empty_database_has_no_year(engine):
    with read_session(engine) as s:
        assert choose_overview_year(session=s, today=TODAY) is None


def test_months_ended():
    assert months_ended(year=2025, today=TODAY) == 12
    assert months_ended(year=2026, today=TODAY) == 11
    assert months_ended(year=2027, today=TODAY) == 0


def test_a_past_year_against_the_whole_year_before(engine, filled):
    page = _page(engine, 2025)
    assert page.glance.months == 12 and not page.glance.in_progress
    row = _sessions(page)
    assert (row["value"], row["previous"], row["change"]) == (24, 24, 0.0)
    assert row["target"] is None and row["percent"] is None  # no plan


def test_a_year_in_progress_against_the_same_months_of_last_year(engine, filled):
    page = _page(engine, 2026)
    assert page.glance.months == 11 and page.glance.in_progress
    row = _sessions(page)
    # to the end of November: 11 × 3 this year (the December session not counted) against 11 × 2 last year
    assert (row["value"], row["previous"]) == (33, 22)
    assert row["change"] == pytest.approx(0.5)
    cards = page.overview.kpis.set_index("measure").loc["sessions"]  # the long cards say the same
    assert (cards["value"], cards["previous"]) == (33, 22)


def test_percent_of_plan_and_behind_by_the_share_due(engine, filled):
    with write_session(engine) as s:
        set_target(session=s, actor=SYSTEM, year=2026, level="province", scope_key="", type_code="outreach_session",
                   measure="sessions", value=40)
        set_target(session=s, actor=SYSTEM, year=2026, level="unit", scope_key="st_mu_ca",
                   type_code="outreach_session", measure="sessions", value=60)
    row = _sessions(_page(engine, 2026))
    assert row["target"] == 40 and row["percent"] == pytest.approx(33 * 100 / 40)
    assert row["expected_percent"] == pytest.approx(11 * 100 / 12) and row["behind"]  # 82,5% of the 91,7% due
    glance = _page(engine, 2026).glance
    behind = glance.behind.set_index("name")
    assert behind.loc["Mù Cả", "level"] == "unit" and behind.loc["Mù Cả", "targets"] == 1


def test_plan_is_left_out_when_a_station_filter_narrows_the_figures(engine, filled, station):
    with write_session(engine) as s:
        set_target(session=s, actor=SYSTEM, year=2025, level="province", scope_key="", type_code="outreach_session",
                   measure="sessions", value=20)
    assert _sessions(_page(engine, 2025))["percent"] == pytest.approx(120.0)
    assert not _page(engine, 2025, stations=(station,)).glance.plan_shown


def test_reporting_completeness_and_overdue_months(engine, filled, station):
    _confirm_all(engine, 2025, skip=(station, 11))
    glance = _page(engine, 2025).glance
    r = glance.reporting
    assert r["expected"] == 12 * r["units"] and r["confirmed"] == r["expected"] - 1
    assert r["units_complete"] == r["units"] - 1
    overdue = glance.overdue.set_index("unit")
    assert list(overdue.index) == ["Mù Cả"] and overdue.loc["Mù Cả", "months"] == [11]
