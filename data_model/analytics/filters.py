"""What the user narrowed the data to (Filters), checked, and the WHERE conditions it puts on the summary table."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from data_model.definitions.activity_types import load_activity_types
from data_model.reference.boundaries import Boundaries, load_rollup
from data_model.schema.models import ActivitySummary, Unit


class QueryError(ValueError):
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
        if self.year_from > self.year_to:
            raise QueryError(f"Năm bắt đầu ({self.year_from}) lớn hơn năm kết thúc ({self.year_to})")
        unknown = [t for t in self.types if t not in load_activity_types()]
        if unknown:
            raise QueryError(f"Loại hoạt động không tồn tại: {', '.join(unknown)}")
        if self.district and self.boundaries != "historical":
            raise QueryError("Lọc theo huyện chỉ dùng được với địa giới như khi ghi nhận (trước 01/07/2025)")


def recorded_commune_keys(*, session: Session, filters: Filters) -> list[str] | None:
    """Commune keys as recorded that the filters' commune and district choice lets through (None = no such filter)."""
    keys: set[str] | None = None
    if filters.communes:
        if filters.boundaries == "current":
            rollup = load_rollup(session=session, on=filters.on)
            wanted = set(filters.communes)
            keys = {k for k, targets in rollup.items() if any(t in wanted for t, _ in targets)}
        else:
            keys = set(filters.communes)
    if filters.district:
        in_district = set(session.scalars(select(Unit.key).where(Unit.parent_key == filters.district)))
        keys = in_district if keys is None else keys & in_district
    return None if keys is None else sorted(keys)


def summary_conditions(*, session: Session, filters: Filters) -> list:
    """WHERE conditions on ActivitySummary for the filters, written so the table's key can be used.

    With a type or commune filter, years and types become IN lists: the (year, type_code, commune_key, …) key then
    leads straight to the rows of those types (and communes) instead of every row of the year range.
    """
    s = ActivitySummary
    communes = recorded_commune_keys(session=session, filters=filters)
    if communes is None and not filters.types:
        conditions = [s.year >= filters.year_from, s.year <= filters.year_to]
    else:
        conditions = [s.year.in_(range(filters.year_from, filters.year_to + 1)),
                      s.type_code.in_(filters.types or tuple(load_activity_types()))]
    if communes is not None:
        conditions.append(s.commune_key.in_(communes))
    if filters.stations:
        conditions.append(s.reporting_unit_id.in_(filters.stations))
    conditions.append(s.n_records != 0)
    return conditions


def filtered_summary(*, session: Session, filters: Filters) -> Select:
    """SELECT over the yearly summary with the filters applied (columns chosen by the caller)."""
    return select(ActivitySummary).where(*summary_conditions(session=session, filters=filters))
