"""Loading the whole demo (villages, population, clusters, records 2012–2025) in the caller's transaction."""
from __future__ import annotations

import datetime as dt
import random

from sqlalchemy.orm import Session

from data_model.definitions.activity_types import get_activity_type
from data_model.definitions.fields import MEASURE_COLUMNS
from data_model.demo.confirmations import add_demo_confirmations
from data_model.demo.context import DEMO_NOTE, SEED, load_context
from data_model.demo.drafts import Draft, build_drafts
from data_model.demo.joint import joint_copies
from data_model.demo.places import add_clusters, add_demo_population, add_demo_villages
from data_model.records.bulk import insert_records


def _rows(drafts: list[Draft], rng: random.Random) -> list[dict]:
    rows = []
    for d in sorted(drafts, key=lambda d: (d.start, d.type_code, d.unit_id or 0, d.commune or "")):
        definition = get_activity_type(d.type_code)
        entered = dt.datetime.combine(d.end, dt.time(8)) + dt.timedelta(days=rng.randint(1, 12),
                                                                           minutes=rng.randint(0, 540))
        rows.append({
            "type_code": d.type_code, "start_date": d.start, "end_date": d.end, "year": d.start.year,
            "reporting_unit_id": d.unit_id, "commune_key": d.commune, "village_id": d.village,
            "languages": d.languages, "topic": d.topic, "note": DEMO_NOTE, "is_demo": True, "created_at": entered,
            **{m.column: d.values.get(m.code) for m in definition.measures},
        })
    # rows with the same empty columns side by side: the ORM bulk insert sends one statement per such run
    return sorted(rows, key=lambda r: tuple(r.get(c) is None for c in _NULLABLE))


_NULLABLE = ("reporting_unit_id", "commune_key", "village_id", *MEASURE_COLUMNS)


def load_demo(*, session: Session) -> dict[str, int]:
    """Add demo villages, populations, loudspeaker clusters and records 2012–2025 (the caller's transaction)."""
    ctx = load_context(session)
    rng = random.Random(f"{SEED}:markets")
    for commune in ctx.communes.values():
        commune.market_weekday = rng.choice((6, 6, 6, 5, 3))  # most highland markets are on Sunday
    counts = {
        "demo_villages": add_demo_villages(session, ctx, random.Random(f"{SEED}:villages")),
        "demo_population_facts": add_demo_population(session, ctx, random.Random(f"{SEED}:population")),
        "demo_clusters": add_clusters(session, ctx),
    }
    drafts = build_drafts(ctx)
    drafts += joint_copies(ctx=ctx, drafts=drafts, rng=random.Random(f"{SEED}:joint"))
    rows = _rows(drafts, random.Random(f"{SEED}:entered"))
    insert_records(session=session, rows=rows, rebuild=True)
    counts["demo_records"] = len(rows)
    counts["demo_confirmations"] = add_demo_confirmations(session, random.Random(f"{SEED}:confirmations"))
    from data_model.demo.plans import add_demo_plans  # after the records: plans are set around what was done

    counts["demo_targets"] = add_demo_plans(session)
    return counts
