"""Boundary views: units as recorded, or rolled up along successor chains to the units valid on a date."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_model.schema.clock import today_local
from data_model.schema.models import Unit, UnitSuccessor

Boundaries = Literal["historical", "current"]
REORGANISATION_2025 = dt.date(2025, 7, 1)


def default_boundaries(*, year_to: int) -> Boundaries:
    """The view a period ending in year_to opens in: today's communes once it reaches 1 July 2025 (after it both
    views are the same), the communes of its time for a period wholly before."""
    return "historical" if dt.date(year_to, 12, 31) < REORGANISATION_2025 else "current"


def build_rollup(
    *, units: dict[str, tuple[dt.date | None, dt.date | None]], links: list[tuple[str, str, dt.date, float]], on: dt.date
) -> dict[str, list[tuple[str, float]]]:
    """Map each unit key to [(key valid on `on`, share)], following successor links whose date ≤ on."""
    successors: dict[str, list[tuple[str, float, dt.date]]] = defaultdict(list)
    for from_key, to_key, date, share in links:
        successors[from_key].append((to_key, share, date))

    def valid(key: str) -> bool:
        start, end = units.get(key, (None, None))
        return (start is None or start <= on) and (end is None or on < end)

    memo: dict[str, list[tuple[str, float]]] = {}

    def resolve(key: str, seen: frozenset[str]) -> list[tuple[str, float]]:
        if key in memo:
            return memo[key]
        nexts = [(t, s) for t, s, d in successors.get(key, []) if d <= on and t not in seen]
        if valid(key) or not nexts:
            result = [(key, 1.0)]
        else:
            acc: dict[str, float] = defaultdict(float)
            for to_key, share in nexts:
                for final, sub in resolve(to_key, seen | {key}):
                    acc[final] += share * sub
            result = sorted(acc.items())
        memo[key] = result
        return result

    return {key: resolve(key, frozenset()) for key in units}


def load_rollup(*, session: Session, on: dt.date | None = None, level: str = "commune") -> dict[str, list[tuple[str, float]]]:
    """The roll-up map for every unit of a level, to the units valid on `on` (today by default)."""
    on = on or today_local()
    units = {k: (f, t) for k, f, t in session.execute(
        select(Unit.key, Unit.valid_from, Unit.valid_to).where(Unit.level == level))}
    links = list(session.execute(select(UnitSuccessor.from_key, UnitSuccessor.to_key, UnitSuccessor.date, UnitSuccessor.share)))
    return build_rollup(units=units, links=[tuple(link) for link in links], on=on)


def units_valid_on(*, session: Session, on: dt.date, level: str = "commune") -> list[Unit]:
    """Unit versions of a level that exist on the day, by name."""
    stmt = select(Unit).where(
        Unit.level == level,
        (Unit.valid_from.is_(None)) | (Unit.valid_from <= on),
        (Unit.valid_to.is_(None)) | (Unit.valid_to > on),
    ).order_by(Unit.name)
    return list(session.scalars(stmt))
