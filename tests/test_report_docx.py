"""The report files open in their own readers and hold the figures: DOCX (python-docx), XLSX (openpyxl), Markdown."""
from __future__ import annotations

import datetime as dt
import io
import unicodedata

import docx
import openpyxl
import pytest
from sqlalchemy import select

from data_model.records.bulk import insert_records
from data_model.report import build_report_files
from data_model.schema.db import write_session
from data_model.schema.models import ReportingUnit

MU_CA = "c03451@1900"


@pytest.fixture
def filled(engine):
    """Outreach of 2020 in Mù Cả big enough for thousands separators, a patrol tally, and 2019 to compare with."""
    with write_session(engine) as s:
        unit = {u.key: u.id for u in s.scalars(select(ReportingUnit))}
        rows = []
        for year, sessions, people in ((2019, 733, 36_680), (2020, 824, 41_262)):
            day = dt.date(year, 5, 6)
            rows.append(dict(type_code="outreach_session", start_date=day, end_date=day, year=year,
                             reporting_unit_id=unit["st_mu_ca"], commune_key=MU_CA, languages="vi,mong",
                             m1=sessions, m2=people))
            rows.append(dict(type_code="patrol", start_date=day, end_date=day, year=year,
                             reporting_unit_id=unit["st_mu_ca"], commune_key=MU_CA, m1=3_000, m2=16_458))
        insert_records(session=s, rows=rows)
    return engine


def _docx_text(data: bytes) -> tuple[str, list[list[str]]]:
    document = docx.Document(io.BytesIO(data))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = [[c.text for c in row.cells] for table in document.tables for row in table.rows]
    return text, cells


def test_docx_holds_figures_in_vietnamese_format_with_diacritics(filled):
    files = build_report_files(engine=filled, scope="province", year_from=2020, year_to=2020, lang="vi")
    text, cells = _docx_text(files.docx)
    assert "tuyên truyền được 824 buổi tuyên truyền cho 41.262 lượt người dân các bản giáp biên giới" in text
    assert "(số buổi tăng 12,4% so với năm 2019)" in text
    assert ("Kết quả công tác thông tin, truyền thông và thông tin đối ngoại khu vực biên giới năm 2020, tỉnh Lai "
            "Châu") in text.replace("\n", " ")
    assert any("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in c for row in cells for c in row)
    assert unicodedata.is_normalized("NFC", text)
    flat = [c for row in cells for c in row]
    assert "41.262" in flat and "36.680" in flat and "16.458" in flat and "+12,4%" in flat
    assert "Tuyên truyền tại bản" in flat and "Lượt người nghe" in flat
    assert "41262" not in text and "41,262" not in text
    assert files.file_stem == "bao-cao-2020-province"


def test_docx_dates_are_dd_mm_yyyy(filled):
    files = build_report_files(engine=filled, scope=f"commune:{MU_CA}", year_from=2020, year_to=2020,
                               today=dt.date(2026, 3, 7))
    text, cells = _docx_text(files.docx)
    assert "ngày 07/03/2026" in text
    assert any("Lai Châu, ngày 07 tháng 3 năm 2026" in c for row in cells for c in row)  # Decree 30: no 0 before 3
    assert "năm 2020, xã Mù Cả" in text.replace("\n", " ")


def test_docx_has_charts_and_narrow_tables_stay_portrait(filled):
    files = build_report_files(engine=filled, scope="province", year_from=2019, year_to=2020)
    document = docx.Document(io.BytesIO(files.docx))
    assert len(document.inline_shapes) == len(files.document.all_charts()) >= 2
    assert max(len(t.columns) for t in files.document.all_tables() if t.in_document) <= 6
    assert [s.page_width > s.page_height for s in document.sections] == [False] * len(document.sections)


def test_xlsx_holds_exact_figures(filled):
    files = build_report_files(engine=filled, scope="province", year_from=2020, year_to=2020)
    book = openpyxl.load_workbook(io.BytesIO(files.xlsx))
    assert "Tổng hợp" in book.sheetnames and "Chi tiết theo xã" in book.sheetnames
    sheet = book["Tổng hợp"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]
    row = next(r for r in rows if r[0] == "Tuyên truyền tại bản" and r[1] == "Lượt người nghe")
    assert row[3] == 41_262 and row[4] == 36_680 and row[5] == pytest.approx((41_262 - 36_680) / 36_680)
    assert sheet.cell(row=4, column=4).number_format == "#,##0"


def test_markdown_preview_and_empty_docx(filled):
    files = build_report_files(engine=filled, scope="province", year_from=2001, year_to=2002)
    assert "chưa có hoạt động thông tin, tuyên truyền nào được ghi nhận" in files.markdown
    text, cells = _docx_text(files.docx)
    assert "Trong giai đoạn 2001–2002, trên địa bàn tỉnh Lai Châu, chưa có hoạt động" in text
    header, signature = cells[0], cells[-1]  # nothing but the document's frame: no tables, no charts
    assert len(cells) == 2
    assert header[0].split("\n")[:3] == ["UBND TỈNH LAI CHÂU", "SỞ THÔNG TIN VÀ", "TRUYỀN THÔNG"]  # 2002: before 2025
    assert header[1].split("\n")[:2] == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    assert signature[0].startswith("Nơi nhận:") and "KT. GIÁM ĐỐC" in signature[1]


def test_long_period_keeps_the_year_table_in_the_workbook_only(filled):
    files = build_report_files(engine=filled, scope="province", year_from=2000, year_to=2020)
    text, cells = _docx_text(files.docx)
    assert "Chỉ tiêu chính theo năm" not in text and "2001" not in [c for row in cells for c in row]
    book = openpyxl.load_workbook(io.BytesIO(files.xlsx))
    header = [c.value for c in book["Theo năm"][3]]
    assert header[2] == "2000" and header[-2] == "2020" and header[-1] == "Tổng"
