"""SQLAlchemy 2.0 typed models: dated units, reporting units, activity records, summaries, users, change log (plans
and published figures: planning.py)."""
from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from data_model.schema import clock

NO_COMMUNE = ""  # summary key for records without a commune
NO_UNIT = 0  # summary key for records without a reporting unit


def new_uid() -> str:
    """A new global record identifier: a random UUID in canonical text form."""
    return str(uuid.uuid4())


def utcnow() -> dt.datetime:
    """Current time in UTC, naive (stored the same way on both engines)."""
    return clock.utc_instant().replace(tzinfo=None)


class Base(DeclarativeBase):
    """Declarative base of every table."""


class Unit(Base):
    """One version of an administrative unit, valid on [valid_from, valid_to)."""

    __tablename__ = "unit"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    code: Mapped[str] = mapped_column(String(16), index=True)
    level: Mapped[str] = mapped_column(String(16), index=True)  # province | district | commune
    kind: Mapped[str] = mapped_column(String(32))  # tỉnh, huyện, xã, phường, thị trấn …
    name: Mapped[str] = mapped_column(String(120))
    name_norm: Mapped[str] = mapped_column(String(120), index=True)
    parent_key: Mapped[str | None] = mapped_column(ForeignKey("unit.key"))
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    border_status: Mapped[str] = mapped_column(String(16), default="unknown")
    border_source: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    verified: Mapped[bool] = mapped_column(Boolean, default=True)

    def valid_on(self, day: dt.date) -> bool:
        """Whether this version exists on the day."""
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day < self.valid_to)


class UnitSuccessor(Base):
    """A dated successor link; share 1.0 for a merger, shares for a split."""

    __tablename__ = "unit_successor"
    __table_args__ = (UniqueConstraint("from_key", "to_key", name="uq_successor"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    from_key: Mapped[str] = mapped_column(ForeignKey("unit.key"), index=True)
    to_key: Mapped[str] = mapped_column(ForeignKey("unit.key"), index=True)
    date: Mapped[dt.date] = mapped_column(Date)
    share: Mapped[float] = mapped_column(Float, default=1.0)
    source: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")


class UnitAlias(Base):
    """Another spelling or a former name of a unit version."""

    __tablename__ = "unit_alias"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_key: Mapped[str] = mapped_column(ForeignKey("unit.key"), index=True)
    alias: Mapped[str] = mapped_column(String(120))
    alias_norm: Mapped[str] = mapped_column(String(120), index=True)
    source: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")


class Village(Base):
    """A village (bản) of a commune version; demo villages are marked."""

    __tablename__ = "village"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_key: Mapped[str] = mapped_column(ForeignKey("unit.key"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    name_norm: Mapped[str] = mapped_column(String(120), index=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    verified: Mapped[bool] = mapped_column(Boolean, default=True)
    source: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")


class UnitFact(Base):
    """A sourced fact about a unit or village: population, households, ethnic groups, languages."""

    __tablename__ = "unit_fact"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_key: Mapped[str] = mapped_column(ForeignKey("unit.key"), index=True)
    village_id: Mapped[int | None] = mapped_column(ForeignKey("village.id"))
    village_text: Mapped[str] = mapped_column(Text, default="")
    year: Mapped[int | None] = mapped_column(Integer)
    fact: Mapped[str] = mapped_column(String(32), index=True)
    value: Mapped[str] = mapped_column(Text)
    value_num: Mapped[float | None] = mapped_column(Float)  # parsed number, e.g. ">3000" → 3000
    approximate: Mapped[bool] = mapped_column(Boolean, default=False)
    verified: Mapped[bool] = mapped_column(Boolean, default=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")


class UnitLanguage(Base):
    """A language spoken in a commune version or village (from ethnic-group facts or admin entry)."""

    __tablename__ = "unit_language"
    __table_args__ = (UniqueConstraint("unit_key", "village_id", "language", name="uq_unit_language"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_key: Mapped[str] = mapped_column(ForeignKey("unit.key"), index=True)
    village_id: Mapped[int | None] = mapped_column(ForeignKey("village.id"))
    language: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(Text, default="")


class ReportingUnit(Base):
    """Who did an activity: a border station, the battalion, the Department, radio/TV, press, a loudspeaker cluster."""

    __tablename__ = "reporting_unit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str] = mapped_column(String(120))
    number: Mapped[str] = mapped_column(String(16), default="")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("reporting_unit.id"))
    commune_key: Mapped[str | None] = mapped_column(ForeignKey("unit.key"))
    verified: Mapped[bool] = mapped_column(Boolean, default=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    source: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")


class StationCoverage(Base):
    """A station covers a commune version on [valid_from, valid_to)."""

    __tablename__ = "station_coverage"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("reporting_unit.id"), index=True)
    unit_key: Mapped[str] = mapped_column(ForeignKey("unit.key"), index=True)
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    derived: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")


class User(Base):
    """A local account; the hash never leaves data_model."""

    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255), default="")
    role: Mapped[str] = mapped_column(String(16))  # admin | official | planner | staff
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)  # failed logins since the last success
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    units: Mapped[list[UserUnit]] = relationship(cascade="all, delete-orphan", lazy="selectin")


class UserUnit(Base):
    """A staff account may write records of this reporting unit."""

    __tablename__ = "user_unit"

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True)
    reporting_unit_id: Mapped[int] = mapped_column(ForeignKey("reporting_unit.id"), primary_key=True)


class LoginSession(Base):
    """One login: its browser session's token and its browser cookie's token (SHA-256 hashes), a one-time grant
    that swaps for that cookie, the client address, last use, and its end."""

    __tablename__ = "login_session"
    __table_args__ = (Index("ix_login_session_user_address", "user_id", "address"),
                      Index("ix_login_session_cookie_hash", "cookie_hash", unique=True),
                      Index("ix_login_session_grant_hash", "grant_hash", unique=True))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    address: Mapped[str] = mapped_column(String(64), default="")  # "" for loopback (Streamlit gives None)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    end_reason: Mapped[str] = mapped_column(String(32), default="")
    cookie_hash: Mapped[str | None] = mapped_column(String(64))
    grant_hash: Mapped[str | None] = mapped_column(String(64))
    grant_until: Mapped[dt.datetime | None] = mapped_column(DateTime)


class LoginThrottle(Base):
    """Failed logins counted per client address, per typed user name, and per both; when the next try is allowed."""

    __tablename__ = "login_throttle"

    scope: Mapped[str] = mapped_column(String(16), primary_key=True)  # address | user | user_address
    subject: Mapped[str] = mapped_column(String(160), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_failure_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)


class ImportBatch(Base):
    """One imported file."""

    __tablename__ = "import_batch"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    rows_added: Mapped[int] = mapped_column(Integer, default=0)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class HeldSubmission(Base):
    """A submission of a server's export that the import refused: held back, listed, tried again on the next import."""

    __tablename__ = "held_submission"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True)  # the record's global id it would get
    instance_id: Mapped[str] = mapped_column(String(200))
    submitter: Mapped[str] = mapped_column(String(200), default="")
    reporting_unit_id: Mapped[int | None] = mapped_column(ForeignKey("reporting_unit.id"), index=True)
    problems: Mapped[str] = mapped_column(Text, default="")  # one "«question»: reason" a line
    filename: Mapped[str] = mapped_column(String(255), default="")  # the export it was last refused in
    held_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    held_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    seen_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class ActivityRecord(Base):
    """One activity as it happened, or a tally over a period at one place, within one calendar year."""

    __tablename__ = "activity_record"
    __table_args__ = (
        Index("ix_record_year_type", "year", "type_code"),
        Index("ix_record_start_id", "start_date", "id"),
        Index("ix_record_commune_year", "commune_key", "year"),
        Index("ix_record_unit_year", "reporting_unit_id", "year"),
        Index("ix_record_village_year", "village_id", "year"),
        # the joint-activity scan: records of a type in a commune by start date (data_model/joint)
        Index("ix_record_type_commune_start", "type_code", "commune_key", "start_date"),
        # covers the timeliness of entry of a year (reporting/completeness.py) without reading the table
        Index("ix_record_year_unit_entry", "year", "reporting_unit_id", "end_date", "created_at", "deleted_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # a local handle, only meaningful in this database
    # the record's identity everywhere: made once when the record is created, carried by exports, matched on import
    uid: Mapped[str] = mapped_column(String(36), unique=True, index=True, default=new_uid)
    type_code: Mapped[str] = mapped_column(String(40))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    year: Mapped[int] = mapped_column(Integer)
    reporting_unit_id: Mapped[int | None] = mapped_column(ForeignKey("reporting_unit.id"))
    commune_key: Mapped[str | None] = mapped_column(ForeignKey("unit.key"))
    village_id: Mapped[int | None] = mapped_column(ForeignKey("village.id"))
    languages: Mapped[str] = mapped_column(String(200), default="")  # comma-separated language codes
    topic: Mapped[str] = mapped_column(String(300), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    # the measure slots (MEASURE_COLUMNS of definitions/fields.py; each measure names its slot in activity_types.toml)
    m1: Mapped[int | None] = mapped_column(BigInteger)
    m2: Mapped[int | None] = mapped_column(BigInteger)
    m3: Mapped[int | None] = mapped_column(BigInteger)
    m4: Mapped[int | None] = mapped_column(BigInteger)
    m5: Mapped[int | None] = mapped_column(BigInteger)
    m6: Mapped[int | None] = mapped_column(BigInteger)
    source_key: Mapped[str | None] = mapped_column(String(200), unique=True)  # import row identity
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))
    # a hash of the server's submission as last imported: tells a server edit from a local one on the next import
    source_hash: Mapped[str | None] = mapped_column(String(64))
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    deleted_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    delete_reason: Mapped[str] = mapped_column(Text, default="")


class RecordLanguage(Base):
    """One language of a record, for GROUP BY language (mirrors ActivityRecord.languages)."""

    __tablename__ = "record_language"

    record_id: Mapped[int] = mapped_column(ForeignKey("activity_record.id", ondelete="CASCADE"), primary_key=True)
    language: Mapped[str] = mapped_column(String(16), primary_key=True)


class SlotSums:
    """The record count and the sum of each measure slot (SUM_COLUMNS of definitions/fields.py), after the keys."""

    n_records: Mapped[int] = mapped_column(BigInteger, default=0, sort_order=1)
    s1: Mapped[int] = mapped_column(BigInteger, default=0, sort_order=1)
    s2: Mapped[int] = mapped_column(BigInteger, default=0, sort_order=1)
    s3: Mapped[int] = mapped_column(BigInteger, default=0, sort_order=1)
    s4: Mapped[int] = mapped_column(BigInteger, default=0, sort_order=1)
    s5: Mapped[int] = mapped_column(BigInteger, default=0, sort_order=1)
    s6: Mapped[int] = mapped_column(BigInteger, default=0, sort_order=1)


class ActivitySummary(SlotSums, Base):
    """Yearly totals of live records per type × commune (as recorded) × reporting unit, kept exact on every write."""

    __tablename__ = "activity_summary"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    type_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    commune_key: Mapped[str] = mapped_column(String(32), primary_key=True)  # NO_COMMUNE when none
    reporting_unit_id: Mapped[int] = mapped_column(Integer, primary_key=True)  # NO_UNIT when none


class VillageSummary(Base):
    """Yearly totals of live records per village × type (for villages reached or not)."""

    __tablename__ = "village_summary"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    type_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    village_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    n_records: Mapped[int] = mapped_column(BigInteger, default=0)
    s1: Mapped[int] = mapped_column(BigInteger, default=0)
    s2: Mapped[int] = mapped_column(BigInteger, default=0)


class LanguageSummary(Base):
    """Yearly totals of live records per commune (as recorded) × type × language."""

    __tablename__ = "language_summary"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    type_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    commune_key: Mapped[str] = mapped_column(String(32), primary_key=True)
    language: Mapped[str] = mapped_column(String(16), primary_key=True)
    n_records: Mapped[int] = mapped_column(BigInteger, default=0)
    s1: Mapped[int] = mapped_column(BigInteger, default=0)


class ActivityRollup(SlotSums, Base):
    """Yearly totals of live records per type × reporting unit (activity_summary without the commune), kept exact."""

    # small (a few thousand rows at 5M records): province-wide Overview and Trends read it instead of every summary row
    __tablename__ = "activity_rollup"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    type_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    reporting_unit_id: Mapped[int] = mapped_column(Integer, primary_key=True)  # NO_UNIT when none


class ChangeLog(Base):
    """Every change and security event: who, when, what, old and new values (JSON text)."""

    __tablename__ = "change_log"
    __table_args__ = (Index("ix_change_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    username: Mapped[str] = mapped_column(String(64), default="", index=True)
    action: Mapped[str] = mapped_column(String(32), index=True)  # create, update, delete, restore, import, login …
    entity: Mapped[str] = mapped_column(String(32), default="")
    entity_id: Mapped[str] = mapped_column(String(64), default="")
    old_values: Mapped[str] = mapped_column(Text, default="")
    new_values: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text, default="")


class AppMeta(Base):
    """Small key/value facts about this database (e.g. whether demo data was loaded)."""

    __tablename__ = "app_meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")
