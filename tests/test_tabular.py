"""The one tabular-import layer and the one record-field schema, as pure functions: header finder, rows, preview,
refusal, commune matcher, the field tables every import, export, check and write derives from the schema."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata

import pytest

from data_model.definitions.activity_types import get_activity_type, list_activity_types
from data_model.definitions.fields import COMPARED, FIELDS, FILE_FIELDS, MEASURE_COLUMNS, RECORD_FIELDS, label_of
from data_model.files.parse import RawFile, Sheet, TooLong
from data_model.files.record_format import export_columns, measure_header_keys, records_format, template_columns
from data_model.files.tabular import (
    Column,
    ImportPreview,
    ImportRejected,
    Problem,
    RowOutcome,
    TableFormat,
    find_header,
    header_key,
    is_total_row,
    read_rows,
)
from data_model.reference.communes import CommuneMatcher, CommuneNotFound, CommuneVersion
from data_model.reference.names import normalise_name
from data_model.texts.input import BAD_TEXT

FMT = TableFormat((Column("commune", "Xã", "Commune", ("tên xã",), required=True),
                   Column("village", "Bản", "Village", required=True), Column("year", "Năm", "Year")), hint="«Xã»")


@pytest.mark.parametrize("text, same_as", [
    ("  XÃ  ", "xã"), ("Dân số (người)", "dân số"), ("Số buổi *", "số buổi"), (None, ""), (2024, "2024"),
    (unicodedata.normalize("NFD", "Lượt người nghe"), "lượt người nghe"), ("Thuỷ", "thủy"),  # tone-mark placement
])
def test_header_key(text, same_as):
    assert header_key(text) == normalise_name(same_as)


@pytest.mark.parametrize("rows, index, columns", [
    ([["Xã", "Bản", "Năm"], ["Mù Cả", "Tó Khò", 2024]], 0, {"commune": 0, "village": 1, "year": 2}),
    ([["DANH SÁCH BẢN"], [], ["Stt", "Commune", "Village"]], 2, {"commune": 1, "village": 2}),
    ([["Xã", "Ghi chú"], ["Tên xã", "Bản", "Năm"]], 1, {"commune": 0, "village": 1, "year": 2}),  # the fullest row
    ([["Xã", "Xã", "Bản"]], 0, {"commune": 0, "village": 2}),  # a repeated column is ignored, not read twice
])
def test_the_header_row_is_the_fullest_of_the_first_rows(rows, index, columns):
    header = find_header(rows=rows, fmt=FMT)
    assert (header.index, header.columns) == (index, columns)


@pytest.mark.parametrize("rows", [[["Xã", "Tên"]], [["a", "b"]], [[]], [["x"]] * 15 + [["Xã", "Bản"]]])
def test_no_header_row(rows):
    assert find_header(rows=rows, fmt=FMT) is None


@pytest.mark.parametrize("cells, total", [
    (["Tổng cộng", "", 6], True), (["", "Cộng:", 6], True), (["TOTAL", 3], True), (["tổng số 2024"], True),
    (["Tông Qua Lìn", 1], False), (["12", "Tổng"], False), (["Mù Cả", "Tổng"], False), ([None, None], False),
])
def test_total_rows(cells, total):
    assert is_total_row(cells) is total


def _read(rows: list[list], fmt: TableFormat = FMT) -> tuple[ImportPreview, list]:
    preview = ImportPreview("ban.csv")
    read = list(read_rows(raw=RawFile([Sheet("ban", rows)]), fmt=fmt, preview=preview))
    return preview, read


def test_rows_are_read_by_column_and_what_cannot_be_read_is_the_cell_problem():
    preview, rows = _read([["Tiêu đề"], ["Commune", "Village", "Năm", "Khác"], ["Mù Cả", "Bản \x00 A", 2024, "x"],
                           ["", "", "", ""], [TooLong(200_000), "Bản B", None], ["Tổng cộng", "", "", ""]])
    assert [(r.row, r.cells) for r in rows] == [(3, {"commune": "Mù Cả", "village": "Bản \ufffd A", "year": 2024}),
                                                (5, {"village": "Bản B", "year": None})]
    assert [(p.column, p.message) for p in rows[0].problems] == [("Village", BAD_TEXT)]
    assert [p.column for p in rows[1].problems] == ["Commune"] and rows[1].unreadable == {"commune"}
    assert rows[1].column("year") == "Năm" and rows[1].column("commune") == "Commune"
    assert [(r.row, r.action, r.skip_reason) for r in preview.rows] == [(6, "skip", "Dòng tổng, bỏ qua")]
    assert preview.notes == ["Trang «ban»: bỏ qua các cột không thuộc mẫu nhập: «Khác»."]


@pytest.mark.parametrize("rows, error", [
    ([["Tên", "Số"], ["a", 1]], "Trang «ban», dòng 1: thiếu cột Xã, Bản"),
    ([["Xã", "Năm"], ["a", 1]], "Trang «ban», dòng 1: thiếu cột Bản"),
    ([[], ["Year", "Commune"], ["a", 1]], "Trang «ban», dòng 2: thiếu cột Bản"),
])
def test_missing_columns_are_named(rows, error):
    preview, read = _read(rows)
    assert (read, preview.file_errors) == ([], [error])


def test_a_format_without_required_columns_asks_for_its_header():
    fmt = TableFormat(tuple(Column(c.key, c.header_vi) for c in FMT.columns), hint="«Xã», «Bản»")
    preview, _ = _read([["ten", "tuoi"], ["An", 3]], fmt)
    assert preview.file_errors == ["Trang «ban»: không tìm thấy dòng tiêu đề (cần các cột như «Xã», «Bản»…). "
                                   "Hãy dùng tệp mẫu."]


class _Row(RowOutcome):
    def shown(self, lang: str = "vi") -> dict:
        return {"thing": f"{self.sheet}:{self.row}"}


def test_one_preview_counts_tables_and_reports_every_import_alike():
    preview = ImportPreview("tep.xlsx", shown_columns=("thing",), rows=[
        _Row("Trang 1", 2), _Row("Trang 1", 3, action="update", problems=[Problem("Xã", "ghi chú", "warning")]),
        _Row("Trang 1", 4, problems=[Problem("Năm", "phải từ 1990 đến 2100"), Problem("", "trùng", "duplicate")]),
        _Row("Trang 2", 7, action="skip", skip_reason="Dòng tổng, bỏ qua")], notes=["ghi chú tệp"])
    assert not preview.ok
    assert preview.counts() == {"new": 1, "update": 1, "unchanged": 0, "skip": 1, "error": 1, "withdraw": 0,
                                "restore": 0, "conflict": 0, "duplicate": 1, "warning": 1}
    table = preview.table()
    assert list(table.columns) == ["sheet", "row", "status", "thing", "message"]
    assert list(table["status"]) == ["Thêm mới", "Cập nhật", "Lỗi", "Bỏ qua"]
    assert table["message"][2] == "«Năm»: phải từ 1990 đến 2100; trùng"
    assert preview.error_lines() == ["Trang 1, dòng 4, cột «Năm»: phải từ 1990 đến 2100"]
    assert preview.report_lines() == [
        "Lưu ý: ghi chú tệp", "Cảnh báo – Trang 1, dòng 3, cột «Xã»: ghi chú",
        "Lỗi – Trang 1, dòng 4, cột «Năm»: phải từ 1990 đến 2100", "Có thể trùng – Trang 1, dòng 4: trùng"]
    assert list(preview.problems_table()["column"]) == ["Xã", "Năm", ""]
    assert str(ImportRejected(preview)) == ("Không nhập, chưa ghi dòng nào: Trang 1, dòng 4, cột «Năm»: phải từ 1990 "
                                            "đến 2100")
    preview.file_errors.append("Tệp rỗng")
    assert str(ImportRejected(preview)) == "Không nhập, chưa ghi dòng nào: Tệp rỗng (và 1 lỗi khác)"


# ---------------------------------------------------------------- the one commune matcher

DAY_2015, DAY_2026 = dt.date(2015, 1, 1), dt.date(2026, 1, 1)
MERGER = dt.date(2025, 7, 1)
MATCHER = CommuneMatcher([
    CommuneVersion("c03439@1900", "03439", "Ka Lăng", None, MERGER),
    CommuneVersion("c03439@2025", "03439", "Thu Lũm", MERGER, None),  # the code reused by another commune
    CommuneVersion("c03451@1900", "03451", "Mù Cả", None, MERGER),
    CommuneVersion("c03451@2025", "03451", "Mù Cả", MERGER, None),
    CommuneVersion("c09999@1900", "09999", "Mù Cả", None, None),  # another commune of the same name
], aliases=[("c03451@1900", "Mù Cả cũ"), ("c99999@1900", "Không phải xã")])


@pytest.mark.parametrize("code, name, on, key", [
    ("03439", "", DAY_2015, "c03439@1900"), ("3439", "", DAY_2026, "c03439@2025"),
    ("", "03439", DAY_2026, "c03439@2025"), ("", "Ka Lăng", DAY_2015, "c03439@1900"),
    ("", "xã ka lăng", DAY_2015, "c03439@1900"), ("", "Ka Lang", DAY_2015, "c03439@1900"),
    ("", unicodedata.normalize("NFD", "Thu Lũm"), DAY_2026, "c03439@2025"),
    ("", "c03451@1900", DAY_2026, "c03451@1900"),  # a key is that version, whatever the day
    ("", "Ka Lăng", DAY_2026, "c03439@1900"),  # valid on no candidate day: the latest, for the checks to explain
    ("03451", "Mù Cả", DAY_2026, "c03451@2025"), ("03451", "Mù Cả", None, "c03451@2025"),
    ("03451", "Tên Sai", DAY_2015, "c03451@1900"),  # the code decides when the name does not narrow it
    ("", "Mù Cả cũ", DAY_2026, "c03451@1900"),
])
def test_a_commune_cell_is_matched_by_key_code_name_or_alias_on_its_date(code, name, on, key):
    assert MATCHER.match(code=code, name=name, on=on) == key


@pytest.mark.parametrize("code, name, on, words", [
    ("", "Không Có", DAY_2015, "không tìm thấy xã «Không Có»"),
    ("", "Không phải xã", DAY_2015, "không tìm thấy xã"),  # an alias of something that is no commune
    ("03400", "", DAY_2015, "không tìm thấy xã «03400»"),
    ("", "Mù Cả", DAY_2015, "«Mù Cả» khớp nhiều xã vào ngày 01/01/2015: Mù Cả (c03451@1900), Mù Cả (c09999@1900); "
                            "hãy ghi mã xã hoặc mã đơn vị (ví dụ c03451@1900)"),
])
def test_a_commune_cell_that_fits_nothing_or_several(code, name, on, words):
    with pytest.raises(CommuneNotFound, match=re.escape(words)):
        MATCHER.match(code=code, name=name, on=on)


# ---------------------------------------------------------------- the one record-field schema

def test_the_field_tables_derive_from_the_schema():
    assert [f.key for f in FIELDS] == ["id", "uid", "type_code", "start_date", "end_date", "year", "reporting_unit_id",
                                       "commune_code", "commune_key", "village_id", "languages", "topic", "note"]
    assert RECORD_FIELDS == ("type_code", "start_date", "end_date", "year", "reporting_unit_id", "commune_key",
                             "village_id", "languages", "topic", "note", *MEASURE_COLUMNS)
    assert COMPARED == ("type_code", "start_date", "end_date", "reporting_unit_id", "commune_key", "village_id",
                        "languages", "topic", "note", *MEASURE_COLUMNS)
    assert [f.label_vi for f in FILE_FIELDS] == [
        "Mã hoạt động", "Mã định danh", "Loại hoạt động", "Ngày bắt đầu", "Ngày kết thúc", "Đơn vị thực hiện", "Mã xã",
        "Xã", "Bản", "Ngôn ngữ", "Chủ đề", "Ghi chú"]
    assert (label_of("commune_key"), label_of("village_id", "en"), label_of("reason"), label_of("sessions")) == (
        "Xã", "Village", "Lý do", None)


@pytest.mark.parametrize("spelling, key", [
    ("Loại hoạt động", "type_code"), ("type", "type_code"), ("Activity type", "type_code"), ("Đồn", "reporting_unit_id"),
    ("unit", "reporting_unit_id"), ("commune", "commune_key"), ("Mã xã", "commune_code"), ("start_date", "start_date"),
    ("Thôn, bản", "village_id"), ("Global ID", "uid"), ("id", "id"), ("Số buổi", header_key("Số buổi")),
    ("Lượt người nghe (lượt người)", header_key("Lượt người nghe")), ("Số tờ (tờ) *", header_key("Số tờ")),
])
def test_every_header_spelling_of_the_records_format(spelling, key):
    assert records_format().known[header_key(spelling)] == key


def test_no_measure_header_is_taken_by_a_field():
    fields = {header_key(text) for f in FILE_FIELDS for text in (f.label_vi, f.label_en, f.key, *f.aliases)}
    assert not fields & set(measure_header_keys())


def test_templates_leave_out_the_fields_a_type_does_not_use():
    study = template_columns(get_activity_type("study_session"))
    assert "Xã" not in study and "Mã xã" not in study and "Ngôn ngữ" not in study and "Chủ đề" in study
    assert template_columns(get_activity_type("patrol"), "en")[-4:] == [
        m.label_en for m in get_activity_type("patrol").measures]
    assert export_columns(list_activity_types())[:12] == [f.label_vi for f in FILE_FIELDS]
