"""What ODK Central and KoboToolbox hand out, read as they hand it out (issue 23 part 2): Central's `<formId>.zip`,
Kobo's XLSX whose text answers starting with "=" are formulas, Kobo's "separate columns only" multiple choice and
other group separators, Central without group paths; Kobo's label export stays refused."""
from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from entry_helpers import count_records, summary_mismatches
from odk_helpers import Submission, central_csv, central_zip, form_id, kobo_csv, kobo_xlsx
from openpyxl import load_workbook
from sqlalchemy import select

from data_model.basics.permissions import SYSTEM
from data_model.files.records_import import preview_import, run_import
from data_model.files.records_import.submissions import uid_of_instance
from data_model.files.xlsform.form import VI, build_xlsform
from data_model.files.xlsform.workbook import xlsform_bytes
from data_model.schema.db import build_engine, read_session
from data_model.schema.models import ActivityRecord

TODAY = dt.date(2025, 12, 31)
MU_CA = "c03451@1900"


@pytest.fixture
def engine(db_url):
    engine = build_engine(url=db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def form_xlsx(engine) -> bytes:
    with read_session(engine) as session:
        return xlsform_bytes(build_xlsform(session=session, unit_keys=["st_mu_ca"]))


def outreach(day: int, **answers) -> Submission:
    return Submission({"reporting_unit": "st_mu_ca", "activity_type": "outreach_session",
                       "start_date": f"2024-03-{day:02d}", "commune": MU_CA, "languages": "vi ha_nhi",
                       "topic": "Luật Biên phòng Việt Nam", "outreach_session__sessions": 1,
                       "outreach_session__attendances": 40 + day, **answers})


def patrol(**answers) -> Submission:
    return Submission({"reporting_unit": "st_mu_ca", "activity_type": "patrol", "start_date": "2024-04-01",
                       "end_date": "2024-04-30", "patrol__patrols": 12, "patrol__soldier_participations": 48,
                       "patrol__civilian_patrols": 3, "patrol__civilian_participations": 15, **answers})


def _records(engine) -> dict[str, ActivityRecord]:
    with read_session(engine) as session:
        return {r.uid: r for r in session.scalars(select(ActivityRecord))}


def _totals(engine) -> tuple[int, int, int, list[str]]:
    records = _records(engine).values()
    return (len(records), sum(r.m1 or 0 for r in records), sum(r.m2 or 0 for r in records),
            sorted(r.languages or "" for r in records))


SUBS = [outreach(5), outreach(6, languages="ha_nhi"), patrol()]
EXPECTED = (3, 1 + 1 + 12, 45 + 46 + 48, ["", "ha_nhi", "vi,ha_nhi"])


# --- ODK Central's zip --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("options", [{}, {"attachments": True}, {"split_multiple": True},
                                     {"group_paths": False}], ids=["default", "media", "split", "no_groups"])
def test_centrals_zip_is_read_as_it_comes(engine, form_xlsx, options):
    data = central_zip(form_xlsx, SUBS, **options)
    name = form_id(form_xlsx)
    assert zipfile.ZipFile(io.BytesIO(data)).namelist()[0] == f"{name}.csv"
    preview, result = run_import(engine=engine, actor=SYSTEM, data=data, filename=f"{name}.zip", today=TODAY)
    assert (result.added, result.updated) == (3, 0), preview.report_lines()
    assert _totals(engine) == EXPECTED
    # the same zip again adds nothing; the CSV inside it is the same export
    _, again = run_import(engine=engine, actor=SYSTEM, data=central_csv(form_xlsx, SUBS, **{
        k: v for k, v in options.items() if k != "attachments"}), filename=f"{name}.csv", today=TODAY)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 3)
    with read_session(engine) as session:
        assert summary_mismatches(session) == []


def test_a_zip_with_a_repeat_groups_csv_reads_the_main_one_and_says_so(engine, form_xlsx):
    name = form_id(form_xlsx)
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{name}.csv", central_csv(form_xlsx, SUBS))
        archive.writestr(f"{name}-nguoi_tham_gia.csv", "ten,PARENT_KEY,KEY\r\nAn,uuid:1,uuid:1/nguoi_tham_gia[1]\r\n")
    with read_session(engine) as session:
        preview = preview_import(session=session, actor=SYSTEM, data=data.getvalue(), filename=f"{name}.zip",
                                 today=TODAY)
    assert preview.ok and preview.counts()["new"] == 3, preview.report_lines()
    assert any(f"«{name}-nguoi_tham_gia»" in note and "nhóm lặp lại" in note for note in preview.notes)


def _zip(members: dict[str, bytes]) -> bytes:
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return data.getvalue()


@pytest.mark.parametrize(("data", "message"), [
    (_zip({"bom.csv": b"0" * (8 * 1024 * 1024)}), "Tệp ZIP giải nén ra quá lớn hoặc bị nén bất thường"),
    (_zip({"anh.jpg": b"\xff\xd8"}), "Tệp ZIP không có tệp CSV nào để nhập"),
    (b"PK\x03\x04 not really a zip", "Tệp ZIP bị hỏng"),
    (b"khong phai zip", "không phải tệp ZIP hợp lệ"),
], ids=["bomb", "no_csv", "damaged", "not_zip"])
def test_a_bad_zip_is_refused_in_vietnamese_before_it_is_unpacked(engine, data, message):
    with read_session(engine) as session:
        preview = preview_import(session=session, actor=SYSTEM, data=data, filename="hoat_dong.zip", today=TODAY)
    assert not preview.ok and message in preview.file_errors[0], preview.file_errors


def test_a_zip_member_over_the_upload_limit_is_refused(engine, monkeypatch):
    from data_model.files import limits

    monkeypatch.setattr(limits, "upload_limit_bytes", lambda: 1024)
    monkeypatch.setattr(limits, "get_settings", lambda: type("S", (), {"upload_limit_mb": 0.001})())
    data = _zip({"hoat_dong.csv": ("a,b\r\n" + "1,2\r\n" * 400).encode()})
    with read_session(engine) as session:
        preview = preview_import(session=session, actor=SYSTEM, data=data, filename="hoat_dong.zip", today=TODAY)
    assert not preview.ok and "quá giới hạn" in preview.file_errors[0], preview.file_errors


def test_the_command_line_imports_centrals_zip(db_url, monkeypatch, tmp_path, capsys, form_xlsx):
    from data_model.cli.main import main

    monkeypatch.setenv("DATABASE_URL", db_url)
    export = tmp_path / f"{form_id(form_xlsx)}.zip"
    export.write_bytes(central_zip(form_xlsx, SUBS))
    assert main(["import", str(export)]) == 0
    assert "Đã thêm 3 hoạt động" in capsys.readouterr().out


# --- KoboToolbox's XLSX and its export options --------------------------------------------------------------------

def test_text_answers_starting_with_equals_are_read_as_typed(engine, form_xlsx):
    subs = [outreach(5, note="=)) buổi đông vui", topic="=Luật Biên phòng"), outreach(6, note="bình thường")]
    data = kobo_xlsx(form_xlsx, subs)
    cell = next(c for row in load_workbook(io.BytesIO(data)).active.iter_rows() for c in row
                if c.value == "=)) buổi đông vui")
    assert cell.data_type == "f"  # what xlsxwriter wrote: a formula (its cached value is 0)
    preview, result = run_import(engine=engine, actor=SYSTEM, data=data, filename="kobo.xlsx", today=TODAY)
    assert result.added == 2, preview.report_lines()
    first = _records(engine)[uid_of_instance(subs[0].instance_id)]
    assert (first.note, first.topic) == ("=)) buổi đông vui", "=Luật Biên phòng")
    assert any("2 câu trả lời bắt đầu bằng «=»" in note and "đã đọc đúng chữ" in note for note in preview.notes), \
        preview.notes


@pytest.mark.parametrize(("group_sep", "multiple"), [("/", "details"), (".", "both"), ("__", "details"),
                                                    (" : ", "summary"), ("-", "details")])
def test_kobos_export_options_are_read(engine, form_xlsx, group_sep, multiple):
    data = kobo_xlsx(form_xlsx, SUBS, group_sep=group_sep, multiple=multiple)
    preview, result = run_import(engine=engine, actor=SYSTEM, data=data, filename="kobo.xlsx", today=TODAY)
    assert (result.added, result.updated) == (3, 0), preview.report_lines()
    assert _totals(engine) == EXPECTED
    assert not any("bỏ qua các cột" in note for note in preview.notes)


def test_kobos_csv_with_separate_choice_columns_is_read(engine, form_xlsx):
    data = kobo_csv(form_xlsx, SUBS, group_sep=".", multiple="details")
    preview, result = run_import(engine=engine, actor=SYSTEM, data=data, filename="kobo.csv", today=TODAY)
    assert result.added == 3, preview.report_lines()
    assert _totals(engine) == EXPECTED


def test_kobos_label_export_stays_refused_with_its_message(engine, form_xlsx):
    survey = load_workbook(io.BytesIO(form_xlsx))["survey"]
    header = [c.value for c in survey[1]]
    labels = {row[header.index("name")]: row[header.index(f"label::{VI}")]
              for row in survey.iter_rows(min_row=2, values_only=True) if row[header.index(f"label::{VI}")]}
    book = load_workbook(io.BytesIO(kobo_xlsx(form_xlsx, SUBS)))
    for cell in book.active[1]:
        last = str(cell.value).rsplit("/", 1)[-1]
        cell.value = labels.get(last, cell.value)
    data = io.BytesIO()
    book.save(data)
    with read_session(engine) as session:
        preview = preview_import(session=session, actor=SYSTEM, data=data.getvalue(), filename="kobo.xlsx",
                                 today=TODAY)
        assert count_records(session) == 0
    assert not preview.ok
    assert "xuất theo nhãn câu hỏi" in preview.file_errors[0] and "XML values and headers" in preview.file_errors[0]
