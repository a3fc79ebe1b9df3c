"""Typed models of planning and publishing: yearly targets, monthly reporting confirmations, closed years with their
published figures and the revisions made after."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from data_model.schema.models import Base, SlotSums, utcnow


class Target(Base):
    """A planned figure for a year, type and measure, for the province or one commune or unit."""

    __tablename__ = "target"
    # one target per year × (province | commune | unit) × type × measure: importing a plan twice changes nothing
    __table_args__ = (UniqueConstraint("year", "level", "scope_key", "type_code", "measure", name="uq_target_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    type_code: Mapped[str] = mapped_column(String(40))
    measure: Mapped[str] = mapped_column(String(40))
    commune_key: Mapped[str | None] = mapped_column(ForeignKey("unit.key"))
    reporting_unit_id: Mapped[int | None] = mapped_column(ForeignKey("reporting_unit.id"))
    value: Mapped[int] = mapped_column(BigInteger)
    note: Mapped[str] = mapped_column(Text, default="")
    level: Mapped[str] = mapped_column(String(16), default="province")  # province | commune | unit
    # "" for the province, the commune key, or the reporting unit's key (a NULL would let duplicates through)
    scope_key: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


class MonthConfirmation(Base):
    """A reporting unit's statement that month M of a year is fully entered ("nothing of type T" included)."""

    __tablename__ = "month_confirmation"
    __table_args__ = (UniqueConstraint("reporting_unit_id", "year", "month", name="uq_month_confirmation"),
                      Index("ix_month_confirmation_year", "year", "month"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reporting_unit_id: Mapped[int] = mapped_column(ForeignKey("reporting_unit.id"))
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    confirmed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    confirmed_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    confirmed_by_name: Mapped[str] = mapped_column(String(64), default="")
    deadline: Mapped[dt.date] = mapped_column(Date)  # the deadline in force when the month was confirmed
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    no_activity_types: Mapped[str] = mapped_column(String(400), default="")  # comma-separated: "none this month"
    note: Mapped[str] = mapped_column(Text, default="")
    revised: Mapped[bool] = mapped_column(Boolean, default=False)  # its records were written after confirming
    revised_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class YearClose(Base):
    """A year closed with its published figures; reopening keeps the row (history) and frees current_year."""

    __tablename__ = "year_close"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    # the year while this close stands, NULL once reopened: the unique index allows one standing close per year
    current_year: Mapped[int | None] = mapped_column(Integer, unique=True)
    closed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    closed_by_name: Mapped[str] = mapped_column(String(64), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    reopened_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    reopened_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    reopened_by_name: Mapped[str] = mapped_column(String(64), default="")
    reopen_reason: Mapped[str] = mapped_column(Text, default="")


class PublishedSummary(SlotSums, Base):
    """The activity_summary rows of a closed year as they stood when it was closed (the published figures)."""

    __tablename__ = "published_summary"

    close_id: Mapped[int] = mapped_column(ForeignKey("year_close.id"), primary_key=True)
    type_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    commune_key: Mapped[str] = mapped_column(String(32), primary_key=True)
    reporting_unit_id: Mapped[int] = mapped_column(Integer, primary_key=True)


class YearRevision(Base):
    """A change to a record of a closed year (only admins, with a reason): who, when, why, what changed."""

    __tablename__ = "year_revision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    close_id: Mapped[int] = mapped_column(ForeignKey("year_close.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    record_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(16))  # create | update | delete | restore
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    username: Mapped[str] = mapped_column(String(64), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    change: Mapped[str] = mapped_column(Text, default="")  # readable: "Số buổi: 3 → 4"
