"""Users (admin): the accounts, adding one, changing role/units/state, resetting a password."""
from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlalchemy import select

from data_model.accounts.users import create_user, list_users, reset_password, update_user
from data_model.basics.permissions import ROLES
from data_model.schema.clock import convert_to_local
from data_model.schema.db import read_session
from data_model.schema.models import ReportingUnit
from data_model.texts.formatting import format_date
from ui.auth import role_name
from ui.engine import get_engine
from ui.i18n import t
from ui.page import open_page
from ui.writes import run_write

page = open_page("nguoi_dung", title=t("Người dùng"),
                 denied=t("Chỉ quản trị viên được quản lý người dùng."))
actor, lang = page.actor, page.lang

with read_session(get_engine()) as session:
    users = list_users(session=session, lang=lang)
    units = dict(session.execute(
        select(ReportingUnit.key, ReportingUnit.short_name).where(ReportingUnit.active.is_(True))
        .order_by(ReportingUnit.kind, ReportingUnit.short_name)).all())


def _when(value) -> str:
    if value is None or pd.isna(value):
        return t("chưa đăng nhập")
    local = convert_to_local(utc=value)  # stored in UTC
    return f"{format_date(local.date(), lang)} {local:%H:%M}"


if users.empty:
    st.info(t("Chưa có tài khoản nào."))
else:
    shown = users.assign(
        active=users["active"].map({True: t("Hoạt động"), False: t("Đã khóa")}),
        is_demo=users["is_demo"].map({True: "demo", False: ""}),
        last_login_at=[_when(v) for v in users["last_login_at"]],
    )[["username", "full_name", "role_name", "units", "active", "is_demo", "last_login_at", "failed_attempts"]]
    st.dataframe(shown, hide_index=True, width="stretch", column_config={
        "username": t("Tên đăng nhập"), "full_name": t("Họ tên"),
        "role_name": t("Vai trò"), "units": t("Đơn vị", ctx="units"), "active": t("Trạng thái", ctx="state"),
        "is_demo": "Demo",
        "last_login_at": t("Đăng nhập lần cuối"),
        "failed_attempts": t("Số lần sai"),
    })

add_tab, edit_tab, reset_tab = st.tabs([t("Thêm người dùng"), t("Sửa vai trò, đơn vị"),
                                        t("Đặt lại mật khẩu")])

with add_tab:
    with st.form("users_add", clear_on_submit=False, enter_to_submit=False):
        username = st.text_input(t("Tên đăng nhập"), key="users_add_name")
        full_name = st.text_input(t("Họ tên"), key="users_add_full")
        role = st.selectbox(t("Vai trò"), ROLES, format_func=role_name, key="users_add_role")
        unit_keys = st.multiselect(t("Đơn vị (bắt buộc với cán bộ nhập liệu)"),
                                   list(units), format_func=units.get, key="users_add_units",
                                   placeholder=t("Chọn đơn vị"), select_all=False)
        pw1 = st.text_input(t("Mật khẩu"), type="password", key="users_add_pw1", autocomplete="new-password")
        pw2 = st.text_input(t("Nhập lại mật khẩu"), type="password", key="users_add_pw2",
                            autocomplete="new-password")
        if st.form_submit_button(t("Thêm"), type="primary"):
            if pw1 != pw2:
                st.error(t("Nhập lại mật khẩu: không khớp"))
            else:
                added = username.strip().lower()
                run_write(lambda s: create_user(session=s, actor=actor, username=username, password=pw1, role=role,
                                                unit_keys=unit_keys, full_name=full_name),
                          success=t("Đã thêm người dùng {added}.", added=added))

names = list(users["username"]) if not users.empty else []
with edit_tab:
    if names:
        chosen = st.selectbox(t("Người dùng", ctx="user"), names, key="users_edit_pick")
        row = users[users["username"] == chosen].iloc[0]
        with st.form("users_edit", enter_to_submit=False):
            full_name = st.text_input(t("Họ tên"), value=row["full_name"], key=f"users_edit_full_{chosen}")
            role = st.selectbox(t("Vai trò"), ROLES, index=ROLES.index(row["role"]), format_func=role_name,
                                key=f"users_edit_role_{chosen}")
            unit_keys = st.multiselect(t("Đơn vị", ctx="units"), list(units), default=[k for k in row["unit_keys"] if k in units],
                                       placeholder=t("Chọn đơn vị"), select_all=False,
                                       format_func=units.get, key=f"users_edit_units_{chosen}")
            active = st.checkbox(t("Đang hoạt động"), value=bool(row["active"]), key=f"users_edit_active_{chosen}")
            if st.form_submit_button(t("Lưu"), type="primary"):
                run_write(lambda s: update_user(session=s, actor=actor, username=chosen, full_name=full_name,
                                                role=role, unit_keys=unit_keys, active=active),
                          success=t("Đã lưu người dùng {chosen}.", chosen=chosen))

with reset_tab:
    if names:
        with st.form("users_reset", clear_on_submit=True, enter_to_submit=False):
            chosen = st.selectbox(t("Người dùng", ctx="user"), names, key="users_reset_pick")
            pw1 = st.text_input(t("Mật khẩu mới"), type="password", key="users_reset_pw1",
                                autocomplete="new-password")
            pw2 = st.text_input(t("Nhập lại mật khẩu mới"), type="password",
                                key="users_reset_pw2", autocomplete="new-password")
            if st.form_submit_button(t("Đặt lại mật khẩu"), type="primary"):
                if pw1 != pw2:
                    st.error(t("Nhập lại mật khẩu mới: không khớp"))
                else:
                    run_write(lambda s: reset_password(session=s, actor=actor, username=chosen, new_password=pw1),
                              success=t("Đã đặt mật khẩu mới cho {chosen}; lượt chờ do nhập sai đã được gỡ.",
                                        chosen=chosen))
