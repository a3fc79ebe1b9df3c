"""Communes and villages not reached by a type in a year (the planner's list), and rankings that count them as 0."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from data_model.analytics.filters import Filters
from data_model.analytics.places import commune_view
from data_model.analytics.reach import communes_in_scope, list_not_reached
from data_model.records.bulk import insert_records
from data_model.schema.db import read_session, write_session
from data_model.schema.models import ReportingUnit, Unit, Village

MU_CA, SI_LO_LAU, MA_LI_CHAI, DAO_SAN = "c03451@1900", "c03550@1900", "c03556@1900", "c03571@1900"


@pytest.fixture
def ids(engine) -> dict[str, int]:
    with read_session(engine) as s:
        return {k: i for i, k in s.execute(select(ReportingUnit.id, ReportingUnit.key))}


@pytest.fixture
def village(engine) -> tuple[int, str]:
    """A village of Mù Cả."""
    with read_session(engine) as s:
        return tuple(s.execute(select(Village.id, Village.name).where(Village.unit_key == MU_CA)
                               .order_by(Village.name)).first())


@pytest.fixture
def filled(engine, ids, village) -> None:
    """Outreach in 2020 in Mù Cả (one session in a village of it) and Sì Lở Lầu; a patrol in Dào San."""
    def record(commune, station, type_code="outreach_session", village_id=None):
        day = dt.date(2020, 5, 6)
        return dict(type_code=type_code, start_date=day, end_date=day, year=2020, reporting_unit_id=ids[station],
                    commune_key=commune, village_id=village_id, m1=3, m2=40)
    with write_session(engine) as s:
        insert_records(session=s, rows=[record(MU_CA, "st_mu_ca", village_id=village[0]),
                                        record(SI_LO_LAU, "st_si_lo_lau"),
                                        record(DAO_SAN, "st_dao_san", type_code="village_working_group")])


def _not_reached(engine, **filters):
    with read_session(engine) as s:
        return list_not_reached(session=s, filters=Filters(2019, 2021, **filters), type_code="outreach_session",
                                year=2020)


def test_border_communes_only(engine):
    with read_session(engine) as s:
        scope = communes_in_scope(session=s, filters=Filters(2020, 2020))
        statuses = dict(s.execute(select(Unit.key, Unit.border_status).where(Unit.key.in_(scope))).all())
    assert {MU_CA, SI_LO_LAU, MA_LI_CHAI, DAO_SAN} <= set(scope)
    assert "not_border" not in statuses.values()


def test_communes_not_reached_with_population_and_station(engine, filled):
    found = _not_reached(engine).communes.set_index("key")
    assert MU_CA not in found.index and SI_LO_LAU not in found.index
    assert found.loc[DAO_SAN, "stations"] == "Dào San"  # its patrol is another type: not reached by outreach
    assert found.loc[MA_LI_CHAI, "stations"] == "Sì Lở Lầu"  # existed until February 2020: still in the year
    assert found.loc[DAO_SAN, "commune"] == "Dào San"  # one name in the year: no need to say when it ended
    with read_session(engine) as s:
        villages = s.scalar(select(func.count()).select_from(Village).where(Village.unit_key == DAO_SAN))
    assert villages and found.loc[DAO_SAN, "villages"] == villages  # none of its villages reached


def test_villages_not_reached_in_a_commune_reached(engine, filled, village):
    villages = _not_reached(engine).villages
    mine = villages[villages["commune_key"] == MU_CA]
    with read_session(engine) as s:
        listed = s.scalar(select(func.count()).select_from(Village).where(Village.unit_key == MU_CA))
    assert village[1] not in set(mine["village"]) and len(mine) == listed - 1  # all but the village with the session
    assert mine["commune_reached"].all() and set(mine["stations"]) == {"Mù Cả"}


def test_the_station_filter_keeps_its_communes(engine, filled, ids):
    found = _not_reached(engine, stations=(ids["st_dao_san"],)).communes
    assert DAO_SAN in set(found["key"]) and MA_LI_CHAI not in set(found["key"])
    assert all("Dào San" in stations for stations in found["stations"])


def test_current_boundaries_list_todays_communes(engine, filled):
    found = _not_reached(engine, boundaries="current")
    with read_session(engine) as s:
        current = set(s.scalars(select(Unit.key).where(Unit.level == "commune", Unit.valid_to.is_(None))))
    assert set(found.communes["key"]) <= current
    names = set(found.communes["commune"])
    assert "Mù Cả" not in names and "Sì Lở Lầu" not in names  # reached through their old communes
    assert "Dào San" in names


def test_rankings_and_heatmaps_count_communes_without_activity_as_zero(engine, filled):
    with read_session(engine) as s:
        view = commune_view(session=s, filters=Filters(2019, 2021), type_code="outreach_session", measure="sessions")
    ranking = view.ranking.set_index("key")
    assert ranking.loc[DAO_SAN, "value"] == 0 and ranking.loc[MU_CA, "value"] == 3
    assert list(view.ranking["key"][:2]) in ([MU_CA, SI_LO_LAU], [SI_LO_LAU, MU_CA])  # reached first
    cells = view.matrix.set_index(["key", "year"])["value"]
    assert cells[(DAO_SAN, 2019)] == cells[(DAO_SAN, 2021)] == 0
    assert (MA_LI_CHAI, 2020) in cells.index and (MA_LI_CHAI, 2021) not in cells.index  # gone in February 2020
