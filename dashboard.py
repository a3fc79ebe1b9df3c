"""Entry point and router: page config, navigation built per role, language switch, shared sidebar."""
from pathlib import Path

import streamlit as st
from sqlalchemy.orm import Session

from data_model.schema.meta import is_demo_database
from data_model.startup.prepare import has_active_demo_accounts
from ui.auth import checked_for_this_run, current_actor, open_deep_link, render_account_box
from ui.errors import plain_errors
from ui.i18n import current_language, t
from ui.language_box import render_language_box, start_language
from ui.loaders import cached_loader
from ui.login_cookie import render_cookie_exchange
from ui.page import explain_lost_page
from ui.phone import fit_phone
from ui.registry import hidden_pages_for_role, home_page, pages_for_role
from ui.streamlit_words import hide_enter_hint

PAGES_DIR = Path(__file__).parent / "pages"


@cached_loader(ttl=300)
def _holds_demo_data(*, session: Session) -> bool:
    return is_demo_database(session=session)


@cached_loader(ttl=30)
def _has_demo_accounts(*, session: Session) -> bool:
    return has_active_demo_accounts(session=session)


# a local image: a :material/…: icon makes the browser fetch its SVG from fonts.gstatic.com (offline offices)
st.set_page_config(page_title="Thông tin biên giới – Lai Châu",
                   page_icon=str(Path(__file__).resolve().parent / "ui" / "assets" / "favicon.png"), layout="wide")

start_language()
with st.sidebar:
    render_language_box()

with plain_errors():
    lang = current_language()
    actor = current_actor()
    specs = pages_for_role(actor.role if actor else None)
    home = home_page(actor.role if actor else None).stem
    sections: dict[str, list] = {}
    for spec in specs:
        page = st.Page(str(PAGES_DIR / f"{spec.stem}.py"), title=spec.title(lang), icon=spec.icon,
                       url_path=spec.stem, default=spec.stem == home)
        sections.setdefault(spec.section(lang), []).append(page)
    for spec in hidden_pages_for_role(actor.role if actor else None):
        sections.setdefault(spec.section(lang), []).append(
            st.Page(str(PAGES_DIR / f"{spec.stem}.py"), title=spec.title(lang), url_path=spec.stem,
                    visibility="hidden"))
    navigation = st.navigation(sections, expanded=True)
    open_deep_link(actor)
    if isinstance(st.context.ip_address, str) and _has_demo_accounts():  # None: a browser on this machine
        st.error(t("Cơ sở dữ liệu này có tài khoản demo với mật khẩu công khai nên chỉ mở được trên chính máy chủ."))
        st.stop()
    if _holds_demo_data():
        st.sidebar.warning(t("Dữ liệu mẫu (demo): số liệu tổng hợp, không phải số liệu thật."),
                           icon=":material/science:")
    render_account_box(actor)
    explain_lost_page(actor=actor)
    with st.sidebar:
        render_cookie_exchange()
    fit_phone(page_stem=navigation.url_path)
    with st.sidebar:
        hide_enter_hint()
    with checked_for_this_run(actor):  # the page's own guard asks again: same run, same answer
        navigation.run()  # an unexpected error of the page: a plain message here, the traceback in the server log
