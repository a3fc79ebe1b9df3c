"""Joint activities in the demo: a few 2025 events that a station and the Department both recorded, not yet
reviewed, so the review page has work on first start (the 2012–2020 report figures are left as they are)."""
from __future__ import annotations

import random
from dataclasses import replace

from data_model.definitions.activity_types import get_activity_type
from data_model.demo.context import Context
from data_model.demo.drafts import Draft

JOINT_YEAR = 2025
JOINT_PAIRS = {"outreach_session": 3, "cultural_performance": 2, "twinning_exchange": 1}  # of each type


def joint_copies(*, ctx: Context, drafts: list[Draft], rng: random.Random) -> list[Draft]:
    """The Department's own records of a few 2025 station events: same day and place, a slightly different count."""
    department = ctx.unit_of_kind("department")
    stations = {u.id for u in ctx.units.values() if u.kind == "station"}
    chosen: list[Draft] = []
    for type_code, n in JOINT_PAIRS.items():
        events = [d for d in drafts if d.start.year == JOINT_YEAR and d.type_code == type_code and d.commune
                  and d.unit_id in stations]
        chosen += rng.sample(events, min(n, len(events)))
    copies = []
    for d in chosen:
        rule = get_activity_type(d.type_code).joint
        assert rule is not None
        values = dict(d.values)
        counted = values.get(rule.measure) or 0
        values[rule.measure] = max(1, round(counted * rng.uniform(0.95, 1.0)))  # counted at another moment
        copies.append(replace(d, unit_id=department, values=values))
    return copies
