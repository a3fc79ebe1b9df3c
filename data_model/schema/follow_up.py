"""Typed model of the follow-up list: a record marked "cần kiểm tra lại" with a reason, until its unit answers."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from data_model.schema.models import Base, utcnow


class RecordFlag(Base):
    """One request to check a record again: who raised it and why; who closed it, when, how and with what answer."""

    __tablename__ = "record_flag"
    # the open flags of a record (at most one) and of the whole list are found without reading closed ones
    __table_args__ = (Index("ix_record_flag_record_closed", "record_id", "closed_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("activity_record.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(Text)
    raised_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    raised_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    resolution: Mapped[str] = mapped_column(String(16), default="")  # "" while open | answered | corrected
    answer: Mapped[str] = mapped_column(Text, default="")
