"""Importing real-world spreadsheets: messy CSV/XLSX, errors by row and column, all rows or none, row identity."""
from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata

import pytest
from entry_helpers import KA_LANG, MU_CA, count_records, staff, summary_mismatches, unit_id
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from data_model.basics.permissions import SYSTEM
from data_model.files.parse import parse_count, parse_date
from data_model.files.records_import import ImportRejected, preview_import, run_import
from data_model.schema.db import read_session
from data_model.schema.models import ActivityRecord, ChangeLog, ImportBatch

TODAY = dt.date(2025, 12, 31)
HEADER = ["Loại hoạt động", "Ngày bắt đầu", "Ngày kết thúc", "Đơn vị thực hiện", "Mã xã", "Xã", "Bản", "Ngôn ngữ",
          "Chủ đề", "Số buổi", "Lượt người nghe"]


def csv_bytes(rows: list[list], *, encoding: str = "utf-8-sig", delimiter: str = ",") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(sheets: dict[str, list[list]], formulas: dict[tuple[str, str], tuple[str, object]] | None = None) -> bytes:
    """An XLSX written with xlsxwriter; formulas map (sheet, cell) to (formula, cached value or None)."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    date_format = book.add_format({"num_format": "dd/mm/yyyy"})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, dt.date):
                    sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_format)
                elif value is not None:
                    sheet.write(r, c, value)
        for (sheet_name, cell), (formula, cached) in (formulas or {}).items():
            if sheet_name == name:
                if cached is None:
                    sheet.write_formula(cell, formula)
                else:
                    sheet.write_formula(cell, formula, None, cached)
    book.close()
    return buffer.getvalue()


def _preview(engine, data, filename="tep.csv", actor=SYSTEM, **kw):
    with read_session(engine) as s:
        return preview_import(session=s, actor=actor, data=data, filename=filename, today=TODAY, **kw)


def _import(engine, data, filename="tep.csv", actor=SYSTEM, **kw):
    return run_import(engine=engine, actor=actor, data=data, filename=filename, today=TODAY, **kw)


def _records(engine):
    with read_session(engine) as s:
        return list(s.scalars(select(ActivityRecord).order_by(ActivityRecord.id)))


def test_messy_vietnamese_office_csv(engine):
    nfd_mu_ca = unicodedata.normalize("NFD", "Mù Cả")
    rows = [
        ["BÁO CÁO KẾT QUẢ TUYÊN TRUYỀN NĂM 2024", "", ""],
        ["Đơn vị: Đồn Biên phòng Mù Cả"],
        [],
        HEADER + ["Người lập"],
        ["Tuyên truyền tại bản", "05/03/2024", "", "Mù Cả", "", nfd_mu_ca, "Xi Nế", "Tiếng Hà Nhì, tiếng Việt",
         "Luật Biên phòng", "2", "1.262", "A Sử"],
        ["outreach_session", "2024-03-06", "", "Đồn Biên phòng Mù Cả", "03451", "", "", "", "", "1", "41", ""],
        ["Outreach session in village", "45362", "", "Đồn BP Mù Cả", "", "xã Pa Vệ Sử", "", "Mông", "", "3", "1 262", ""],
        ["", "", "", "", "", "", "", "", "", "", "", ""],
        ["Tổng cộng", "", "", "", "", "", "", "", "", "6", "2.565", ""],
        ["Cộng:", "", "", "", "", "", "", "", "", "6", "2.565", ""],
    ]
    preview = _preview(engine, csv_bytes(rows))
    assert preview.ok, preview.report_lines()
    assert preview.counts()["new"] == 3 and preview.counts()["skip"] == 2
    assert any("Người lập" in n for n in preview.notes)
    _, result = _import(engine, csv_bytes(rows))
    assert result.added == 3
    recs = _records(engine)
    with read_session(engine) as s:
        mu_ca_station = unit_id(s, "st_mu_ca")
        assert summary_mismatches(s) == []
    assert [r.start_date for r in recs] == [dt.date(2024, 3, 5), dt.date(2024, 3, 6), dt.date(2024, 3, 11)]
    assert [r.m2 for r in recs] == [1262, 41, 1262]
    assert [r.commune_key for r in recs] == [MU_CA, MU_CA, "c03448@1900"]  # alias "Pa Vệ Sử" → Pa Vệ Sủ
    assert recs[0].village_id is not None and recs[0].languages == "vi,ha_nhi"
    assert {r.reporting_unit_id for r in recs} == {mu_ca_station}
    assert all(r.source_key and r.import_batch_id for r in recs)


def test_english_headers_and_semicolons(engine):
    rows = [["Activity type", "Start date", "Reporting unit", "Commune code", "Sessions", "Attendances", "Topic"],
            ["outreach_session", "05/03/2024", "st_ka_lang", "3439", "1", "30", "=not a formula, just text"]]
    _, result = _import(engine, csv_bytes(rows, delimiter=";"))
    assert result.added == 1
    [rec] = _records(engine)
    assert rec.commune_key == KA_LANG and rec.topic == "=not a formula, just text"


def test_commune_code_reused_after_2025_is_matched_by_date(engine):
    rows = [["Loại hoạt động", "Ngày bắt đầu", "Đơn vị thực hiện", "Mã xã", "Số buổi", "Lượt người nghe"],
            ["outreach_session", "10/10/2024", "Vàng Ma Chải", "03562", "1", "10"],
            ["outreach_session", "10/10/2025", "Vàng Ma Chải", "03562", "1", "10"]]
    _import(engine, csv_bytes(rows))
    assert [r.commune_key for r in _records(engine)] == ["c03562@1900", "c03562@2025"]


def test_errors_are_listed_by_row_and_column_and_nothing_is_written(engine):
    rows = [HEADER,
            ["outreach_session", "05/03/2024", "", "Ka Lăng", "", "Ka Lăng", "", "", "", "1", "10"],
            ["outreach_session", "31/02/2024", "", "Ka Lăng", "", "Ka Lăng", "", "", "", "1", "10"],
            ["outreach_session", "05/03/2024", "", "Đồn Ma Quỷ", "", "Ka Lăng", "", "", "", "1", "10"],
            ["outreach_session", "05/08/2025", "", "Ka Lăng", "", "Ka Lăng", "", "", "", "1", "10"],
            ["outreach_session", "05/03/2024", "", "Ka Lăng", "", "Không Có", "", "", "", "1", "10"],
            ["outreach_session", "05/03/2024", "", "Ka Lăng", "", "Ka Lăng", "Bản Lạ", "", "", "1", "10"],
            ["outreach_session", "05/03/2024", "", "Ka Lăng", "", "Ka Lăng", "", "", "", "1,5", "mười"],
            ["dancing", "05/03/2024", "", "Ka Lăng", "", "Ka Lăng", "", "", "", "1", "10"],
            ["outreach_session", "05/03/2024", "10/03/2024", "Ka Lăng", "", "Ka Lăng", "", "Klingon", "", "1", "10"]]
    preview = _preview(engine, csv_bytes(rows))
    problems = preview.problems_table()
    got = {(int(r.row), r.column) for r in problems.itertuples() if r.severity == "error"}
    assert got == {(3, "Ngày bắt đầu"), (4, "Đơn vị thực hiện"), (5, "Xã"), (6, "Xã"), (7, "Bản"), (8, "Số buổi"),
                   (8, "Lượt người nghe"), (9, "Loại hoạt động"), (10, "Ngôn ngữ"), (10, "Ngày kết thúc")}
    messages = {(int(r.row), r.column): r.message for r in problems.itertuples()}
    assert "sáp nhập vào Thu Lũm" in messages[(5, "Xã")]
    assert "Bản Lạ" in messages[(7, "Bản")]
    with pytest.raises(ImportRejected):
        _import(engine, csv_bytes(rows))
    with read_session(engine) as s:
        assert count_records(s) == 0
        assert s.scalar(select(func.count()).select_from(ImportBatch)) == 0


def test_reimport_adds_nothing_and_identical_rows_are_two_flagged_records(engine):
    row = ["outreach_session", "05/03/2024", "", "Ka Lăng", "", "Ka Lăng", "", "", "", "1", "10"]
    data = csv_bytes([HEADER, row, row])
    preview = _preview(engine, data)
    assert preview.counts()["new"] == 2 and preview.counts()["duplicate"] == 2
    assert "trùng với dòng 3" in preview.table()["message"][0]
    _, first = _import(engine, data)
    assert first.added == 2
    _, again = _import(engine, data)
    assert (again.added, again.skipped) == (0, 2)
    with read_session(engine) as s:
        assert count_records(s) == 2 and summary_mismatches(s) == []
    # the same rows in another file are new rows, flagged as possible duplicates of the records
    preview = _preview(engine, data + b"\n", filename="khac.csv")
    assert preview.counts()["new"] == 2
    assert any("hoạt động đã có số" in p.message for r in preview.rows for p in r.problems)


def test_languages_typed_without_diacritics(engine):
    rows = [HEADER,
            ["outreach_session", "05/03/2024", "", "Ka Lăng", "", "Ka Lăng", "", "Ha Nhi; tieng Viet", "", "1", "10"]]
    _, result = _import(engine, csv_bytes(rows))
    assert result.added == 1 and _records(engine)[0].languages == "vi,ha_nhi"


def test_xlsx_one_type_per_sheet_with_dates_serials_and_cached_formulas(engine):
    outreach_rows = [["Ngày bắt đầu", "Đơn vị thực hiện", "Xã", "Số buổi", "Lượt người nghe"],
                     [dt.date(2024, 4, 1), "Ka Lăng", "Ka Lăng", 1, 25],
                     [45400, "Ka Lăng", "Ka Lăng", 2, None]]
    patrol_rows = [["Ngày bắt đầu", "Ngày kết thúc", "Đơn vị thực hiện", "Xã", "Số lần tuần tra", "Lượt cán bộ chiến sĩ"],
                   ["01/02/2024", "29/02/2024", "Ka Lăng", "Ka Lăng", 12, 48.0]]
    data = xlsx_bytes({"Tuyên truyền tại bản": outreach_rows, "Tuần tra bảo vệ biên giới": patrol_rows},
                      formulas={("Tuyên truyền tại bản", "E3"): ("=E2*2", 50)})
    preview = _preview(engine, data, filename="bao_cao.xlsx")
    assert preview.ok, preview.report_lines()
    assert any("công thức" in n for n in preview.notes)
    _import(engine, data, filename="bao_cao.xlsx")
    recs = _records(engine)
    assert [(r.type_code, r.start_date, r.m1, r.m2) for r in recs] == [
        ("outreach_session", dt.date(2024, 4, 1), 1, 25), ("outreach_session", dt.date(2024, 4, 18), 2, 50),
        ("patrol", dt.date(2024, 2, 1), 12, 48)]


def test_xlsx_formula_without_value_is_an_error(engine):
    from openpyxl import Workbook

    book = Workbook()  # openpyxl stores formulas without a computed value, like files written by scripts
    sheet = book.active
    sheet.title = "Tuyên truyền tại bản"
    sheet.append(["Ngày bắt đầu", "Đơn vị thực hiện", "Xã", "Số buổi", "Lượt người nghe"])
    sheet.append([dt.date(2024, 4, 1), "Ka Lăng", "Ka Lăng", 1, "=SUM(A9:A12)"])
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    preview = _preview(engine, data, filename="x.xlsx")
    [problem] = [p for r in preview.rows for p in r.problems]
    assert problem.column == "Lượt người nghe" and "công thức" in problem.message


def _cp1258(text: str) -> bytes:
    """Vietnamese text in Windows-1258 (composed letters that code page lacks are written base + tone)."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            decomposed = unicodedata.normalize("NFD", ch)
            tones = "".join(c for c in decomposed if c in "\u0300\u0301\u0303\u0309\u0323")
            base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in tones))
            out += base.encode("cp1258") + tones.encode("cp1258")
    return bytes(out)


def test_windows_1258_csv_is_read_with_a_note(engine):
    text = "Loại hoạt động,Ngày bắt đầu,Đơn vị thực hiện,Xã,Số buổi,Lượt người nghe,Chủ đề\n" \
           "Tuyên truyền tại bản,05/03/2024,Mù Cả,Mù Cả,1,10,Phòng chống ma túy\n"
    data = _cp1258(text)
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    preview = _preview(engine, data)
    assert preview.ok, preview.report_lines()
    assert any("Windows-1258" in n for n in preview.notes)
    _import(engine, data)
    [rec] = _records(engine)
    assert rec.commune_key == MU_CA and rec.topic == "Phòng chống ma túy"


@pytest.mark.parametrize("data,filename,words", [
    (b"", "rong.csv", "rỗng"),
    (b"   \n\n", "rong.csv", "rỗng"),
    (",".join(HEADER).encode(), "tieu_de.csv", "không có dòng dữ liệu"),
    (b"\x00\x01\x02binary\x00junk", "x.csv", "NUL"),
    (b"ten,tuoi\nAn,3\n", "khac.csv", "tiêu đề"),
    (b"PK\x03\x04broken zip", "hong.xlsx", "XLSX bị hỏng"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old excel", "cu.xls", ".xls"),
    (b"not a workbook", "gia.xlsx", "không phải tệp Excel"),
])
def test_unreadable_files_get_one_clear_message(engine, data, filename, words):
    preview = _preview(engine, data, filename=filename)
    assert not preview.ok
    assert any(words in m for m in preview.file_errors), preview.file_errors
    with pytest.raises(ImportRejected):
        _import(engine, data, filename=filename)
    with read_session(engine) as s:
        assert count_records(s) == 0


@pytest.mark.parametrize("cell,words", [
    ("99999999999999999999999999", "ngoài khoảng"),
    ("9" * 40, "quá lớn"),
    ("=SUM(J2:J9)", "công thức"),
    ("1e308", "không phải số nguyên"),
    ("-5", "ngoài khoảng"),
])
def test_bad_numbers(engine, cell, words):
    rows = [HEADER, ["outreach_session", "05/03/2024", "", "Ka Lăng", "", "Ka Lăng", "", "", "", "1", cell]]
    preview = _preview(engine, csv_bytes(rows))
    [problem] = [p for r in preview.rows for p in r.problems]
    assert problem.column == "Lượt người nghe" and words in problem.message


def test_huge_float_in_xlsx(engine):
    rows = [["Ngày bắt đầu", "Đơn vị thực hiện", "Xã", "Số buổi", "Lượt người nghe"],
            [dt.date(2024, 4, 1), "Ka Lăng", "Ka Lăng", 1, 1e300]]
    preview = _preview(engine, xlsx_bytes({"Tuyên truyền tại bản": rows}), filename="x.xlsx")
    assert not preview.ok and "quá lớn" in preview.report_lines()[0]


def test_columns_of_another_type_and_missing_type(engine):
    rows = [["Loại hoạt động", "Ngày bắt đầu", "Đơn vị thực hiện", "Xã", "Số buổi", "Lượt người nghe", "Số tờ"],
            ["outreach_session", "05/03/2024", "Ka Lăng", "Ka Lăng", "1", "10", "500"],
            ["", "05/03/2024", "Ka Lăng", "Ka Lăng", "1", "10", ""]]
    preview = _preview(engine, csv_bytes(rows), filename="tep.csv")
    problems = {(r.row, p.column) for r in preview.rows for p in r.problems}
    assert problems == {(2, "Số tờ"), (3, "Loại hoạt động")}
    # a default type for the file (or a template's file name) fills the blank type
    preview = _preview(engine, csv_bytes([rows[0][:-1], rows[2][:-1]]), filename="mau_nhap_outreach_session.csv")
    assert preview.ok and preview.rows[0].type_code == "outreach_session"


def test_staff_import_only_their_units_and_default_unit(engine):
    with read_session(engine) as s:
        own, other = unit_id(s, "st_ka_lang"), unit_id(s, "st_mu_ca")
    clerk = staff(own)
    rows = [["Ngày bắt đầu", "Xã", "Số buổi", "Lượt người nghe"], ["05/03/2024", "Ka Lăng", "1", "10"]]
    _, result = _import(engine, csv_bytes(rows), filename="mau_nhap_outreach_session.csv", actor=clerk)
    assert result.added == 1 and _records(engine)[0].reporting_unit_id == own
    rows = [["Ngày bắt đầu", "Đơn vị thực hiện", "Xã", "Số buổi", "Lượt người nghe"],
            ["05/03/2024", "Ka Lăng", "Ka Lăng", "1", "11"], ["05/03/2024", "Mù Cả", "Mù Cả", "1", "10"]]
    preview = _preview(engine, csv_bytes(rows), filename="mau_nhap_outreach_session.csv", actor=clerk)
    assert [(r.row, p.column) for r in preview.rows for p in r.problems] == [(3, "Đơn vị thực hiện")]
    with pytest.raises(ImportRejected):
        _import(engine, csv_bytes(rows), filename="mau_nhap_outreach_session.csv", actor=clerk)
    with read_session(engine) as s:
        assert count_records(s) == 1
    assert other not in clerk.unit_ids


def test_import_is_logged_once_per_file_and_shows_in_history(engine):
    from data_model.records.history import record_history

    rows = [HEADER, ["outreach_session", "05/03/2024", "", "Ka Lăng", "", "Ka Lăng", "", "", "", "1", "10"]]
    _import(engine, csv_bytes(rows), filename="thang3.csv")
    with read_session(engine) as s:
        [entry] = s.scalars(select(ChangeLog).where(ChangeLog.action == "import"))
        assert '"added": 1' in entry.new_values
        history = record_history(session=s, record_id=_records(engine)[0].id)
    assert list(history["action"]) == ["Nhập từ tệp"] and history["new"][0] == "thang3.csv"


@pytest.mark.parametrize("value,expected", [
    ("05/03/2024", dt.date(2024, 3, 5)), ("5/3/2024", dt.date(2024, 3, 5)), ("05-03-2024", dt.date(2024, 3, 5)),
    ("05.03.2024", dt.date(2024, 3, 5)), ("2024-03-05", dt.date(2024, 3, 5)), ("2024-03-05 00:00:00", dt.date(2024, 3, 5)),
    (45356, dt.date(2024, 3, 5)), (45356.0, dt.date(2024, 3, 5)), ("45356", dt.date(2024, 3, 5)),
    (dt.datetime(2024, 3, 5, 0, 0), dt.date(2024, 3, 5)), (dt.date(2024, 3, 5), dt.date(2024, 3, 5)),
])
def test_parse_date(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["31/02/2024", "2024/13/01", "hôm qua", 12, 45356.5, "03/05", True and 1.5])
def test_parse_date_refuses(value):
    with pytest.raises(ValueError):
        parse_date(value)


@pytest.mark.parametrize("value,expected", [
    (None, None), ("", None), ("41.262", 41262), ("41,262", 41262), ("41 262", 41262), ("41\u00a0262", 41262),
    ("1.000.000", 1_000_000), (41262, 41262), (41262.0, 41262), ("7", 7), ("12.0", 12), ("-3", -3),
])
def test_parse_count(value, expected):
    assert parse_count(value) == expected


@pytest.mark.parametrize("value", ["1,5", "1.5", "41.26", "abc", "=A1+1", 2.5, float("nan"), dt.date(2024, 1, 1), "1e5"])
def test_parse_count_refuses(value):
    with pytest.raises(ValueError):
        parse_count(value)


CELLS = st.one_of(
    st.sampled_from(["", "Ka Lăng", "Mù Cả", "Tổng", "05/03/2024", "2024-13-45", "45356", "1.262", "=1+1", "outreach_session",
                     "patrol", "Tiếng Mông", "st_ka_lang", "03439", "-1", "9" * 25, "\u0301", "\x00",
                     "0b7e4f1c-2d3a-4e5f-8a9b-0c1d2e3f4a5b", "'=x", "''"]),
    st.text(max_size=12), st.integers(min_value=-10**20, max_value=10**20).map(str),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(header=st.lists(st.sampled_from(HEADER + ["Số lần tuần tra", "Mã hoạt động", "Mã định danh", "Rác"]),
                       max_size=8),
       rows=st.lists(st.lists(CELLS, max_size=9), max_size=6), raw=st.binary(max_size=64), use_raw=st.booleans())
def test_random_files_never_crash_and_never_half_write(engine, header, rows, raw, use_raw):
    data = raw if use_raw else csv_bytes([header] + rows)
    with read_session(engine) as s:
        before = count_records(s)
    try:
        _, result = _import(engine, data, filename="ngau_nhien.csv")
    except ImportRejected as exc:
        assert not exc.preview.ok
        with read_session(engine) as s:
            assert count_records(s) == before
        return
    with read_session(engine) as s:
        assert count_records(s) == before + result.added
        assert summary_mismatches(s) == []


def test_command_line_import_and_export(engine, db_url, monkeypatch, capsys, tmp_path):
    from data_model.cli.main import main

    monkeypatch.setenv("DATABASE_URL", db_url)
    bad = tmp_path / "sai.csv"
    bad.write_bytes(csv_bytes([HEADER, ["outreach_session", "05/03/2024", "", "Ka Lăng", "", "Ka Lăng", "", "", "", "1", "10"],
                               ["outreach_session", "05/13/2024", "", "Ka Lăng", "", "Ka Lăng", "", "", "", "1", "10"]]))
    assert main(["import", str(bad)]) == 1
    out, err = capsys.readouterr()
    assert "sai, dòng 3, cột «Ngày bắt đầu»" in out
    assert err.strip().count("\n") == 0 and "không ghi dòng nào" in err
    good = tmp_path / "dung.csv"
    good.write_bytes(csv_bytes([HEADER, ["outreach_session", "05/03/2024", "", "Ka Lăng", "", "Ka Lăng", "", "", "", "1", "10"]]))
    assert main(["import", str(good), "--dry-run"]) == 0
    with read_session(engine) as s:
        assert count_records(s) == 0
    assert main(["import", str(good)]) == 0
    assert main(["import", str(good)]) == 0
    out, _ = capsys.readouterr()
    assert "Đã thêm 0 hoạt động" in out
    exported = tmp_path / "xuat.xlsx"
    assert main(["export", "--out", str(exported), "--from", "2024", "--to", "2024", "--type", "outreach_session"]) == 0
    assert main(["import", str(exported)]) == 0
    out, _ = capsys.readouterr()
    assert "1 không đổi" in out
    with read_session(engine) as s:
        assert count_records(s) == 1
    assert main(["export", "--out", str(tmp_path / "x.txt")]) == 2
    assert main(["export", "--out", str(tmp_path / "x.csv"), "--from", "2025", "--to", "2024"]) == 2
    assert main(["import", str(tmp_path / "khong_co.csv")]) == 2
    assert main(["import", str(good), "--user", "ai_do"]) == 2
    _, err = capsys.readouterr()
    assert "Traceback" not in err and len(err.strip().splitlines()) == 4


def test_utf16_tab_separated_and_latin1_files(engine):
    text = "Loại hoạt động\tNgày bắt đầu\tĐơn vị thực hiện\tXã\tSố buổi\tLượt người nghe\n" \
           "outreach_session\t05/03/2024\tst_mu_ca\tMù Cả\t1\t10\n"
    preview = _preview(engine, text.encode("utf-16"), filename="unicode.txt.csv")
    assert preview.ok and preview.rows[0].columns["commune_key"] == MU_CA and not preview.notes
    # bytes no Vietnamese code page knows (0x81): read as Latin-1, with a note saying the letters may be wrong
    latin = b"Activity type,Start date,Reporting unit,Commune code,Sessions,Attendances,Topic\n" \
            b"outreach_session,05/03/2024,st_mu_ca,03451,1,10,caf\x81\xe9\n"
    preview = _preview(engine, latin)
    assert preview.ok and any("Latin-1" in n for n in preview.notes)


def test_a_huge_csv_cell_is_reported_at_its_row_and_the_other_rows_are_still_checked(engine):
    good = ["outreach_session", "05/03/2024", "", "Ka Lăng", "", "Ka Lăng", "", "", "", "1", "10"]
    huge = good[:8] + ["x" * 200_000] + good[9:]
    bad_date = good[:1] + ["31/02/2024"] + good[2:]
    preview = _preview(engine, csv_bytes([HEADER, good, huge, bad_date, good]))
    assert not preview.file_errors, preview.file_errors
    errors = {(r.row, p.column): p.message for r in preview.rows for p in r.problems if p.severity == "error"}
    assert set(errors) == {(3, "Chủ đề"), (4, "Ngày bắt đầu")}
    assert "131.072" in errors[(3, "Chủ đề")] and "xxxx" not in errors[(3, "Chủ đề")]
    assert all("field" not in line for line in preview.report_lines())
    with pytest.raises(ImportRejected):
        _import(engine, csv_bytes([HEADER, good, huge, bad_date, good]))


def test_a_huge_cell_in_a_column_the_import_does_not_use_is_ignored(engine):
    good = ["outreach_session", "05/03/2024", "", "Ka Lăng", "", "Ka Lăng", "", "", "", "1", "10"]
    preview = _preview(engine, csv_bytes([HEADER + ["Người lập"], good + ["y" * 200_000]]))
    assert preview.ok, preview.report_lines()
