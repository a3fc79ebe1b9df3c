"""Deterministic demo data: demo villages, populations, loudspeaker clusters and records 2012–2025 matching the report."""
from __future__ import annotations

import calendar
import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_model.definitions.activity_types import get_activity_type
from data_model.records.bulk import insert_records
from data_model.reference.boundaries import REORGANISATION_2025, load_rollup
from data_model.reference.languages import language_name
from data_model.reference.names import normalise_name
from data_model.schema.models import (
    ReportingUnit, StationCoverage, Unit, UnitFact, UnitLanguage, UnitSuccessor, Village,
)

SEED = 2012
DEMO_NOTE = "dữ liệu mẫu (demo)"
DEMO_SOURCE = "dữ liệu mẫu (demo), không phải số liệu thật"
FIRST_DAY = dt.date(2012, 1, 1)
LAST_DAY = dt.date(2025, 12, 31)  # fixed, so that the demo is the same whatever today is
REPORT_YEARS = tuple(range(2012, 2021))
LATER_YEARS = tuple(range(2021, 2026))
BORDER_STATUSES = ("confirmed", "probable", "possible")
GROWTH = 1.016  # yearly population growth assumed for demo figures

# 2012–2020 totals of the source report (program-report-2011-2020.vi.txt); "over N" → a figure just above N.
REPORT_TOTALS: dict[str, dict[str, int]] = {
    "outreach_session": {"sessions": 824, "attendances": 41_262},
    "study_session": {"sessions": 1_146, "soldier_attendances": 52_621},
    "leaflet_issue": {"copies": 67_850},
    "patrol": {"patrols": 30_248, "soldier_participations": 164_582, "civilian_patrols": 7_612,
               "civilian_participations": 23_814},
    "cultural_performance": {"performances": 48, "viewers": 20_140},
    "loudspeaker_broadcast": {"sessions": 2_462},
    "radio_tv_item": {"reportages": 37, "segments": 134, "news_items": 328},
    "press_item": {"items": 2_614},
    "training_course": {"courses": 5},
    "special_event": {"events": 1},
}
# Communes where the report says working groups stay in villages (NQ 1670 spellings).
WORKING_GROUP_COMMUNES = ("Mù Cả", "Huổi Luông", "Dào San", "Tung Qua Lìn", "Pa Vây Sử", "Nậm Ban", "Trung Chải")
# Border communes chosen for the 10 loudspeaker clusters (each has a known local ethnic language).
CLUSTER_COMMUNES = ("Mù Cả", "Ka Lăng", "Thu Lũm", "Pa Ủ", "Pa Vệ Sủ", "Pa Tần", "Huổi Luông", "Ma Li Pho",
                    "Vàng Ma Chải", "Pa Vây Sử")

# Month weights (Jan … Dec): busy before Tết (Jan–Feb), quiet in the rainy season (Jun–Aug).
SEASON = {
    "gathering": (1.5, 1.4, 1.1, 1.0, 1.0, 0.6, 0.5, 0.6, 0.9, 1.0, 1.1, 1.3),
    "market": (1.6, 1.5, 1.1, 1.0, 1.0, 0.55, 0.5, 0.55, 0.9, 1.0, 1.1, 1.3),
    "patrol": (1.25, 1.3, 1.0, 1.0, 1.0, 0.95, 0.9, 0.9, 1.0, 1.0, 1.0, 1.1),
    "indoor": (0.8, 0.7, 1.0, 1.0, 1.0, 1.2, 1.2, 1.2, 1.0, 1.0, 1.0, 0.9),
    # Tết, Border Guard Day (3/3), National Day (2/9), Army Day (22/12)
    "festival": (2.5, 2.0, 1.6, 0.3, 0.5, 0.2, 0.2, 0.3, 1.3, 0.5, 0.4, 1.3),
    "flat": (1.0,) * 12,
}
# Year weights: slow growth, COVID-19 (2020–2021) cut gatherings and multiplied border patrols.
YEAR_TREND = {
    "gathering": {2012: 0.8, 2013: 0.85, 2014: 0.9, 2015: 0.95, 2016: 1.0, 2017: 1.05, 2018: 1.1, 2019: 1.15,
                  2020: 0.8, 2021: 0.7, 2022: 0.95, 2023: 1.05, 2024: 1.1, 2025: 1.1},
    "patrol": {2012: 0.9, 2013: 0.9, 2014: 0.95, 2015: 0.95, 2016: 1.0, 2017: 1.0, 2018: 1.0, 2019: 1.0,
               2020: 1.35, 2021: 1.4, 2022: 1.1, 2023: 1.0, 2024: 1.0, 2025: 1.0},
    "media": {2012: 0.7, 2013: 0.8, 2014: 0.85, 2015: 0.9, 2016: 1.0, 2017: 1.05, 2018: 1.1, 2019: 1.2,
              2020: 1.3, 2021: 1.3, 2022: 1.3, 2023: 1.35, 2024: 1.4, 2025: 1.4},
    "flat": {y: 1.0 for y in range(2012, 2026)},
}

TOPICS = {
    "law": ("Luật Biên giới quốc gia",
            "Hiệp định về Quy chế quản lý biên giới đất liền Việt Nam – Trung Quốc",
            "Hiệp định về cửa khẩu và Quy chế quản lý cửa khẩu biên giới đất liền Việt Nam – Trung Quốc",
            "Phòng, chống di cư tự do, không nghe theo kẻ xấu",
            "Phòng, chống tuyên truyền đạo trái pháp luật",
            "Phòng, chống ma túy, mua bán người",
            "Bảo vệ mốc quốc giới, an ninh trật tự thôn bản"),
    "covid": ("Phòng, chống dịch COVID-19, không xuất nhập cảnh trái phép",),
    "study": ("Chủ trương, đường lối của Đảng về biên giới", "Quy chế phát ngôn và cung cấp thông tin cho báo chí",
              "Thông tin đối ngoại, biên giới trên đất liền", "Tình hình biên giới và nhiệm vụ của đồn"),
    "radio": ("Chuyên mục “Vì chủ quyền an ninh biên giới”", "Chuyên mục “Quốc phòng Lai Châu”"),
    "press": ("Tin, bài về chủ quyền, an ninh biên giới", "Quảng bá hình ảnh khu vực biên giới"),
    "performance": ("Văn nghệ mừng Xuân", "Văn nghệ chào mừng Ngày Biên phòng toàn dân 3/3",
                    "Văn nghệ mừng Quốc khánh 2/9", "Văn nghệ quân dân"),
    "training": ("Quy chế phát ngôn và cung cấp thông tin cho báo chí", "Kỹ năng đối thoại với báo chí",
                 "Công tác thông tin đối ngoại"),
    "group": ("Vận động đồng bào Mông không nghe theo kẻ xấu, không di cư tự do", "Giữ vững an ninh nông thôn"),
}
# Syllables of bản names common along the Lai Châu border, for demo villages.
_NAME_HEADS = ("Nậm", "Huổi", "Pá", "Phìn", "Sín", "Lao", "Sì", "Tả", "Pờ", "Lùng", "Hồng", "Cò", "Chang", "Khoang",
               "Mà", "Seo", "Ngải", "Xà", "Hô", "Là", "Thèn", "Pao", "Sảng", "Tỷ", "Giàng", "Chù", "Lò", "Vàng")
_NAME_TAILS = ("Chải", "Hồ", "Thàng", "Phìn", "Khò", "Sử", "Pho", "Luông", "Cang", "Lầu", "Xa", "Ma", "Tở", "Nhè",
               "Sang", "Pản", "Lìn", "Suối", "Chồ", "Mé", "Cáu", "Sáng", "Dền", "Mần", "Tìn", "Xí", "Ngài", "Chản")


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
class _Commune:
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
class _Context:
    """Border communes, stations, coverage and villages as the database holds them."""

    communes: dict[str, _Commune]
    units: dict[str, ReportingUnit]  # by key
    coverage: list[tuple[int, str, dt.date | None, dt.date | None]]
    rollup_2025: dict[str, str]
    village_population: dict[int, float]
    clusters: list[ReportingUnit] = field(default_factory=list)
    cluster_language: dict[str, str] = field(default_factory=dict)

    def communes_on(self, start: dt.date, end: dt.date | None = None) -> list[_Commune]:
        end = end or start
        return [c for c in self.communes.values() if c.valid(start, end)]

    def stations_covering(self, commune_key: str, start: dt.date, end: dt.date | None = None) -> list[int]:
        end = end or start
        return sorted(sid for sid, key, f, t in self.coverage
                      if key == commune_key and (f is None or f <= start) and (t is None or end < t))

    def by_name(self, name: str, on: dt.date) -> _Commune:
        found = [c for c in self.communes_on(on) if c.name == name]
        if not found:
            raise ValueError(f"Không tạo được dữ liệu mẫu: thiếu xã biên giới {name} trong dữ liệu tham chiếu")
        return found[0]

    @property
    def stations(self) -> list[ReportingUnit]:
        return [u for u in self.units.values() if u.kind == "station"]

    def unit_of_kind(self, kind: str) -> int:
        return next(u.id for u in self.units.values() if u.kind == kind)


def _load_context(session: Session) -> _Context:
    rows = session.scalars(select(Unit).where(Unit.level == "commune", Unit.border_status.in_(BORDER_STATUSES))
                           .order_by(Unit.key)).all()
    communes = {u.key: _Commune(u.key, u.name, u.border_status, u.valid_from, u.valid_to) for u in rows}
    for key, lang in session.execute(select(UnitLanguage.unit_key, UnitLanguage.language)
                                     .where(UnitLanguage.village_id.is_(None)).order_by(UnitLanguage.id)):
        if key in communes:
            communes[key].languages.append(lang)
    units = {u.key: u for u in session.scalars(select(ReportingUnit).order_by(ReportingUnit.key))}
    coverage = [tuple(r) for r in session.execute(
        select(StationCoverage.station_id, StationCoverage.unit_key, StationCoverage.valid_from,
               StationCoverage.valid_to).order_by(StationCoverage.id))]
    rollup = load_rollup(session=session, on=REORGANISATION_2025)
    return _Context(communes=communes, units=units, coverage=coverage,
                    rollup_2025={k: v[0][0] for k, v in rollup.items() if len(v) == 1},
                    village_population={})


# ---------------------------------------------------------------- reference additions


def _demo_name(rng: random.Random, taken: set[str]) -> str:
    while True:
        head, tail = rng.choice(_NAME_HEADS), rng.choice(_NAME_TAILS)
        name = f"{head} {tail}"
        if head != tail and normalise_name(name) not in taken:
            taken.add(normalise_name(name))
            return name


def _add_demo_villages(session: Session, ctx: _Context, rng: random.Random) -> int:
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


def _add_demo_population(session: Session, ctx: _Context, rng: random.Random) -> int:
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


def _add_clusters(session: Session, ctx: _Context) -> int:
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


# ---------------------------------------------------------------- records


@dataclass
class _Draft:
    """A record before its measures are known."""

    type_code: str
    start: dt.date
    end: dt.date
    unit_id: int | None
    commune: str | None = None
    village: int | None = None
    languages: str = ""
    topic: str = ""
    weight: float = 1.0
    values: dict[str, int] = field(default_factory=dict)


def _month_days(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def _market_days(year: int, month: int, weekday: int) -> list[dt.date]:
    first, last = _month_days(year, month)
    return [first + dt.timedelta(days=d) for d in range((last - first).days + 1)
            if (first + dt.timedelta(days=d)).weekday() == weekday]


def _cells(years: Sequence[int], season: str, trend: str) -> tuple[list[tuple[int, int]], list[float]]:
    cells = [(y, m) for y in years for m in range(1, 13)]
    return cells, [YEAR_TREND[trend][y] * SEASON[season][m - 1] for y, m in cells]


def _topic(rng: random.Random, group: str, day: dt.date) -> str:
    if group == "law" and dt.date(2020, 2, 1) <= day <= dt.date(2022, 6, 30) and rng.random() < 0.5:
        return TOPICS["covid"][0]
    return rng.choice(TOPICS[group])


def _weighted_commune(rng: random.Random, communes: list[_Commune], boost: Callable[[_Commune], float]) -> _Commune:
    status_weight = {"confirmed": 1.0, "probable": 0.7, "possible": 0.35}
    return rng.choices(communes, weights=[status_weight[c.status] * boost(c) for c in communes])[0]


def _place_unit(ctx: _Context, rng: random.Random, commune: _Commune, start: dt.date, end: dt.date,
                other_kinds: Sequence[str]) -> int:
    """The covering station (most of the time), else a unit of one of the other kinds allowed for the type."""
    stations = ctx.stations_covering(commune.key, start, end)
    if stations and rng.random() < 0.85:
        return rng.choice(stations)
    return ctx.unit_of_kind(rng.choice(other_kinds))


def _fill(drafts: list[_Draft], measure: str, total: int, *, rng: random.Random,
          weight: Callable[[_Draft], float] = lambda d: d.weight, low: Callable[[_Draft], int] = lambda d: 0,
          high: Callable[[_Draft], int] | None = None) -> None:
    """Give every draft a value of the measure so that they add up to total exactly."""
    definition = get_activity_type(drafts[0].type_code).measure(measure)
    lows = [max(low(d), definition.min) for d in drafts]
    highs = [min(high(d) if high else definition.max, definition.max) for d in drafts]
    for d, value in zip(drafts, partition(total, [weight(d) for d in drafts], rng=rng, lows=lows, highs=highs)):
        d.values[measure] = value


def _village_cap(ctx: _Context, d: _Draft) -> int:
    if d.village is not None and d.village in ctx.village_population:
        return int(ctx.village_population[d.village])
    commune = ctx.communes.get(d.commune or "")
    return int(commune.population) if commune and commune.population else 10_000


def _pick_village(rng: random.Random, commune: _Commune, share: float) -> int | None:
    return rng.choice(commune.villages) if commune.villages and rng.random() < share else None


def _local_languages(rng: random.Random, commune: _Commune, share: float) -> str:
    local = commune.local_languages
    return "vi," + local[0] if local and rng.random() < share else "vi"


def _random_day(rng: random.Random, year: int, month: int) -> dt.date:
    first, last = _month_days(year, month)
    return first + dt.timedelta(days=rng.randrange((last - first).days + 1))


def _sample_weighted(rng: random.Random, items: list, weights: list[float], k: int) -> list:
    """k distinct items, drawn with probability growing with their weight (Efraimidis–Spirakis keys)."""
    keyed = sorted(range(len(items)), key=lambda i: -(rng.random() ** (1.0 / max(weights[i], 1e-9))))
    return [items[i] for i in sorted(keyed[:k])]


def _outreach(ctx: _Context, rng: random.Random, years: Sequence[int], totals: dict[str, int]) -> list[_Draft]:
    cells, weights = _cells(years, "gathering", "gathering")
    drafts: list[_Draft] = []
    for (year, month), k in zip(cells, partition(round(totals["sessions"] / 1.06), weights, rng=rng)):
        for _ in range(k):
            day = _random_day(rng, year, month)
            commune = _weighted_commune(rng, ctx.communes_on(day),
                                        lambda c: 1.5 if c.name in WORKING_GROUP_COMMUNES else 1.0)
            market = [d for d in _market_days(year, month, commune.market_weekday) if commune.valid(d, d)]
            if market and rng.random() < 0.6:
                day = rng.choice(market)  # a session on market day reaches the most people
            drafts.append(_Draft(
                "outreach_session", day, day, _place_unit(ctx, rng, commune, day, day, ("battalion", "department")),
                commune.key, _pick_village(rng, commune, 0.85), _local_languages(rng, commune, 0.5),
                _topic(rng, "law", day), weight=SEASON["gathering"][month - 1]))
    _fill(drafts, "sessions", totals["sessions"], rng=rng, low=lambda d: 1, high=lambda d: 3)
    _fill(drafts, "attendances", totals["attendances"], rng=rng, weight=lambda d: d.values["sessions"],
          low=lambda d: 15 * d.values["sessions"],
          high=lambda d: min(130 * d.values["sessions"], _village_cap(ctx, d)))
    return drafts


def _study(ctx: _Context, rng: random.Random, years: Sequence[int], totals: dict[str, int]) -> list[_Draft]:
    """Study days at the stations (a single-day type), more of them in the rainy season when fewer go out."""
    cells, weights = _cells(years, "indoor", "flat")
    drafts = []
    for (year, month), k in zip(cells, partition(round(totals["sessions"] / 1.04), weights, rng=rng)):
        for _ in range(k):
            day = _random_day(rng, year, month)
            if day.weekday() == 6:
                day -= dt.timedelta(days=1 if day.day > 1 else -1)  # no study day on Sunday
            station = rng.choice(ctx.stations)
            drafts.append(_Draft("study_session", day, day, station.id, topic=_topic(rng, "study", day)))
    _fill(drafts, "sessions", totals["sessions"], rng=rng, low=lambda d: 1, high=lambda d: 2)
    _fill(drafts, "soldier_attendances", totals["soldier_attendances"], rng=rng,
          weight=lambda d: d.values["sessions"], low=lambda d: 25 * d.values["sessions"],
          high=lambda d: 60 * d.values["sessions"])
    return drafts


def _leaflets(ctx: _Context, rng: random.Random, years: Sequence[int], totals: dict[str, int]) -> list[_Draft]:
    cells, weights = _cells(years, "gathering", "gathering")
    drafts = []
    for (year, month), k in zip(cells, partition(max(round(totals["copies"] / 470), 1), weights, rng=rng)):
        for _ in range(k):
            first, last = _month_days(year, month)
            start = first + dt.timedelta(days=rng.randrange(20))
            end = min(start + dt.timedelta(days=rng.randrange(3, 15)), last)
            commune = _weighted_commune(rng, ctx.communes_on(start, end), lambda c: 1.0)
            stations = ctx.stations_covering(commune.key, start, end)
            if stations and rng.random() < 0.75:
                unit, where = rng.choice(stations), commune
            else:
                unit, where = ctx.unit_of_kind("department"), (commune if rng.random() < 0.5 else None)
            drafts.append(_Draft(
                "leaflet_issue", start, end, unit, where.key if where else None,
                _pick_village(rng, where, 0.3) if where else None, "vi", _topic(rng, "law", start)))
    _fill(drafts, "copies", totals["copies"], rng=rng, low=lambda d: 100, high=lambda d: 2_000)
    return drafts


def _patrols(ctx: _Context, rng: random.Random, years: Sequence[int], totals: dict[str, int]) -> list[_Draft]:
    """Each station's patrols in each commune it covers, tallied per month."""
    drafts = []
    for year in years:
        for month in range(1, 13):
            first, last = _month_days(year, month)
            month_drafts = [_Draft("patrol", first, last, station_id, commune.key)
                            for commune in ctx.communes_on(first, last)
                            for station_id in ctx.stations_covering(commune.key, first, last)]
            # a station patrols its whole stretch of border; several communes share its patrols
            shared = Counter(d.unit_id for d in month_drafts)
            for d in month_drafts:
                d.weight = SEASON["patrol"][month - 1] * YEAR_TREND["patrol"][year] * (1 + 1 / shared[d.unit_id])
            drafts += month_drafts
    _fill(drafts, "patrols", totals["patrols"], rng=rng, low=lambda d: 1, high=lambda d: 80)
    _fill(drafts, "soldier_participations", totals["soldier_participations"], rng=rng,
          weight=lambda d: d.values["patrols"], low=lambda d: 3 * d.values["patrols"],
          high=lambda d: 9 * d.values["patrols"])
    _fill(drafts, "civilian_patrols", totals["civilian_patrols"], rng=rng,
          weight=lambda d: d.values["patrols"] * d.weight, high=lambda d: d.values["patrols"])
    _fill(drafts, "civilian_participations", totals["civilian_participations"], rng=rng,
          weight=lambda d: d.values["civilian_patrols"], low=lambda d: 2 * d.values["civilian_patrols"],
          high=lambda d: 6 * d.values["civilian_patrols"])
    return drafts


def _performances(ctx: _Context, rng: random.Random, years: Sequence[int], totals: dict[str, int]) -> list[_Draft]:
    cells, weights = _cells(years, "festival", "gathering")
    drafts = []
    for (year, month), k in zip(cells, partition(totals["performances"], weights, rng=rng, jitter=0.5)):
        for _ in range(k):
            day = _random_day(rng, year, month)
            commune = _weighted_commune(rng, ctx.communes_on(day), lambda c: 1.0)
            drafts.append(_Draft(
                "cultural_performance", day, day, _place_unit(ctx, rng, commune, day, day, ("department", "battalion")),
                commune.key, None, _local_languages(rng, commune, 0.6), _topic(rng, "performance", day)))
    _fill(drafts, "performances", totals["performances"], rng=rng, low=lambda d: 1, high=lambda d: 1)
    _fill(drafts, "viewers", totals["viewers"], rng=rng, low=lambda d: 150,
          high=lambda d: min(900, int(1.5 * _village_cap(ctx, d))))
    return drafts


def _loudspeaker(ctx: _Context, rng: random.Random, years: Sequence[int], totals: dict[str, int]) -> list[_Draft]:
    """Broadcast days at the clusters, on the commune's market day, in Vietnamese and the local language."""
    cells = [(cluster, year) for cluster in ctx.clusters for year in years]
    market = [[d for m in range(1, 13) for d in _market_days(year, m, ctx.communes[c.commune_key].market_weekday)]
              for c, year in cells]
    counts = partition(round(totals["sessions"] / 1.08), [YEAR_TREND["gathering"][y] ** 0.5 for _, y in cells],
                       rng=rng, lows=[min(8, len(days)) for days in market], highs=[len(days) for days in market])
    drafts = []
    for (cluster, _year), days, k in zip(cells, market, counts):
        languages = f"vi,{ctx.cluster_language[cluster.key]}"
        for day in _sample_weighted(rng, days, [SEASON["market"][d.month - 1] for d in days], k):
            commune = cluster.commune_key if day < REORGANISATION_2025 else ctx.rollup_2025[cluster.commune_key]
            drafts.append(_Draft("loudspeaker_broadcast", day, day, cluster.id, commune, None, languages,
                                 _topic(rng, "law", day), weight=SEASON["market"][day.month - 1]))
    _fill(drafts, "sessions", totals["sessions"], rng=rng, low=lambda d: 1, high=lambda d: 2)
    for d in drafts:
        d.values["minutes"] = sum(rng.randint(20, 45) for _ in range(d.values["sessions"]))
    return drafts


def _monthly_media(type_code: str, unit_kind: str, topics: str, bounds: dict[str, tuple[int, int]]):
    def build(ctx: _Context, rng: random.Random, years: Sequence[int], totals: dict[str, int]) -> list[_Draft]:
        cells, weights = _cells(years, "flat", "media")
        drafts = []
        for (year, month), weight in zip(cells, weights):
            first, last = _month_days(year, month)
            drafts.append(_Draft(type_code, first, last, ctx.unit_of_kind(unit_kind), languages="" if
                                 get_activity_type(type_code).languages == "none" else "vi",
                                 topic=rng.choice(TOPICS[topics]), weight=weight))
        for measure, total in totals.items():
            low, high = bounds[measure]
            _fill(drafts, measure, total, rng=rng, low=lambda d, low=low: low, high=lambda d, high=high: high)
        return drafts
    return build


_radio_tv = _monthly_media("radio_tv_item", "radio_tv", "radio",
                           {"reportages": (0, 3), "segments": (1, 4), "news_items": (0, 12)})
_press = _monthly_media("press_item", "press", "press", {"items": (5, 80)})


def _training(ctx: _Context, rng: random.Random, years: Sequence[int], totals: dict[str, int]) -> list[_Draft]:
    drafts = []
    for i, year in enumerate(sorted(rng.sample(list(years), k=totals["courses"]))):
        start = _random_day(rng, year, rng.choice((3, 4, 5, 9, 10, 11)))
        start = start.replace(day=min(start.day, 26))
        unit = ctx.unit_of_kind("department" if i % 2 == 0 else "battalion")
        drafts.append(_Draft("training_course", start, start + dt.timedelta(days=2), unit,
                             topic=rng.choice(TOPICS["training"]),
                             values={"courses": 1, "trainees": rng.randint(35, 70)}))
    return drafts


def _working_groups(ctx: _Context, rng: random.Random, years: Sequence[int], totals: dict[str, int]) -> list[_Draft]:
    """Quarterly tallies of the working groups kept in villages of the communes the report names."""
    drafts = []
    for year in years:
        for quarter in range(4):
            start = dt.date(year, 3 * quarter + 1, 1)
            end = _month_days(year, 3 * quarter + 3)[1]
            seen: set[str] = set()
            for old in [c for c in ctx.communes.values() if c.name in WORKING_GROUP_COMMUNES
                        and c.valid_from != REORGANISATION_2025]:
                commune = old if old.valid(start, end) else ctx.communes.get(ctx.rollup_2025.get(old.key, ""))
                if commune is None or not commune.valid(start, end) or commune.key in seen:
                    continue
                seen.add(commune.key)
                stations = ctx.stations_covering(commune.key, start, end)
                unit = rng.choice(stations) if stations else ctx.unit_of_kind("battalion")
                groups = rng.choice((1, 1, 1, 2))
                languages = "vi,mong" if "mong" in old.languages else _local_languages(rng, old, 0.6)
                drafts.append(_Draft("village_working_group", start, end, unit, commune.key,
                                     _pick_village(rng, commune, 0.9), languages, rng.choice(TOPICS["group"]),
                                     values={"groups": groups, "members": groups * rng.randint(3, 5)}))
    return drafts


def _special_events(ctx: _Context, rng: random.Random, years: Sequence[int], totals: dict[str, int]) -> list[_Draft]:
    drafts = []
    if years[0] <= 2015 <= years[-1]:
        day = dt.date(2015, 3, 3)  # the report does not date it; shown on Border Guard Day as a demo choice
        drafts.append(_Draft("special_event", day, day, ctx.unit_of_kind("department"),
                             topic="Cầu truyền hình “Âm vang biên giới”", values={"events": 1, "participants": 3_000}))
    for year in (y for y in years if y >= 2022):
        day = dt.date(year, 1, rng.randint(10, 25))
        commune = _weighted_commune(rng, [c for c in ctx.communes_on(day) if ctx.stations_covering(c.key, day)],
                                    lambda c: 1.0)
        drafts.append(_Draft("special_event", day, day, rng.choice(ctx.stations_covering(commune.key, day)),
                             commune.key, topic="Chương trình “Xuân Biên phòng ấm lòng dân bản”",
                             values={"events": 1, "participants": rng.randint(400, 1_200)}))
    return drafts


def _twinning(ctx: _Context, rng: random.Random, years: Sequence[int], totals: dict[str, int]) -> list[_Draft]:
    """Cross-border village twinning and exchanges: planned in the report, so only from 2021."""
    drafts = []
    for year in (y for y in years if y >= 2021):
        for _ in range(rng.randint(1, 3)):
            day = _random_day(rng, year, rng.choice((3, 4, 5, 9, 10, 11, 12)))
            commune = _weighted_commune(rng, [c for c in ctx.communes_on(day) if ctx.stations_covering(c.key, day)],
                                        lambda c: 1.0)
            drafts.append(_Draft("twinning_exchange", day, day, rng.choice(ctx.stations_covering(commune.key, day)),
                                 commune.key, _pick_village(rng, commune, 0.7),
                                 topic="Kết nghĩa, giao lưu cụm dân cư hai bên biên giới",
                                 values={"exchanges": 1, "participants": rng.randint(40, 150)}))
    return drafts


# type → (builder, trend used to continue after 2020)
BUILDERS: dict[str, tuple[Callable[..., list[_Draft]], str]] = {
    "outreach_session": (_outreach, "gathering"),
    "study_session": (_study, "flat"),
    "leaflet_issue": (_leaflets, "gathering"),
    "patrol": (_patrols, "patrol"),
    "cultural_performance": (_performances, "gathering"),
    "loudspeaker_broadcast": (_loudspeaker, "gathering"),
    "radio_tv_item": (_radio_tv, "media"),
    "press_item": (_press, "media"),
    "training_course": (_training, "flat"),
    "village_working_group": (_working_groups, "flat"),
    "special_event": (_special_events, "flat"),
    "twinning_exchange": (_twinning, "flat"),
}


def later_totals(*, rng: random.Random) -> dict[str, dict[str, int]]:
    """Totals for 2021–2025 at the report's yearly level, moved by each type's trend."""
    totals = {}
    for code, figures in REPORT_TOTALS.items():
        trend = YEAR_TREND[BUILDERS[code][1]]
        base = sum(trend[y] for y in REPORT_YEARS) / len(REPORT_YEARS)
        factor = sum(trend[y] * rng.uniform(0.95, 1.05) for y in LATER_YEARS) / base / len(REPORT_YEARS)
        totals[code] = {m: max(round(v * factor * rng.uniform(0.98, 1.02)), 1) for m, v in figures.items()}
    totals["training_course"] = {"courses": 3}
    return totals


def build_drafts(ctx: _Context) -> list[_Draft]:
    """All demo records of 2012–2020 (report totals) and 2021–2025 (continued), measures filled."""
    drafts: list[_Draft] = []
    later = later_totals(rng=random.Random(f"{SEED}:later"))
    for code, (builder, _trend) in BUILDERS.items():
        rng = random.Random(f"{SEED}:{code}")
        drafts += builder(ctx, rng, REPORT_YEARS, REPORT_TOTALS.get(code, {}))
        drafts += builder(ctx, rng, LATER_YEARS, later.get(code, {}))
    return drafts


def _rows(drafts: list[_Draft], rng: random.Random) -> list[dict]:
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


_NULLABLE = ("reporting_unit_id", "commune_key", "village_id", "m1", "m2", "m3", "m4", "m5", "m6")


def load_demo(*, session: Session) -> dict[str, int]:
    """Add demo villages, populations, loudspeaker clusters and records 2012–2025 (the caller's transaction)."""
    ctx = _load_context(session)
    rng = random.Random(f"{SEED}:markets")
    for commune in ctx.communes.values():
        commune.market_weekday = rng.choice((6, 6, 6, 5, 3))  # most highland markets are on Sunday
    counts = {
        "demo_villages": _add_demo_villages(session, ctx, random.Random(f"{SEED}:villages")),
        "demo_population_facts": _add_demo_population(session, ctx, random.Random(f"{SEED}:population")),
        "demo_clusters": _add_clusters(session, ctx),
    }
    rows = _rows(build_drafts(ctx), random.Random(f"{SEED}:entered"))
    insert_records(session=session, rows=rows, rebuild=True)
    counts["demo_records"] = len(rows)
    return counts
