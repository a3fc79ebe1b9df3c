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
from data_model.files.records_import import preview_import, run_import, summarise_result
from data_model.files.records_import.submissions import uid_of_instance
from data_model.files.xlsform.form import VI, build_xlsform
from data_model.files.xlsform.workbook import xlsform_bytes
from data_model.schema.db import read_session
from data_model.schema.models import ActivityRecord

TODAY = dt.date(2025, 12, 31)
MU_CA = "c03451@1900"


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


# --- part 3: what the form enforces, and one field user's answer does not block everyone ------------------------

def _survey(form_xlsx: bytes) -> tuple[dict[str, dict], list[dict]]:
    book = load_workbook(io.BytesIO(form_xlsx))
    rows = [dict(zip([c.value for c in book["survey"][1]], [c.value for c in row])) for row in book["survey"]][1:]
    choices = [dict(zip([c.value for c in book["choices"][1]], [c.value for c in row])) for row in book["choices"]][1:]
    return {row["name"]: row for row in rows}, choices


def _communes_offered(choices: list[dict], start: dt.date, end: dt.date | None) -> set[str]:
    """What Collect offers: the form's choice_filter "from_n <= ${day_n} and ${end_n} < to_n" on the choices."""
    day_n, end_n = int(start.strftime("%Y%m%d")), int((end or start).strftime("%Y%m%d"))
    return {c["name"] for c in choices if c["list_name"] == "commune"
            and int(c["from_n"]) <= day_n and end_n < int(c["to_n"])}


KA_LANG, THU_LUM = "c03439@1900", "c03439@2025"  # Ka Lăng ends 1/7/2025 (merged into Thu Lũm)


def test_the_form_enforces_what_the_import_enforces(form_xlsx):
    questions, choices = _survey(form_xlsx)
    assert questions["topic"]["constraint"] == "string-length(.) <= 300"
    assert questions["topic"]["constraint_message::Tiếng Việt (vi)"] == "Chủ đề dài tối đa 300 ký tự"
    assert questions["note"]["constraint"] == "string-length(.) <= 4000"
    assert questions["commune"]["choice_filter"] == "from_n <= ${day_n} and ${end_n} < to_n"
    assert questions["end_n"]["calculation"] == "if(${end_date} != '', format-date(${end_date}, '%Y%m%d'), ${day_n})"
    # 26/6–3/7/2025: neither Ka Lăng (ends 1/7) nor Thu Lũm (from 1/7) exists on every day; 26/6–30/6 Ka Lăng does
    offered = _communes_offered(choices, dt.date(2025, 6, 26), dt.date(2025, 7, 3))
    assert KA_LANG not in offered and THU_LUM not in offered
    assert KA_LANG in _communes_offered(choices, dt.date(2025, 6, 26), dt.date(2025, 6, 30))
    assert THU_LUM in _communes_offered(choices, dt.date(2025, 7, 1), dt.date(2025, 7, 3))


def broadcast(start: str, end: str, commune: str = KA_LANG, **answers) -> Submission:
    return Submission({"reporting_unit": "st_mu_ca", "activity_type": "loudspeaker_broadcast", "start_date": start,
                       "end_date": end, "commune": commune, "languages": "vi", "topic": "Phòng chống ma tuý",
                       "loudspeaker_broadcast__sessions": 4, "loudspeaker_broadcast__minutes": 120, **answers},
                      submitter="Vàng Seo Dìn")


def _live_totals(engine) -> dict[str, tuple[int, int, int]]:
    """Live records per type: how many, and the sums of their first two measures."""
    out: dict[str, list[int]] = {}
    for r in _records(engine).values():
        if r.deleted_at is None:
            total = out.setdefault(r.type_code, [0, 0, 0])
            total[0] += 1
            total[1] += r.m1 or 0
            total[2] += r.m2 or 0
    return {k: (v[0], v[1], v[2]) for k, v in out.items()}


def _server_totals(accepted: list[Submission]) -> dict[str, tuple[int, int, int]]:
    """The same totals from the submissions the server accepts (and the checks pass), from their answers."""
    out: dict[str, list[int]] = {}
    for s in accepted:
        code = s.answers["activity_type"]
        measures = [v for k, v in s.answers.items() if k.startswith(f"{code}__")]
        total = out.setdefault(code, [0, 0, 0])
        total[0] += 1
        total[1] += int(measures[0])
        total[2] += int(measures[1])
    return {k: (v[0], v[1], v[2]) for k, v in out.items()}


def _held(engine) -> dict[str, str]:
    from data_model.files.records_import import list_held

    with read_session(engine) as session:
        frame = list_held(session=session, actor=SYSTEM)
    return dict(zip(frame["instance_id"], frame["problems"]))


SERVERS = {"central": (central_zip, "hoat_dong_bien_gioi_st_mu_ca.zip"),
           "kobo": (lambda form, subs: kobo_xlsx(form, subs, multiple="details"), "kobo_export.xlsx")}


@pytest.mark.parametrize("server", list(SERVERS))
def test_weekly_exports_with_refusals_edits_and_rejections_end_equal_to_the_server(engine, form_xlsx, server):
    make, filename = SERVERS[server]
    o5, o6, p = outreach(5), outreach(6), patrol()
    long_topic = outreach(7, topic="Tuyên truyền " + "x" * 300)  # an older form let it through
    long_topic.submitter = "Giàng A Sử"
    across = broadcast("2025-06-26", "2025-07-03")  # Ka Lăng ended 1/7/2025
    week = [o5, o6, long_topic, across, p]

    # week 1: the valid submissions import, the two refused ones are held back and listed
    preview, result = run_import(engine=engine, actor=SYSTEM, data=make(form_xlsx, week), filename=filename,
                                 today=TODAY)
    assert (result.added, result.held, result.updated) == (3, 2, 0), preview.report_lines()
    assert _live_totals(engine) == _server_totals([o5, o6, p])
    held = _held(engine)
    instance = (lambda s: s.instance_id) if server == "central" else (lambda s: s.instance_id.removeprefix("uuid:"))
    assert set(held) == {instance(long_topic), instance(across)}
    assert "«" in held[instance(long_topic)] and "dài quá 300 ký tự" in held[instance(long_topic)]
    assert "Ka Lăng" in held[instance(across)] and "03/07/2025" in held[instance(across)]
    assert "Đã thêm 3 hoạt động" in summarise_result(result) and "Giữ lại 2 bản gửi" in summarise_result(result)

    # week 2: on the server a reviewer fixes both held ones and o6, and rejects o5
    long_topic.answers["topic"] = "Tuyên truyền Luật Biên phòng"
    across.answers["end_date"] = "2025-06-30"
    o6.answers["outreach_session__attendances"] = 60
    o5.review = "rejected"
    preview, result = run_import(engine=engine, actor=SYSTEM, data=make(form_xlsx, week), filename=filename,
                                 today=TODAY)
    assert (result.added, result.updated, result.withdrawn, result.held) == (2, 1, 1, 0), preview.report_lines()
    assert _live_totals(engine) == _server_totals([o6, long_topic, across, p])
    assert _held(engine) == {}

    # week 3: the fuller export: o5 accepted again, one more good and one more refused submission
    o5.review = "approved"
    bad = outreach(9, outreach_session__attendances=999999)
    week += [outreach(8), bad]
    preview, result = run_import(engine=engine, actor=SYSTEM, data=make(form_xlsx, week), filename=filename,
                                 today=TODAY)
    assert (result.added, result.restored, result.held, result.updated) == (1, 1, 1, 0), preview.report_lines()
    assert _live_totals(engine) == _server_totals([o5, o6, long_topic, across, p, week[5]])
    assert list(_held(engine)) == [instance(bad)]
    with read_session(engine) as session:
        assert summary_mismatches(session) == []


def test_an_office_spreadsheet_stays_all_or_nothing(engine):
    from data_model.files.records_import import ImportRejected

    data = ("Loại hoạt động,Đơn vị thực hiện,Ngày,Xã,Số buổi,Số lượt người nghe\r\n"
            "Tuyên truyền miệng,Đồn Biên phòng Mù Cả,05/03/2024,Mù Cả,1,40\r\n"
            "Tuyên truyền miệng,Đồn Biên phòng Mù Cả,06/03/2024,Mù Cả,1,999999\r\n").encode()
    with pytest.raises(ImportRejected):
        run_import(engine=engine, actor=SYSTEM, data=data, filename="van_phong.csv", today=TODAY)
    with read_session(engine) as session:
        assert count_records(session) == 0
    assert _held(engine) == {}


def test_staff_import_their_units_share_of_a_province_wide_export(engine):
    from entry_helpers import staff

    from data_model.schema.models import ReportingUnit

    with read_session(engine) as session:
        form = xlsform_bytes(build_xlsform(session=session, unit_keys=None))
        mu_ca = session.scalar(select(ReportingUnit.id).where(ReportingUnit.key == "st_mu_ca"))
    theirs = [outreach(d, reporting_unit="st_ka_lang", commune=KA_LANG) for d in (10, 11)]
    ours = [outreach(5), outreach(6)]
    data = central_zip(form, [ours[0], *theirs, ours[1]])
    own = staff(mu_ca)
    preview, result = run_import(engine=engine, actor=own, data=data, filename="toan_tinh.zip", today=TODAY)
    assert (result.added, result.others, result.held) == (2, 2, 0), preview.report_lines()
    assert "2 bản gửi của đơn vị khác không nhập" in summarise_result(result)
    assert {r.reporting_unit_id for r in _records(engine).values()} == {mu_ca}
    # the province's admin imports the same export: the other unit's two are added, ours are unchanged
    _, result = run_import(engine=engine, actor=SYSTEM, data=data, filename="toan_tinh.zip", today=TODAY)
    assert (result.added, result.unchanged, result.others) == (2, 2, 0)


def test_a_closed_year_names_the_submissions_it_refused(engine, form_xlsx):
    from data_model.reporting.year_close import close_year
    from data_model.schema.db import write_session

    first = [outreach(5), patrol()]
    run_import(engine=engine, actor=SYSTEM, data=central_zip(form_xlsx, first), filename="a.zip", today=TODAY)
    with write_session(engine) as session:
        close_year(session=session, actor=SYSTEM, year=2024)
    late = outreach(20)
    late.submitter = "Sùng A Lử"
    this_year = outreach(5, start_date="2025-03-05")
    preview, result = run_import(engine=engine, actor=SYSTEM, data=central_zip(form_xlsx, [*first, late, this_year]),
                                 filename="b.zip", today=TODAY)
    assert (result.added, result.held, result.unchanged) == (1, 1, 2), preview.report_lines()
    note = next(n for n in preview.notes if "Năm 2024 đã khóa sổ" in n)
    assert f"Bản gửi của Sùng A Lử ({late.instance_id})" in note
    assert "đã khóa sổ" in _held(engine)[late.instance_id]


def test_the_command_line_lists_the_held_submissions(db_url, monkeypatch, tmp_path, capsys, form_xlsx):
    from data_model.cli.main import main

    monkeypatch.setenv("DATABASE_URL", db_url)
    bad = outreach(7, outreach_session__attendances=300000)
    bad.submitter = "Giàng A Sử"
    export = tmp_path / "hoat_dong.zip"
    export.write_bytes(central_zip(form_xlsx, [outreach(5), bad]))
    assert main(["import", str(export), "--dry-run"]) == 0
    assert "1 bản gửi có lỗi sẽ được giữ lại, không nhập." in capsys.readouterr().out
    assert main(["import", str(export)]) == 0
    out = capsys.readouterr().out
    assert "Đã thêm 1 hoạt động" in out and "Giữ lại 1 bản gửi" in out
    assert main(["import", "--held"]) == 0
    out = capsys.readouterr().out
    assert "1 bản gửi bị giữ lại" in out
    line = next(line for line in out.splitlines() if bad.instance_id in line)
    assert line.startswith("- Giàng A Sử") and "«g_outreach_session-outreach_session__attendances»" in line \
        and "300.000" in line and "hoat_dong.zip" in line
    assert main(["import"]) == 2


def test_a_rejection_on_the_server_leaves_a_closed_years_record_as_published(engine, form_xlsx):
    from data_model.reporting.year_close import close_year
    from data_model.schema.db import write_session

    subs = [outreach(5), patrol()]
    run_import(engine=engine, actor=SYSTEM, data=central_zip(form_xlsx, subs), filename="a.zip", today=TODAY)
    with write_session(engine) as session:
        close_year(session=session, actor=SYSTEM, year=2024)
    subs[0].review = "rejected"
    preview, result = run_import(engine=engine, actor=SYSTEM, data=central_zip(form_xlsx, subs), filename="b.zip",
                                 today=TODAY)
    assert (result.withdrawn, result.held) == (0, 1), preview.report_lines()
    assert uid_of_instance(subs[0].instance_id) in {u for u, r in _records(engine).items() if r.deleted_at is None}
    assert "đã khóa sổ" in _held(engine)[subs[0].instance_id]
    with read_session(engine) as session:
        assert summary_mismatches(session) == []
