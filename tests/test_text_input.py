"""Bad input everywhere text enters: NUL, lone surrogates and megabyte strings are refused with a message naming the
field (never a driver error, never stored); one year rule for the API, imports, reference data and the CLI."""
from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable
from types import SimpleNamespace

import pytest
from entry_helpers import KA_LANG, outreach, unit_id
from sqlalchemy import func, select
from test_import import HEADER, csv_bytes

import data_model.reference_admin as ra
from data_model.accounts.users import AccountError, create_user, update_user
from data_model.analytics.records_query import list_records
from data_model.audit.log import AuditError, AuditFilters, list_audit
from data_model.basics.issues import YEAR_MAX, YEAR_MIN, ValidationError
from data_model.basics.permissions import SYSTEM
from data_model.cli.common import year as cli_year
from data_model.files import tabular
from data_model.files.tabular import ImportRejected
from data_model.records.write import create_record, delete_record, restore_record, update_record
from data_model.schema.db import read_session, write_session
from data_model.schema.models import ActivityRecord, ChangeLog, ReportingUnit, Unit, UnitFact, User, Village
from data_model.texts.input import TextInputError, clean_text, safe_text, text_problem

BAD = {"nul": "Bản\x00 Mới", "surrogate": "Bản \ud800 Mới"}
MEGABYTE = "x" * 1_000_000


@pytest.mark.parametrize("text, limit, problem", [
    ("Bình thường, có dấu: Mường Tè", None, None), ("a\x00b", None, "không hợp lệ"), ("\ud83d", None, "không hợp lệ"),
    ("😀 emoji là hợp lệ", None, None), ("x" * 11, 10, "dài quá 10 ký tự"), ("x" * 10, 10, None),
    ("tab\tvà\nxuống dòng", None, None), ("\u200b\u200c\u200d", None, "không nhìn thấy"),
    ("\u2060 \ufeff", None, "không nhìn thấy"), ("Bản\u202eMới", None, "hướng chữ"), ("\u2067x\u2069", None, "hướng chữ"),
    ("\u200fabc", None, "hướng chữ"), ("👨\u200d👩\u200d👧 gia đình", None, None), ("        ", None, None),
])
def test_text_problem(text, limit, problem):
    found = text_problem(text, limit=limit)
    assert (found is None) if problem is None else (problem in found)


def test_clean_text_names_the_field_and_raises_the_callers_error():
    with pytest.raises(AccountError, match="^Họ tên: chứa ký tự không hợp lệ"):
        clean_text("A\x00", field="Họ tên", limit=200, error=AccountError)
    with pytest.raises(TextInputError, match="^Lý do: không được để trống"):
        clean_text("  ", field="Lý do", limit=10, required=True)
    assert clean_text("  Mù Cả ", field="Xã", limit=10) == "Mù Cả"
    assert safe_text("a\x00\ud800b") == "a\ufffd\ufffdb"


def _records(engine) -> int:
    with read_session(engine) as s:
        return s.scalar(select(func.count()).select_from(ActivityRecord))


@pytest.mark.parametrize("kind", list(BAD))
@pytest.mark.parametrize("field", ["topic", "note", "commune_key", "type_code", "languages", "attendances",
                                   "reporting_unit_id"])
def test_record_fields_refuse_bad_characters_before_any_query(engine, field, kind):
    with write_session(engine) as s:
        values = outreach(unit_id(s))
    values[field] = [BAD[kind]] if field == "languages" else BAD[kind]
    with pytest.raises(ValidationError) as caught:
        with write_session(engine) as s:
            create_record(session=s, actor=SYSTEM, values=values)
    assert [i.field for i in caught.value.issues] == [field]
    assert "không hợp lệ" in caught.value.issues[0].message
    assert _records(engine) == 0


@pytest.mark.parametrize("kind", list(BAD))
def test_an_edit_refuses_bad_characters(engine, kind):
    with write_session(engine) as s:
        rid = create_record(session=s, actor=SYSTEM, values=outreach(unit_id(s)))
    with pytest.raises(ValidationError, match="Ghi chú: chứa ký tự không hợp lệ"):
        with write_session(engine) as s:
            update_record(session=s, actor=SYSTEM, record_id=rid, values=outreach(unit_id(s), note=BAD[kind]))
    with read_session(engine) as s:
        assert s.get(ActivityRecord, rid).note == ""


@pytest.mark.parametrize("reason, message", [
    (BAD["nul"], "Lý do: chứa ký tự không hợp lệ"), (BAD["surrogate"], "Lý do: chứa ký tự không hợp lệ"),
    (MEGABYTE, "Lý do: dài quá 500 ký tự"), ("x" * 501, "Lý do: dài quá 500 ký tự"),
])
def test_delete_and_restore_reasons_are_checked_on_the_server(engine, reason, message):
    with write_session(engine) as s:
        rid = create_record(session=s, actor=SYSTEM, values=outreach(unit_id(s)))
    with pytest.raises(ValidationError, match=message):
        with write_session(engine) as s:
            delete_record(session=s, actor=SYSTEM, record_id=rid, reason=reason)
    with write_session(engine) as s:
        delete_record(session=s, actor=SYSTEM, record_id=rid, reason="x" * 500)
    with pytest.raises(ValidationError, match=message):
        with write_session(engine) as s:
            restore_record(session=s, actor=SYSTEM, record_id=rid, reason=reason)
    with read_session(engine) as s:
        assert s.get(ActivityRecord, rid).deleted_at is not None
        assert max(len(r) for r in s.scalars(select(ChangeLog.reason))) == 500


@pytest.mark.parametrize("field, value", [("topic", "x" * 301), ("note", MEGABYTE)])
def test_long_free_text_is_refused_with_the_field(engine, field, value):
    with pytest.raises(ValidationError, match="dài quá"):
        with write_session(engine) as s:
            create_record(session=s, actor=SYSTEM, values=outreach(unit_id(s), **{field: value}))


@pytest.mark.parametrize("search", [BAD["nul"], BAD["surrogate"], MEGABYTE])
def test_search_box_text_is_checked_before_it_reaches_sql(engine, search):
    with pytest.raises(ValidationError, match="^Tìm: "):
        with read_session(engine) as s:
            list_records(session=s, actor=SYSTEM, search=search)


@pytest.mark.parametrize("kind", list(BAD))
def test_audit_filter_text_is_checked(engine, kind):
    with pytest.raises(AuditError, match="Người dùng: chứa ký tự không hợp lệ"):
        with read_session(engine) as s:
            list_audit(session=s, actor=SYSTEM, filters=AuditFilters(username=BAD[kind]))


@pytest.mark.parametrize("kind", list(BAD))
def test_account_fields_refuse_bad_characters(engine, kind):
    def add(**changes):
        values = dict(username="nva", password="mat-khau-1", role="staff", unit_keys=["st_dao_san"], full_name="A")
        with write_session(engine) as s:
            create_user(session=s, actor=SYSTEM, **{**values, **changes})

    for changes, message in (({"full_name": BAD[kind]}, "^Họ tên: chứa ký tự không hợp lệ"),
                             ({"unit_keys": [BAD[kind]]}, "^Đơn vị: chứa ký tự không hợp lệ"),
                             ({"username": BAD[kind]}, "^Tên đăng nhập: "),
                             ({"password": "mat-khau-1" + BAD[kind]}, "^Mật khẩu: chứa ký tự không hợp lệ")):
        with pytest.raises(AccountError, match=message):
            add(**changes)
    add()
    for changes, message in (({"full_name": BAD[kind]}, "^Họ tên"), ({"username": BAD[kind]}, "Không có người dùng"),
                             ({"unit_keys": [BAD[kind]]}, "^Đơn vị"), ({"full_name": MEGABYTE}, "^Họ tên: dài quá")):
        with pytest.raises(AccountError, match=message):
            with write_session(engine) as s:
                update_user(session=s, actor=SYSTEM, **{"username": "nva", **changes})
    with read_session(engine) as s:
        assert s.scalar(select(User.full_name)) == "A"


INVISIBLE_NAMES = {"zero-width": "\u200b\u200b\u200b", "bidi": "Ka Lăng\u202e gnăL aK", "isolate": "\u2066Bản\u2069"}


@pytest.mark.parametrize("kind", list(INVISIBLE_NAMES))
def test_names_of_invisible_or_bidi_characters_are_refused(engine, kind):
    text = INVISIBLE_NAMES[kind]
    with write_session(engine) as s:
        writes = _reference_writes(s)
        for label in ("Tên xã", "Tên bản", "Tên ngắn", "Tên gọi khác"):
            with pytest.raises(ra.ReferenceEditError, match=f"^{label}: (chỉ gồm ký tự không nhìn thấy|chứa ký tự điều)"):
                writes[label](text)
    with pytest.raises(AccountError, match="^Họ tên: (chỉ gồm|chứa ký tự điều khiển)"):
        with write_session(engine) as s:
            create_user(session=s, actor=SYSTEM, username="nvb", password="mat-khau-1", role="staff",
                        unit_keys=["st_dao_san"], full_name=text)
    with read_session(engine) as s:
        assert s.get(Unit, KA_LANG).name == "Ka Lăng" and s.scalar(select(func.count()).select_from(User)) == 0


def _reference_writes(session) -> dict[str, Callable[[str], object]]:
    village = ra.create_village(session=session, actor=SYSTEM, unit_key=KA_LANG, name="Bản Thử")
    station = session.scalar(select(ReportingUnit.key).limit(1))
    return {
        "Tên xã": lambda text: ra.update_commune(session=session, actor=SYSTEM, key=KA_LANG, name=text),
        "Ghi chú": lambda text: ra.update_village(session=session, actor=SYSTEM, village_id=village, note=text),
        "Tên bản": lambda text: ra.create_village(session=session, actor=SYSTEM, unit_key=KA_LANG, name=text),
        "Nguồn": lambda text: ra.set_population(session=session, actor=SYSTEM, unit_key=KA_LANG, year=2024,
                                                population=10, source=text),
        "Tên gọi khác": lambda text: ra.add_alias(session=session, actor=SYSTEM, unit_key=KA_LANG, alias=text),
        "Tên ngắn": lambda text: ra.update_station(session=session, actor=SYSTEM, key=station, short_name=text),
        "Ngôn ngữ": lambda text: ra.set_languages(session=session, actor=SYSTEM, unit_key=KA_LANG, languages=[text]),
        "Xã": lambda text: ra.set_population(session=session, actor=SYSTEM, unit_key=text, year=2024, population=1),
        "Lý do": lambda text: ra.delete_village(session=session, actor=SYSTEM, village_id=village, reason=text),
    }


@pytest.mark.parametrize("kind", [*BAD, "megabyte"])
def test_reference_edits_refuse_bad_text_with_the_field(engine, kind):
    text = MEGABYTE if kind == "megabyte" else BAD[kind]
    with write_session(engine) as s:
        for label, write in _reference_writes(s).items():
            if kind == "megabyte" and label in ("Ngôn ngữ", "Xã"):
                continue  # codes, not free text: their own checks apply
            with pytest.raises(ra.ReferenceEditError, match=f"^{label}: "):
                write(text)
    with read_session(engine) as s:
        assert s.get(Unit, KA_LANG).name == "Ka Lăng"
        assert not any("\x00" in (source or "") for source in s.scalars(select(UnitFact.source)))


def test_village_import_refuses_a_file_with_nul(engine):
    data = "Xã,Bản,Năm,Dân số\nKa Lăng,Bản Một,2024,100\nKa Lăng,Bản\x00Hai,2024,200\n".encode()
    with read_session(engine) as s:
        preview = ra.preview_village_import(session=s, data=data, filename="ban.csv")
    assert not preview.ok and any("NUL" in e for e in preview.error_lines())


def test_village_import_names_the_row_and_column_of_a_bad_cell(engine, monkeypatch):
    # a reader that lets a bad character through (today's CSV and XLSX readers refuse them for the whole file)
    sheet = SimpleNamespace(name="Trang 1", rows=[["Xã", "Bản", "Năm", "Dân số"], ["Ka Lăng", "Bản Một", 2024, 100],
                                                  ["Ka Lăng", "Bản \ud800 Hai", 2024, 200]])
    monkeypatch.setattr(tabular, "read_file", lambda **kw: SimpleNamespace(sheets=[sheet], notes=[]))
    with read_session(engine) as s:
        preview = ra.preview_village_import(session=s, data=b"", filename="ban.xlsx")
    assert preview.error_lines() == ["Trang 1, dòng 3, cột «Bản»: chứa ký tự không hợp lệ (ký tự NUL hoặc mã Unicode "
                                     "lỗi); hãy gõ lại hoặc dán dạng văn bản thường"]
    with pytest.raises(ImportRejected):
        with write_session(engine) as s:
            ra.import_villages(session=s, actor=SYSTEM, data=b"", filename="ban.xlsx")
    with read_session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Village).where(Village.name == "Bản Một")) == 0


def test_records_import_names_the_row_and_column_of_a_bad_cell(engine, monkeypatch):
    from data_model.files.records_import import preview_import

    sheet = SimpleNamespace(name="Tuyên truyền tại bản", rows=[
        ["Ngày bắt đầu", "Đơn vị thực hiện", "Xã", "Chủ đề", "Số buổi", "Lượt người nghe"],
        ["05/03/2024", "Ka Lăng", "Ka Lăng", "Luật \ud800 Biên phòng", 1, 10]])
    from data_model.files.records_import import preview as preview_module

    read = lambda **kw: SimpleNamespace(sheets=[sheet], notes=[])  # noqa: E731 (a lone surrogate cannot be saved in XLSX)
    monkeypatch.setattr(tabular, "read_file", read)
    monkeypatch.setattr(preview_module, "read_file", read)  # the records import reads the file once, then the rows
    with read_session(engine) as s:
        preview = preview_import(session=s, actor=SYSTEM, data=b"x", filename="tep.xlsx", today=dt.date(2025, 1, 1))
    assert preview.error_lines() == ["Tuyên truyền tại bản, dòng 2, cột «Chủ đề»: chứa ký tự không hợp lệ (ký tự NUL "
                                     "hoặc mã Unicode lỗi); hãy gõ lại hoặc dán dạng văn bản thường"]


# ---------------------------------------------------------------- one rule for years

@pytest.mark.parametrize("day", [dt.date(1, 1, 1), dt.date(1900, 6, 1), dt.date(YEAR_MIN - 1, 12, 31)])
def test_write_api_refuses_years_outside_the_rule(engine, day):
    with pytest.raises(ValidationError, match=f"Ngày bắt đầu: năm {day.year} nằm ngoài khoảng cho phép"):
        with write_session(engine) as s:
            create_record(session=s, actor=SYSTEM, values=outreach(unit_id(s), start_date=day, end_date=day))
    assert _records(engine) == 0


def test_the_first_allowed_year_is_accepted(engine):
    from data_model.schema.models import Unit as U

    with write_session(engine) as s:  # a commune valid then: Ka Lăng exists from 1900 in the reference
        assert s.get(U, KA_LANG).valid_from is None or s.get(U, KA_LANG).valid_from.year <= YEAR_MIN
        create_record(session=s, actor=SYSTEM, values=outreach(unit_id(s), start_date=dt.date(YEAR_MIN, 1, 2),
                                                               end_date=dt.date(YEAR_MIN, 1, 2)))
    assert _records(engine) == 1


def test_import_uses_the_same_year_rule(engine):
    from data_model.files.records_import import preview_import

    rows = [HEADER, ["Tuyên truyền tại bản", "05/03/1900", "", "Mù Cả", "03451", "", "", "", "", "2", "40"],
            ["Tuyên truyền tại bản", "05/03/2024", "", "Mù Cả", "03451", "", "", "", "", "2", "40"]]
    with read_session(engine) as s:
        preview = preview_import(session=s, actor=SYSTEM, data=csv_bytes(rows), filename="nam.csv",
                                 today=dt.date(2025, 12, 31))
    errors = [r for r in preview.rows if r.has_error]
    assert len(errors) == 1 and "1900 nằm ngoài khoảng cho phép" in str([p.message for p in errors[0].problems])


@pytest.mark.parametrize("text, ok", [(str(YEAR_MIN), True), (str(YEAR_MAX), True), (str(YEAR_MIN - 1), False),
                                      (str(YEAR_MAX + 1), False), ("1", False), ("năm", False)])
def test_cli_year_argument_follows_the_same_rule(text, ok):
    if ok:
        assert cli_year(text) == int(text)
    else:
        with pytest.raises(argparse.ArgumentTypeError):
            cli_year(text)


def test_reference_population_years_follow_the_same_rule(engine):
    with write_session(engine) as s:
        with pytest.raises(ra.ReferenceEditError, match=f"Năm: phải từ {YEAR_MIN} đến {YEAR_MAX}"):
            ra.set_population(session=s, actor=SYSTEM, unit_key=KA_LANG, year=1900, population=10)
