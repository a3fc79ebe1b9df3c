"""Demo records drafted per activity type so that 2012–2020 add up to the report and 2021–2025 continue it."""
from __future__ import annotations

import calendar
import datetime as dt
import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from data_model.definitions.activity_types import get_activity_type
from data_model.demo.context import SEED, Commune, Context, partition
from data_model.demo.figures import (
    LATER_YEARS,
    REPORT_TOTALS,
    REPORT_YEARS,
    SEASON,
    TOPICS,
    WORKING_GROUP_COMMUNES,
    YEAR_TREND,
)
from data_model.reference.boundaries import REORGANISATION_2025


@dataclass
class Draft:
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


def _weighted_commune(rng: random.Random, communes: list[Commune], boost: Callable[[Commune], float]) -> Commune:
    status_weight = {"confirmed": 1.0, "probable": 0.7, "possible": 0.35}
    return rng.choices(communes, weights=[status_weight[c.status] * boost(c) for c in communes])[0]


def _place_unit(ctx: Context, rng: random.Random, commune: Commune, start: dt.date, end: dt.date,
                other_kinds: Sequence[str]) -> int:
    """The covering station (most of the time), else a unit of one of the other kinds allowed for the type."""
    stations = ctx.stations_covering(commune.key, start, end)
    if stations and rng.random() < 0.85:
        return rng.choice(stations)
    return ctx.unit_of_kind(rng.choice(other_kinds))


def _fill(drafts: list[Draft], measure: str, total: int, *, rng: random.Random,
          weight: Callable[[Draft], float] = lambda d: d.weight, low: Callable[[Draft], int] = lambda d: 0,
          high: Callable[[Draft], int] | None = None) -> None:
    """Give every draft a value of the measure so that they add up to total exactly."""
    definition = get_activity_type(drafts[0].type_code).measure(measure)
    lows = [max(low(d), definition.min) for d in drafts]
    highs = [min(high(d) if high else definition.max, definition.max) for d in drafts]
    for d, value in zip(drafts, partition(total, [weight(d) for d in drafts], rng=rng, lows=lows, highs=highs)):
        d.values[measure] = value


def _village_cap(ctx: Context, d: Draft) -> int:
    if d.village is not None and d.village in ctx.village_population:
        return int(ctx.village_population[d.village])
    commune = ctx.communes.get(d.commune or "")
    return int(commune.population) if commune and commune.population else 10_000


def _pick_village(rng: random.Random, commune: Commune, share: float) -> int | None:
    return rng.choice(commune.villages) if commune.villages and rng.random() < share else None


def _local_languages(rng: random.Random, commune: Commune, share: float) -> str:
    local = commune.local_languages
    return "vi," + local[0] if local and rng.random() < share else "vi"


def _random_day(rng: random.Random, year: int, month: int) -> dt.date:
    first, last = _month_days(year, month)
    return first + dt.timedelta(days=rng.randrange((last - first).days + 1))


def _sample_weighted(rng: random.Random, items: list, weights: list[float], k: int) -> list:
    """k distinct items, drawn with probability growing with their weight (Efraimidis–Spirakis keys)."""
    keyed = sorted(range(len(items)), key=lambda i: -(rng.random() ** (1.0 / max(weights[i], 1e-9))))
    return [items[i] for i in sorted(keyed[:k])]


def _outreach(ctx: Context, rng: random.Random, years: Sequence[int], totals: dict[str, int]) -> list[Draft]:
    cells, weights = _cells(years, "gathering", "gathering")
    drafts: list[Draft] = []
    for (year, month), k in zip(cells, partition(round(totals["sessions"] / 1.06), weights, rng=rng)):
        for _ in range(k):
            day = _random_day(rng, year, month)
            commune = _weighted_commune(rng, ctx.communes_on(day),
                                        lambda c: 1.5 if c.name in WORKING_GROUP_COMMUNES else 1.0)
            market = [d for d in _market_days(year, month, commune.market_weekday) if commune.valid(d, d)]
            if market and rng.random() < 0.6:
                day = rng.choice(market)  # a session on market day reaches the most people
            drafts.append(Draft(
                "outreach_session", day, day, _place_unit(ctx, rng, commune, day, day, ("battalion", "department")),
                commune.key, _pick_village(rng, commune, 0.85), _local_languages(rng, commune, 0.5),
                _topic(rng, "law", day), weight=SEASON["gathering"][month - 1]))
    _fill(drafts, "sessions", totals["sessions"], rng=rng, low=lambda d: 1, high=lambda d: 3)
    _fill(drafts, "attendances", totals["attendances"], rng=rng, weight=lambda d: d.values["sessions"],
          low=lambda d: 15 * d.values["sessions"],
          high=lambda d: min(130 * d.values["sessions"], _village_cap(ctx, d)))
    return drafts


def _study(ctx: Context, rng: random.Random, years: Sequence[int], totals: dict[str, int]) -> list[Draft]:
    """Study days at the stations (a single-day type), more of them in the rainy season when fewer go out."""
    cells, weights = _cells(years, "indoor", "flat")
    drafts = []
    for (year, month), k in zip(cells, partition(round(totals["sessions"] / 1.04), weights, rng=rng)):
        for _ in range(k):
            day = _random_day(rng, year, month)
            if day.weekday() == 6:
                day -= dt.timedelta(days=1 if day.day > 1 else -1)  # no study day on Sunday
            station = rng.choice(ctx.stations)
            drafts.append(Draft("study_session", day, day, station.id, topic=_topic(rng, "study", day)))
    _fill(drafts, "sessions", totals["sessions"], rng=rng, low=lambda d: 1, high=lambda d: 2)
    _fill(drafts, "soldier_attendances", totals["soldier_attendances"], rng=rng,
          weight=lambda d: d.values["sessions"], low=lambda d: 25 * d.values["sessions"],
          high=lambda d: 60 * d.values["sessions"])
    return drafts


def _leaflets(ctx: Context, rng: random.Random, years: Sequence[int], totals: dict[str, int]) -> list[Draft]:
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
            drafts.append(Draft(
                "leaflet_issue", start, end, unit, where.key if where else None,
                _pick_village(rng, where, 0.3) if where else None, "vi", _topic(rng, "law", start)))
    _fill(drafts, "copies", totals["copies"], rng=rng, low=lambda d: 100, high=lambda d: 2_000)
    return drafts


def _patrols(ctx: Context, rng: random.Random, years: Sequence[int], totals: dict[str, int]) -> list[Draft]:
    """Each station's patrols in each commune it covers, tallied per month."""
    drafts = []
    for year in years:
        for month in range(1, 13):
            first, last = _month_days(year, month)
            month_drafts = [Draft("patrol", first, last, station_id, commune.key)
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


def _performances(ctx: Context, rng: random.Random, years: Sequence[int], totals: dict[str, int]) -> list[Draft]:
    cells, weights = _cells(years, "festival", "gathering")
    drafts = []
    for (year, month), k in zip(cells, partition(totals["performances"], weights, rng=rng, jitter=0.5)):
        for _ in range(k):
            day = _random_day(rng, year, month)
            commune = _weighted_commune(rng, ctx.communes_on(day), lambda c: 1.0)
            drafts.append(Draft(
                "cultural_performance", day, day, _place_unit(ctx, rng, commune, day, day, ("department", "battalion")),
                commune.key, None, _local_languages(rng, commune, 0.6), _topic(rng, "performance", day)))
    _fill(drafts, "performances", totals["performances"], rng=rng, low=lambda d: 1, high=lambda d: 1)
    _fill(drafts, "viewers", totals["viewers"], rng=rng, low=lambda d: 150,
          high=lambda d: min(900, int(1.5 * _village_cap(ctx, d))))
    return drafts


def _loudspeaker(ctx: Context, rng: random.Random, years: Sequence[int], totals: dict[str, int]) -> list[Draft]:
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
            drafts.append(Draft("loudspeaker_broadcast", day, day, cluster.id, commune, None, languages,
                                 _topic(rng, "law", day), weight=SEASON["market"][day.month - 1]))
    _fill(drafts, "sessions", totals["sessions"], rng=rng, low=lambda d: 1, high=lambda d: 2)
    for d in drafts:
        d.values["minutes"] = sum(rng.randint(20, 45) for _ in range(d.values["sessions"]))
    return drafts


def _monthly_media(type_code: str, unit_kind: str, topics: str, bounds: dict[str, tuple[int, int]]):
    def build(ctx: Context, rng: random.Random, years: Sequence[int], totals: dict[str, int]) -> list[Draft]:
        cells, weights = _cells(years, "flat", "media")
        drafts = []
        for (year, month), weight in zip(cells, weights):
            first, last = _month_days(year, month)
            drafts.append(Draft(type_code, first, last, ctx.unit_of_kind(unit_kind), languages="" if
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


def _training(ctx: Context, rng: random.Random, years: Sequence[int], totals: dict[str, int]) -> list[Draft]:
    drafts = []
    for i, year in enumerate(sorted(rng.sample(list(years), k=totals["courses"]))):
        start = _random_day(rng, year, rng.choice((3, 4, 5, 9, 10, 11)))
        start = start.replace(day=min(start.day, 26))
        unit = ctx.unit_of_kind("department" if i % 2 == 0 else "battalion")
        drafts.append(Draft("training_course", start, start + dt.timedelta(days=2), unit,
                             topic=rng.choice(TOPICS["training"]),
                             values={"courses": 1, "trainees": rng.randint(35, 70)}))
    return drafts


def _working_groups(ctx: Context, rng: random.Random, years: Sequence[int], totals: dict[str, int]) -> list[Draft]:
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
                drafts.append(Draft("village_working_group", start, end, unit, commune.key,
                                     _pick_village(rng, commune, 0.9), languages, rng.choice(TOPICS["group"]),
                                     values={"groups": groups, "members": groups * rng.randint(3, 5)}))
    return drafts


def _special_events(ctx: Context, rng: random.Random, years: Sequence[int], totals: dict[str, int]) -> list[Draft]:
    drafts = []
    if years[0] <= 2015 <= years[-1]:
        day = dt.date(2015, 3, 3)  # the report does not date it; shown on Border Guard Day as a demo choice
        drafts.append(Draft("special_event", day, day, ctx.unit_of_kind("department"),
                             topic="Cầu truyền hình “Âm vang biên giới”", values={"events": 1, "participants": 3_000}))
    for year in (y for y in years if y >= 2022):
        day = dt.date(year, 1, rng.randint(10, 25))
        commune = _weighted_commune(rng, [c for c in ctx.communes_on(day) if ctx.stations_covering(c.key, day)],
                                    lambda c: 1.0)
        drafts.append(Draft("special_event", day, day, rng.choice(ctx.stations_covering(commune.key, day)),
                             commune.key, topic="Chương trình “Xuân Biên phòng ấm lòng dân bản”",
                             values={"events": 1, "participants": rng.randint(400, 1_200)}))
    return drafts


def _twinning(ctx: Context, rng: random.Random, years: Sequence[int], totals: dict[str, int]) -> list[Draft]:
    """Cross-border village twinning and exchanges: planned in the report, so only from 2021."""
    drafts = []
    for year in (y for y in years if y >= 2021):
        for _ in range(rng.randint(1, 3)):
            day = _random_day(rng, year, rng.choice((3, 4, 5, 9, 10, 11, 12)))
            commune = _weighted_commune(rng, [c for c in ctx.communes_on(day) if ctx.stations_covering(c.key, day)],
                                        lambda c: 1.0)
            drafts.append(Draft("twinning_exchange", day, day, rng.choice(ctx.stations_covering(commune.key, day)),
                                 commune.key, _pick_village(rng, commune, 0.7),
                                 topic="Kết nghĩa, giao lưu cụm dân cư hai bên biên giới",
                                 values={"exchanges": 1, "participants": rng.randint(40, 150)}))
    return drafts


# type → (builder, trend used to continue after 2020)
BUILDERS: dict[str, tuple[Callable[..., list[Draft]], str]] = {
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


def build_drafts(ctx: Context) -> list[Draft]:
    """All demo records of 2012–2020 (report totals) and 2021–2025 (continued), measures filled."""
    drafts: list[Draft] = []
    later = later_totals(rng=random.Random(f"{SEED}:later"))
    for code, (builder, _trend) in BUILDERS.items():
        rng = random.Random(f"{SEED}:{code}")
        drafts += builder(ctx, rng, REPORT_YEARS, REPORT_TOTALS.get(code, {}))
        drafts += builder(ctx, rng, LATER_YEARS, later.get(code, {}))
    return drafts
