"""Dashboard queries: overview KPIs equal summarise(), both boundary views, stations, comparison, empty DB."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import select

from data_model.analytics.aggregate import filter_options, grouped_summary
from data_model.analytics.compare import busiest_communes, compare_communes
from data_model.analytics.filters import Filters, QueryError, parse_whole_number
from data_model.analytics.overview import build_overview, change_ratio, period_sentence, yearly_kpis, yearly_series
from data_model.analytics.places import commune_detail, commune_view, per_thousand, station_detail, station_view
from data_model.analytics.summary import summarise
from data_model.analytics.units import Population, commune_names, population_by_commune, with_cluster_units
from data_model.records.bulk import insert_records
from data_model.schema.db import write_session
from data_model.schema.models import ReportingUnit

MA_LI_CHAI, SI_LO_LAU, SI_LO_LAU_2025 = "c03556@1900", "c03550@1900", "c03562@2025"
MU_CA, MU_CA_2025, PA_TAN = "c03451@1900", "c03451@2025", "c03493@1900"
TO_KHO, XI_NE = 2, 3  # reference villages of Mù Cả


def _day(year: int, month: int = 5, day: int = 6) -> dt.date:
    return dt.date(year, month, day)


def _outreach(unit: int, commune: str, year: int, sessions: int, people: int, village: int | None = None,
              month: int = 5) -> dict:
    return dict(type_code="outreach_session", start_date=_day(year, month), end_date=_day(year, month), year=year,
                reporting_unit_id=unit, commune_key=commune, village_id=village, m1=sessions, m2=people)


@pytest.fixture
def units(engine) -> dict[str, int]:
    """Reporting unit ids by key, plus a loudspeaker cluster under the Sì Lở Lầu station."""
    with write_session(engine) as s:
        ids = {u.key: u.id for u in s.scalars(select(ReportingUnit))}
        cluster = ReportingUnit(key="cl_si_lo_lau", kind="loudspeaker_cluster", name="Cụm loa Sì Lở Lầu",
                                short_name="Cụm loa Sì Lở Lầu", parent_id=ids["st_si_lo_lau"], commune_key=SI_LO_LAU)
        s.add(cluster)
        s.flush()
        ids["cl_si_lo_lau"] = cluster.id
    return ids


@pytest.fixture
def filled(engine, units):
    """A few records whose totals are easy to check by hand."""
    rows = [
        _outreach(units["st_si_lo_lau"], MA_LI_CHAI, 2019, 10, 300),
        _outreach(units["st_si_lo_lau"], SI_LO_LAU, 2019, 4, 100),
        _outreach(units["st_si_lo_lau"], SI_LO_LAU, 2020, 6, 200),
        _outreach(units["st_mu_ca"], MU_CA, 2020, 8, 400, village=TO_KHO),
        _outreach(units["st_mu_ca"], MU_CA, 2020, 2, 50, village=TO_KHO, month=9),
        _outreach(units["st_pa_tan"], PA_TAN, 2020, 1, 10),
        dict(type_code="loudspeaker_broadcast", start_date=_day(2020), end_date=_day(2020, 6), year=2020,
             reporting_unit_id=units["cl_si_lo_lau"], commune_key=SI_LO_LAU, languages="vi,mong", m1=12, m2=360),
        dict(type_code="loudspeaker_broadcast", start_date=_day(2020), end_date=_day(2020, 6), year=2020,
             reporting_unit_id=units["st_mu_ca"], commune_key=MU_CA, languages="vi", m1=3, m2=90),
        dict(type_code="patrol", start_date=_day(2020, 1, 1), end_date=_day(2020, 1, 31), year=2020,
             reporting_unit_id=units["st_mu_ca"], commune_key=None, m1=20, m2=100, m3=2, m4=6),
    ]
    with write_session(engine) as s:
        insert_records(session=s, rows=rows)
    return engine


def _value(frame: pd.DataFrame, **where) -> int:
    mask = pd.Series(True, index=frame.index)
    for col, val in where.items():
        mask &= frame[col] == val
    return int(frame.loc[mask, "value"].sum())


def test_overview_kpis_equal_summarise(session, filled):
    filters = Filters(2019, 2020)
    kpis = yearly_kpis(session=session, filters=filters, year=2020)
    expected = summarise(session=session, filters=Filters(2020, 2020), by="type")
    for row in expected.itertuples():
        assert _value(kpis, type=row.type, measure=row.measure) == row.value
    outreach = kpis[(kpis["type"] == "outreach_session") & (kpis["measure"] == "sessions")].iloc[0]
    assert (outreach["value"], outreach["previous"]) == (17, 14)
    assert outreach["change"] == pytest.approx(3 / 14)
    patrol = kpis[(kpis["type"] == "patrol") & (kpis["measure"] == "patrols")].iloc[0]
    assert patrol["previous"] == 0 and patrol["change"] is None  # nothing in 2019: no percentage


def test_overview_period_and_trend(session, filled):
    overview = build_overview(session=session, filters=Filters(2019, 2020), year=2020, period=(2019, 2020))
    assert "tuyên truyền tại bản: 31 buổi với 1.060 lượt người" in overview.sentence
    assert overview.sentence.startswith("Giai đoạn 2019–2020, đã thực hiện")
    trend = overview.trend[overview.trend["type"] == "outreach_session"]
    assert list(trend["year"]) == [2019, 2020] and list(trend["value"]) == [14, 17]
    assert set(overview.trend["measure"]) == {"sessions", "patrols"}  # main measure of each type only


@pytest.mark.parametrize("value, previous, expected", [
    (12, 10, 0.2), (5, 10, -0.5), (0, 10, -1.0), (7, 0, None), (0, 0, None),
])
def test_change_ratio(value, previous, expected):
    assert change_ratio(value, previous) == (pytest.approx(expected) if expected is not None else None)


def test_period_sentence_follows_the_definitions():
    totals = pd.DataFrame([
        {"type": "patrol", "type_name": "Tuần tra bảo vệ biên giới", "measure": m, "measure_label": label,
         "unit": unit, "value": v}
        for m, label, unit, v in [("patrols", "Số lần tuần tra", "lần", 30248),
                                  ("soldier_participations", "Lượt cán bộ chiến sĩ", "lượt cán bộ chiến sĩ", 164582),
                                  ("civilian_patrols", "Số lần có công an, dân quân, nhân dân tham gia", "lần", 7612),
                                  ("civilian_participations", "Lượt công an viên", "lượt người", 23814)]])
    text = period_sentence(totals=totals, year_from=2012, year_to=2020)
    assert text == ("Giai đoạn 2012–2020, đã thực hiện tuần tra bảo vệ biên giới: 30.248 lần với 164.582 lượt cán bộ "
                    "chiến sĩ, số lần có công an, dân quân, nhân dân tham gia 7.612 lần, 23.814 lượt người.")
    assert period_sentence(totals=totals.iloc[0:0], year_from=2021, year_to=2021) == \
        "Giai đoạn 2021 chưa có hoạt động nào được ghi nhận."


def test_commune_view_both_boundaries_have_equal_totals(session, filled):
    recorded = commune_view(session=session, filters=Filters(2019, 2020), type_code="outreach_session",
                            measure="attendances")
    current = commune_view(session=session, filters=Filters(2019, 2020, boundaries="current"),
                           type_code="outreach_session", measure="attendances")
    assert recorded.ranking["value"].sum() == current.ranking["value"].sum() == 1060
    as_recorded = dict(zip(recorded.ranking["key"], recorded.ranking["value"]))
    assert as_recorded[MA_LI_CHAI] == 300 and as_recorded[SI_LO_LAU] == 300
    now = dict(zip(current.ranking["key"], current.ranking["value"]))
    assert now[SI_LO_LAU_2025] == 600  # Ma Li Chải → Sì Lở Lầu → Sì Lở Lầu (2025)
    cell = current.matrix[(current.matrix["key"] == SI_LO_LAU_2025) & (current.matrix["year"] == 2019)]
    assert int(cell["value"].iloc[0]) == 400


def test_commune_filter_makes_the_views_differ(session, filled):
    one = Filters(2019, 2020, communes=(SI_LO_LAU,))
    recorded = commune_view(session=session, filters=one, type_code="outreach_session", measure="sessions")
    assert recorded.ranking["value"].sum() == 10
    current = Filters(2019, 2020, communes=(SI_LO_LAU_2025,), boundaries="current")
    rolled = commune_view(session=session, filters=current,
                          type_code="outreach_session", measure="sessions")
    assert rolled.ranking["value"].sum() == 20


def test_rates_per_thousand_where_population_is_known(session, filled):
    view = commune_view(session=session, filters=Filters(2020, 2020), type_code="outreach_session",
                        measure="attendances")
    by_key = view.ranking.set_index("key")
    assert by_key.loc[PA_TAN, "per_1000"] == pytest.approx(10 * 1000 / 4546)
    assert pd.isna(by_key.loc[SI_LO_LAU, "per_1000"]) and by_key.loc[SI_LO_LAU, "population_note"] == "chưa có số dân"


@pytest.mark.parametrize("value, population, expected", [
    (450, Population(1500, 2020, False), 300.0), (10, None, None), (10, Population(0, None, False), None),
])
def test_per_thousand(value, population, expected):
    assert per_thousand(value, population) == expected


def test_population_of_a_current_commune_adds_up_its_predecessors(session):
    recorded = population_by_commune(session=session, boundaries="historical")
    assert recorded[MU_CA].value == 1656  # the village-level figure (Lù Khò …) is not the commune's
    assert recorded["c03448@1900"].value == 2700 and recorded["c03448@1900"].approximate  # latest dated figure
    current = population_by_commune(session=session, boundaries="current")
    assert current[MU_CA_2025].value == 1656 and current[MU_CA_2025].derived
    assert SI_LO_LAU_2025 not in current  # some merged communes have no population: no rate rather than a wrong one


def test_station_view_counts_clusters_under_their_station(session, filled, units):
    view = station_view(session=session, filters=Filters(2020, 2020), type_code="loudspeaker_broadcast",
                        measure="sessions")
    ranking = dict(zip(view.ranking["key"], view.ranking["value"]))
    assert ranking == {units["st_si_lo_lau"]: 12, units["st_mu_ca"]: 3}
    covered = view.ranking.set_index("key").loc[units["st_si_lo_lau"], "population_note"]
    assert "Ma Li Chải" in covered and "Sì Lở Lầu" in covered
    detail = station_detail(session=session, filters=Filters(2019, 2020), station_id=units["st_si_lo_lau"])
    assert units["cl_si_lo_lau"] in detail.filters.stations
    assert _value(detail.trend, type="outreach_session", measure="sessions") == 20


def test_commune_detail_lists_villages_reached_and_not(session, filled):
    detail = commune_detail(session=session, filters=Filters(2019, 2020, boundaries="current"), commune_key=MU_CA_2025)
    villages = detail.villages
    assert len(villages.drop_duplicates("village_id")) == 11
    reached = villages[villages["records"] > 0]
    assert list(reached["village_id"]) == [TO_KHO] and int(reached["records"].iloc[0]) == 2
    assert detail.population is not None and detail.population.value == 1656


def test_compare_communes(session, filled):
    cmp = compare_communes(session=session, filters=Filters(2019, 2020), communes=(MU_CA, SI_LO_LAU), year=2020,
                           gap_type="outreach_session", language_type="loudspeaker_broadcast")
    assert list(cmp.communes) == [MU_CA, SI_LO_LAU]
    assert _value(cmp.measures, commune_key=SI_LO_LAU, type="outreach_session", measure="sessions") == 10
    mu_ca = cmp.measures[(cmp.measures["commune_key"] == MU_CA) & (cmp.measures["measure"] == "attendances")]
    assert mu_ca["per_1000"].iloc[0] == pytest.approx(450 * 1000 / 1656)
    counts = cmp.village_counts.set_index("commune_key")
    assert (counts.loc[MU_CA, "villages"], counts.loc[MU_CA, "reached"]) == (11, 1)
    missed = set(cmp.villages_missed.loc[cmp.villages_missed["commune_key"] == MU_CA, "village"])
    assert "Tó Khò" not in missed and "Xi Nế" in missed
    langs = cmp.languages[cmp.languages["commune_key"] == MU_CA].set_index("language")
    assert bool(langs.loc["ha_nhi", "spoken"]) and langs.loc["ha_nhi", "records"] == 0  # spoken, never broadcast
    assert langs.loc["vi", "sessions"] == 3
    slo = cmp.languages[cmp.languages["commune_key"] == SI_LO_LAU].set_index("language")
    assert slo.loc["mong", "sessions"] == 12 and not bool(slo.loc["mong", "spoken"])


def test_compare_needs_two_to_six_communes(session, filled):
    with pytest.raises(QueryError, match="từ 2 đến 6"):
        compare_communes(session=session, filters=Filters(2019, 2020), communes=(MU_CA,), year=2020,
                         gap_type="outreach_session", language_type="loudspeaker_broadcast")


def test_type_filter_changes_the_numbers(session, filled):
    everything = yearly_series(session=session, filters=Filters(2019, 2020))
    only = yearly_series(session=session, filters=Filters(2019, 2020, types=("patrol",)))
    assert set(everything["type"]) == {"outreach_session", "loudspeaker_broadcast", "patrol"}
    assert set(only["type"]) == {"patrol"}
    assert _value(only, year=2019) == 0 and _value(only, year=2020, measure="patrols") == 20  # zero-filled years


def test_busiest_communes_and_filter_options(session, filled):
    # 2020 counts: the year before the last
    assert busiest_communes(session=session, filters=Filters(2020, 2021), n=2) == [MU_CA, SI_LO_LAU]
    options = filter_options(session=session)
    assert options.years == (2019, 2020)
    assert len(options.communes_current) == 38
    assert all(kind != "loudspeaker_cluster" for kind in options.stations.values())


def test_with_cluster_units(session, units):
    assert with_cluster_units(session=session, station_ids=(units["st_si_lo_lau"],)) == tuple(
        sorted((units["st_si_lo_lau"], units["cl_si_lo_lau"])))
    assert with_cluster_units(session=session, station_ids=()) == ()


def test_commune_names_tell_same_named_versions_apart(session):
    assert commune_names(session=session, boundaries="historical", year_from=2020,
                         year_to=2024)["c03433@1900"] == "Mường Tè (thị trấn)"
    names = commune_names(session=session, boundaries="historical")
    assert names["c03433@1900"].startswith("Mường Tè (thị trấn) (đến 7/2025, nay thuộc xã ")
    assert names[SI_LO_LAU] != names[SI_LO_LAU_2025]
    assert commune_names(session=session, boundaries="current")[SI_LO_LAU_2025] == "Sì Lở Lầu"


def test_empty_database_gives_empty_frames(session):
    filters = Filters(2020, 2021)
    overview = build_overview(session=session, filters=filters, year=2021)
    assert overview.kpis.empty and overview.trend.empty
    assert "chưa có hoạt động nào" in overview.sentence
    view = commune_view(session=session, filters=filters, type_code="outreach_session", measure="sessions")
    assert not view.ranking.empty and not view.ranking["value"].any()  # the border communes, every one at 0
    assert station_view(session=session, filters=filters, type_code="patrol", measure="patrols").matrix.empty
    assert grouped_summary(session=session, filters=Filters(2020, 2021, boundaries="current"), by=("commune",)).empty
    assert busiest_communes(session=session, filters=filters) == []
    assert filter_options(session=session).years is None


def test_a_merged_commune_speaks_what_its_parts_spoke(session, filled):
    cmp = compare_communes(session=session, filters=Filters(2019, 2020), communes=(SI_LO_LAU_2025, MU_CA_2025),
                           year=2020, gap_type="outreach_session", language_type="loudspeaker_broadcast")
    spoken = set(cmp.languages.loc[cmp.languages["spoken"] & (cmp.languages["commune_key"] == SI_LO_LAU_2025),
                                   "language"])
    assert {"dao", "ha_nhi", "mong"} <= spoken  # from Vàng Ma Chải, merged into Sì Lở Lầu in 2025


@pytest.mark.parametrize("year_from, year_to", [(0, 2020), (2012, 99999), (1989, 2012), (2012, 2101)])
def test_filters_refuse_years_outside_the_rule(year_from, year_to):
    with pytest.raises(QueryError, match="1990–2100"):
        Filters(year_from=year_from, year_to=year_to).check()


@pytest.mark.parametrize("text, number", [
    ("2019", 2019), ("0", None), ("99999", None), ("²", None), ("٣", None), ("-1", None), (" 2019", None), ("", None),
    (None, None), ("9" * 40, None),
])
def test_parse_whole_number(text, number):
    assert parse_whole_number(text=text, low=1990, high=2100) == number
