"""Demo reference additions: villages, population figures and loudspeaker clusters, marked as demo data."""
from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_model.demo.context import DEMO_NOTE, DEMO_SOURCE, GROWTH, Context, partition
from data_model.reference.boundaries import REORGANISATION_2025
from data_model.reference.languages import language_name
from data_model.reference.names import normalise_name
from data_model.schema.models import ReportingUnit, Unit, UnitFact, UnitSuccessor, Village

# Border communes chosen for the 10 loudspeaker clusters (each has a known local ethnic language).
CLUSTER_COMMUNES = ("Mù Cả", "Ka Lăng", "Thu Lũm", "Pa Ủ", "Pa Vệ Sủ", "Pa Tần", "Huổi Luông", "Ma Li Pho",
                    "Vàng Ma Chải", "Pa Vây Sử")

# Syllables of bản names common along the Lai Châu border, for demo villages.
_NAME_HEADS = ("Nậm", "Huổi", "Pá", "Phìn", "Sín", "Lao", "Sì", "Tả", "Pờ", "Lùng", "Hồng", "Cò", "Chang", "Khoang",
               "Mà", "Seo", "Ngải", "Xà", "Hô", "Là", "Thèn", "Pao", "Sảng", "Tỷ", "Giàng", "Chù", "Lò", "Vàng")
_NAME_TAILS = ("Chải", "Hồ", "Thàng", "Phìn", "Khò", "Sử", "Pho", "Luông", "Cang", "Lầu", "Xa", "Ma", "Tở", "Nhè",
               "Sang", "Pản", "Lìn", "Suối", "Chồ", "Mé", "Cáu", "Sáng", "Dền", "Mần", "Tìn", "Xí", "Ngài", "Chản")


def _demo_name(rng: random.Random, taken: set[str]) -> str:
    while True:
        head, tail = rng.choice(_NAME_HEADS), rng.choice(_NAME_TAILS)
        name = f"{head} {tail}"
        if head != tail and normalise_name(name) not in taken:
            taken.add(normalise_name(name))
            return name


def add_demo_villages(session: Session, ctx: Context, rng: random.Random) -> int:
    """Demo villages for old border communes with few real ones, and for the 2025 border communes."""
    villages = session.scalars(select(Village).order_by(Village.id)).all()
    by_commune: dict[str, list[Village]] = {}
    for v in villages:
        by_commune.setdefault(v.unit_key, []).append(v)
    taken = {v.name_norm for v in villages} | {normalise_name(c.name) for c in ctx.communes.values()}
    added: list[Village] = []
    old = [c for c in ctx.communes.values() if c.valid_to is not None and c.valid_to <= REORGANISATION_2025]
    for commune in old:
        wanted = rng.randint(6, 10) - len(by_commune.get(commune.key, []))
        for _ in range(max(wanted, 0)):
            v = Village(unit_key=commune.key, name=_demo_name(rng, taken), is_demo=True, verified=False,
                        source=DEMO_SOURCE, note=DEMO_NOTE)
            v.name_norm = normalise_name(v.name)
            added.append(v)
            by_commune.setdefault(commune.key, []).append(v)
    predecessors: dict[str, list[str]] = {}
    for from_key, to_key in session.execute(select(UnitSuccessor.from_key, UnitSuccessor.to_key)
                                            .order_by(UnitSuccessor.from_key)):
        predecessors.setdefault(to_key, []).append(from_key)
    new = [c for c in ctx.communes.values() if c.valid_from == REORGANISATION_2025]
    for commune in new:
        names = {v.name_norm for v in by_commune.get(commune.key, [])}
        for old_key in predecessors.get(commune.key, []):
            old_name = session.get(Unit, old_key).name
            for old_village in list(by_commune.get(old_key, [])):
                if old_village.name_norm in names:
                    continue
                names.add(old_village.name_norm)
                v = Village(unit_key=commune.key, name=old_village.name, name_norm=old_village.name_norm,
                            is_demo=True, verified=False, source=DEMO_SOURCE,
                            note=f"{DEMO_NOTE}: bản của xã {old_name} cũ, gán vào xã mới từ 01/07/2025")
                added.append(v)
                by_commune.setdefault(commune.key, []).append(v)
    session.add_all(added)
    session.flush()
    for key, commune in ctx.communes.items():
        commune.villages = [v.id for v in by_commune.get(key, [])]
    return len(added)


def _latest_population(session: Session) -> tuple[dict[str, tuple[int, float]], dict[int, float]]:
    communes: dict[str, tuple[int, float]] = {}
    villages: dict[int, float] = {}
    for key, vid, text, year, value in session.execute(
            select(UnitFact.unit_key, UnitFact.village_id, UnitFact.village_text, UnitFact.year, UnitFact.value_num)
            .where(UnitFact.fact == "population", UnitFact.value_num.is_not(None)).order_by(UnitFact.id)):
        if vid is not None:
            villages[vid] = float(value)
        elif not text and (key not in communes or (year or 0) >= communes[key][0]):
            communes[key] = (year or 0, float(value))
    return communes, villages


def add_demo_population(session: Session, ctx: Context, rng: random.Random) -> int:
    """Demo population of border communes without one (several years) and of their villages."""
    latest, village_known = _latest_population(session)
    known = {k: v for k, (_, v) in latest.items()}
    # undated figures are taken as of the 2019 census
    in_2025 = {k: v * GROWTH ** (2025 - (y or 2019)) for k, (y, v) in latest.items()}
    facts: list[UnitFact] = []

    def fact(key: str, year: int, value: float, village: Village | None = None) -> None:
        number = int(round(value, -1)) if value >= 100 else int(value)
        facts.append(UnitFact(
            unit_key=key, village_id=village.id if village else None, village_text=village.name if village else "",
            year=year, fact="population", value=str(number), value_num=float(number), approximate=True,
            verified=False, is_demo=True, source=DEMO_SOURCE, note=DEMO_NOTE,
        ))

    old = [c for c in ctx.communes.values() if c.valid_from != REORGANISATION_2025]
    for commune in old:
        if commune.key not in known:
            base = rng.randint(1_800, 5_200)
            for year in (2012, 2016, 2019):
                fact(commune.key, year, base * GROWTH ** (year - 2012))
            known[commune.key] = round(base * GROWTH ** 7, -1)
            in_2025[commune.key] = base * GROWTH ** 13
    predecessors: dict[str, list[str]] = {}
    for from_key, to_key in session.execute(select(UnitSuccessor.from_key, UnitSuccessor.to_key)
                                            .order_by(UnitSuccessor.from_key)):
        predecessors.setdefault(to_key, []).append(from_key)
    new = [c for c in ctx.communes.values() if c.valid_from == REORGANISATION_2025]
    for commune in new:
        if commune.key not in known:
            parts = [in_2025.get(k) or rng.randint(2_500, 4_500) for k in predecessors.get(commune.key, [])]
            value = sum(parts) if parts else rng.randint(5_000, 12_000)
            fact(commune.key, 2025, value)
            known[commune.key] = round(value, -1)
    villages = {v.id: v for v in session.scalars(select(Village).order_by(Village.id))}
    copied_from: dict[tuple[str, str], float] = {}
    for commune in old + new:
        commune.population = known.get(commune.key)
        members = [villages[i] for i in commune.villages if i not in village_known]
        if not members or commune.population is None:
            continue
        year = 2025 if commune in new else 2019
        if commune in new:
            shares = [copied_from.get((commune.key, v.name_norm)) or rng.randint(250, 700) for v in members]
        else:
            left = max(int(commune.population * 0.95) - 80 * len(members), 0)
            shares = [80 + x for x in partition(left, [1.0] * len(members), rng=rng, jitter=0.6)]
        for v, value in zip(members, shares):
            fact(commune.key, year, value, v)
            village_known[v.id] = float(int(round(value, -1)))
            for successor in new:
                if ctx.rollup_2025.get(commune.key) == successor.key:
                    copied_from[(successor.key, v.name_norm)] = value * GROWTH ** 6
    ctx.village_population = village_known
    session.add_all(facts)
    session.flush()
    return len(facts)


def add_clusters(session: Session, ctx: Context) -> int:
    """Ten demo loudspeaker clusters in border communes, each under the station covering its commune."""
    day = dt.date(2012, 1, 1)
    for name in CLUSTER_COMMUNES:
        commune = ctx.by_name(name, day)
        station_id = ctx.stations_covering(commune.key, day)[0]
        local = commune.local_languages[0]  # facts list the majority group first
        unit = ReportingUnit(
            key=f"demo_loa_{commune.key.split('@')[0]}", kind="loudspeaker_cluster",
            name=f"Cụm loa {commune.name} (mẫu)", short_name=f"Cụm loa {commune.name} (mẫu)",
            parent_id=station_id, commune_key=commune.key, verified=False, is_demo=True, active=True,
            source=DEMO_SOURCE, note=f"{DEMO_NOTE}; phát tiếng Việt và tiếng {language_name(local).removeprefix('Tiếng ')}",
        )
        session.add(unit)
        ctx.clusters.append(unit)
        ctx.cluster_language[unit.key] = local
    session.flush()
    for unit in ctx.clusters:
        ctx.units[unit.key] = unit
    return len(ctx.clusters)
