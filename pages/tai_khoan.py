"""My account: who I am, my role and units, and changing my own password."""
from __future__ import annotations

import streamlit as st

from data_model.accounts.users import change_own_password, get_account
from data_model.schema.db import read_session
from data_model.texts.errors import UserError
from ui.auth import plain, role_name
from ui.engine import get_engine
from ui.i18n import t
from ui.page import open_page

actor = open_page("tai_khoan", title=t("Tài khoản của tôi"),
                  denied=t("Bạn cần đăng nhập.")).actor
with read_session(get_engine()) as session:
    account = get_account(session=session, user_id=actor.user_id)
# typed names are shown with st.text: never interpreted as markdown
st.text(t("Tên đăng nhập: {username}", username=account['username']))
st.text(t("Họ tên: {full_name}", full_name=account['full_name']))
st.text(t("Vai trò: {role_name}", role_name=role_name(account['role'])))
if account["units"]:
    st.text(t("Đơn vị được nhập liệu: ") + "; ".join(account["units"]))
if account["is_demo"]:
    st.info(t("Đây là tài khoản demo, mật khẩu được công bố trong README: chỉ dùng để thử."))

st.subheader(t("Đổi mật khẩu"))
with st.form("account_password", clear_on_submit=True, enter_to_submit=False):
    old = st.text_input(t("Mật khẩu hiện tại"), type="password", key="account_old",
                        autocomplete="current-password")
    new = st.text_input(t("Mật khẩu mới (ít nhất 8 ký tự, không dễ đoán)"),
                        type="password", key="account_new", autocomplete="new-password",
                        help=t("Mật khẩu phổ biến (12345678, password…), dãy phím, ngày tháng hoặc dựa trên tên của "
                               "bạn sẽ bị từ chối. Nên dùng vài từ không liên quan nhau."))
    again = st.text_input(t("Nhập lại mật khẩu mới"), type="password",
                          key="account_again", autocomplete="new-password")
    submitted = st.form_submit_button(t("Đổi mật khẩu"), type="primary")

if submitted:
    if new != again:
        st.error(t("Nhập lại mật khẩu mới: không khớp"))
    else:
        try:
            change_own_password(engine=get_engine(), actor=actor, old_password=old, new_password=new)
        except UserError as exc:
            st.error(plain(exc))
        else:
            st.success(t("Đã đổi mật khẩu; các phiên đăng nhập khác của bạn đã kết thúc."))
