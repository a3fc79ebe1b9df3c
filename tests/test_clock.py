"""One clock in the province's time zone: at 23:30 UTC it is already 06:30 the next day in Lai Châu."""
from __future__ import annotations

import datetime as dt
import os
import re

import pytest
from auth_helpers import sign_in
from entry_helpers import THU_LUM_2025, outreach
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from data_model.accounts.users import create_user
from data_model.analytics.filters import Filters
from data_model.analytics.map import commune_map
from data_model.basics.issues import ValidationError
from data_model.basics.permissions import SYSTEM
from data_model.records.bulk import insert_records
from data_model.records.history import record_history
from data_model.records.write import create_record
from data_model.report import build_report_preview
from data_model.reporting.completeness import year_completeness
from data_model.reporting.deadline import local_now, local_today
from data_model.schema import clock
from data_model.schema.db import build_engine, read_session, write_session
from data_model.schema.models import ActivityRecord, ReportingUnit, utcnow
from data_model.schema.settings import PROJECT_ROOT

DASHBOARD = str(PROJECT_ROOT / "dashboard.py")
LATE_UTC = dt.datetime(2026, 3, 5, 23, 30, tzinfo=dt.UTC)  # a server in UTC still says 5 March
VIETNAM_DAY = dt.date(2026, 3, 6)  # in Lai Châu it is 06:30 on 6 March, the day after February's deadline
CLOCK_READS = re.compile(r"\bdate\.today\(|\bdatetime\.(now|utcnow|today)\(|\bTimestamp\.(now|today)\(|timedelta\(hours=7\)")


@pytest.fixture
def morning(monkeypatch):
    """The one clock at 23:30 UTC on 5 March 2026."""
    monkeypatch.setattr(clock, "utc_instant", lambda: LATE_UTC)
    return LATE_UTC


def test_no_module_reads_the_machine_clock_but_the_clock_module():
    allowed = {PROJECT_ROOT / "data_model" / "schema" / "clock.py"}
    # tests too: a test comparing with the machine's date fails in CI from 17:00 UTC, when Vietnam is a day ahead
    files = [PROJECT_ROOT / "dashboard.py", PROJECT_ROOT / "app.py",
             *(p for d in ("data_model", "ui", "pages", "tests") for p in (PROJECT_ROOT / d).rglob("*.py"))]
    allowed.add(PROJECT_ROOT / "tests" / "test_clock.py")  # names the reads it looks for
    found = [f"{p.relative_to(PROJECT_ROOT)}:{n}: {line.strip()}" for p in files if p not in allowed
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1)
             if CLOCK_READS.search(line)]
    assert found == []


def test_the_clock_is_vietnam_time_from_one_instant(morning):
    assert clock.now_local() == dt.datetime(2026, 3, 6, 6, 30)
    assert clock.today_local() == local_today() == VIETNAM_DAY
    assert local_now() == clock.now_local()
    assert utcnow() == dt.datetime(2026, 3, 5, 23, 30)  # stored times stay UTC, from the same clock
    assert clock.convert_to_utc(local=dt.datetime(2026, 3, 6)) == dt.datetime(2026, 3, 5, 17)
    assert clock.get_utc_offset() == dt.timedelta(hours=7)


def test_the_time_zone_is_a_setting(morning, monkeypatch):
    monkeypatch.setenv("PROVINCE_TIMEZONE", "UTC")
    assert clock.today_local() == dt.date(2026, 3, 5)
    monkeypatch.setenv("PROVINCE_TIMEZONE", "Sao Hỏa/Thủ đô")
    with pytest.raises(ValueError, match="PROVINCE_TIMEZONE: «Sao Hỏa/Thủ đô» không phải là múi giờ"):
        clock.today_local()


def test_the_report_is_dated_today_in_vietnam(morning, engine):
    preview = build_report_preview(engine=engine, scope="province", year_from=2025, year_to=2025)
    assert "Lai Châu, ngày 06 tháng 3 năm 2026" in preview.preview  # Decree 30: a 0 only before months 1–2
    assert "cơ sở dữ liệu ngày 06/03/2026" in preview.preview


def test_completeness_counts_february_overdue_on_the_vietnamese_morning(morning, session):
    result = year_completeness(session=session, year=2026)
    assert result.today == VIETNAM_DAY
    february = result.grid[result.grid["month"] == 2]
    assert set(february["status"]) == {"missing"}  # deadline 5 March has passed in Vietnam
    assert set(result.grid[result.grid["month"] == 3]["status"]) == {"open"}


def test_the_map_draws_the_communes_of_today_in_vietnam(morning, session):
    data = commune_map(session=session, filters=Filters(2025, 2026), type_code="outreach_session",
                       measure="sessions")
    assert data.on == VIETNAM_DAY


@pytest.fixture
def staff_app(db_url, app_env, morning):
    """The app on a fresh database with one record and a staff account of Đồn Ka Lăng, the clock at 23:30 UTC."""
    app_env(db_url)
    engine = build_engine(url=db_url)
    with write_session(engine) as s:
        unit = s.scalar(select(ReportingUnit.id).where(ReportingUnit.key == "st_ka_lang"))
        insert_records(session=s, rows=[{"type_code": "outreach_session", "start_date": dt.date(2025, 8, 1),
                                         "end_date": dt.date(2025, 8, 1), "year": 2025, "reporting_unit_id": unit,
                                         "commune_key": THU_LUM_2025, "m1": 1, "m2": 30}])
        user = create_user(session=s, actor=SYSTEM, username="nv_sang_som", password="nhap-lieu-1", role="staff",
                           unit_keys=["st_ka_lang"])
    yield engine, user
    engine.dispose()


def _open(user_id: int, page: str) -> AppTest:
    at = AppTest.from_file(DASHBOARD, default_timeout=90)
    sign_in(at, os.environ["DATABASE_URL"], user_id)
    at.switch_page(f"pages/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_entry_form_offers_and_accepts_today_in_vietnam(staff_app):
    engine, user = staff_app
    at = _open(user, "nhap_hoat_dong")
    at.selectbox(key="ne_type").select("outreach_session").run()
    day = at.date_input(key="ne_0_start_date")
    assert (day.value, day.max) == (VIETNAM_DAY, VIETNAM_DAY)
    at.selectbox(key="ne_0_commune_key").select(THU_LUM_2025).run()
    at.number_input(key="ne_0_sessions").set_value(1)
    at.number_input(key="ne_0_attendances").set_value(40)
    at.text_input(key="ne_0_topic").input("Sáng sớm")
    next(b for b in at.button if b.label == "Lưu hoạt động").click().run()
    assert not at.error, [e.value for e in at.error]
    with read_session(engine) as s:
        saved = s.scalar(select(ActivityRecord).where(ActivityRecord.topic == "Sáng sớm"))
    assert saved is not None and saved.start_date == VIETNAM_DAY


def test_the_map_caption_names_today_in_vietnam(staff_app):
    _, user = staff_app
    at = _open(user, "theo_xa")
    # the roll-up day is said when the records are viewed as recorded (the years reach 2025: one click away)
    at.radio(key="f_bounds").set_value("historical").run()
    captions = "\n".join(c.value for c in at.caption)
    assert "(ngày 06/03/2026)" in captions


def test_a_records_history_shows_vietnam_time(morning, session):
    unit = session.scalar(select(ReportingUnit.id).where(ReportingUnit.key == "st_ka_lang"))
    record_id = create_record(session=session, actor=SYSTEM, values=outreach(unit))
    session.commit()
    history = record_history(session=session, record_id=record_id)
    assert list(history["at"].unique()) == [dt.datetime(2026, 3, 6, 6, 30)]


def test_a_record_of_today_in_vietnam_is_accepted_and_tomorrow_refused(morning, session):
    unit = session.scalar(select(ReportingUnit.id).where(ReportingUnit.key == "st_ka_lang"))
    tomorrow = VIETNAM_DAY + dt.timedelta(days=1)
    with pytest.raises(ValidationError, match=r"ở tương lai \(hôm nay là 06/03/2026\)"):
        create_record(session=session, actor=SYSTEM, values=outreach(
            unit, start_date=tomorrow, end_date=tomorrow, commune_key=THU_LUM_2025))
    assert create_record(session=session, actor=SYSTEM, values=outreach(
        unit, start_date=VIETNAM_DAY, end_date=VIETNAM_DAY, commune_key=THU_LUM_2025))
