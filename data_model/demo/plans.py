"""Demo plans 2021–2025: targets set around what was done (most units on plan, a few behind), so the demo shows
progress."""
from __future__ import annotations

import random

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_model.demo.context import DEMO_NOTE, SEED
from data_model.demo.figures import LATER_YEARS
from data_model.plans.progress import commune_actuals, province_actuals, unit_actuals
from data_model.schema.models import ReportingUnit, Unit
from data_model.schema.planning import Target

BEHIND_PER_YEAR = 3  # units set a plan they fall short of, each year
COMMUNE_TYPE, COMMUNE_MEASURE = "outreach_session", "sessions"  # communes plan their village outreach sessions


def plan_figure(value: float) -> int:
    """A figure as a plan writes it: whole, and round above 20 (two significant digits)."""
    if value < 20:
        return max(1, int(round(value)))
    step = 10 ** (len(str(int(value))) - 2)
    return int(round(value / step) * step)


def add_demo_plans(session: Session) -> int:
    """Add the province's, every unit's and the communes' targets for 2021–2025 (the caller's transaction)."""
    rng = random.Random(f"{SEED}:plans")
    units = dict(session.execute(select(ReportingUnit.key, ReportingUnit.id)
                                 .where(ReportingUnit.kind != "loudspeaker_cluster")).all())
    communes = set(session.scalars(select(Unit.key).where(Unit.level == "commune")))
    targets: list[Target] = []

    def add(year: int, level: str, scope: str, type_code: str, measure: str, value: int, factor: float) -> None:
        targets.append(Target(year=year, level=level, scope_key=scope, type_code=type_code, measure=measure,
                              value=plan_figure(value * factor), note=DEMO_NOTE,
                              commune_key=scope if level == "commune" else None,
                              reporting_unit_id=units.get(scope) if level == "unit" else None))

    for year in LATER_YEARS:
        for (_, type_code, measure), value in sorted(province_actuals(session=session, year=year).items()):
            if value > 0:
                add(year, "province", "", type_code, measure, value, rng.uniform(0.88, 1.0))
        done = {k: v for k, v in unit_actuals(session=session, year=year).items() if k[0] in units and v > 0}
        behind = set(rng.sample(sorted({k[0] for k in done}), k=min(BEHIND_PER_YEAR, len({k[0] for k in done}))))
        for (unit, type_code, measure), value in sorted(done.items()):
            factor = rng.uniform(1.2, 1.4) if unit in behind else rng.uniform(0.8, 1.0)
            add(year, "unit", unit, type_code, measure, value, factor)
        by_commune = commune_actuals(session=session, year=year, keys=communes)
        for (commune, type_code, measure), value in sorted(by_commune.items()):
            if type_code == COMMUNE_TYPE and measure == COMMUNE_MEASURE and value > 0:
                add(year, "commune", commune, type_code, measure, value, rng.uniform(0.8, 1.15))
    session.add_all(targets)
    session.flush()
    return len(targets)
