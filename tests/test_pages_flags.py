"""The follow-up list in AppTest: an official flags a record on «Danh sách hoạt động», the unit's staff see it first
on «Hoạt động đã nhập» and answer it, «Tiến độ báo cáo» lists the open flags per unit."""
from __future__ import annotations

import datetime as dt

import pytest
from auth_helpers import sign_in
from entry_helpers import outreach, unit_id
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from data_model.accounts.users import create_user
from data_model.basics.permissions import SYSTEM
from data_model.records.write import create_record
from data_model.schema.db import build_engine, read_session, write_session
from data_model.schema.follow_up import RecordFlag
from data_model.schema.settings import PROJECT_ROOT

DASHBOARD = str(PROJECT_ROOT / "dashboard.py")
REASON = "Lượt người nghe khác sổ theo dõi của đồn"


@pytest.fixture
def app_db(db_url, app_env):
    """A fresh database with an official, a staff member of Đồn Ka Lăng and two of its records."""
    app_env(db_url)
    engine = build_engine(url=db_url)
    with write_session(engine) as s:
        users = {
            "official": create_user(session=s, actor=SYSTEM, username="lanh_dao", password="lanh-dao-dai-1",
                                    role="official", full_name="Lãnh đạo Sở"),
            "staff": create_user(session=s, actor=SYSTEM, username="nv_kalang", password="nhap-lieu-dai-1",
                                 role="staff", unit_keys=["st_ka_lang"]),
        }
        older = create_record(session=s, actor=SYSTEM, values=outreach(unit_id(s)))
        day = dt.date(2024, 6, 1)
        newer = create_record(session=s, actor=SYSTEM, values=outreach(unit_id(s), start_date=day, end_date=day))
    yield engine, users, older, newer
    engine.dispose()


def _open(db_url: str, user_id: int, page: str) -> AppTest:
    at = AppTest.from_file(DASHBOARD, default_timeout=90)
    sign_in(at, db_url, user_id)
    at.run()
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def _table(at: AppTest, column: str):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _texts(at: AppTest) -> str:
    return " ".join(e.value for e in [*at.markdown, *at.warning, *at.success, *at.error, *at.info, *at.caption])


def test_official_flags_staff_see_it_first_answer_it_and_progress_lists_it(app_db, db_url):
    engine, users, older, newer = app_db
    at = _open(db_url, users["official"], "danh_sach")
    _button(at, "Gửi yêu cầu kiểm tra lại").click().run()  # nothing chosen: nothing sent
    at.selectbox(key="ds_flag_record").select(older).run()
    _button(at, "Gửi yêu cầu kiểm tra lại").click().run()  # no reason yet
    assert any("Lý do cần kiểm tra lại" in e.value for e in at.error)
    at.text_input(key="ds_flag_reason").input(REASON).run()
    _button(at, "Gửi yêu cầu kiểm tra lại").click().run()
    assert not at.exception
    assert any(f"kiểm tra lại hoạt động số {older}" in s.value for s in at.success)

    progress = _open(db_url, users["official"], "tien_do_bao_cao")
    units = _table(progress, "Đang chờ")
    assert list(units["Đang chờ"]) == ["1"]
    flags = _table(progress, "Người yêu cầu")
    assert list(flags["Số"]) == [older] and list(flags["Lý do"]) == [REASON]
    assert list(flags["Người yêu cầu"]) == ["Lãnh đạo Sở"]

    mine = _open(db_url, users["staff"], "hoat_dong_da_nhap")
    assert "1 hoạt động cần kiểm tra lại" in _texts(mine)
    table = mine.dataframe[0].value
    assert list(table["id"]) == [older, newer]  # the flagged, older record first
    assert list(table["follow_up"]) == [REASON, ""]
    mine.selectbox(key="md_pick").select(older).run()
    assert REASON in _texts(mine) and "Lãnh đạo Sở" in _texts(mine)
    _button(mine, "Trả lời và đóng yêu cầu").click().run()  # an empty answer is refused
    assert any("Trả lời" in e.value for e in mine.error)
    mine.text_input(key=f"md_answer_{older}").input("Đã đối chiếu sổ: số liệu đúng").run()
    _button(mine, "Trả lời và đóng yêu cầu").click().run()
    assert not mine.exception
    assert any(f"yêu cầu kiểm tra lại hoạt động số {older}" in s.value for s in mine.success)
    with read_session(engine) as s:
        flag = s.scalars(select(RecordFlag)).one()
        assert (flag.closed_by, flag.answer) == (users["staff"], "Đã đối chiếu sổ: số liệu đúng")
    assert not any(b.label == "Trả lời và đóng yêu cầu" for b in mine.button)
    history = mine.dataframe[-1].value
    assert list(history["action"])[-2:] == ["Yêu cầu kiểm tra lại", "Đóng yêu cầu kiểm tra lại"]

    progress.run()
    assert "Không có yêu cầu kiểm tra lại nào đang chờ." in _texts(progress)


def test_staff_are_not_offered_to_flag(app_db, db_url):
    _, users, _, _ = app_db
    at = _open(db_url, users["staff"], "danh_sach")
    assert not any(b.label == "Gửi yêu cầu kiểm tra lại" for b in at.button)
