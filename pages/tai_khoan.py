"""My account: who I am, my role and units, and changing my own password."""
from __future__ import annotations

import streamlit as st

from data_model.accounts.permissions import PermissionDenied
from data_model.accounts.users import AccountError, change_own_password, get_account
from data_model.schema.db import read_session
from ui.auth import plain, role_name
from ui.engine import get_engine
from ui.i18n import t
from ui.page import open_page

actor = open_page("tai_khoan", title=t("Tài khoản của tôi", "My account"),
                  denied=t("Bạn cần đăng nhập.", "Please log in.")).actor
with read_session(get_engine()) as session:
    account = get_account(session=session, user_id=actor.user_id)
# typed names are shown with st.text: never interpreted as markdown
st.text(t(f"Tên đăng nhập: {account['username']}", f"User name: {account['username']}"))
st.text(t(f"Họ tên: {account['full_name']}", f"Full name: {account['full_name']}"))
st.text(t(f"Vai trò: {role_name(account['role'])}", f"Role: {role_name(account['role'])}"))
if account["units"]:
    st.text(t("Đơn vị được nhập liệu: ", "Units you enter records for: ") + "; ".join(account["units"]))
if account["is_demo"]:
    st.info(t("Đây là tài khoản demo, mật khẩu được công bố trong README: chỉ dùng để thử.",
              "This is a demo account whose password is published in the README: for trying out only."))

st.subheader(t("Đổi mật khẩu", "Change password"))
with st.form("account_password", clear_on_submit=True):
    old = st.text_input(t("Mật khẩu hiện tại", "Current password"), type="password", key="account_old",
                        autocomplete="current-password")
    new = st.text_input(t("Mật khẩu mới (ít nhất 8 ký tự, không dễ đoán)",
                          "New password (at least 8 characters, not easy to guess)"),
                        type="password", key="account_new", autocomplete="new-password",
                        help=t("Mật khẩu phổ biến (12345678, password…), dãy phím, ngày tháng hoặc dựa trên tên của "
                               "bạn sẽ bị từ chối. Nên dùng vài từ không liên quan nhau.",
                               "Common passwords, keyboard runs, dates or your name are refused. Use a few unrelated "
                               "words."))
    again = st.text_input(t("Nhập lại mật khẩu mới", "Repeat the new password"), type="password",
                          key="account_again", autocomplete="new-password")
    submitted = st.form_submit_button(t("Đổi mật khẩu", "Change password"), type="primary")

if submitted:
    if new != again:
        st.error(t("Nhập lại mật khẩu mới: không khớp", "Repeat the new password: does not match"))
    else:
        try:
            change_own_password(engine=get_engine(), actor=actor, old_password=old, new_password=new)
        except (AccountError, PermissionDenied) as exc:
            st.error(plain(exc))
        else:
            st.success(t("Đã đổi mật khẩu; các phiên đăng nhập khác của bạn đã kết thúc.",
                         "Password changed; your other sessions were ended."))
