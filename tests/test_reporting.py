"""Monthly confirmations, completeness, year close with published figures and revisions: data_model and CLI."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from entry_helpers import count_records, outreach, summary_mismatches, unit_id
from sqlalchemy import select

from data_model.accounts.users import create_user
from data_model.basics.issues import ValidationError
from data_model.basics.permissions import SYSTEM, Actor, PermissionDenied
from data_model.cli.main import main
from data_model.files.records_import import preview_import, run_import, write_import
from data_model.files.tabular import ImportRejected
from data_model.records.write import create_record, delete_record, update_record
from data_model.reporting.completeness import entry_timeliness, month_status, overdue_months, year_completeness
from data_model.reporting.confirmations import confirm_month
from data_model.reporting.deadline import ReportingError, deadline_of, set_deadline_day
from data_model.reporting.published import published_years
from data_model.reporting.year_close import YearClosed, close_year, reopen_year, year_status
from data_model.schema.clock import today_local
from data_model.schema.db import read_session, write_session
from data_model.schema.models import ChangeLog
from data_model.schema.planning import MonthConfirmation

NOW = dt.datetime(2025, 3, 2, 3, 0)  # UTC: 10:00 on 2 March 2025 in Vietnam


@pytest.mark.parametrize("year, month, day, expected", [
    (2024, 1, 5, dt.date(2024, 2, 5)), (2024, 12, 5, dt.date(2025, 1, 5)), (2025, 2, 28, dt.date(2025, 3, 28)),
    (2024, 11, 1, dt.date(2024, 12, 1)),
])
def test_deadline_is_a_day_of_the_next_month(year, month, day, expected):
    assert deadline_of(year=year, month=month, day=day) == expected


@pytest.mark.parametrize("confirmed, late, month, today, expected", [
    (True, False, 1, dt.date(2025, 3, 1), "on_time"),
    (True, True, 1, dt.date(2025, 3, 1), "late"),
    (False, False, 1, dt.date(2025, 3, 1), "missing"),
    (False, False, 2, dt.date(2025, 3, 1), "open"),  # deadline 5 March not passed
    (False, False, 2, dt.date(2025, 3, 6), "missing"),
    (False, False, 3, dt.date(2025, 3, 6), "open"),  # the month in progress
    (False, False, 4, dt.date(2025, 3, 6), "not_expected"),
])
def test_month_status(confirmed, late, month, today, expected):
    assert month_status(year=2025, month=month, confirmed=confirmed, late=late, today=today, deadline_day=5) == expected


@pytest.fixture
def people(engine):
    """An official, an admin and a staff member of Ka Lăng station (database ids)."""
    with write_session(engine) as session:
        ids = {role: create_user(session=session, actor=SYSTEM, username=f"u_{role}", password="mat-khau-dai-1",
                                 role=role, unit_keys=["st_ka_lang"] if role == "staff" else [])
               for role in ("official", "admin", "staff")}
        ka_lang = unit_id(session)
    return {"official": Actor(ids["official"], "u_official", "official"),
            "admin": Actor(ids["admin"], "u_admin", "admin"),
            "staff": Actor(ids["staff"], "u_staff", "staff", frozenset({ka_lang})), "unit": ka_lang}


def test_staff_confirm_their_own_units_months_on_time_or_late(engine, people):
    staff, unit = people["staff"], people["unit"]
    with write_session(engine) as session:
        jan = confirm_month(session=session, actor=staff, reporting_unit_id=unit, year=2025, month=1, now=NOW)
        feb = confirm_month(session=session, actor=staff, reporting_unit_id=unit, year=2025, month=2,
                            no_activity_types=["patrol"], now=NOW)
        assert (jan.late, feb.late) == (True, False)  # January was due on 5 February
        assert feb.no_activity_types == "patrol"
    with write_session(engine) as session:
        other = unit_id(session, "st_mu_ca")
        with pytest.raises(PermissionDenied, match="đơn vị mình"):
            confirm_month(session=session, actor=staff, reporting_unit_id=other, year=2025, month=1, now=NOW)
        with pytest.raises(ReportingError, match="đã được xác nhận"):
            confirm_month(session=session, actor=staff, reporting_unit_id=unit, year=2025, month=1, now=NOW)
        with pytest.raises(ReportingError, match="Tháng 4/2025 chưa đến"):
            confirm_month(session=session, actor=staff, reporting_unit_id=unit, year=2025, month=4, now=NOW)
        with pytest.raises(PermissionDenied):
            confirm_month(session=session, actor=people["official"], reporting_unit_id=unit, year=2025, month=1,
                          now=NOW)
    with read_session(engine) as session:
        result = year_completeness(session=session, year=2025, today=NOW.date())
        log = session.scalars(select(ChangeLog).where(ChangeLog.action == "confirm")).all()
    cells = result.grid[result.grid["unit_id"] == unit].set_index("month")["status"]
    assert list(cells[:4]) == ["late", "on_time", "open", "not_expected"]
    mine = result.units.set_index("unit_id").loc[unit]
    assert (mine["expected"], mine["on_time"], mine["late"], mine["missing"], mine["rate"]) == (2, 1, 1, 0, 1.0)
    assert result.province["units"] == 14  # 11 stations, the battalion, the Department, radio/TV
    assert result.province["missing"] == 13  # every other unit's January
    assert len(overdue_months(result)) == 13
    assert len(log) == 2


def test_deadline_setting_changes_later_confirmations(engine, people):
    with write_session(engine) as session:
        with pytest.raises(PermissionDenied):
            set_deadline_day(session=session, actor=people["staff"], day=10)
        with pytest.raises(ReportingError, match="Hạn báo cáo"):
            set_deadline_day(session=session, actor=people["admin"], day=31)
        set_deadline_day(session=session, actor=people["admin"], day=28)
    with write_session(engine) as session:
        row = confirm_month(session=session, actor=people["staff"], reporting_unit_id=people["unit"], year=2025,
                            month=1, now=NOW)
    assert (row.deadline, row.late) == (dt.date(2025, 2, 28), True)


def test_editing_a_confirmed_month_marks_it_revised(engine, people):
    staff, unit = people["staff"], people["unit"]
    with write_session(engine) as session:
        record = create_record(session=session, actor=staff, values=outreach(unit))  # 5 March 2024
        confirm_month(session=session, actor=staff, reporting_unit_id=unit, year=2024, month=3, now=NOW)
        confirm_month(session=session, actor=staff, reporting_unit_id=unit, year=2024, month=4, now=NOW)
    with write_session(engine) as session:
        update_record(session=session, actor=staff, record_id=record, values=outreach(unit, attendances=130))
    with read_session(engine) as session:
        revised = {m: r for m, r in session.execute(select(MonthConfirmation.month, MonthConfirmation.revised))}
        timeliness = entry_timeliness(session=session, year=2024).set_index("unit_id").loc[unit]
    assert revised == {3: True, 4: False}
    assert timeliness["records"] == 1


def test_closed_year_refuses_staff_and_keeps_admin_revisions_beside_published_figures(engine, people):
    staff, admin, unit = people["staff"], people["admin"], people["unit"]
    with write_session(engine) as session:
        record = create_record(session=session, actor=staff, values=outreach(unit))
    with write_session(engine) as session:
        with pytest.raises(PermissionDenied, match="lãnh đạo"):
            close_year(session=session, actor=staff, year=2024)
        close_year(session=session, actor=people["official"], year=2024, note="Báo cáo số 12/BC")
    with write_session(engine) as session:
        with pytest.raises(ReportingError, match="Năm 2024 đã khóa sổ"):
            close_year(session=session, actor=admin, year=2024)
        with pytest.raises(ReportingError, match="chưa kết thúc"):
            close_year(session=session, actor=admin, year=today_local().year)
    for action in (lambda s: update_record(session=s, actor=staff, record_id=record,
                                           values=outreach(unit, attendances=130)),
                   lambda s: create_record(session=s, actor=staff, values=outreach(unit, sessions=1)),
                   lambda s: delete_record(session=s, actor=staff, record_id=record, reason="nhầm")):
        with pytest.raises(YearClosed, match="Năm 2024 đã khóa sổ"):
            with write_session(engine) as session:
                action(session)
    with pytest.raises(ValidationError, match="Lý do: năm 2024 đã khóa sổ"):
        with write_session(engine) as session:
            update_record(session=session, actor=admin, record_id=record, values=outreach(unit, attendances=130))
    with write_session(engine) as session:
        update_record(session=session, actor=admin, record_id=record, values=outreach(unit, attendances=130),
                      reason="Đồn báo cáo bổ sung")
    with read_session(engine) as session:
        [year] = published_years(session=session, year_from=2020, year_to=2025)
        status = year_status(session=session).set_index("year").loc[2024]
        assert summary_mismatches(session) == []
    assert (year.year, year.closed_by) == (2024, "u_official")
    differs = year.differs.set_index("measure")
    assert list(differs.index) == ["attendances"]
    assert (differs.loc["attendances", "published"], differs.loc["attendances", "current"]) == (120, 130)
    [revision] = year.revisions.to_dict(orient="records")
    assert (revision["username"], revision["reason"]) == ("u_admin", "Đồn báo cáo bổ sung")
    assert "Lượt người nghe: 120 → 130" in revision["change"]
    assert (bool(status["closed"]), status["records"], status["revisions"]) == (True, 1, 1)


def test_reopen_is_admin_only_with_a_reason_and_logged(engine, people):
    with write_session(engine) as session:
        close_year(session=session, actor=people["official"], year=2023)
    with write_session(engine) as session:
        with pytest.raises(PermissionDenied, match="quản trị"):
            reopen_year(session=session, actor=people["official"], year=2023, reason="x")
        with pytest.raises(ReportingError, match="Lý do"):
            reopen_year(session=session, actor=people["admin"], year=2023, reason="  ")
        reopen_year(session=session, actor=people["admin"], year=2023, reason="Bổ sung số liệu")
    with write_session(engine) as session:  # open again: staff write, and it can be closed anew
        create_record(session=session, actor=people["staff"], values=outreach(people["unit"],
                                                                              start_date=dt.date(2023, 5, 2),
                                                                              end_date=dt.date(2023, 5, 2)))
        close_year(session=session, actor=people["official"], year=2023)
    with read_session(engine) as session:
        actions = [a for a, in session.execute(select(ChangeLog.action).where(ChangeLog.entity == "year")
                                               .order_by(ChangeLog.id))]
        status = year_status(session=session).set_index("year").loc[2023]
    assert actions == ["close_year", "reopen_year", "close_year"]
    assert (bool(status["closed"]), status["records"], status["reopened"]) == (True, 1, 1)


def test_an_import_into_a_closed_year_writes_nothing(engine, people):
    with write_session(engine) as session:
        close_year(session=session, actor=people["official"], year=2024)
    data = ("Loại hoạt động,Ngày bắt đầu,Ngày kết thúc,Đơn vị thực hiện,Xã,Số buổi,Lượt người nghe\n"
            "outreach_session,05/03/2024,05/03/2024,st_ka_lang,Ka Lăng,1,30\n").encode()
    with pytest.raises(ImportRejected) as refused:
        run_import(engine=engine, actor=people["admin"], data=data, filename="t.csv")
    [row] = refused.value.preview.rows
    assert row.row == 2 and "Năm 2024 đã khóa sổ" in row.problems[-1].message
    with read_session(engine) as session:
        assert count_records(session) == 0
    # a file checked before the year was closed and written after: the write itself refuses it
    with write_session(engine) as session:
        reopen_year(session=session, actor=people["admin"], year=2024, reason="thử")
    with read_session(engine) as session:
        preview = preview_import(session=session, actor=people["admin"], data=data, filename="t.csv")
    with write_session(engine) as session:
        close_year(session=session, actor=people["official"], year=2024)
    with pytest.raises(YearClosed, match="Năm 2024 đã khóa sổ"):
        write_import(engine=engine, actor=people["admin"], preview=preview)
    with read_session(engine) as session:
        assert count_records(session) == 0


def run(monkeypatch, capsys, url, *argv):
    monkeypatch.setenv("DATABASE_URL", url)
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_cli_completeness_and_year_close(monkeypatch, capsys, demo_db_url):
    status, out, _ = run(monkeypatch, capsys, demo_db_url, "completeness", "--year", "2025")
    assert status == 0
    assert "Tiến độ báo cáo năm 2025" in out and "đơn vị báo cáo đủ 12 tháng" in out
    status, out, _ = run(monkeypatch, capsys, demo_db_url, "completeness", "--year", "2025", "--format", "json")
    data = json.loads(out)
    assert data["province"]["units"] == 14 and len(data["units"][0]["months"]) == 12
    assert data["province"]["confirmed"] + data["province"]["missing"] == data["province"]["expected"]
    status, out, _ = run(monkeypatch, capsys, demo_db_url, "completeness", "--year", "2025", "--format", "csv")
    assert out.splitlines()[0].startswith("unit_key,unit,month,status") and len(out.splitlines()) == 1 + 14 * 12
    status, _, err = run(monkeypatch, capsys, demo_db_url, "year", "close", "2024", "--user", "demo_nhaplieu")
    assert status == 2 and "lãnh đạo" in err
    status, out, _ = run(monkeypatch, capsys, demo_db_url, "year", "close", "2024", "--user", "demo_lanhdao")
    assert status == 0 and "Đã khóa sổ năm 2024" in out
    status, out, _ = run(monkeypatch, capsys, demo_db_url, "year", "status")
    assert "2024  đã khóa sổ" in out and "2025  đang mở" in out
    status, _, err = run(monkeypatch, capsys, demo_db_url, "year", "reopen", "2024", "--user", "demo_lanhdao",
                         "--reason", "x")
    assert status == 2 and "quản trị" in err
    status, out, _ = run(monkeypatch, capsys, demo_db_url, "year", "reopen", "2024", "--user", "demo_admin",
                         "--reason", "bổ sung")
    assert status == 0 and "Đã mở lại năm 2024" in out


def test_report_says_how_complete_the_year_is_and_shows_published_beside_current(engine, people):
    from data_model.report import Period, Scope, make_report

    staff, admin, unit = people["staff"], people["admin"], people["unit"]
    with write_session(engine) as session:
        record = create_record(session=session, actor=staff, values=outreach(unit))
    with read_session(engine) as session:  # nobody confirmed anything: the report says nothing about it
        _, doc = make_report(session=session, scope=Scope.parse("province"), period=Period(2024, 2024), charts=False)
    assert not any("đơn vị báo cáo đủ" in p for p in doc.sections[0].paragraphs)
    with write_session(engine) as session:
        for month in range(1, 13):
            confirm_month(session=session, actor=staff, reporting_unit_id=unit, year=2024, month=month, now=NOW)
        close_year(session=session, actor=people["official"], year=2024, now=NOW)
    with write_session(engine) as session:
        update_record(session=session, actor=admin, record_id=record, values=outreach(unit, attendances=130),
                      reason="Đồn báo cáo bổ sung")
    with read_session(engine) as session:
        _, doc = make_report(session=session, scope=Scope.parse("province"), period=Period(2024, 2024), charts=False,
                             today=dt.date(2025, 3, 2))
        _, station = make_report(session=session, scope=Scope.parse("station:st_ka_lang"), period=Period(2024, 2024),
                                 charts=False, today=dt.date(2025, 3, 2))
    text = "\n".join(doc.sections[0].paragraphs)
    assert "Năm 2024, 1/14 đơn vị báo cáo đủ 12 tháng (12/168 tháng đã xác nhận nhập đủ số liệu, 0 đúng hạn)." in text
    assert "Số liệu năm 2024 đã khóa sổ ngày 02/03/2025 (u_official)" in text
    assert "có 1 lần điều chỉnh" in text and "ở 1 chỉ tiêu" in text
    figures, revisions = doc.sections[0].tables
    assert figures.rows == [["Tuyên truyền tại bản – lượt người nghe", 120, 130, 10]]
    assert revisions.rows[0][1:3] == ["u_admin", "Đồn báo cáo bổ sung"]
    assert ("Năm 2024, Đồn Biên phòng Ka Lăng đã xác nhận nhập đủ số liệu 12/12 tháng (0 đúng hạn)."
            in station.sections[0].paragraphs)


def test_timeliness_of_entry_counts_days_after_the_activity_and_the_deadline(engine, people):
    from data_model.records.bulk import insert_records

    unit = people["unit"]
    base = {"type_code": "outreach_session", "start_date": dt.date(2024, 3, 5), "end_date": dt.date(2024, 3, 5),
            "year": 2024, "reporting_unit_id": unit, "commune_key": "c03439@1900", "m1": 1, "m2": 10}
    with write_session(engine) as session:  # entered 10:00 on 7 March and on 10 April, Vietnamese time
        insert_records(session=session, rows=[{**base, "created_at": dt.datetime(2024, 3, 7, 3)},
                                              {**base, "m2": 11, "created_at": dt.datetime(2024, 4, 10, 3)}])
    with read_session(engine) as session:
        row = entry_timeliness(session=session, year=2024).set_index("unit_id").loc[unit]
    assert row["records"] == 2 and row["by_deadline"] == 0.5
    assert row["average_days"] == pytest.approx((2 + 36) / 2 + 10 / 24)
