"""What the user narrowed the data to (Filters), checked, and resolved to concrete unit keys (ResolvedFilters)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from data_model.analytics.units import with_cluster_units
from data_model.basics.issues import YEAR_MAX, YEAR_MIN
from data_model.definitions.activity_types import load_activity_types
from data_model.reference.boundaries import Boundaries, load_rollup
from data_model.schema.clock import today_local
from data_model.schema.models import ActivityRecord, Unit
from data_model.texts.errors import UserError

Rollup = Mapping[str, list[tuple[str, float]]]  # unit key as recorded → [(key on the roll-up date, share)]


def parse_whole_number(*, text: object, low: int, high: int) -> int | None:
    """The number a URL value or a search box spells in ASCII digits, when within [low, high]; else None."""
    # str.isdigit() also accepts "²" and "٣", which int() refuses or reads as another number
    if not isinstance(text, str) or not text.isascii() or not text.isdigit() or len(text) > len(str(high)):
        return None
    value = int(text)
    return value if low <= value <= high else None


class QueryError(UserError, ValueError):
    """A filter or grouping that cannot be answered; the message says why in Vietnamese."""


@dataclass(frozen=True)
class Filters:
    """What the user narrowed the data to; empty tuples mean all."""

    year_from: int
    year_to: int
    types: tuple[str, ...] = ()
    communes: tuple[str, ...] = ()  # unit keys, in the chosen boundaries
    stations: tuple[int, ...] = ()  # reporting unit ids
    district: str | None = None  # district unit key (historical boundaries only)
    boundaries: Boundaries = "historical"
    on: dt.date | None = field(default=None)  # roll-up date for current boundaries (today by default)

    def check(self) -> None:
        """Raise QueryError for an impossible filter."""
        if not (YEAR_MIN <= self.year_from <= YEAR_MAX and YEAR_MIN <= self.year_to <= YEAR_MAX):
            raise QueryError("Năm phải trong khoảng {low}–{high}", low=YEAR_MIN, high=YEAR_MAX)
        if self.year_from > self.year_to:
            raise QueryError("Năm bắt đầu ({year_from}) lớn hơn năm kết thúc ({year_to})", year_from=self.year_from,
                             year_to=self.year_to)
        unknown = [t for t in self.types if t not in load_activity_types()]
        if unknown:
            raise QueryError("Loại hoạt động không tồn tại: {unknown}", unknown=', '.join(unknown))
        if self.district and self.boundaries != "historical":
            raise QueryError("Lọc theo huyện chỉ dùng được với địa giới như khi ghi nhận (trước 01/07/2025)")


@dataclass(frozen=True)
class ResolvedFilters:
    """Filters resolved to concrete keys: all a statement builder needs, with nothing left to look up."""

    # None means no condition: every type, every commune (records without one included), every reporting unit
    year_from: int
    year_to: int
    types: tuple[str, ...] | None
    commune_keys: tuple[str, ...] | None  # commune keys as recorded on the records
    unit_ids: tuple[int, ...] | None  # reporting unit ids, the loudspeaker clusters under a chosen station included
    boundaries: Boundaries
    on: dt.date  # the day current boundaries are rolled up to


def keys_rolling_up_to(*, rollup: Rollup, targets: Iterable[str]) -> list[str]:
    """Unit keys as recorded whose roll-up lands (wholly or in part) on one of the target keys, sorted."""
    wanted = set(targets)
    return sorted(k for k, parts in rollup.items() if any(t in wanted for t, _ in parts))


def recorded_commune_keys(*, session: Session, filters: Filters) -> list[str] | None:
    """Commune keys as recorded that the filters' commune and district choice lets through (None = no such filter)."""
    keys: set[str] | None = None
    if filters.communes:
        if filters.boundaries == "current":
            keys = set(keys_rolling_up_to(rollup=load_rollup(session=session, on=filters.on), targets=filters.communes))
        else:
            keys = set(filters.communes)
    if filters.district:
        in_district = set(session.scalars(select(Unit.key).where(Unit.parent_key == filters.district)))
        keys = in_district if keys is None else keys & in_district
    return None if keys is None else sorted(keys)


SelectT = TypeVar("SelectT", bound=Select)


def narrow_records(stmt: SelectT, *, session: Session, filters: Filters) -> SelectT:
    """A statement over activity records narrowed to the filters' types, stations and communes (not their years)."""
    r = ActivityRecord
    if filters.types:
        stmt = stmt.where(r.type_code.in_(filters.types))
    if filters.stations:
        stmt = stmt.where(r.reporting_unit_id.in_(filters.stations))
    communes = recorded_commune_keys(session=session, filters=filters)
    if communes is not None:
        stmt = stmt.where(r.commune_key.in_(communes))
    return stmt


def resolve_filters(*, session: Session, filters: Filters) -> ResolvedFilters:
    """Check the filters and look up the concrete commune keys and reporting unit ids they stand for."""
    filters.check()
    communes = recorded_commune_keys(session=session, filters=filters)
    return ResolvedFilters(
        year_from=filters.year_from, year_to=filters.year_to, types=tuple(filters.types) or None,
        commune_keys=None if communes is None else tuple(communes),
        unit_ids=with_cluster_units(session=session, station_ids=tuple(filters.stations)) or None,
        boundaries=filters.boundaries, on=filters.on or today_local(),
    )
