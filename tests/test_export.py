"""Export in the import format: export → import round-trips to the same data, with no duplicates."""
from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata

import pandas as pd
import pytest
from entry_helpers import KA_LANG, MU_CA, count_records, outreach, patrol, summary_mismatches, unit_id, village_id
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import select

from data_model.basics.cells import escape_text, unescape_text
from data_model.basics.permissions import SYSTEM
from data_model.definitions.activity_types import get_activity_type, list_activity_types
from data_model.definitions.fields import COMPARED as FIELDS_COMPARED
from data_model.files.export import ExportFilters, export_csv, export_frame, export_xlsx, template_csv, template_xlsx
from data_model.files.record_format import template_columns
from data_model.files.records_import import run_import
from data_model.records.write import create_record, delete_record
from data_model.schema.db import build_engine, read_session, write_session
from data_model.schema.models import ActivityRecord

TODAY = dt.date(2025, 12, 31)
# what a round trip keeps: every compared field but the reporting unit, whose id differs between databases
COMPARED = tuple(c for c in FIELDS_COMPARED if c != "reporting_unit_id")


def _fill(engine) -> list[int]:
    """Records of several types, with villages, languages, a formula-like topic and an optional measure left blank."""
    with write_session(engine) as s:
        st, radio = unit_id(s), unit_id(s, "radio_tv")
        xi_ne = village_id(s, "Xi Nế")
        values = [
            outreach(st, topic="=HYPERLINK(\"http://x\")", note="Ghi chú có dấu; phẩy, \"ngoặc\""),
            outreach(st, commune_key=MU_CA, village_id=xi_ne, languages=["mong", "vi"], attendances=41262 // 100),
            patrol(st, civilian_patrols=None, civilian_participations=None),
            patrol(st, start_date=dt.date(2023, 6, 1), end_date=dt.date(2023, 6, 30)),
            {"type_code": "loudspeaker_broadcast", "start_date": dt.date(2024, 5, 1), "end_date": dt.date(2024, 5, 31),
             "reporting_unit_id": st, "commune_key": KA_LANG, "languages": ["vi", "ha_nhi"], "sessions": 8},
            {"type_code": "radio_tv_item", "start_date": dt.date(2024, 1, 1), "end_date": dt.date(2024, 12, 31),
             "reporting_unit_id": radio, "news_items": 12, "topic": "-tin biên giới"},
            {"type_code": "study_session", "start_date": dt.date(2024, 2, 2), "reporting_unit_id": st, "sessions": 1,
             "soldier_attendances": 30},
        ]
        ids = [create_record(confirm_warnings=True, session=s, actor=SYSTEM, values=v, today=TODAY) for v in values]
        delete_record(session=s, actor=SYSTEM, record_id=create_record(
            confirm_warnings=True, session=s, actor=SYSTEM, values=outreach(st, attendances=1), today=TODAY), reason="nhầm")
    return ids


def _snapshot(engine) -> list[tuple]:
    with read_session(engine) as s:
        rows = s.scalars(select(ActivityRecord).where(ActivityRecord.deleted_at.is_(None)))
        return sorted(tuple(str(getattr(r, c)) for c in COMPARED) for r in rows)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_export_reimports_to_the_same_data_without_duplicates(engine, kind):
    _fill(engine)
    before = _snapshot(engine)
    with read_session(engine) as s:
        data = (export_csv if kind == "csv" else export_xlsx)(session=s, filters=ExportFilters())
    preview, result = run_import(engine=engine, actor=SYSTEM, data=data, filename=f"xuat.{kind}", today=TODAY)
    assert preview.ok, preview.report_lines()
    assert (result.added, result.updated, result.unchanged) == (0, 0, 7)
    assert _snapshot(engine) == before


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_export_into_another_database_gives_the_same_records(engine, databases, kind):
    _fill(engine)
    with read_session(engine) as s:
        data = (export_csv if kind == "csv" else export_xlsx)(session=s, filters=ExportFilters())
    other_url = databases.fresh(demo=False)
    other = build_engine(url=other_url)
    try:
        preview, result = run_import(engine=other, actor=SYSTEM, data=data, filename=f"xuat.{kind}", today=TODAY)
        assert result.added == 7  # ids unknown there: new records, each said so in the preview
        assert _snapshot(other) == _snapshot(engine)
        with read_session(other) as s:
            assert summary_mismatches(s) == []
        # and importing that file again changes nothing
        _, again = run_import(engine=other, actor=SYSTEM, data=data, filename=f"xuat.{kind}", today=TODAY)
        assert (again.added, again.updated, again.unchanged) == (0, 0, 7)
    finally:
        other.dispose()
        databases.drop(other_url)


def test_an_edited_export_updates_exactly_the_edited_record(engine):
    ids = _fill(engine)
    with read_session(engine) as s:
        frame = export_frame(session=s, filters=ExportFilters(types=("patrol",)))
    assert list(frame["Mã hoạt động"]) == [ids[3], ids[2]]  # by type, then date
    frame.loc[frame["Mã hoạt động"] == ids[2], "Số lần tuần tra"] = 11
    data = frame.to_csv(index=False).encode("utf-8-sig")
    _, result = run_import(engine=engine, actor=SYSTEM, data=data, filename="sua.csv", today=TODAY)
    assert (result.added, result.updated, result.unchanged) == (0, 1, 1)
    with read_session(engine) as s:
        assert s.get(ActivityRecord, ids[2]).m1 == 11
        assert summary_mismatches(s) == []
        assert count_records(s, live_only=True) == 7


def test_export_filters_and_format(engine):
    _fill(engine)
    with read_session(engine) as s:
        frame = export_frame(session=s, filters=ExportFilters(year_from=2024, year_to=2024, types=("outreach_session",)))
        text = export_csv(session=s, filters=ExportFilters(year_from=2024, year_to=2024)).decode("utf-8-sig")
        workbook = load_workbook(io.BytesIO(export_xlsx(session=s, filters=ExportFilters())), read_only=True)
    assert len(frame) == 2  # the deleted record is not exported
    assert list(frame.columns[:12]) == ["Mã hoạt động", "Mã định danh", "Loại hoạt động", "Ngày bắt đầu",
                                        "Ngày kết thúc", "Đơn vị thực hiện", "Mã xã", "Xã", "Bản", "Ngôn ngữ",
                                        "Chủ đề", "Ghi chú"]
    assert frame["Ngày bắt đầu"].tolist() == ["05/03/2024", "05/03/2024"]
    assert frame["Topic" if "Topic" in frame else "Chủ đề"].iloc[0] == "'=HYPERLINK(\"http://x\")"
    assert "Tiếng Mông" in frame["Ngôn ngữ"].iloc[1]
    assert "2023" not in text.split("\n", 1)[1]
    assert [ws.title for ws in workbook.worksheets] == [get_activity_type(c).name_vi[:31] for c in (
        "outreach_session", "study_session", "patrol", "loudspeaker_broadcast", "radio_tv_item")]


@pytest.mark.parametrize("activity_type", list_activity_types(), ids=lambda t: t.code)
def test_templates_follow_the_definition(engine, activity_type):
    header = pd.read_csv(io.BytesIO(template_csv(type_code=activity_type.code)), encoding="utf-8-sig").columns.tolist()
    assert header == template_columns(activity_type)
    assert header[-len(activity_type.measures):] == [m.label_vi for m in activity_type.measures]
    assert ("Xã" in header) == (activity_type.commune != "none")
    assert ("Ngôn ngữ" in header) == (activity_type.languages != "none")
    workbook = load_workbook(io.BytesIO(template_xlsx(type_code=activity_type.code)), read_only=True)
    assert workbook.worksheets[0].title == activity_type.name_vi[:31]
    english = pd.read_csv(io.BytesIO(template_csv(type_code=activity_type.code, lang="en")), encoding="utf-8-sig")
    assert english.columns[-1] == activity_type.measures[-1].label_en


FORMULA_START = ("=", "+", "-", "@")


def _hostile_names(engine) -> None:
    """Reference names and notes that a spreadsheet would run or link if written raw."""
    from data_model.schema.models import ReportingUnit, Unit, Village

    with write_session(engine) as s:
        st = unit_id(s)
        s.get(ReportingUnit, st).name = "+Đồn=1+1"
        s.get(Unit, MU_CA).name = "@Mù Cả"
        village = Village(unit_key=MU_CA, name='=HYPERLINK("http://evil.example/x","Bản")', name_norm="")
        s.add(village)
        s.flush()
        from data_model.reference.names import normalise_name

        village.name_norm = normalise_name(village.name)
        create_record(confirm_warnings=True, session=s, actor=SYSTEM, today=TODAY, values=outreach(
            st, commune_key=MU_CA, village_id=village.id, note="xem http://example.com/bao-cao và www.example.org",
            topic="'=không phải công thức"))


def test_exports_write_every_text_as_text(engine):
    _hostile_names(engine)
    with read_session(engine) as s:
        xlsx = export_xlsx(session=s, filters=ExportFilters())
        text = export_csv(session=s, filters=ExportFilters()).decode("utf-8-sig")
    book = load_workbook(io.BytesIO(xlsx))  # not read-only: hyperlinks are only read this way
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert not [c.coordinate for c in cells if c.hyperlink is not None]
    assert not [ws.title for ws in book.worksheets if ws._hyperlinks]
    rows = list(csv.reader(io.StringIO(text)))
    assert all(not (isinstance(c.value, str) and c.value.startswith(FORMULA_START)) for c in cells)
    assert all(not cell.startswith(FORMULA_START) for row in rows for cell in row)
    assert any(cell == "'+Đồn=1+1" for row in rows for cell in row)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_neutralised_text_reimports_exactly(engine, kind):
    _hostile_names(engine)
    before = _snapshot(engine)
    with read_session(engine) as s:
        data = (export_csv if kind == "csv" else export_xlsx)(session=s, filters=ExportFilters())
    preview, result = run_import(engine=engine, actor=SYSTEM, data=data, filename=f"xuat.{kind}", today=TODAY)
    assert preview.ok, preview.report_lines()
    assert (result.added, result.updated, result.unchanged) == (0, 0, 1)
    assert _snapshot(engine) == before
    with read_session(engine) as s:
        [rec] = s.scalars(select(ActivityRecord))
    assert rec.topic == "'=không phải công thức"


TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40).map(
    lambda t: unicodedata.normalize("NFC", t).strip()).filter(bool)


@given(text=TEXT)
def test_escaping_round_trips_any_text(text):
    assert unescape_text(escape_text(text)) == text
    assert not escape_text(text).startswith(FORMULA_START)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(note=st.one_of(TEXT, st.sampled_from(["'=1+1", "''=x", "'", "''", "'-", "=", "-1", "@x", "'@", "+"])))
def test_notes_round_trip_exactly_through_an_export(engine, kind, note):
    with write_session(engine) as s:
        rid = create_record(confirm_warnings=True, session=s, actor=SYSTEM, today=TODAY, confirm_duplicate=True,
                            values=outreach(unit_id(s), note=note, attendances=7))
    with read_session(engine) as s:
        data = (export_csv if kind == "csv" else export_xlsx)(session=s, filters=ExportFilters())
        target = s.get(ActivityRecord, rid)
    with write_session(engine) as s:
        s.get(ActivityRecord, rid).note = "đổi"  # the re-import must bring the exact note back
    run_import(engine=engine, actor=SYSTEM, data=data, filename=f"xuat.{kind}", today=TODAY)
    with read_session(engine) as s:
        assert s.get(ActivityRecord, rid).note == target.note == note
