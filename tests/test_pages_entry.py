"""AppTest of the data-entry pages: the entry form's happy and error paths, my records, import/export page."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from auth_helpers import age_logins, sign_in
from entry_helpers import KA_LANG, THU_LUM_2025, outreach, unit_id
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from data_model.accounts.users import create_user, update_user
from data_model.basics.permissions import SYSTEM
from data_model.records.write import create_record
from data_model.schema.db import build_engine, read_session, write_session
from data_model.schema.models import ActivityRecord

DASHBOARD = str(Path(__file__).resolve().parent.parent / "dashboard.py")


@pytest.fixture
def app_db(db_url, app_env):
    """The app pointed at a fresh database holding an admin and a staff account of Đồn Ka Lăng."""
    app_env(db_url)
    engine = build_engine(url=db_url)
    with write_session(engine) as s:
        users = {
            "admin": create_user(session=s, actor=SYSTEM, username="qt_nhap", password="quan-tri-1", role="admin"),
            "staff": create_user(session=s, actor=SYSTEM, username="nv_kalang", password="nhap-lieu-1", role="staff",
                                 unit_keys=["st_ka_lang"]),
        }
    yield engine, users
    engine.dispose()


def _open(user_id: int, page: str) -> AppTest:
    at = AppTest.from_file(DASHBOARD, default_timeout=90)
    sign_in(at, os.environ["DATABASE_URL"], user_id)
    at.switch_page(f"pages/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def _records(engine):
    with read_session(engine) as s:
        return list(s.scalars(select(ActivityRecord).order_by(ActivityRecord.id)))


def _fill_outreach(at: AppTest, *, day=dt.date(2024, 3, 5), attendances=120) -> AppTest:
    at.selectbox(key="ne_type").select("outreach_session").run()
    at.date_input(key="ne_0_start_date").set_value(day).run()
    at.selectbox(key="ne_0_commune_key").select(KA_LANG if day < dt.date(2025, 7, 1) else THU_LUM_2025).run()
    at.number_input(key="ne_0_sessions").set_value(2)
    at.number_input(key="ne_0_attendances").set_value(attendances)
    at.text_input(key="ne_0_topic").input("Phòng chống ma túy")
    return at


def test_entry_form_saves_shows_the_number_and_clears(app_db):
    engine, users = app_db
    at = _open(users["staff"], "nhap_hoat_dong")
    assert at.title[0].value == "Nhập hoạt động"
    # a staff account is offered its own unit only, already chosen
    assert at.selectbox(key="ne_0_reporting_unit_id").options == ["Đồn Biên phòng Ka Lăng"]
    _fill_outreach(at)
    _button(at, "Lưu hoạt động").click().run()
    assert not at.exception
    [record] = _records(engine)
    assert (record.type_code, record.start_date, record.commune_key, record.m1, record.m2, record.topic) == (
        "outreach_session", dt.date(2024, 3, 5), KA_LANG, 2, 120, "Phòng chống ma túy")
    assert record.created_by == users["staff"]
    assert f"Đã lưu hoạt động số {record.id}" in at.success[0].value
    assert at.number_input(key="ne_1_sessions").value is None  # the next entry starts empty
    assert at.text_input(key="ne_1_topic").value == ""


def test_entry_form_errors_are_shown_next_to_fields_and_nothing_is_saved(app_db):
    engine, users = app_db
    at = _open(users["admin"], "nhap_hoat_dong")
    at.selectbox(key="ne_type").select("outreach_session").run()
    at.date_input(key="ne_0_start_date").set_value(dt.date(2024, 3, 5)).run()
    at.selectbox(key="ne_0_reporting_unit_id").select_index(0).run()
    at.number_input(key="ne_0_sessions").set_value(0)
    _button(at, "Lưu hoạt động").click().run()
    errors = [e.value for e in at.error]
    assert any("bắt buộc" in e.lower() for e in errors)  # commune and attendances
    assert any("nằm ngoài khoảng" in e.lower() for e in errors)  # sessions 0
    assert any(e.startswith("Chưa lưu: 3 ô cần sửa") for e in errors)
    assert _records(engine) == []
    # the typed values stay for correction
    assert at.number_input(key="ne_0_sessions").value == 0


def test_entry_form_warning_needs_confirmation(app_db):
    engine, users = app_db
    at = _open(users["staff"], "nhap_hoat_dong")
    _fill_outreach(at, attendances=5000)  # Ka Lăng has about 2,599 people
    _button(at, "Lưu hoạt động").click().run()
    assert _records(engine) == []
    assert any("số dân xã Ka Lăng" in w.value for w in at.warning)
    _button(at, "Vẫn lưu").click().run()
    assert [r.m2 for r in _records(engine)] == [5000]
    assert at.success


def test_entry_form_duplicate_needs_confirmation(app_db):
    engine, users = app_db
    with write_session(engine) as s:
        create_record(session=s, actor=SYSTEM, values=outreach(unit_id(s), topic="Phòng chống ma túy"))
    at = _open(users["staff"], "nhap_hoat_dong")
    _fill_outreach(at)
    _button(at, "Lưu hoạt động").click().run()
    assert len(_records(engine)) == 1
    assert any("Có thể trùng" in w.value for w in at.warning)
    _button(at, "Sửa lại").click().run()
    assert not [w for w in at.warning if "Có thể trùng" in w.value]
    assert len(_records(engine)) == 1


def test_communes_offered_follow_the_date(app_db):
    _, users = app_db
    at = _open(users["admin"], "nhap_hoat_dong")
    at.selectbox(key="ne_type").select("outreach_session").run()
    at.date_input(key="ne_0_start_date").set_value(dt.date(2025, 6, 30)).run()
    before = at.selectbox(key="ne_0_commune_key").options
    at.date_input(key="ne_0_start_date").set_value(dt.date(2025, 7, 1)).run()
    after = at.selectbox(key="ne_0_commune_key").options
    assert "Ka Lăng" in before and "Ka Lăng" not in after  # names only: no two communes of the day share one
    assert "Thu Lũm" in after and len(after) == 38
    # a type recorded without a commune shows no commune field
    at.selectbox(key="ne_type").select("study_session").run()
    assert not [s for s in at.selectbox if s.key and s.key.startswith("ne_0_commune")]


def test_my_records_edit_delete_restore_and_history(app_db):
    engine, users = app_db
    with write_session(engine) as s:
        st = unit_id(s)
        own = create_record(session=s, actor=SYSTEM, values=outreach(st))
        other = create_record(session=s, actor=SYSTEM, values=outreach(unit_id(s, "st_mu_ca"), commune_key="c03451@1900"))
    at = _open(users["staff"], "hoat_dong_da_nhap")
    assert list(at.dataframe[0].value["id"]) == [own]  # only the records of the staff member's unit
    at.selectbox(key="md_pick").select(own).run()
    at.number_input(key=f"md{own}_0_attendances").set_value(150)
    _button(at, "Lưu thay đổi").click().run()
    assert not at.exception
    with read_session(engine) as s:
        assert s.get(ActivityRecord, own).m2 == 150
    assert any(f"hoạt động số {own}" in m.value for m in at.success)

    _button(at, "Xóa hoạt động").click().run()  # no reason yet
    assert any("lý do" in e.value.lower() for e in at.error)
    at.text_input(key=f"md_reason_{own}").input("Nhập trùng với báo cáo tháng").run()
    _button(at, "Xóa hoạt động").click().run()
    with read_session(engine) as s:
        assert s.get(ActivityRecord, own).deleted_at is not None
    _button(at, "Khôi phục hoạt động").click().run()
    with read_session(engine) as s:
        assert s.get(ActivityRecord, own).deleted_at is None
    history = at.dataframe[-1].value
    assert list(history["action"].drop_duplicates()) == ["Tạo mới", "Sửa", "Xóa", "Khôi phục"]
    edit = history[history["action"] == "Sửa"].iloc[0]
    assert (edit["field"], edit["old"], edit["new"]) == ("Lượt người nghe", "120", "150")
    assert other not in list(at.dataframe[0].value["id"])


def test_import_page_offers_templates_and_export(app_db):
    engine, users = app_db
    with write_session(engine) as s:
        create_record(session=s, actor=SYSTEM, values=outreach(unit_id(s)))
    at = _open(users["admin"], "nhap_tu_tep")
    assert at.title[0].value == "Nhập từ tệp"
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Mẫu CSV", "Mẫu XLSX"]
    at.number_input(key="exp_from").set_value(2024)
    at.number_input(key="exp_to").set_value(2024)
    _button(at, "Chuẩn bị tệp xuất").click().run()
    assert not at.exception
    assert [b.proto.label for b in at.get("download_button")][-2:] == ["Tải CSV", "Tải XLSX"]
    assert at.session_state["exp_files"][0].decode("utf-8-sig").count("\n") == 2


def test_entry_pages_are_for_staff_and_admins_only(app_db, db_url):
    engine, _ = app_db
    with write_session(engine) as s:
        official = create_user(session=s, actor=SYSTEM, username="ld_xem", password="lanh-dao-1", role="official")
    at = AppTest.from_file(DASHBOARD, default_timeout=90)
    sign_in(at, db_url, official)
    at.run()
    from ui.registry import pages_for_role

    stems = {p.stem for p in pages_for_role("official")}
    assert not stems & {"nhap_hoat_dong", "hoat_dong_da_nhap", "nhap_tu_tep"}
    assert {"nhap_hoat_dong", "hoat_dong_da_nhap", "nhap_tu_tep"} <= {p.stem for p in pages_for_role("staff")}


def _my_record_page(app_db):
    """The my-records page of the Ka Lăng staff member, drawn with one record picked and a reason typed."""
    engine, users = app_db
    with write_session(engine) as s:
        own = create_record(session=s, actor=SYSTEM, values=outreach(unit_id(s)))
    at = _open(users["staff"], "hoat_dong_da_nhap")
    at.selectbox(key="md_pick").select(own).run()
    at.number_input(key=f"md{own}_0_attendances").set_value(150)
    at.text_input(key=f"md_reason_{own}").input("Nhập trùng")
    return engine, users, own, at


def _unchanged(engine, record_id: int) -> bool:
    with read_session(engine) as s:
        record = s.get(ActivityRecord, record_id)
        return record.deleted_at is None and record.m2 == 120


@pytest.mark.parametrize("button", ["Xóa hoạt động", "Lưu thay đổi"])
def test_a_page_left_open_cannot_write_after_the_account_is_deactivated(app_db, button):
    engine, users, own, at = _my_record_page(app_db)
    with write_session(engine) as s:
        update_user(session=s, actor=SYSTEM, username="nv_kalang", active=False)
    _button(at, button).click().run()
    assert not at.exception
    assert _unchanged(engine, own)
    assert [t.value for t in at.title] == ["Đăng nhập"]
    assert any("Chưa lưu thao tác vừa rồi" in i.value and "không còn hoạt động" in i.value for i in at.info)


@pytest.mark.parametrize("button", ["Xóa hoạt động", "Lưu thay đổi"])
def test_a_page_left_open_cannot_write_after_the_session_went_idle(app_db, button):
    engine, users, own, at = _my_record_page(app_db)
    age_logins(os.environ["DATABASE_URL"], users["staff"], seconds=2 * 3600)
    _button(at, button).click().run()
    assert not at.exception
    assert _unchanged(engine, own)
    assert [t.value for t in at.title] == ["Đăng nhập"]
    assert any("Chưa lưu thao tác vừa rồi" in i.value and "hết hạn" in i.value for i in at.info)


def test_the_entry_form_left_open_cannot_save_after_deactivation(app_db):
    engine, users = app_db
    at = _fill_outreach(_open(users["staff"], "nhap_hoat_dong"))
    with write_session(engine) as s:
        update_user(session=s, actor=SYSTEM, username="nv_kalang", active=False)
    _button(at, "Lưu hoạt động").click().run()
    assert not at.exception
    assert _records(engine) == []
    assert any("Chưa lưu thao tác vừa rồi" in i.value for i in at.info)


def test_entry_form_refuses_a_nul_in_the_note_with_the_field(app_db):
    engine, users = app_db
    at = _fill_outreach(_open(users["staff"], "nhap_hoat_dong"))
    at.text_area(key="ne_0_note").input("Ghi chú\x00 lạ")
    _button(at, "Lưu hoạt động").click().run()
    assert not at.exception
    assert any("Chứa ký tự không hợp lệ" in e.value for e in at.error)
    assert _records(engine) == []


@pytest.mark.parametrize("search, found", [
    ("99999999999999999999", []), ("²", []), ("%", ["Giảm 50% tai nạn"]), ("_", ["Phòng chống ma_tuy"]),
    ("50%", ["Giảm 50% tai nạn"]),
    ("ma_tuy", ["Phòng chống ma_tuy"]), ("Giảm", ["Giảm 50% tai nạn"]),
])
def test_my_records_search_takes_odd_text_literally(app_db, search, found):
    engine, users = app_db
    with write_session(engine) as s:
        for topic in ("Giảm 50% tai nạn", "Phòng chống ma_tuy", "Phòng chống ma túy"):
            create_record(session=s, actor=SYSTEM, values=outreach(unit_id(s), topic=topic), confirm_duplicate=True)
    at = _open(users["staff"], "hoat_dong_da_nhap")
    at.text_input(key="md_search").input(search).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    topics = list(at.dataframe[0].value["topic"]) if at.dataframe else []
    assert topics == found


def test_my_records_search_by_record_number(app_db):
    engine, users = app_db
    with write_session(engine) as s:
        number = create_record(session=s, actor=SYSTEM, values=outreach(unit_id(s), topic="Một"))
    at = _open(users["staff"], "hoat_dong_da_nhap")
    at.text_input(key="md_search").input(str(number)).run()
    assert list(at.dataframe[0].value["topic"]) == ["Một"]


def test_my_records_search_with_a_nul_says_so(app_db):
    engine, users = app_db
    at = _open(users["staff"], "hoat_dong_da_nhap")
    at.text_input(key="md_search").input("a\x00b").run()
    assert not at.exception
    assert any("Tìm" in e.value and "không hợp lệ" in e.value for e in at.error)

def _upload_file(engine, at: AppTest, data: bytes, name: str) -> AppTest:
    at.file_uploader[0].set_value((name, data, "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_import_page_writes_what_it_showed_and_says_when_someone_else_imported_first(app_db):
    from data_model.files.records_import import run_import

    engine, users = app_db
    data = ("Loại hoạt động,Ngày bắt đầu,Đơn vị thực hiện,Xã,Số buổi,Lượt người nghe\n"
            "outreach_session,05/03/2024,st_ka_lang,Ka Lăng,1,10\noutreach_session,06/03/2024,st_ka_lang,Ka Lăng,2,20\n"
            ).encode()
    at = _upload_file(engine, _open(users["staff"], "nhap_tu_tep"), data, "thang3.csv")
    assert [m.value for m in at.metric][:1] == ["2"]
    run_import(engine=engine, actor=SYSTEM, data=data, filename="thang3.csv")  # another office, same file, first
    _button(at, "Nhập 2 dòng").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("đang được người khác nhập" in e.value for e in at.error), [e.value for e in at.error]
    assert len(_records(engine)) == 2
    # the page checked the file again: nothing is left to import
    assert not any(b.label.startswith("Nhập ") and b.label.endswith(" dòng") for b in at.button)
    assert any("Không có dòng nào mới" in i.value for i in at.info)


def test_import_page_imports_an_uploaded_file(app_db):
    engine, users = app_db
    data = ("Loại hoạt động,Ngày bắt đầu,Xã,Số buổi,Lượt người nghe,Ghi chú\n"
            "outreach_session,05/03/2024,Ka Lăng,1,10,'=1+1\n").encode()
    at = _upload_file(engine, _open(users["staff"], "nhap_tu_tep"), data, "mot_dong.csv")
    _button(at, "Nhập 1 dòng").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Đã thêm 1 hoạt động" in s.value for s in at.success)
    [record] = _records(engine)
    assert record.created_by == users["staff"] and record.note == "=1+1" and record.uid


def test_staff_whose_role_changes_mid_edit_is_told_nothing_was_saved(app_db):
    engine, users = app_db
    at = _fill_outreach(_open(users["staff"], "nhap_hoat_dong"))
    with write_session(engine) as s:
        update_user(session=s, actor=SYSTEM, username="nv_kalang", role="official", unit_keys=[])
    _button(at, "Lưu hoạt động").click().run()
    assert not at.exception
    assert _records(engine) == []
    said = [w.value for w in at.warning]
    assert any("chưa được lưu" in w and "Nhập hoạt động" in w and "Lãnh đạo" in w for w in said), said
    at.run()  # said once
    assert not any("chưa được lưu" in w.value for w in at.warning)


@pytest.mark.page_error_expected
def test_a_save_that_fails_unexpectedly_in_a_callback_says_nothing_was_saved_with_the_logged_reference(
        app_db, monkeypatch, caplog):
    import re

    from sqlalchemy.exc import OperationalError

    import data_model.records.write as record_write

    def database_down(**_):
        raise OperationalError("INSERT …", {}, ConnectionRefusedError("server closed the connection"))

    engine, users = app_db
    monkeypatch.setattr(record_write, "create_record", database_down)  # before the page binds its callback
    at = _fill_outreach(_open(users["staff"], "nhap_hoat_dong"))
    with caplog.at_level("ERROR", logger="border_outreach.ui"):
        _button(at, "Lưu hoạt động").click().run()
    assert not at.exception, [e.value for e in at.exception]
    [shown] = [e.value for e in at.error if "Chưa lưu gì" in e.value]
    reference = re.search(r"mã lỗi ([0-9a-f]{8})", shown.replace("\\", "")).group(1)
    assert any(reference in r.getMessage() and r.exc_info for r in caplog.records)
    assert _records(engine) == []
    assert at.text_input(key="ne_0_topic").value == "Phòng chống ma túy"  # what was typed stays for the retry
