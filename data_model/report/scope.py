"""What a report covers: the province, a district (as recorded), a reporting unit or a commune, for a period."""
from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from data_model.analytics.filters import Filters, QueryError, keys_rolling_up_to
from data_model.analytics.units import with_cluster_units
from data_model.reference.boundaries import default_boundaries, load_rollup
from data_model.schema.models import ReportingUnit, Unit

SCOPE_KINDS: tuple[str, ...] = ("province", "district", "station", "commune")


class ReportError(QueryError):
    """A report that cannot be made as asked; the message says why in Vietnamese."""


@dataclass(frozen=True)
class Period:
    """Whole calendar years year_from..year_to."""

    year_from: int
    year_to: int

    @property
    def years(self) -> int:
        return self.year_to - self.year_from + 1

    @property
    def start(self) -> dt.date:
        return dt.date(self.year_from, 1, 1)

    @property
    def end(self) -> dt.date:
        return dt.date(self.year_to, 12, 31)

    def previous(self) -> Period:
        """The period of equal length just before this one."""
        return Period(self.year_from - self.years, self.year_to - self.years)

    def check(self) -> None:
        """Raise ReportError for a reversed period."""
        if self.year_from > self.year_to:
            raise ReportError("Năm bắt đầu ({year_from}) lớn hơn năm kết thúc ({year_to})", year_from=self.year_from,
                              year_to=self.year_to)


@dataclass(frozen=True)
class Scope:
    """A scope as the user names it: "province", "district:KEY", "station:KEY", "commune:KEY"."""

    kind: str = "province"
    key: str = ""

    @classmethod
    def parse(cls, text: str) -> Scope:
        """The scope written as KIND or KIND:KEY (ReportError when malformed)."""
        kind, _, key = (text or "province").strip().partition(":")
        kind, key = kind.strip().lower(), key.strip()
        if kind not in SCOPE_KINDS:
            raise ReportError("Phạm vi không hợp lệ: {text!r} (dùng province, district:MÃ, station:MÃ, commune:MÃ)",
                              text=text)
        if kind == "province" and key:
            raise ReportError("Phạm vi province không cần mã")
        if kind != "province" and not key:
            raise ReportError("Phạm vi {kind} cần mã đơn vị, ví dụ {kind}:MÃ", kind=kind)
        return cls(kind=kind, key=key)

    def __str__(self) -> str:
        return self.kind if self.kind == "province" else f"{self.kind}:{self.key}"


@dataclass(frozen=True)
class ResolvedScope:
    """A scope checked against the database, with what queries need to apply it."""

    scope: Scope
    name: str
    unit_kind: str  # tỉnh, huyện, xã … (empty for reporting units)
    filters: Filters
    recorded_communes: tuple[str, ...] | None  # commune keys as recorded that belong to the scope; None = all
    merged_names: tuple[str, ...] = ()  # former communes counted under the chosen one


def _overlaps(model, period: Period):
    return (
        or_(model.valid_from.is_(None), model.valid_from <= period.end),
        or_(model.valid_to.is_(None), model.valid_to > period.start),
    )


def communes_in_period(*, session: Session, period: Period) -> list[Unit]:
    """Commune versions that exist at some time in the period, by name."""
    stmt = select(Unit).where(Unit.level == "commune", *_overlaps(Unit, period)).order_by(Unit.name, Unit.key)
    return list(session.scalars(stmt))


def districts_in_period(*, session: Session, period: Period) -> list[Unit]:
    """District versions that exist at some time in the period, by name."""
    stmt = select(Unit).where(Unit.level == "district", *_overlaps(Unit, period)).order_by(Unit.name, Unit.key)
    return list(session.scalars(stmt))


def _province(session: Session, period: Period) -> Unit | None:
    stmt = select(Unit).where(Unit.level == "province", *_overlaps(Unit, period)).order_by(Unit.valid_from.desc())
    return session.scalars(stmt).first() or session.scalars(select(Unit).where(Unit.level == "province")).first()


def _roll_up_date(unit: Unit, period: Period) -> dt.date:
    """The day the commune is looked at: the period's end, kept inside the unit's own validity."""
    day = period.end
    if unit.valid_to is not None and day >= unit.valid_to:
        day = unit.valid_to - dt.timedelta(days=1)
    if unit.valid_from is not None and day < unit.valid_from:
        day = unit.valid_from
    return day


def resolve_scope(*, session: Session, scope: Scope, period: Period) -> ResolvedScope:
    """Check the scope exists in the period and build its filters (ReportError otherwise)."""
    period.check()
    base = dict(year_from=period.year_from, year_to=period.year_to)
    # the pages' rule: a period reaching 1 July 2025 is told in today's communes, one wholly before in its own
    bounds = default_boundaries(year_to=period.year_to)
    if scope.kind == "province":
        province = _province(session, period)
        name = province.name if province else ""
        return ResolvedScope(scope, name, province.kind if province else "tỉnh", Filters(**base, boundaries=bounds),
                             None)
    if scope.kind == "station":
        unit = session.scalars(select(ReportingUnit).where(ReportingUnit.key == scope.key)).first()
        if unit is None:
            raise ReportError("Không có đơn vị báo cáo (đồn) mã {key!r}", key=scope.key)
        # the same rule as the dashboards: a station's loudspeaker clusters are its own work
        stations = with_cluster_units(session=session, station_ids=(unit.id,))
        return ResolvedScope(scope, unit.name, "", Filters(**base, stations=stations, boundaries=bounds), None)
    unit = session.get(Unit, scope.key)
    if unit is None or unit.level != scope.kind:
        label = "huyện" if scope.kind == "district" else "xã"
        raise ReportError("Không có {label} mã {key!r}", label=label, key=scope.key)
    if not (unit.valid_from is None or unit.valid_from <= period.end) or not (
            unit.valid_to is None or unit.valid_to > period.start):
        if scope.kind == "district":
            raise ReportError("Huyện {name} không tồn tại trong giai đoạn {year_from}–{year_to}", name=unit.name,
                              year_from=period.year_from, year_to=period.year_to)
    if scope.kind == "district":
        keys = tuple(session.scalars(select(Unit.key).where(Unit.parent_key == unit.key, Unit.level == "commune")))
        return ResolvedScope(scope, unit.name, unit.kind, Filters(**base, district=unit.key), keys)
    on = _roll_up_date(unit, period)
    rollup = load_rollup(session=session, on=on)
    keys = tuple(keys_rolling_up_to(rollup=rollup, targets=[unit.key]) or [unit.key])
    merged = tuple(sorted(session.scalars(select(Unit.name).where(Unit.key.in_(keys), Unit.key != unit.key))))
    filters = Filters(**base, communes=(unit.key,), boundaries="current", on=on)
    return ResolvedScope(scope, unit.name, unit.kind, filters, keys, merged)


@dataclass(frozen=True)
class ScopeOption:
    """One choice in a scope picker."""

    value: str
    label: str


def list_scope_options(*, session: Session, kind: str, period: Period) -> list[ScopeOption]:
    """The districts, reporting units or communes a report for the period can be made for."""
    if kind == "province":
        return [ScopeOption("province", "")]
    if kind == "station":
        units = session.scalars(select(ReportingUnit).order_by(ReportingUnit.kind != "station", ReportingUnit.name))
        return [ScopeOption(f"station:{u.key}", u.name) for u in units]
    units = (districts_in_period if kind == "district" else communes_in_period)(session=session, period=period)
    parents = dict(session.execute(select(Unit.key, Unit.name).where(Unit.level == "district")).all())
    options = []
    for u in sorted(units, key=lambda u: _sort_key(u.name)):
        extra = parents.get(u.parent_key or "", "")
        years = ""
        if u.valid_to is not None and u.valid_to <= period.end:
            years = f" (đến {u.valid_to.strftime('%d/%m/%Y')})"
        elif u.valid_from is not None and u.valid_from > period.start:
            years = f" (từ {u.valid_from.strftime('%d/%m/%Y')})"
        label = f"{u.kind} {u.name}" + (f" – {extra}" if extra and kind == "commune" else "") + years
        options.append(ScopeOption(f"{kind}:{u.key}", label))
    return options


def _sort_key(text: str) -> tuple[str, str]:
    """Alphabetical the Vietnamese way near enough: letters without their marks first, đ after d."""
    base = unicodedata.normalize("NFD", text.lower().replace("đ", "d\uffff"))
    return "".join(c for c in base if not unicodedata.combining(c)), text
