"""The report as an administrative document (Decree 30/2020/NĐ-CP, Appendix I): the DOCX frame, the dated issuing
body, the audited document settings, and the PDF made by LibreOffice."""
from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess

import docx
import pytest
from sqlalchemy import select

from data_model.basics.permissions import SYSTEM, Actor, PermissionDenied
from data_model.cli.main import main
from data_model.records.bulk import insert_records
from data_model.reference_admin.checks import ReferenceEditError
from data_model.report import ReportError, build_report_files, build_report_pdf
from data_model.report import pdf as report_pdf
from data_model.report.frame import place_date
from data_model.report.issuer import (
    add_issuing_body,
    get_document_settings,
    list_issuing_bodies,
    resolve_issuers,
    set_document_settings,
    update_issuing_body,
)
from data_model.report.templating import load_templates
from data_model.schema.db import write_session
from data_model.schema.models import ChangeLog, ReportingUnit

MU_CA = "c03451@1900"
TODAY = dt.date(2026, 3, 7)


@pytest.fixture
def filled(engine):
    """Outreach in Mù Cả in 2020, 2024 and 2025 (before and after the department's merger on 1 March 2025)."""
    with write_session(engine) as s:
        unit = {u.key: u.id for u in s.scalars(select(ReportingUnit))}
        rows = [dict(type_code="outreach_session", start_date=dt.date(year, 5, 6), end_date=dt.date(year, 5, 6),
                     year=year, reporting_unit_id=unit["st_mu_ca"], commune_key=MU_CA, m1=824, m2=41_262)
                for year in (2020, 2024, 2025)]
        insert_records(session=s, rows=rows)
    return engine


def _department(session, *, valid_from: dt.date | None) -> int:
    return next(b["id"] for b in list_issuing_bodies(session=session)
                if b["role"] == "department" and b["valid_from"] == valid_from)


def _sign(engine, **settings) -> None:
    """A signer for the merged department and the document settings an admin would save."""
    with write_session(engine) as s:
        update_issuing_body(session=s, actor=SYSTEM, body_id=_department(s, valid_from=dt.date(2025, 3, 1)),
                            signer_name="Nguyễn Văn An")
        set_document_settings(session=s, actor=SYSTEM, **{
            "number": "12", "symbol": "", "place": "Lai Châu", "joint": False,
            "recipients": "UBND tỉnh (b/c)\n- Bộ Chỉ huy BĐBP tỉnh;\nLưu: VT, KHTC", **settings})


def _paragraphs(cell) -> list[str]:
    return [p.text for p in cell.paragraphs if p.text.strip("\u200b ")]


def test_docx_has_every_element_of_an_administrative_report(filled):
    _sign(filled)
    files = build_report_files(engine=filled, scope="province", year_from=2025, year_to=2025, today=TODAY)
    document = docx.Document(io.BytesIO(files.docx))
    header = document.tables[0]
    left, right = header.cell(0, 0), header.cell(0, 1)
    # issuing body under its superior, then number and symbol, top left
    assert _paragraphs(left) == ["UBND TỈNH LAI CHÂU", "SỞ KHOA HỌC VÀ CÔNG NGHỆ", "Số: 12/BC-SKHCN"]
    bold = {r.text: r.bold for p in left.paragraphs for r in p.runs}
    assert bold["SỞ KHOA HỌC VÀ CÔNG NGHỆ"] and not bold["UBND TỈNH LAI CHÂU"]
    # national name and motto, place and date (Vietnam time; a 0 before days under 10, none before month 3), right
    assert _paragraphs(right) == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                                  "Lai Châu, ngày 07 tháng 3 năm 2026"]
    assert right.paragraphs[-1].runs[0].italic
    # document type and summary title, centred and bold
    body = [p for p in document.paragraphs if p.text.strip("\u200b ")]
    assert body[0].text == "BÁO CÁO" and body[0].runs[0].bold
    assert body[1].text.replace("\n", " ") == ("Kết quả công tác thông tin, truyền thông và thông tin đối ngoại khu vực "
                                               "biên giới năm 2025, tỉnh Lai Châu")
    assert all(r.bold for r in body[1].runs)
    # the signer's authority, title, room for the signature and seal, full name; recipients bottom left
    signature = next(t for t in document.tables if "Nơi nhận:" in t.cell(0, 0).text)
    recipients, signer = signature.cell(0, 0), signature.cell(0, 1)
    assert _paragraphs(recipients) == ["Nơi nhận:", "- UBND tỉnh (b/c);", "- Bộ Chỉ huy BĐBP tỉnh;",
                                       "- Lưu: VT, KHTC."]
    assert recipients.paragraphs[0].runs[0].bold and recipients.paragraphs[0].runs[0].italic
    assert [p.text for p in signer.paragraphs] == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "", "", "", "", "",
                                                   "Nguyễn Văn An"]
    # the signature comes after the text and before the annex of tables
    assert document.tables[1] is not None and document.tables[1]._tbl is signature._tbl and len(document.tables) > 2
    # A4, margins of the decree on every page, Times New Roman 13–14 for the text, page numbers from page 2
    for section in document.sections:
        assert {round(section.page_width.mm), round(section.page_height.mm)} == {210, 297}
        mm = {side: round(getattr(section, f"{side}_margin").mm, 1) for side in ("top", "bottom", "left", "right")}
        assert 20 <= mm["top"] <= 25 and 20 <= mm["bottom"] <= 25, mm  # stored in twips: 15 mm is 14.99 mm
        assert 30 <= mm["left"] <= 35 and 15 <= mm["right"] <= 20, mm
    normal = document.styles["Normal"].font
    assert normal.name == "Times New Roman" and 13 <= normal.size.pt <= 14
    sizes = {r.font.size.pt for p in document.paragraphs for r in p.runs if r.font.size and r.text.strip("\u200b")}
    assert sizes <= {13, 13.5, 14}
    assert document.sections[0].different_first_page_header_footer
    assert "PAGE" in document.sections[0].header.paragraphs[0]._p.xml


def test_number_left_blank_for_the_clerk_by_default(filled):
    files = build_report_files(engine=filled, scope="province", year_from=2025, year_to=2025, today=TODAY)
    number = _paragraphs(docx.Document(io.BytesIO(files.docx)).tables[0].cell(0, 0))[-1]
    assert number.startswith("Số: ") and number.endswith("/BC-SKHCN") and not any(c.isdigit() for c in number)


@pytest.mark.parametrize("day, text", [(dt.date(2026, 1, 5), "ngày 05 tháng 01 năm 2026"),
                                       (dt.date(2026, 2, 28), "ngày 28 tháng 02 năm 2026"),
                                       (dt.date(2026, 11, 30), "ngày 30 tháng 11 năm 2026")])
def test_place_and_date_as_the_decree_writes_them(day, text):
    assert place_date(day, place="Lai Châu", tpl=load_templates("vi"), lang="vi") == f"Lai Châu, {text}"


def test_report_names_the_body_valid_at_its_end_and_a_change_once(filled):
    before = build_report_files(engine=filled, scope="province", year_from=2020, year_to=2020, today=TODAY)
    head = docx.Document(io.BytesIO(before.docx)).tables[0].cell(0, 0).text
    assert "TRUYỀN THÔNG" in head and "/BC-STTTT" in head
    assert "Sở Thông tin và Truyền thông và Bộ Chỉ huy Bộ đội Biên phòng tỉnh đã chủ động" in before.markdown
    spanning = build_report_files(engine=filled, scope="province", year_from=2024, year_to=2025, today=TODAY)
    said = ("Sở Khoa học và Công nghệ (trước ngày 01/03/2025 là Sở Thông tin và Truyền thông) và Bộ Chỉ huy Bộ đội "
            "Biên phòng tỉnh")
    assert spanning.markdown.count(said) == 1 and spanning.markdown.count("Sở Thông tin và Truyền thông") == 1
    english = build_report_files(engine=filled, scope="province", year_from=2024, year_to=2025, lang="en", today=TODAY)
    assert ("The Department of Science and Technology (until 2025-03-01 the Department of Information and "
            "Communications)") in english.markdown


def test_joint_report_names_both_issuers_and_has_two_signers(filled):
    _sign(filled, joint=True)
    files = build_report_files(engine=filled, scope="province", year_from=2025, year_to=2025, today=TODAY)
    document = docx.Document(io.BytesIO(files.docx))
    left = _paragraphs(document.tables[0].cell(0, 0))
    assert left[:2] == ["UBND TỈNH LAI CHÂU", "SỞ KHOA HỌC VÀ CÔNG NGHỆ"]
    assert "BỘ TƯ LỆNH BỘ ĐỘI BIÊN PHÒNG" in left and left[-1] == "Số: 12/BC-SKHCN-BCH"
    signers = document.tables[1]
    assert "KT. CHỈ HUY TRƯỞNG" in signers.cell(0, 0).text and "KT. GIÁM ĐỐC" in signers.cell(0, 1).text
    assert "Nguyễn Văn An" in signers.cell(0, 1).text  # the lead issuer signs on the right
    assert document.tables[2].cell(0, 0).text.startswith("Nơi nhận:")


def test_settings_and_bodies_are_audited_and_admin_only(session):
    official = Actor(user_id=None, username="lanhdao", role="official")
    with pytest.raises(PermissionDenied):
        set_document_settings(session=session, actor=official, number="", symbol="", place="Lai Châu",
                              recipients="", joint=False)
    saved = set_document_settings(session=session, actor=SYSTEM, number="7", symbol="BC-SVHTTDL", place="Lai Châu",
                                  recipients="UBND tỉnh\n\nLưu: VT", joint=True)
    assert saved.recipients == ("UBND tỉnh", "Lưu: VT") and get_document_settings(session=session) == saved
    new_id = add_issuing_body(session=session, actor=SYSTEM, role="department", valid_from=dt.date(2025, 7, 1),
                              name="SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH", text_name="Sở Văn hóa, Thể thao và Du lịch",
                              superior="UBND TỈNH LAI CHÂU", abbreviation="SVHTTDL")
    issuers = resolve_issuers(session=session, start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31))
    assert issuers.department.abbreviation == "SVHTTDL" and issuers.replaced.abbreviation == "STTTT"
    assert issuers.symbol == "BC-SVHTTDL"
    bodies = {b["id"]: b for b in list_issuing_bodies(session=session)}
    assert bodies[new_id]["valid_to"] is None
    assert [b["valid_to"] for b in bodies.values() if b["abbreviation"] == "SKHCN"] == [dt.date(2025, 7, 1)]
    with pytest.raises(ReferenceEditError, match="Chữ viết tắt"):
        update_issuing_body(session=session, actor=SYSTEM, body_id=new_id, abbreviation="")
    log = session.scalars(select(ChangeLog).where(ChangeLog.entity.in_(("setting", "issuing_body")))).all()
    assert sorted((e.action, e.entity) for e in log) == [("create", "issuing_body"), ("update", "issuing_body"),
                                                         ("update", "setting")]


def test_missing_libreoffice_gives_a_vietnamese_message(monkeypatch, filled):
    monkeypatch.setattr(report_pdf, "find_office", lambda: None)
    files = build_report_files(engine=filled, scope="province", year_from=2020, year_to=2020, today=TODAY)
    with pytest.raises(ReportError, match="chưa cài LibreOffice"):
        build_report_pdf(files=files)
    assert not report_pdf.can_make_pdf()


needs_office = pytest.mark.skipif(not (report_pdf.can_make_pdf() and shutil.which("pdftotext")),
                                  reason="LibreOffice or poppler-utils absent (scripts/office.sh installs them)")


@needs_office
def test_pdf_holds_the_vietnamese_text_with_fonts_embedded(filled, db_url, monkeypatch, tmp_path):
    _sign(filled)
    monkeypatch.setenv("DATABASE_URL", db_url)
    out = tmp_path / "bao-cao.pdf"
    assert main(["report", "--from", "2025", "--to", "2025", "--out", str(out)]) == 0
    assert out.read_bytes()[:5] == b"%PDF-"
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, check=True,
                          text=True).stdout
    for words in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "SỞ KHOA HỌC VÀ CÔNG NGHỆ",
                  "Số: 12/BC-SKHCN", "BÁO CÁO", "824 buổi tuyên truyền cho 41.262 lượt người", "Nơi nhận:",
                  "KT. GIÁM ĐỐC", "Nguyễn Văn An"):
        assert words in text, words
    pages = int(next(line.split()[-1] for line in subprocess.run(
        ["pdfinfo", str(out)], capture_output=True, check=True, text=True).stdout.splitlines()
        if line.startswith("Pages:")))
    assert 3 <= pages <= 8
    assert text.count("\f") + 1 >= pages  # every page has text: no blank page
    assert all(page.strip() for page in text.split("\f")[:pages])
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, check=True, text=True).stdout.splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts)  # the "emb" column
