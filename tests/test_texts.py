"""The one catalogue of interface texts: every msgid has English, plural forms, UserError, the CLI's and the app's
language (issue 10 point 7)."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from auth_helpers import sign_in
from streamlit.testing.v1 import AppTest

from data_model.accounts.users import create_user
from data_model.basics.permissions import SYSTEM
from data_model.cli.main import main
from data_model.definitions.activity_types import load_activity_types
from data_model.schema.db import build_engine, write_session
from data_model.texts.catalogue import Number, Text, plural_index, translate, translate_plural
from data_model.texts.compile import compiled, po_files
from data_model.texts.errors import UserError
from data_model.texts.extract import english_catalogue, missing_translations, unused_entries, used_msgids

DASHBOARD = str(Path(__file__).resolve().parent.parent / "dashboard.py")


# ---- the catalogue is complete and compiled -------------------------------------------------------------------------

def test_every_msgid_in_the_code_has_an_english_translation():
    uses, not_extractable = used_msgids()
    assert len(uses) > 500  # pages, ui and data_model all go through the catalogue
    assert not_extractable == []  # a message built by an f-string cannot be translated
    assert [f"{u.where}: {u.msgid}" for u in missing_translations(uses, english_catalogue())] == []


def test_the_catalogue_holds_no_entry_the_code_no_longer_uses():
    uses, _ = used_msgids()
    assert unused_entries(uses, english_catalogue()) == []  # python -m data_model.texts.extract --prune


@pytest.mark.parametrize("po", po_files(), ids=lambda p: p.parts[-3])
def test_the_compiled_catalogue_is_up_to_date(po):
    assert po.with_suffix(".mo").read_bytes() == compiled(po), "run: python -m data_model.texts.compile"


def test_every_measure_unit_has_english_singular_and_plural():
    for definition in load_activity_types().values():
        for m in definition.measures:
            assert m.unit_for(2, "en") == m.unit_en and m.unit_for(1, "en") not in ("", m.unit_en, m.unit_vi)
            assert m.unit_for(1, "vi") == m.unit_for(5, "vi") == m.unit_vi


# ---- plural forms ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("lang, n, expected", [
    ("en", 0, "0 entries"), ("en", 1, "1 entry"), ("en", 2, "2 entries"), ("en", 21, "21 entries"),
    ("vi", 0, "0 mục"), ("vi", 1, "1 mục"), ("vi", 2, "2 mục"),
])
def test_plural_forms_follow_the_language(lang, n, expected):
    assert translate_plural("{count} mục", n, lang=lang, count=n) == expected


@pytest.mark.parametrize("lang, n, index", [("en", 1, 0), ("en", 0, 1), ("en", 7, 1), ("vi", 1, 0), ("vi", 7, 0)])
def test_plural_index_is_the_catalogues_rule(lang, n, index):
    assert plural_index(n, lang) == index


@pytest.mark.parametrize("code, n, expected", [
    ("sessions", 1, "session"), ("sessions", 3, "sessions"), ("attendances", 1, "attendance"),
])
def test_a_unit_takes_the_form_of_its_number(code, n, expected):
    measure = load_activity_types()["outreach_session"].measure(code)
    assert measure.unit_for(n, "en") == expected


@pytest.mark.parametrize("sessions, expected", [(1, "1 outreach session reached"), (2, "2 outreach sessions reached")])
def test_the_english_report_writes_one_session_not_one_sessions(sessions, expected):
    from data_model.report.templating import fill, load_templates

    template = load_templates("en")["sentence"]["outreach_session"]
    text = fill(template, "en", sessions=sessions, attendances=1, change="")
    assert expected in text and "1 attendance of villagers" in text


# ---- messages in both languages -------------------------------------------------------------------------------------

def test_a_text_is_vietnamese_as_a_str_and_english_when_rendered():
    text = Text("Đã thêm {added} hoạt động, cập nhật {updated}, {unchanged} không đổi, bỏ qua {skipped} dòng.",
                added=Number(41262), updated=0, unchanged=1, skipped=2)
    assert text == "Đã thêm 41.262 hoạt động, cập nhật 0, 1 không đổi, bỏ qua 2 dòng."
    assert text.render("en") == "Added 41,262 records, updated 0, 1 unchanged, skipped 2 rows."


def test_every_user_facing_error_is_a_user_error():
    from data_model.accounts.users import AccountError
    from data_model.analytics.filters import QueryError
    from data_model.audit.log import AuditError
    from data_model.basics.issues import ValidationError
    from data_model.basics.permissions import PermissionDenied
    from data_model.cli.common import CliError
    from data_model.files.parse import FileError
    from data_model.files.records_import.outcome import ImportConflict
    from data_model.files.tabular import ImportRejected
    from data_model.reference.communes import CommuneNotFound
    from data_model.reference_admin.checks import ReferenceEditError
    from data_model.report.scope import ReportError
    from data_model.schema.db import DatabaseNotInitialised, DatabaseUrlError
    from data_model.startup.init_db import DemoRefused
    from data_model.startup.prepare import ExposureRefused
    from data_model.texts.input import TextInputError

    classes = [AuditError, PermissionDenied, AccountError, QueryError, CliError, FileError, ImportConflict,
               ImportRejected, ValidationError, ReferenceEditError, CommuneNotFound, ReportError,
               DatabaseNotInitialised, DatabaseUrlError, DemoRefused, ExposureRefused, TextInputError]
    assert all(issubclass(c, UserError) for c in classes)


def test_a_user_error_speaks_both_languages_and_stays_vietnamese_as_a_str():
    from data_model.accounts.users import AccountError

    err = AccountError("Tên đăng nhập {name!r} đã có", name="lan")
    assert str(err) == "Tên đăng nhập 'lan' đã có" == err.message("vi")
    assert err.message("en") == "User name 'lan' already exists"
    assert isinstance(err, ValueError)  # callers that caught ValueError still do


def test_a_validation_error_names_the_field_in_english(db_url):
    from data_model.records.validation.catalogue import load_catalogue
    from data_model.records.validation.checks import check_values
    from data_model.schema.db import read_session

    engine = build_engine(url=db_url)
    with read_session(engine) as session:
        checked = check_values(catalogue=load_catalogue(session=session),
                               values={"type_code": "outreach_session", "start_date": dt.date(2030, 1, 2)},
                               today=dt.date(2024, 5, 1))
    engine.dispose()
    messages = {i.field: i for i in checked.errors}
    assert messages["start_date"].message == "Ngày bắt đầu: ngày 02/01/2030 ở tương lai (hôm nay là 01/05/2024)"
    assert messages["start_date"].render("en") == "Start date: the date 2030-01-02 is in the future (today is 2024-05-01)"
    assert messages["reporting_unit_id"].render("en").endswith("no reporting unit chosen")


def test_an_import_preview_reports_its_rows_in_english():
    from data_model.files.records_import.outcome import RecordsPreview
    from data_model.files.tabular import Problem, RowOutcome

    preview = RecordsPreview(filename="x.csv", rows=[RowOutcome("x", 3, problems=[
        Problem("Ngày bắt đầu", Text("«{value}» không phải ngày (dd/mm/yyyy)", value="31/02"))])])
    assert preview.report_lines("en") == ["Error – x, row 3, column «Ngày bắt đầu»: «31/02» is not a date (dd/mm/yyyy)"]
    assert preview.report_lines() == ["Lỗi – x, dòng 3, cột «Ngày bắt đầu»: «31/02» không phải ngày (dd/mm/yyyy)"]


# ---- the command line ------------------------------------------------------------------------------------------------

def _cli(monkeypatch, capsys, *argv, env: dict[str, str] | None = None):
    monkeypatch.setenv("DATABASE_URL", "sqlite:////nonexistent/never.sqlite")
    for key, value in (env or {}).items():
        monkeypatch.setenv(key, value)
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.parametrize("argv, vietnamese", [
    (["summary", "--from", "2012"], "thiếu các tham số bắt buộc: --to, --by"),
    (["summary", "--from", "2012", "--to", "2013", "--by", "village"], "lựa chọn không hợp lệ: 'village'"),
    (["summary", "--from", "2012", "--to", "2013", "--by", "type", "--bogus"], "tham số không nhận ra: --bogus"),
    (["summary", "--from", "abc", "--to", "2013", "--by", "type"], "năm không hợp lệ: 'abc'"),
])
def test_argparse_speaks_vietnamese_by_default(monkeypatch, capsys, argv, vietnamese):
    status, _, err = _cli(monkeypatch, capsys, *argv)
    assert status == 2 and err.startswith("Lỗi: ") and vietnamese in err
    for english in ("required", "invalid choice", "unrecognized", "error:"):
        assert english not in err


@pytest.mark.parametrize("argv, env", [
    (["--lang", "en", "summary", "--from", "2012"], {}),
    (["summary", "--from", "2012"], {"UI_LANGUAGE": "en"}),
])
def test_the_command_line_speaks_english_when_asked(monkeypatch, capsys, argv, env):
    status, _, err = _cli(monkeypatch, capsys, *argv, env=env)
    assert status == 2 and err == "Error: python -m data_model summary: the following arguments are required: --to, --by\n"


def test_the_help_is_in_the_chosen_language(monkeypatch, capsys):
    with pytest.raises(SystemExit):
        _cli(monkeypatch, capsys, "-h")
    out = capsys.readouterr().out
    assert out.startswith("cách dùng: python -m data_model") and "in hướng dẫn này rồi thoát" in out
    with pytest.raises(SystemExit):
        _cli(monkeypatch, capsys, "--lang", "en", "-h")
    out = capsys.readouterr().out
    assert out.startswith("usage: python -m data_model") and "show this help message and exit" in out
    assert "totals by year, commune, station or activity type" in out


def test_a_user_error_of_the_command_line_is_english_with_lang_en(monkeypatch, capsys):
    status, _, err = _cli(monkeypatch, capsys, "--lang", "en", "summary", "--from", "2012", "--to", "2013", "--by",
                          "type")
    assert status == 3
    assert err.startswith("Error: The database is not initialised: run `python -m data_model init` (no file ")


# ---- the app ---------------------------------------------------------------------------------------------------------

@pytest.fixture
def staff_app(db_url, app_env):
    app_env(db_url)
    engine = build_engine(url=db_url)
    with write_session(engine) as s:
        staff = create_user(session=s, actor=SYSTEM, username="nv_kalang", password="nhap-lieu-1", role="staff",
                            unit_keys=["st_ka_lang"])
    engine.dispose()
    return staff


def test_the_english_ui_shows_validation_messages_in_english(staff_app):
    at = AppTest.from_file(DASHBOARD, default_timeout=90)
    at.session_state["ui_lang"] = "en"
    sign_in(at, os.environ["DATABASE_URL"], staff_app)
    at.switch_page("pages/nhap_hoat_dong.py")
    at.run()
    at.selectbox(key="ne_type").select("outreach_session").run()
    at.date_input(key="ne_0_start_date").set_value(dt.date(2024, 3, 5)).run()
    at.text_area(key="ne_0_note").input("Note\x00 bad")
    next(b for b in at.button if b.label == "Save activity").click().run()
    assert not at.exception, [e.value for e in at.exception]
    shown = [e.value for e in at.error]
    assert any("Holds an invalid character" in m and "NUL or broken Unicode" in m for m in shown), shown
    assert not any("không" in m or "Chưa" in m for m in shown), shown


@pytest.mark.parametrize("setting, title", [("en", "Log in"), ("vi", "Đăng nhập"), ("fr", "Đăng nhập")])
def test_the_app_starts_in_the_ui_language_setting(db_url, app_env, monkeypatch, setting, title):
    app_env(db_url)
    monkeypatch.setenv("UI_LANGUAGE", setting)
    at = AppTest.from_file(DASHBOARD, default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == title
    assert at.session_state["ui_lang"] == ("en" if setting == "en" else "vi")


def test_the_users_choice_wins_over_the_setting(db_url, app_env, monkeypatch):
    app_env(db_url)
    monkeypatch.setenv("UI_LANGUAGE", "en")
    at = AppTest.from_file(DASHBOARD, default_timeout=60)
    at.run()
    at.selectbox(key="ui_lang_box").select("vi").run()
    assert at.title[0].value == "Đăng nhập"
    assert translate("Đăng nhập", lang="en") == "Log in"
