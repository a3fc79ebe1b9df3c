"""What every part of the demo shares: its seed and marks, the border communes and stations as the database
holds them, and an exact weighted split of a total."""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_model.reference.boundaries import REORGANISATION_2025, load_rollup
from data_model.schema.models import ReportingUnit, StationCoverage, Unit, UnitLanguage

SEED = 2012
DEMO_NOTE = "dữ liệu mẫu (demo)"
DEMO_SOURCE = "dữ liệu mẫu (demo), không phải số liệu thật"
BORDER_STATUSES = ("confirmed", "probable", "possible")
GROWTH = 1.016  # yearly population growth assumed for demo figures


def partition(
    total: int, weights: Sequence[float], *, rng: random.Random, lows: Sequence[int] | None = None,
    highs: Sequence[int] | None = None, jitter: float = 0.25,
) -> list[int]:
    """Split total into len(weights) integers in [low, high], roughly proportional to the (jittered) weights."""
    n = len(weights)
    lows = list(lows) if lows is not None else [0] * n
    highs = list(highs) if highs is not None else [total] * n
    if n == 0 or sum(lows) > total or sum(highs) < total or any(lo > hi for lo, hi in zip(lows, highs)):
        raise ValueError(f"cannot split {total} into {n} parts within the bounds")
    w = [max(float(x), 0.0) * (1.0 + jitter * (2.0 * rng.random() - 1.0)) + 1e-9 for x in weights]
    parts = list(lows)
    rest = total - sum(parts)
    while rest > 0:
        room = [i for i in range(n) if parts[i] < highs[i]]
        if rest < len(room):
            # fewer units left than open parts: one each to a weighted random sample without replacement
            for i in sorted(room, key=lambda i: -(rng.random() ** (1.0 / w[i])))[:rest]:
                parts[i] += 1
            break
        weight, pool = sum(w[i] for i in room), rest
        for i in room:
            share = min(int(pool * w[i] / weight), highs[i] - parts[i])
            parts[i] += share
            rest -= share
    return parts


@dataclass
class Commune:
    key: str
    name: str
    status: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    languages: list[str] = field(default_factory=list)
    villages: list[int] = field(default_factory=list)
    population: float | None = None
    market_weekday: int = 6

    def valid(self, start: dt.date, end: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= start) and (self.valid_to is None or end < self.valid_to)

    @property
    def local_languages(self) -> list[str]:
        return [code for code in self.languages if code != "vi"]


@dataclass
class Context:
    """Border communes, stations, coverage and villages as the database holds them."""

    communes: dict[str, Commune]
    units: dict[str, ReportingUnit]  # by key
    coverage: list[tuple[int, str, dt.date | None, dt.date | None]]
    rollup_2025: dict[str, str]
    village_population: dict[int, float]
    clusters: list[ReportingUnit] = field(default_factory=list)
    cluster_language: dict[str, str] = field(default_factory=dict)

    def communes_on(self, start: dt.date, end: dt.date | None = None) -> list[Commune]:
        end = end or start
        return [c for c in self.communes.values() if c.valid(start, end)]

    def stations_covering(self, commune_key: str, start: dt.date, end: dt.date | None = None) -> list[int]:
        end = end or start
        return sorted(sid for sid, key, f, t in self.coverage
                      if key == commune_key and (f is None or f <= start) and (t is None or end < t))

    def by_name(self, name: str, on: dt.date) -> Commune:
        found = [c for c in self.communes_on(on) if c.name == name]
        if not found:
            raise ValueError(f"Không tạo được dữ liệu mẫu: thiếu xã biên giới {name} trong dữ liệu tham chiếu")
        return found[0]

    @property
    def stations(self) -> list[ReportingUnit]:
        return [u for u in self.units.values() if u.kind == "station"]

    def unit_of_kind(self, kind: str) -> int:
        return next(u.id for u in self.units.values() if u.kind == kind)


def load_context(session: Session) -> Context:
    rows = session.scalars(select(Unit).where(Unit.level == "commune", Unit.border_status.in_(BORDER_STATUSES))
                           .order_by(Unit.key)).all()
    communes = {u.key: Commune(u.key, u.name, u.border_status, u.valid_from, u.valid_to) for u in rows}
    for key, lang in session.execute(select(UnitLanguage.unit_key, UnitLanguage.language)
                                     .where(UnitLanguage.village_id.is_(None)).order_by(UnitLanguage.id)):
        if key in communes:
            communes[key].languages.append(lang)
    units = {u.key: u for u in session.scalars(select(ReportingUnit).order_by(ReportingUnit.key))}
    coverage = [tuple(r) for r in session.execute(
        select(StationCoverage.station_id, StationCoverage.unit_key, StationCoverage.valid_from,
               StationCoverage.valid_to).order_by(StationCoverage.id))]
    rollup = load_rollup(session=session, on=REORGANISATION_2025)
    return Context(communes=communes, units=units, coverage=coverage,
                    rollup_2025={k: v[0][0] for k, v in rollup.items() if len(v) == 1},
                    village_population={})
