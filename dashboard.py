"""Entry point and router: page config, navigation built per role, language switch, shared sidebar."""
from pathlib import Path

import streamlit as st

from data_model.schema.db import read_session
from data_model.schema.meta import is_demo_database
from data_model.schema.settings import get_settings
from data_model.schema.startup import has_active_demo_accounts
from ui.auth import current_actor, render_account_box
from ui.engine import get_engine
from ui.errors import plain_errors
from ui.i18n import LANGUAGE_KEY, LANGUAGES, current_language, default_language, t
from ui.registry import hidden_pages_for_role, pages_for_role

PAGES_DIR = Path(__file__).parent / "pages"


@st.cache_data(ttl=300, show_spinner=False)
def _holds_demo_data(url: str) -> bool:
    with read_session(get_engine()) as session:
        return is_demo_database(session=session)


@st.cache_data(ttl=30, show_spinner=False)
def _has_demo_accounts(url: str) -> bool:
    with read_session(get_engine()) as session:
        return has_active_demo_accounts(session=session)


st.set_page_config(page_title="Thông tin biên giới – Lai Châu", page_icon=":material/flag:", layout="wide")

if not st.session_state.get(LANGUAGE_KEY):  # a new browser session starts in UI_LANGUAGE
    st.session_state[LANGUAGE_KEY] = default_language()
with st.sidebar:
    st.selectbox("Ngôn ngữ / Language", options=list(LANGUAGES), format_func=LANGUAGES.get, key=LANGUAGE_KEY)

with plain_errors():
    url = get_settings().database_url
    lang = current_language()
    actor = current_actor()
    specs = pages_for_role(actor.role if actor else None)
    sections: dict[str, list] = {}
    for spec in specs:
        page = st.Page(str(PAGES_DIR / f"{spec.stem}.py"), title=spec.title(lang), icon=spec.icon,
                       url_path=spec.stem, default=spec.default)
        sections.setdefault(spec.section(lang), []).append(page)
    for spec in hidden_pages_for_role(actor.role if actor else None):
        sections.setdefault(spec.section(lang), []).append(
            st.Page(str(PAGES_DIR / f"{spec.stem}.py"), title=spec.title(lang), url_path=spec.stem,
                    visibility="hidden"))
    navigation = st.navigation(sections, expanded=True)
    if isinstance(st.context.ip_address, str) and _has_demo_accounts(url):  # None: a browser on this machine
        st.error(t("Cơ sở dữ liệu này có tài khoản demo với mật khẩu công khai nên chỉ mở được trên chính máy chủ."))
        st.stop()
    if _holds_demo_data(url):
        st.sidebar.warning(t("Dữ liệu mẫu (demo): số liệu tổng hợp, không phải số liệu thật."),
                           icon=":material/science:")
    render_account_box(actor)
    navigation.run()  # an unexpected error of the page: a plain message here, the traceback in the server log
