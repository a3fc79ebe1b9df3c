"""Typed models of joint activities: the co-organisers merged into one record, and pairs found to be different."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Integer, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from data_model.schema.models import Base, utcnow


class JointOrganiser(Base):
    """A co-organiser of a joint activity: its own record of the event was merged into the kept record."""

    __tablename__ = "joint_organiser"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("activity_record.id"), index=True)  # the joint activity, kept
    reporting_unit_id: Mapped[int] = mapped_column(ForeignKey("reporting_unit.id"), index=True)  # credited with it
    merged_record_id: Mapped[int] = mapped_column(ForeignKey("activity_record.id"), index=True)  # left the totals
    # the kept record's measure columns before and after the merge (JSON {"before": …, "after": …}), for the undo
    kept_before: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime)  # undone by an admin
    ended_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    end_reason: Mapped[str] = mapped_column(Text, default="")


class JointDismissal(Base):
    """Two records an official found to be different activities: never offered as a pair again (unless undone)."""

    __tablename__ = "joint_dismissal"
    __table_args__ = (UniqueConstraint("first_id", "second_id", name="uq_joint_dismissal"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    first_id: Mapped[int] = mapped_column(ForeignKey("activity_record.id"))  # the smaller record id
    second_id: Mapped[int] = mapped_column(ForeignKey("activity_record.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    ended_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    end_reason: Mapped[str] = mapped_column(Text, default="")
