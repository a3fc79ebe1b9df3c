"""Typed models of the report as an administrative document: the issuing bodies, dated like the communes."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from data_model.schema.models import Base


class IssuingBody(Base):
    """One version of an agency that issues the report, valid on [valid_from, valid_to), with its signer."""

    __tablename__ = "issuing_body"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    role: Mapped[str] = mapped_column(String(32), index=True)  # department | border_guard
    name: Mapped[str] = mapped_column(String(200))  # as printed top left: "SỞ KHOA HỌC VÀ CÔNG NGHỆ"
    text_name: Mapped[str] = mapped_column(String(200))  # as written in sentences: "Sở Khoa học và Công nghệ"
    name_en: Mapped[str] = mapped_column(String(200), default="")
    superior: Mapped[str] = mapped_column(String(200), default="")  # "UBND TỈNH LAI CHÂU"
    abbreviation: Mapped[str] = mapped_column(String(32))  # in the number symbol: BC-SKHCN
    signer_authority: Mapped[str] = mapped_column(String(120), default="")  # "KT. GIÁM ĐỐC"
    signer_title: Mapped[str] = mapped_column(String(120), default="")  # "PHÓ GIÁM ĐỐC"
    signer_name: Mapped[str] = mapped_column(String(120), default="")
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")

    def valid_on(self, day: dt.date) -> bool:
        """Whether this version exists on the day."""
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day < self.valid_to)
