"""Offline entry through ODK Collect / KoboCollect: the generated XLSForm, and its submissions exports imported through
the records import (ODK Central and KoboToolbox conventions, re-imports, refusals, older form versions)."""
from __future__ import annotations

import dataclasses
import datetime as dt
import io

import pytest
from entry_helpers import count_records, staff, summary_mismatches
from odk_helpers import Submission, central_csv, form_questions, kobo_csv, kobo_xlsx
from openpyxl import load_workbook
from pyxform.xls2xform import convert
from sqlalchemy import func, select

from data_model.basics.permissions import SYSTEM, Actor, PermissionDenied
from data_model.definitions.activity_types import list_activity_types
from data_model.files.records_import import preview_import, run_import
from data_model.files.records_import.submissions import uid_of_instance
from data_model.files.xlsform import form as form_module
from data_model.files.xlsform.form import FormError, build_xlsform, definitions_version, xlsform_for_actor
from data_model.files.xlsform.workbook import xform_xml, xlsform_bytes
from data_model.schema.db import read_session, write_session
from data_model.schema.models import ActivityRecord, ReportingUnit, Village

TODAY = dt.date(2025, 12, 31)
MU_CA = "c03451@1900"
EXPORTS = {"central": (central_csv, "hoat_dong_bien_gioi_st_mu_ca.csv"),
           "kobo": (kobo_xlsx, "hoat_dong_bien_gioi_st_mu_ca_2025_06_02.xlsx"),
           "kobo_csv": (kobo_csv, "hoat_dong_bien_gioi_st_mu_ca_2025_06_02.csv")}


def _village(engine, name: str) -> str:
    with read_session(engine) as session:
        return f"v{session.scalar(select(Village.id).where(Village.name == name, Village.unit_key == MU_CA))}"


def outreach(day: int, village: str = "", **answers) -> Submission:
    """An outreach session in Mù Cả in March 2024, as the phone sends it."""
    return Submission({"reporting_unit": "st_mu_ca", "activity_type": "outreach_session",
                       "start_date": f"2024-03-{day:02d}", "commune": MU_CA, "village": village,
                       "languages": "vi ha_nhi", "topic": "Luật Biên phòng Việt Nam",
                       "outreach_session__sessions": 1, "outreach_session__attendances": 40 + day, **answers})


def patrol(**answers) -> Submission:
    return Submission({"reporting_unit": "st_mu_ca", "activity_type": "patrol", "start_date": "2024-04-01",
                       "end_date": "2024-04-30", "patrol__patrols": 12, "patrol__soldier_participations": 48,
                       "patrol__civilian_patrols": 3, "patrol__civilian_participations": 15, **answers})


def _records(engine) -> dict[str, ActivityRecord]:
    with read_session(engine) as session:
        return {r.uid: r for r in session.scalars(select(ActivityRecord))}


# --- the form ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("unit_keys", [None, ["st_mu_ca"], ["bn_huan_luyen_co_dong"]])
def test_pyxform_converts_the_generated_form(engine, unit_keys):
    with read_session(engine) as session:
        form = build_xlsform(session=session, unit_keys=unit_keys)
    result = convert(xlsform=io.BytesIO(xlsform_bytes(form)), file_type=".xlsx")
    assert result.warnings == []
    assert f'version="{form.version}"' in result.xform
    assert "instance('commune')/root/item[from_n &lt;=  /data/day_n  and  /data/end_n  &lt; to_n]" in result.xform
    assert xform_xml(form).decode() == result.xform


def test_the_form_carries_the_web_forms_ranges_rules_and_places(engine, form_xlsx):
    book = load_workbook(io.BytesIO(form_xlsx))
    survey = [dict(zip([c.value for c in book["survey"][1]], [c.value for c in row])) for row in book["survey"]][1:]
    by_name = {row["name"]: row for row in survey}
    sessions = by_name["outreach_session__sessions"]
    assert sessions["required"] == "yes" and sessions["constraint"] == ". >= 1 and . <= 500"
    assert sessions["constraint_message::Tiếng Việt (vi)"] == "Số phải từ 1 đến 500 buổi"
    civil = by_name["patrol__civilian_participations"]  # two rules sit on the last measure they name
    assert "(.) >= (coalesce(${patrol__civilian_patrols}, 0))" in civil["constraint"]
    assert "(.) <= (coalesce(${patrol__civilian_patrols}, 0)) * 200" in civil["constraint"]
    assert "Mỗi lần có dân tham gia phải có ít nhất một lượt người tham gia" in civil["constraint_message::Tiếng Việt (vi)"]
    # an optional measure becomes required exactly when leaving it empty (0) would break a rule
    assert civil["required"].startswith("not((0) >= (coalesce(${patrol__civilian_patrols}, 0)))")
    news = by_name["radio_tv_item__news_items"]
    assert news["required_message::Tiếng Việt (vi)"] == "Cần ít nhất một phóng sự, chuyên mục hoặc tin"
    assert by_name["village"]["choice_filter"] == "commune = ${commune}"
    assert by_name["g_patrol"]["relevant"] == "${activity_type} = 'patrol'"
    assert "patrol" in by_name["end_date"]["relevant"] and "outreach_session" not in by_name["end_date"]["relevant"]
    choices = [dict(zip([c.value for c in book["choices"][1]], [c.value for c in row])) for row in book["choices"]][1:]
    assert [c["name"] for c in choices if c["list_name"] == "unit"] == ["st_mu_ca"]
    ka_lang = next(c for c in choices if c["name"] == "c03439@1900")
    assert (ka_lang["from_n"], ka_lang["to_n"]) == ("0", "20250701")  # valid until the 2025 merger
    thu_lum = next(c for c in choices if c["name"] == "c03439@2025")
    assert (thu_lum["from_n"], thu_lum["to_n"]) == ("20250701", "99991231")


def test_units_are_limited_to_the_users_units(engine):
    with read_session(engine) as session:
        ids = dict(session.execute(select(ReportingUnit.key, ReportingUnit.id)).all())
        mine = staff(ids["st_mu_ca"])
        form = xlsform_for_actor(session=session, actor=mine)
        assert [u.key for u in form.units] == ["st_mu_ca"]
        assert "press_item" in {t.code for t in form.types} and "radio_tv_item" in {t.code for t in form.types}
        with pytest.raises(PermissionDenied):
            xlsform_for_actor(session=session, actor=mine, unit_key="st_ka_lang")
        with pytest.raises(PermissionDenied):
            xlsform_for_actor(session=session, actor=Actor(user_id=None, username="ld", role="official"))
        with pytest.raises(FormError):
            build_xlsform(session=session, unit_keys=["st_khong_co"])
        assert len(xlsform_for_actor(session=session, actor=SYSTEM).units) == session.scalar(
            select(func.count()).select_from(ReportingUnit).where(ReportingUnit.active.is_(True)))


def test_the_version_changes_with_the_definitions_and_the_reference_data(engine, monkeypatch):
    with read_session(engine) as session:
        first = definitions_version(session=session)
        assert definitions_version(session=session) == first
        assert build_xlsform(session=session, unit_keys=["st_mu_ca"]).version == first
    with write_session(engine) as session:
        session.add(Village(unit_key=MU_CA, name="Bản Mới", name_norm="bản mới"))
    with read_session(engine) as session:
        second = definitions_version(session=session)
    assert second != first
    types = list_activity_types()
    wider = dataclasses.replace(types[0], measures=(dataclasses.replace(types[0].measures[0], max=600),
                                                    *types[0].measures[1:]))
    monkeypatch.setattr(form_module, "list_activity_types", lambda: [wider, *types[1:]])
    with read_session(engine) as session:
        assert definitions_version(session=session) not in (first, second)


# --- importing exports --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("server", list(EXPORTS))
def test_an_export_is_imported_as_records(engine, form_xlsx, server):
    make, filename = EXPORTS[server]
    village = _village(engine, "Tó Khò")
    subs = [outreach(5, village), outreach(6), patrol()]
    preview, result = run_import(engine=engine, actor=SYSTEM, data=make(form_xlsx, subs), filename=filename,
                                 today=TODAY)
    assert (result.added, result.updated) == (3, 0), preview.report_lines()
    records = _records(engine)
    first = records[subs[0].instance_id.removeprefix("uuid:")]
    with read_session(engine) as session:
        village_name = session.get(Village, first.village_id).name
        unit = session.get(ReportingUnit, first.reporting_unit_id).key
    assert (first.type_code, first.start_date, first.commune_key, village_name, first.languages, first.m1, first.m2,
            first.topic, unit) == ("outreach_session", dt.date(2024, 3, 5), MU_CA, "Tó Khò", "vi,ha_nhi", 1, 45,
                                   "Luật Biên phòng Việt Nam", "st_mu_ca")
    month = records[uid_of_instance(subs[2].instance_id)]
    assert (month.start_date, month.end_date, month.m1, month.m2, month.m3, month.m4, month.commune_key) == (
        dt.date(2024, 4, 1), dt.date(2024, 4, 30), 12, 48, 3, 15, None)
    with read_session(engine) as session:
        assert summary_mismatches(session) == []


@pytest.mark.parametrize("server", list(EXPORTS))
def test_the_next_days_fuller_export_adds_only_the_new_submissions(engine, form_xlsx, server):
    make, filename = EXPORTS[server]
    day_one = [outreach(5), outreach(6), patrol()]
    run_import(engine=engine, actor=SYSTEM, data=make(form_xlsx, day_one), filename=filename, today=TODAY)
    before = {uid: (r.id, r.updated_at, r.m2) for uid, r in _records(engine).items()}
    # a correction made here since must survive the re-import of the unchanged submission
    corrected = uid_of_instance(day_one[1].instance_id)
    with write_session(engine) as session:
        record = session.scalar(select(ActivityRecord).where(ActivityRecord.uid == corrected))
        record.note = "đã sửa ở đồn"
    day_two = day_one + [outreach(7), outreach(8, topic="Phòng chống ma tuý")]
    preview, result = run_import(engine=engine, actor=SYSTEM, data=make(form_xlsx, day_two),
                                 filename=filename.replace("06_02", "06_03"), today=TODAY)
    counts = preview.counts()
    assert (result.added, result.updated, counts["unchanged"], counts["skip"]) == (2, 0, 2, 1), preview.report_lines()
    after = _records(engine)
    assert len(after) == 5
    assert {uid: (r.id, r.updated_at, r.m2) for uid, r in after.items() if uid in before} == before
    assert after[corrected].note == "đã sửa ở đồn"
    # the very same export a third time adds nothing
    _, again = run_import(engine=engine, actor=SYSTEM, data=make(form_xlsx, day_two), filename=filename, today=TODAY)
    assert (again.added, again.updated) == (0, 0)
    with read_session(engine) as session:
        assert count_records(session) == 5 and summary_mismatches(session) == []


@pytest.mark.parametrize("server", list(EXPORTS))
def test_a_bad_submission_is_held_back_and_the_others_imported(engine, form_xlsx, server):
    make, filename = EXPORTS[server]
    bad = patrol(patrol__civilian_patrols=20)  # more patrols with civilians than patrols
    bad.submitter = "Giàng A Sử"
    subs = [outreach(5), bad, outreach(7, outreach_session__attendances=300000)]
    preview, result = run_import(engine=engine, actor=SYSTEM, data=make(form_xlsx, subs), filename=filename,
                                 today=TODAY)
    assert (result.added, result.held) == (1, 2)
    with read_session(engine) as session:
        assert count_records(session) == 1
    lines = preview.error_lines()
    sep = "-" if server == "central" else "/"  # Central joins group paths with "-", Kobo with "/"
    instance = bad.instance_id if server == "central" else bad.instance_id.removeprefix("uuid:")
    assert any(f"Bản gửi của Giàng A Sử ({instance})" in line and f"cột «g_patrol{sep}patrol__civilian_patrols»" in line
               and "Số lần có dân tham gia không được lớn hơn tổng số lần tuần tra" in line for line in lines), lines
    assert any(f"cột «g_outreach_session{sep}outreach_session__attendances»" in line and "300.000 nằm ngoài khoảng"
               in line for line in lines), lines


def test_a_submission_of_another_unit_is_left_for_it_by_staff(engine, form_xlsx):
    with read_session(engine) as session:
        own = staff(session.scalar(select(ReportingUnit.id).where(ReportingUnit.key == "st_ka_lang")))
        preview = preview_import(session=session, actor=own, data=central_csv(form_xlsx, [outreach(5)]),
                                 filename="x.csv", today=TODAY)
    assert preview.ok and preview.others == 1 and preview.counts()["new"] == 0
    assert any("1 bản gửi thuộc đơn vị khác" in note for note in preview.notes)


def test_submissions_rejected_on_the_server_are_skipped(engine, form_xlsx):
    refused = outreach(6)
    refused.review = "rejected"
    preview, result = run_import(engine=engine, actor=SYSTEM, data=central_csv(form_xlsx, [outreach(5), refused]),
                                 filename="x.csv", today=TODAY)
    assert (result.added, result.skipped) == (1, 1)
    assert "bị từ chối trên máy chủ" in preview.table()["message"].iloc[1]


# --- older form versions ----------------------------------------------------------------------------------------

def test_an_older_form_version_is_accepted_where_its_answers_mean_the_same(engine, form_xlsx):
    data = kobo_xlsx(form_xlsx, [outreach(5), patrol()], version="0123456789ab")
    preview, result = run_import(engine=engine, actor=SYSTEM, data=data, filename="cu.xlsx", today=TODAY)
    assert result.added == 2
    assert any("phiên bản khác (0123456789ab)" in note for note in preview.notes)


def test_an_answer_whose_meaning_changed_is_refused(engine, form_xlsx):
    # the form of that version measured attendances in another unit: its recorded digest differs from today's
    signature = _signature(form_xlsx, "outreach_session")
    old = outreach(5, outreach_session__sig=" ".join(
        "attendances:000000" if part.startswith("attendances:") else part for part in signature.split()))
    data = central_csv(form_xlsx, [old, outreach(6)], version="0123456789ab")
    preview, result = run_import(engine=engine, actor=SYSTEM, data=data, filename="cu.csv", today=TODAY)
    assert (result.added, result.held) == (1, 1)
    lines = preview.error_lines()
    assert any("cột «g_outreach_session-outreach_session__attendances»" in line and "phiên bản 0123456789ab" in line
               and "nghĩa khác" in line for line in lines), lines
    assert not any("outreach_session__sessions" in line for line in lines), lines
    with read_session(engine) as session:
        assert count_records(session) == 1


def test_an_answer_to_a_question_no_longer_in_the_form_is_refused(engine, form_xlsx):
    csv_text = central_csv(form_xlsx, [outreach(5)], version="0123456789ab").decode()
    header, row, _ = csv_text.split("\r\n")
    data = f"{header},g_outreach_session-outreach_session__households\r\n{row},12\r\n".encode()
    preview, result = run_import(engine=engine, actor=SYSTEM, data=data, filename="cu.csv", today=TODAY)
    assert (result.added, result.held) == (0, 1)
    lines = preview.error_lines()
    assert any("cột «g_outreach_session-outreach_session__households»: câu hỏi này không có trong biểu mẫu hiện nay"
               in line for line in lines), lines


def test_an_export_of_another_form_says_so(engine):
    data = b"SubmissionDate,name,age,meta-instanceID,KEY\r\n2025-06-02,An,31,uuid:1,uuid:1\r\n"
    with read_session(engine) as session:
        preview = preview_import(session=session, actor=SYSTEM, data=data, filename="khac.csv", today=TODAY)
    assert not preview.ok and "không phải bản xuất của biểu mẫu nhập ngoại tuyến" in preview.file_errors[0]


def _signature(form_xlsx: bytes, type_code: str) -> str:
    book = load_workbook(io.BytesIO(form_xlsx))
    row = next(r for r in book["survey"].iter_rows(values_only=True) if r[1] == f"{type_code}__sig")
    return row[list(next(book["survey"].iter_rows(values_only=True))).index("calculation")].strip("'")


def test_the_exports_follow_the_forms_own_questions(form_xlsx):
    questions, version = form_questions(form_xlsx)
    paths = {"/".join(q.path) for q in questions}
    assert {"activity_type", "g_patrol/patrol__civilian_patrols", "g_patrol/patrol__sig", "form_version"} <= paths
    assert len(version) == 12


# --- command line ------------------------------------------------------------------------------------------------

def test_cli_writes_the_form_and_imports_an_export(db_url, monkeypatch, tmp_path, capsys):
    from data_model.cli.main import main

    monkeypatch.setenv("DATABASE_URL", db_url)
    out = tmp_path / "bieu_mau.xlsx"
    assert main(["xlsform", "--out", str(out), "--unit", "st_mu_ca"]) == 0
    assert "hoat_dong_bien_gioi_st_mu_ca" in capsys.readouterr().out
    assert convert(xlsform=str(out)).warnings == []
    export = tmp_path / "submissions.csv"
    export.write_bytes(central_csv(out.read_bytes(), [outreach(5), outreach(6)]))
    assert main(["import", str(export)]) == 0
    assert "Đã thêm 2 hoạt động" in capsys.readouterr().out
    assert main(["import", str(export)]) == 0
    assert "Đã thêm 0 hoạt động" in capsys.readouterr().out
    assert main(["xlsform", "--out", str(tmp_path / "x.xlsx"), "--unit", "khong_co"]) == 2
    assert "không có đơn vị" in capsys.readouterr().err


# --- the server's changes since the last import (issue 23) --------------------------------------------------------

def _live(engine) -> dict[str, ActivityRecord]:
    return {uid: r for uid, r in _records(engine).items() if r.deleted_at is None}


@pytest.mark.parametrize("server", ["central", "kobo"])
def test_rejections_and_edits_on_the_server_reach_the_records(engine, form_xlsx, server):
    make, filename = EXPORTS[server]
    subs = [outreach(5), outreach(6), outreach(7), patrol()]
    run_import(engine=engine, actor=SYSTEM, data=make(form_xlsx, subs), filename=filename, today=TODAY)
    uids = [uid_of_instance(s.instance_id) for s in subs]
    # here: a staff member corrects the patrol's note; on the server: the first is rejected, the second and the
    # patrol are edited by a reviewer (same KEY / rootUuid)
    with write_session(engine) as session:
        session.scalar(select(ActivityRecord).where(ActivityRecord.uid == uids[3])).note = "sửa ở đồn"
    subs[0].review = "rejected"
    subs[1].answers["outreach_session__attendances"] = 60
    subs[3].answers["patrol__patrols"] = 10
    preview, result = run_import(engine=engine, actor=SYSTEM, data=make(form_xlsx, subs), filename=filename,
                                 today=TODAY)
    assert (result.withdrawn, result.updated, result.conflicts, result.added) == (1, 1, 1, 0), preview.report_lines()
    live = _live(engine)
    assert uids[0] not in live and live[uids[1]].m2 == 60 and live[uids[3]].m1 == 12  # the conflict counts as is
    conflict = next(r for r in preview.rows if r.action == "conflict")
    assert "12 → 10" in str(conflict.skip_reason)
    withdrawn = _records(engine)[uids[0]]
    assert withdrawn.delete_reason.startswith("Bản gửi bị từ chối trên máy chủ")
    # the fuller export: the first accepted again, one more submission
    subs[0].review = "approved"
    subs.append(outreach(9))
    preview, result = run_import(engine=engine, actor=SYSTEM, data=make(form_xlsx, subs), filename=filename,
                                 today=TODAY)
    assert (result.restored, result.added, result.updated, result.conflicts) == (1, 1, 0, 1), preview.report_lines()
    live = _live(engine)
    assert len(live) == 5
    outreach_live = [r for r in live.values() if r.type_code == "outreach_session"]
    # equal to the server's accepted submissions, total by total (the conflicting patrol as it is here)
    assert (len(outreach_live), sum(r.m1 for r in outreach_live), sum(r.m2 for r in outreach_live)) == (
        4, 4, 45 + 60 + 47 + 49)
    with read_session(engine) as session:
        assert summary_mismatches(session) == []
