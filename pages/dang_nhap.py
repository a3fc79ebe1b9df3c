"""Login page: user name and password; on a demo database also one-click demo logins per role."""
from __future__ import annotations

import streamlit as st

from data_model.accounts.users import count_users, list_demo_logins
from data_model.schema.db import read_session
from ui.auth import go_home, guard_page, login, login_as_demo, plain, pop_notice, role_name
from ui.engine import get_engine
from ui.i18n import t

actor = guard_page("dang_nhap")
if actor is not None:  # just logged in (or opened /dang_nhap while logged in): go to the role's home page
    go_home(actor)

st.title(t("Đăng nhập"))
st.caption(t("Hệ thống theo dõi công tác thông tin, tuyên truyền khu vực biên giới tỉnh Lai Châu"))

notice = pop_notice()
if notice:
    st.info(notice)

with st.form("login_form", enter_to_submit=True):
    username = st.text_input(t("Tên đăng nhập"), key="login_username", autocomplete="username")
    password = st.text_input(t("Mật khẩu"), type="password", key="login_password",
                             autocomplete="current-password")
    submitted = st.form_submit_button(t("Đăng nhập"), type="primary", icon=":material/login:")

if submitted:
    if not username.strip() or not password:
        st.error(t("Hãy nhập tên đăng nhập và mật khẩu."))
    else:
        result = login(username, password)
        if result.ok:
            st.rerun()
        st.error(plain(result.message))

with read_session(get_engine()) as session:
    demo_logins = list_demo_logins(session=session)
    no_accounts = count_users(session=session) == 0

if no_accounts:
    st.info(t("Chưa có tài khoản nào. Người quản trị máy chủ tạo tài khoản quản trị đầu tiên bằng lệnh:"))
    st.code("python -m data_model user add --role admin TÊN_ĐĂNG_NHẬP", language="bash")

if demo_logins:
    st.divider()
    st.subheader(t("Dùng thử (dữ liệu mẫu)"))
    st.caption(t("Cơ sở dữ liệu này chứa dữ liệu mẫu. Chọn một vai trò để vào ngay; các tài khoản demo chỉ có trên "
                 "cơ sở dữ liệu mẫu."))
    columns = st.columns(len(demo_logins))
    for column, demo in zip(columns, demo_logins):
        if column.button(role_name(demo.role), key=f"demo_login_{demo.username}", width="stretch",
                         help=demo.full_name):
            result = login_as_demo(demo.username)
            if result.ok:
                st.rerun()
            st.error(plain(result.message))
