"""Entry point and router: page config, navigation built per role, language switch, shared sidebar."""
from pathlib import Path

import streamlit as st

from ui.auth import current_actor, render_account_box
from ui.i18n import LANGUAGES, current_language
from ui.registry import hidden_pages_for_role, pages_for_role

PAGES_DIR = Path(__file__).parent / "pages"

st.set_page_config(page_title="Thông tin biên giới – Lai Châu", page_icon=":material/flag:", layout="wide")

with st.sidebar:
    st.selectbox("Ngôn ngữ / Language", options=list(LANGUAGES), format_func=LANGUAGES.get, key="ui_lang")

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
        st.Page(str(PAGES_DIR / f"{spec.stem}.py"), title=spec.title(lang), url_path=spec.stem, visibility="hidden"))
navigation = st.navigation(sections)
render_account_box(actor)
navigation.run()
