"""AppTest of the joint-activities page: an official sees a pair side by side, merges or dismisses it; an admin
undoes a merge with a reason."""
from __future__ import annotations

import datetime as dt

import pytest
from auth_helpers import sign_in
from entry_helpers import MU_CA, outreach, unit_id, village_id
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from data_model.accounts.users import create_user
from data_model.basics.permissions import SYSTEM
from data_model.records.write import create_record
from data_model.schema.db import read_session, write_session
from data_model.schema.joint import JointDismissal, JointOrganiser
from data_model.schema.models import ActivityRecord, User
from data_model.schema.settings import PROJECT_ROOT

DASHBOARD = str(PROJECT_ROOT / "dashboard.py")
TODAY = dt.date(2025, 12, 31)


def _user(engine, role: str) -> int:
    with write_session(engine) as s:
        found = s.scalar(select(User.id).where(User.username == f"u_{role}"))
        return found or create_user(session=s, actor=SYSTEM, username=f"u_{role}", password="Mat-khau-dai-2026!",
                                    role=role, unit_keys=("st_ka_lang",) if role == "staff" else ())


def _open(app_env, db_url: str, engine, role: str) -> AppTest:
    app_env(db_url)
    at = AppTest.from_file(DASHBOARD, default_timeout=60)
    sign_in(at, db_url, _user(engine, role))
    at.run()
    at.switch_page("pages/hoat_dong_phoi_hop.py").run()
    assert not at.exception, at.exception
    return at


def _pair(engine) -> tuple[int, int]:
    with write_session(engine) as s:
        village = village_id(s, "Xi Nế")
        return tuple(create_record(session=s, actor=SYSTEM, confirm_warnings=True, confirm_duplicate=True,
                                   today=TODAY, values=outreach(unit_id(s, key), commune_key=MU_CA,
                                                                village_id=village, attendances=n))
                     for key, n in (("st_ka_lang", 118), ("bn_huan_luyen_co_dong", 120)))


def _live(engine) -> int:
    with read_session(engine) as s:
        return s.scalar(select(func.count()).select_from(ActivityRecord).where(ActivityRecord.deleted_at.is_(None)))


def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def test_official_sees_both_records_side_by_side_and_merges_them(app_env, db_url, engine):
    a, b = _pair(engine)
    at = _open(app_env, db_url, engine, "official")
    [candidates, side] = [d.value for d in at.dataframe]
    assert list(candidates["Lý do"]) == ["cùng ngày, cùng bản Xi Nế, lượt người nghe 118 / 120"]
    assert list(side.columns) == [f"Hoạt động số {a}", f"Hoạt động số {b}"]
    assert list(side.loc["Lượt người nghe"]) == ["118", "120"]
    assert list(side.loc["Bản"]) == ["Xi Nế", "Xi Nế"]
    assert at.radio(key=f"hdph_attendances_{a}_{b}").value == 1  # the larger attendance by default
    _button(at, "Cùng một hoạt động").click().run()
    assert not at.exception, at.exception
    assert any(f"Đã gộp hoạt động số {b} vào số {a}" in s.value for s in at.success)
    assert any("Không còn cặp" in i.value for i in at.info)
    assert _live(engine) == 1
    with read_session(engine) as s:
        assert s.get(ActivityRecord, a).m2 == 120
        assert s.scalar(select(func.count()).select_from(JointOrganiser)) == 1
    assert not [h for h in at.subheader if "Hoàn tác" in h.value]  # undo is for administrators


def test_official_dismisses_a_pair_and_it_is_not_offered_again(app_env, db_url, engine):
    _pair(engine)
    at = _open(app_env, db_url, engine, "official")
    _button(at, "Khác nhau").click().run()
    assert not at.exception, at.exception
    assert any("là khác nhau" in s.value for s in at.success)
    assert any("Không còn cặp" in i.value for i in at.info)
    assert _live(engine) == 2
    with read_session(engine) as s:
        assert s.scalar(select(func.count()).select_from(JointDismissal)) == 1


def test_admin_undoes_a_merge_only_with_a_reason(app_env, db_url, engine):
    _pair(engine)
    at = _open(app_env, db_url, engine, "admin")
    _button(at, "Cùng một hoạt động").click().run()
    assert _live(engine) == 1
    _button(at, "Hoàn tác").click().run()
    assert any("Lý do" in e.value for e in at.error)
    assert _live(engine) == 1
    at.text_input(key="hdph_undo_reason").input("Hai buổi khác nhau")
    _button(at, "Hoàn tác").click().run()
    assert not at.exception, at.exception
    assert any("Đã bỏ gộp" in s.value for s in at.success)
    assert _live(engine) == 2


def test_staff_cannot_open_the_page(app_env, db_url, engine):
    app_env(db_url)
    at = AppTest.from_file(DASHBOARD, default_timeout=60)
    sign_in(at, db_url, _user(engine, "staff"))
    at.run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):  # not in the staff's navigation
        at.switch_page("pages/hoat_dong_phoi_hop.py")
