"""One aggregation path: filters resolved to keys, pure statements, one roll-up; pages, CLI and report agree."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from data_model.analytics.aggregate import roll_up
from data_model.analytics.filters import Filters, QueryError, ResolvedFilters, resolve_filters
from data_model.analytics.overview import build_overview, yearly_series
from data_model.analytics.places import commune_view, station_view
from data_model.analytics.statements import grouped_statement
from data_model.cli.main import main
from data_model.definitions.activity_types import list_activity_types
from data_model.report.content import gather_report
from data_model.report.scope import Period, Scope, resolve_scope
from data_model.schema.clock import today_local
from data_model.schema.models import ReportingUnit

SI_LO_LAU_2025 = "c03562@2025"
SI_LO_LAU_BEFORE = ("c03550@1900", "c03553@1900", "c03556@1900", "c03559@1900", "c03562@1900", SI_LO_LAU_2025)


def _resolved(**changes) -> ResolvedFilters:
    base = dict(year_from=2012, year_to=2020, types=None, commune_keys=None, unit_ids=None, boundaries="historical",
                on=dt.date(2026, 1, 1))
    return ResolvedFilters(**{**base, **changes})


_SQLITE = sqlite.dialect()


def _sql(statement, dialect=_SQLITE) -> str:
    return " ".join(str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True})).split())


@pytest.mark.parametrize("changes, by, present, absent", [
    ({}, (), ["activity_rollup.year >= 2012", "activity_rollup.year <= 2020", "n_records != 0",
              "GROUP BY activity_rollup.type_code"], [" IN ", "JOIN", "activity_summary"]),
    ({"types": ("patrol",)}, ("year",), ["activity_rollup.year IN (2012, 2013,", "type_code IN ('patrol')",
                                         "GROUP BY activity_rollup.year, activity_rollup.type_code"], ["JOIN"]),
    ({"commune_keys": ("c1@1900", "c2@2025")}, ("commune",),
     ["commune_key IN ('c1@1900', 'c2@2025')", "type_code IN ('outreach_session',"], ["reporting_unit_id IN"]),
    ({"commune_keys": ()}, (), ["activity_summary.commune_key IN (SELECT 1 FROM (SELECT 1) WHERE 1!=1)"],
     []),  # a filter that lets nothing through stays one
    ({"unit_ids": (4, 16)}, ("unit",), ["reporting_unit_id IN (4, 16)", "activity_rollup.year >= 2012"],
     ["commune_key IN"]),
    ({}, ("station",), ["LEFT OUTER JOIN reporting_unit", "CASE WHEN", "'loudspeaker_cluster'",
                        "THEN reporting_unit_1.parent_id ELSE activity_rollup.reporting_unit_id END AS station_id"],
     []),
    ({"commune_keys": ("c1@1900",)}, ("year",), ["FROM activity_summary"], ["activity_rollup"]),
    ({}, ("district",), ['LEFT OUTER JOIN unit AS unit_2 ON unit_2."key" = activity_summary.commune_key',
                         "unit_1.level = 'district'", 'unit_1."key" AS district_key'], []),
])
def test_statements_are_built_from_the_resolved_filters_alone(changes, by, present, absent):
    text = _sql(grouped_statement(resolved=_resolved(**changes), by=by))
    for part in present:
        assert part in text
    for part in absent:
        assert part not in text


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.dialect()], ids=["sqlite", "postgresql"])
def test_every_grouping_compiles_on_both_engines(dialect):
    statement = grouped_statement(resolved=_resolved(types=("patrol",), unit_ids=(1,)),
                                  by=("year", "commune", "district", "unit", "station"), sums=("s1",))
    assert "sum(activity_summary.s1) AS s1" in _sql(statement, dialect)


def test_unknown_grouping_is_refused():
    with pytest.raises(ValueError, match="village"):
        grouped_statement(resolved=_resolved(), by=("village",))


@pytest.mark.parametrize("rows, rollup, expected", [
    ([("a", "t", 3, 30)], {"a": [("b", 1.0)]}, [("b", "t", 3, 30)]),  # a merger
    ([("a", "t", 3, 30), ("b", "t", 1, 10)], {"a": [("b", 1.0)]}, [("b", "t", 4, 40)]),  # added to what was there
    ([("a", "t", 3, 31)], {"a": [("b", 0.5), ("c", 0.5)]}, [("b", "t", 2, 16), ("c", "t", 2, 16)]),  # split, rounded
    ([("x", "t", 1, 5)], {"a": [("b", 1.0)]}, [("x", "t", 1, 5)]),  # a unit the roll-up does not know stays
    ([("", "t", 2, 7)], {"a": [("b", 1.0)]}, [("", "t", 2, 7)]),  # records without a commune stay without
])
def test_roll_up(rows, rollup, expected):
    assert sorted(roll_up(rows=rows, at=0, keys=2, rollup=rollup)) == sorted(expected)


def test_roll_up_keeps_other_groups_apart():
    rows = [(2019, "a", "t", 1, 10), (2020, "a", "t", 2, 20), (2020, "b", "t", 4, 40)]
    assert sorted(roll_up(rows=rows, at=1, keys=3, rollup={"a": [("b", 1.0)]})) == [
        (2019, "b", "t", 1, 10), (2020, "b", "t", 6, 60)]


def _units(session: Session) -> dict[str, ReportingUnit]:
    return {u.key: u for u in session.scalars(select(ReportingUnit))}


def test_filters_resolve_to_concrete_keys(shared_demo):
    units = _units(shared_demo)
    station = units["st_vang_ma_chai"]
    clusters = {u.id for u in units.values() if u.parent_id == station.id and u.kind == "loudspeaker_cluster"}
    assert len(clusters) == 2
    resolved = resolve_filters(session=shared_demo, filters=Filters(2012, 2025, stations=(station.id,)))
    assert set(resolved.unit_ids) == {station.id} | clusters
    assert resolved.commune_keys is None and resolved.types is None
    current = resolve_filters(session=shared_demo, filters=Filters(2012, 2025, communes=(SI_LO_LAU_2025,),
                                                            boundaries="current", on=dt.date(2026, 1, 1)))
    assert current.commune_keys == SI_LO_LAU_BEFORE and current.on == dt.date(2026, 1, 1)
    recorded = resolve_filters(session=shared_demo, filters=Filters(2012, 2025, communes=(SI_LO_LAU_2025,)))
    assert recorded.commune_keys == (SI_LO_LAU_2025,) and recorded.on == today_local()
    in_district = Filters(2012, 2025, district="d109@1900", types=("patrol",))
    district = resolve_filters(session=shared_demo, filters=in_district)
    assert "c03550@1900" in district.commune_keys and SI_LO_LAU_2025 not in district.commune_keys
    assert district.types == ("patrol",)
    with pytest.raises(QueryError, match="huyện"):
        resolve_filters(session=shared_demo, filters=Filters(2012, 2025, district="d109@1900", boundaries="current"))


def _nonzero(figures: dict) -> dict:
    return {k: int(v) for k, v in figures.items() if v}


def _page_figures(session: Session, filters: Filters) -> dict[str, dict]:
    """What the Overview, Trends, By-commune and By-station pages show for the filters."""
    overview = build_overview(session=session, filters=filters, year=filters.year_to,
                              period=(filters.year_from, filters.year_to))
    series = yearly_series(session=session, filters=filters)
    keys = {u.id: u.key for u in _units(session).values()}
    communes, stations = {}, {}
    for definition in list_activity_types():
        if filters.types and definition.code not in filters.types:
            continue  # the pages offer only the types the sidebar lets through
        for m in definition.measures:
            view = commune_view(session=session, filters=filters, type_code=definition.code, measure=m.code)
            communes.update({(r.key, definition.code, m.code): r.value for r in view.ranking.itertuples()})
            view = station_view(session=session, filters=filters, type_code=definition.code, measure=m.code)
            stations.update({(keys[r.key], definition.code, m.code): r.value for r in view.ranking.itertuples()})
    return {"types": _nonzero({(r.type, r.measure): r.value for r in overview.period.itertuples()}),
            "years": _nonzero({(r.year, r.type, r.measure): r.value for r in series.itertuples()}),
            "communes": _nonzero(communes), "stations": _nonzero(stations)}


def _cli_figures(monkeypatch, capsys, url: str, years: tuple[int, int], options: list[str],
                 stations: set[str]) -> dict[str, dict]:
    """What `summary --format json` prints for the same years and filters, one run per grouping."""
    monkeypatch.setenv("DATABASE_URL", url)

    def rows(by: str) -> list[dict]:
        status = main(["summary", "--from", str(years[0]), "--to", str(years[1]), "--by", by, "--format", "json",
                       *options])
        out, err = capsys.readouterr()
        assert status == 0, err
        return json.loads(out)

    return {"types": _nonzero({(r["type"], r["measure"]): r["value"] for r in rows("type")}),
            "years": _nonzero({(r["year"], r["type"], r["measure"]): r["value"] for r in rows("year")}),
            "communes": _nonzero({(r["commune_key"], r["type"], r["measure"]): r["value"] for r in rows("commune")
                                  if r["commune_key"] != "none"}),
            "stations": _nonzero({(r["station_key"], r["type"], r["measure"]): r["value"] for r in rows("station")
                                  if r["station_key"] in stations})}


def _report_figures(session: Session, scope: str, years: tuple[int, int]) -> dict[str, dict]:
    """The figures the report for the scope and years writes."""
    content = gather_report(session=session, scope=Scope.parse(scope), period=Period(*years))
    return {"types": _nonzero({(t.code, m): v for t in content.types for m, v in t.values.items()}),
            "years": _nonzero({(y, t.code, m): v for t in content.types for y, values in t.by_year.items()
                               for m, v in values.items()}),
            "communes": _nonzero({(p.key, t, m): v for p in content.communes if p.key != "none"
                                  for (t, m), v in p.values.items()}),
            "stations": _nonzero({(p.key, t, m): v for p in content.stations if p.group == "station"
                                  for (t, m), v in p.values.items()})}


@pytest.mark.parametrize("scope, years, options", [
    ("province", (2012, 2020), []),
    ("district:d107@1900", (2016, 2024), ["--district", "d107@1900"]),
    # a station with two loudspeaker clusters; a report reaching 1 July 2025 is on today's communes
    ("station:st_vang_ma_chai", (2019, 2025), ["--unit", "st_vang_ma_chai", "--boundaries", "current"]),
    (f"commune:{SI_LO_LAU_2025}", (2012, 2025), ["--commune", SI_LO_LAU_2025, "--boundaries", "current"]),
])
def test_pages_cli_and_report_agree_for_a_report_scope(monkeypatch, capsys, shared_demo_url, shared_demo, scope, years,
                                                       options):
    stations = {k for k, u in _units(shared_demo).items() if u.kind == "station"}
    filters = resolve_scope(session=shared_demo, scope=Scope.parse(scope), period=Period(*years)).filters
    pages = _page_figures(shared_demo, filters)
    assert pages["types"] and pages["years"] and pages["stations"]
    assert pages == _cli_figures(monkeypatch, capsys, shared_demo_url, years, options, stations)
    assert pages == _report_figures(shared_demo, scope, years)


@pytest.mark.parametrize("filters, options", [
    (Filters(2018, 2025, types=("loudspeaker_broadcast", "patrol"), boundaries="current"),
     ["--type", "loudspeaker_broadcast", "--type", "patrol", "--boundaries", "current"]),
    (Filters(2015, 2025, communes=("c03442@1900", "c03442@2025")),  # Pa Ủ before and after 1 July 2025
     ["--commune", "c03442@1900", "--commune", "c03442@2025"]),
])
def test_pages_and_cli_agree_for_other_filters(monkeypatch, capsys, shared_demo_url, shared_demo, filters, options):
    stations = {k for k, u in _units(shared_demo).items() if u.kind == "station"}
    pages = _page_figures(shared_demo, filters)
    assert pages["types"] and pages["communes"]
    years = (filters.year_from, filters.year_to)
    assert pages == _cli_figures(monkeypatch, capsys, shared_demo_url, years, options, stations)
