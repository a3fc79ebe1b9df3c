"""The page scaffolding: the results-page opening, cached loaders keyed on the database, run_write and its flash
message, self-registering translated choices; the one authorisation table the page registry reads."""
from __future__ import annotations

import pytest
from auth_helpers import sign_in
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from data_model.accounts.users import create_user
from data_model.basics.permissions import (
    CAPABILITIES,
    ROLES,
    SYSTEM,
    Actor,
    can_edit_population,
    can_read_audit,
    has_capability,
    roles_with,
)
from data_model.schema.db import build_engine, write_session
from data_model.schema.models import User
from ui.registry import PAGES, page_spec, pages_for_role

TIMEOUT = 60


def _signed_in(script, url: str, *, lang: str | None = None) -> AppTest:
    """The script run once by a logged-in planner (after app_env(url))."""
    at = AppTest.from_function(script, default_timeout=TIMEOUT)
    sign_in(at, url, _user(url))
    if lang:
        at.session_state["ui_lang"] = lang
    return at.run()


def _user(url: str, role: str = "planner") -> int:
    engine = build_engine(url=url)
    with write_session(engine) as session:
        found = session.scalar(select(User.id).where(User.username == f"u_{role}"))
        user_id = found or create_user(session=session, actor=SYSTEM, username=f"u_{role}",
                                       password="Kế-hoạch-2025-biên-giới", role=role)
    engine.dispose()
    return user_id


# --- the authorisation table -------------------------------------------------------------------------------------

@pytest.mark.parametrize("capability, roles", [
    ("read_results", set(ROLES)), ("read_report", {"admin", "official", "planner"}),
    ("write_records", {"admin", "staff"}), ("manage_users", {"admin"}), ("edit_population", {"admin", "planner"}),
    ("read_audit", {"admin", "official"}), ("own_account", set(ROLES)),
    ("review_joint", {"admin", "official"}), ("undo_joint", {"admin"}),
])
def test_capability_table(capability, roles):
    assert roles_with(capability) == roles
    for role in ROLES:
        assert has_capability(Actor(user_id=None, username="x", role=role), capability) is (role in roles)
    assert has_capability(None, capability) is False


def test_page_roles_come_from_the_capability_table():
    for spec in PAGES:
        assert spec.roles == (CAPABILITIES[spec.capability] if spec.capability else frozenset()), spec.stem
    assert page_spec("nguoi_dung").roles == {"admin"}
    assert [p.stem for p in pages_for_role(None)] == ["dang_nhap"]
    # the page rules and the data_model rules cannot drift apart: both read the same table
    for role in ROLES:
        actor = Actor(user_id=None, username="x", role=role)
        assert can_edit_population(actor) is (role in page_spec("danh_muc").roles)
        assert can_read_audit(actor) is (role in page_spec("nhat_ky").roles)


def test_unknown_capability_opens_nothing():
    with pytest.raises(KeyError):
        roles_with("read_resluts")


# --- cached loaders ----------------------------------------------------------------------------------------------

def _loader_script():
    import streamlit as st
    from sqlalchemy import func, select

    from data_model.schema.models import ActivityRecord
    from ui.loaders import cached_loader

    calls = st.session_state.setdefault("calls", [])

    @cached_loader
    def count(*, session, n: int) -> int:
        calls.append(n)
        has_records = bool(session.scalar(select(func.count()).select_from(ActivityRecord)))
        return n * 10 + has_records

    @cached_loader
    def twice(*, session, n: int) -> int:  # same arguments, another function: its own cache
        return n * 2

    st.write(f"a={count(n=1)} b={count(n=1)} c={count(n=2)} d={twice(n=1)}")


def test_cached_loader_keys_on_database_and_arguments(app_env, db_url, demo_db_url, monkeypatch):
    app_env(db_url)
    at = AppTest.from_function(_loader_script, default_timeout=TIMEOUT).run()
    assert not at.exception, at.exception
    assert at.markdown[0].value == "a=10 b=10 c=20 d=2"
    assert at.session_state["calls"] == [1, 2]  # the second call with n=1 came from the cache
    at.run()
    assert at.session_state["calls"] == [1, 2]
    # same arguments, another database: computed again, with that database's figures
    monkeypatch.setenv("DATABASE_URL", demo_db_url)
    at.run()
    assert at.markdown[0].value == "a=11 b=11 c=21 d=2"
    assert at.session_state["calls"] == [1, 2, 1, 2]


def test_a_write_by_another_process_is_seen_without_waiting_for_the_cache(app_env, db_url, monkeypatch):
    from entry_helpers import outreach, unit_id

    import ui.loaders
    from data_model.audit.changelog import log_change
    from data_model.records.write import create_record

    monkeypatch.setattr(ui.loaders, "VERSION_TRUST_S", 0.0)  # read the version at every view
    app_env(db_url)
    at = AppTest.from_function(_loader_script, default_timeout=TIMEOUT).run()
    assert at.markdown[0].value == "a=10 b=10 c=20 d=2"
    at.run()
    assert at.session_state["calls"] == [1, 2]  # cached
    # another process saves a record: straight to the database, nothing of this process's caches cleared
    engine = build_engine(url=db_url)
    with write_session(engine) as session:
        create_record(session=session, actor=SYSTEM, confirm_warnings=True,
                      values=outreach(unit_id(session)))
    engine.dispose()
    at.run()
    assert at.markdown[0].value == "a=11 b=11 c=21 d=2"
    assert at.session_state["calls"] == [1, 2, 1, 2]
    engine = build_engine(url=db_url)
    with write_session(engine) as session:  # a login changes no figure: still cached
        log_change(session=session, actor=None, username="ai_do", action="login", entity="user", entity_id="1")
    engine.dispose()
    at.run()
    assert at.session_state["calls"] == [1, 2, 1, 2]


def _define(body: str):
    namespace: dict = {}
    exec(compile(f"def load(*, session, n):\n    return {body}\n", "pages/fake.py", "exec"), namespace)
    return namespace["load"]


def test_a_loader_defined_again_the_same_way_is_the_same_loader():
    from ui.loaders import cached_loader

    # a page's `load_x = cached_loader(fn)` runs on every rerun, some with fn defined anew
    first, again, other = _define("n * 2"), _define("n * 2"), _define("n * 3")
    assert first is not again
    assert cached_loader(first) is cached_loader(again)
    assert cached_loader(other) is not cached_loader(first)
    assert cached_loader(ttl=5)(first) is not cached_loader(first)


# --- the results-page opening -------------------------------------------------------------------------------------

def _results_script():
    import streamlit as st

    from ui.page import open_results_page

    page = open_results_page("tong_quan", title="Tiêu đề")
    st.write(f"years {page.filters.year_from}-{page.filters.year_to} lang {page.lang}")


def test_results_page_opening_stops_with_the_empty_state(app_env, db_url):
    app_env(db_url)
    at = _signed_in(_results_script, db_url)
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["Tiêu đề"]
    assert "Chưa có hoạt động nào được ghi nhận" in at.info[0].value
    assert not [m for m in at.markdown if m.value.startswith("years")]


def test_results_page_opening_gives_filters_and_language(app_env, demo_db_url):
    app_env(demo_db_url)
    at = _signed_in(_results_script, demo_db_url, lang="en")
    assert not at.exception, at.exception
    line = [m.value for m in at.markdown if m.value.startswith("years")]
    assert line and line[0].endswith("lang en")
    assert at.sidebar.subheader[0].value == "Filters"


# --- run_write and the flash message ------------------------------------------------------------------------------

def _write_script():
    import streamlit as st

    from data_model.basics.permissions import PermissionDenied
    from ui.page import open_page
    from ui.writes import run_write

    open_page("tai_khoan", title="Tài khoản")

    def denied(session):
        raise PermissionDenied("Bạn không có quyền làm việc này")

    st.button("ok", key="ok", on_click=lambda: run_write(lambda s: 41 + 1, success=lambda v: f"Đã lưu số {v}.",
                                                         callback=True))
    st.button("keep", key="keep", on_click=lambda: run_write(lambda s: 7, success="Giữ lại.", callback=True,
                                                             keep=True))
    st.button("denied", key="denied", on_click=lambda: run_write(denied, success="never", callback=True))
    if st.button("inline", key="inline"):
        run_write(denied, success="never")
    if st.button("rerun", key="rerun"):
        run_write(lambda s: None, success="Đã ghi rồi tải lại.")
    st.write("end of page")


def test_run_write_flashes_once_on_the_page(app_env, db_url):
    app_env(db_url)
    at = _signed_in(_write_script, db_url)
    assert not at.success and not at.error
    at.button(key="ok").click().run()
    assert [s.value for s in at.success] == ["Đã lưu số 42\\."]  # shown as plain text: markdown escaped
    at.run()
    assert not at.success  # once
    at.button(key="keep").click().run()
    at.run()
    assert [s.value for s in at.success] == ["Giữ lại\\."]  # kept until the page's next write
    at.button(key="denied").click().run()
    assert not at.success
    assert [e.value for e in at.error] == ["Bạn không có quyền làm việc này"]
    at.run()
    assert not at.error


def test_run_write_outside_a_callback(app_env, db_url):
    app_env(db_url)
    at = _signed_in(_write_script, db_url)
    at.button(key="inline").click().run()
    assert [e.value for e in at.error] == ["Bạn không có quyền làm việc này"]  # where the button is, no rerun
    assert at.markdown[-1].value == "end of page"
    at.button(key="rerun").click().run()
    assert [s.value for s in at.success] == ["Đã ghi rồi tải lại\\."]


def test_flash_belongs_to_its_page(app_env, db_url):
    app_env(db_url)
    at = _signed_in(_write_script, db_url)
    at.button(key="keep").click().run()
    assert at.session_state["flash__tai_khoan"][1] == "Giữ lại."


# --- translated choices ------------------------------------------------------------------------------------------

def _choice_script():
    import streamlit as st

    from ui.i18n import t
    from ui.widgets import choice, keep_choices_across_languages, translated_keys

    keep_choices_across_languages()
    value = choice(st.selectbox, t("Loại", "Kind"), {"a": t("Một", "One"), "b": t("Hai", "Two")}, key="w")
    many = choice(st.multiselect, t("Nhiều", "Many"), {"x": t("Ích", "Ex"), "y": t("Y", "Why")}, key="m")
    st.write(f"value={value} many={','.join(many)} keys={','.join(sorted(translated_keys()))}")


def test_choice_registers_itself_and_survives_a_language_switch():
    at = AppTest.from_function(_choice_script, default_timeout=TIMEOUT).run()
    assert at.markdown[0].value == "value=a many= keys=m,w"
    at.selectbox(key="w").set_value("b")
    at.multiselect(key="m").set_value(["y"])
    at.run()
    at.session_state["ui_lang"] = "en"
    at.run()
    assert not at.exception, at.exception
    assert at.markdown[0].value == "value=b many=y keys=m,w"
    assert at.selectbox(key="w").options == ["One", "Two"]


def test_choice_drops_values_no_longer_offered():
    at = AppTest.from_function(_choice_script, default_timeout=TIMEOUT)
    at.session_state["w"] = "gone"
    at.session_state["m"] = ["x", "gone"]
    at.run()
    assert not at.exception, at.exception
    assert at.markdown[0].value == "value=a many=x keys=m,w"
