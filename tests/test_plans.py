"""Plans and targets: entering and correcting targets (planners and admins, change log), the plan file (template,
import with row messages, all or nothing, twice changes nothing), progress equal to `summary`, the CLI, the report."""
from __future__ import annotations

import datetime as dt
import io
import json

import pandas as pd
import pytest
from sqlalchemy import func, select

from data_model.accounts.users import create_user, to_actor
from data_model.basics.permissions import SYSTEM, Actor, PermissionDenied
from data_model.cli.main import main
from data_model.files.tabular import ImportRejected
from data_model.plans.plan_file import import_plan, plan_template, preview_plan
from data_model.plans.progress import behind_plan, expected_share, progress, ranking_with_progress
from data_model.plans.targets import PlanError, list_targets, set_target
from data_model.records.bulk import insert_records
from data_model.report import Period, Scope, make_report, render
from data_model.schema.db import read_session, write_session
from data_model.schema.models import ChangeLog, ReportingUnit, User
from data_model.schema.planning import Target

KA_LANG, MU_CA = "c03439@1900", "c03451@1900"
HEADER = "Năm,Mã,Đơn vị,Xã,Loại hoạt động,Chỉ tiêu,Kế hoạch,Đơn vị tính,Ghi chú\n"


def _csv(*rows: str) -> bytes:
    return (HEADER + "\n".join(rows) + "\n").encode("utf-8")


def _record(type_code: str, year: int, unit_id: int, commune: str | None, measures: list[int], month: int = 3) -> dict:
    day = dt.date(year, month, 1)
    row = dict(type_code=type_code, start_date=day, end_date=day, year=year, reporting_unit_id=unit_id,
               commune_key=commune)
    row.update({f"m{i}": v for i, v in enumerate(measures, start=1)})
    return row


@pytest.fixture
def people(engine) -> dict[str, Actor]:
    """A planner, an official and a staff member."""
    actors = {}
    with write_session(engine) as s:
        for role in ("planner", "official", "staff"):
            create_user(session=s, actor=SYSTEM, username=f"u_{role}", password=f"mat-khau-{role}-9x", role=role,
                        unit_keys=["st_dao_san"] if role == "staff" else [])
    with read_session(engine) as s:
        for role in ("planner", "official", "staff"):
            actors[role] = to_actor(s.scalars(select(User).where(User.username == f"u_{role}")).one())
    return actors


@pytest.fixture
def done(engine) -> dict[str, int]:
    """2024: Ka Lăng station 12 + 8 outreach sessions in Ka Lăng commune, Mù Cả station 5 in Mù Cả commune."""
    with write_session(engine) as s:
        unit = {u.key: u.id for u in s.scalars(select(ReportingUnit))}
        insert_records(session=s, rows=[
            _record("outreach_session", 2024, unit["st_ka_lang"], KA_LANG, [12, 300]),
            _record("outreach_session", 2024, unit["st_ka_lang"], KA_LANG, [8, 200], month=9),
            _record("outreach_session", 2024, unit["st_mu_ca"], MU_CA, [5, 100]),
        ])
    return unit


def _count(engine, model, *where) -> int:
    with read_session(engine) as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


# ---------------------------------------------------------------- entering targets

def test_planner_enters_corrects_and_removes_a_target_each_in_the_change_log(engine, people):
    planner = people["planner"]
    args = dict(year=2024, level="unit", scope_key="st_ka_lang", type_code="outreach_session", measure="sessions")
    steps = [(25, "new"), (25, "unchanged"), (30, "update"), (None, "delete"), (None, "unchanged")]
    for value, outcome in steps:
        with write_session(engine) as s:
            assert set_target(session=s, actor=planner, value=value, **args) == outcome
    with read_session(engine) as s:
        log = list(s.scalars(select(ChangeLog).where(ChangeLog.entity == "target").order_by(ChangeLog.id)))
    assert [e.action for e in log] == ["create", "update", "delete"]
    assert all(e.username == "u_planner" for e in log)
    assert log[1].entity_id == "2024/unit:st_ka_lang/outreach_session/sessions"
    assert json.loads(log[1].old_values) == {"value": 25} and json.loads(log[1].new_values) == {"value": 30}


@pytest.mark.parametrize("role", ["official", "staff"])
def test_only_planners_and_admins_change_targets(engine, people, role):
    with pytest.raises(PermissionDenied), write_session(engine) as s:
        set_target(session=s, actor=people[role], year=2024, level="province", scope_key="",
                   type_code="outreach_session", measure="sessions", value=10)
    assert _count(engine, Target) == 0


@pytest.mark.parametrize("change, message", [
    ({"year": 1980}, "Năm: phải từ 1990"),
    ({"type_code": "dance"}, "Loại hoạt động"),
    ({"measure": "copies"}, "Chỉ tiêu"),
    ({"level": "unit", "scope_key": "st_nowhere"}, "Đơn vị: không có"),
    ({"level": "commune", "scope_key": "c99999@1900"}, "Xã: không có"),
    ({"level": "district"}, "Cấp"),
    ({"value": -1}, "Kế hoạch: phải từ 0"),
    ({"value": "nhiều"}, "Kế hoạch"),
])
def test_bad_target_names_its_field_and_writes_nothing(engine, change, message):
    args = dict(year=2024, level="province", scope_key="", type_code="outreach_session", measure="sessions",
                value=10) | change
    with pytest.raises(PlanError, match=message), write_session(engine) as s:
        set_target(session=s, actor=SYSTEM, **args)
    assert _count(engine, Target) == 0


def test_a_loudspeaker_cluster_gets_no_target_of_its_own(shared_demo):
    cluster = shared_demo.scalar(select(ReportingUnit.key).where(ReportingUnit.kind == "loudspeaker_cluster"))
    with pytest.raises(PlanError, match="cụm loa"):
        set_target(session=shared_demo, actor=SYSTEM, year=2024, level="unit", scope_key=cluster,
                   type_code="loudspeaker_broadcast", measure="sessions", value=10)
    shared_demo.rollback()


# ---------------------------------------------------------------- the plan file

def test_template_has_a_row_per_unit_type_and_measure_with_current_targets(engine):
    with write_session(engine) as s:
        set_target(session=s, actor=SYSTEM, year=2024, level="unit", scope_key="st_ka_lang",
                   type_code="outreach_session", measure="sessions", value=25)
    with read_session(engine) as s:
        frame = pd.read_csv(io.BytesIO(plan_template(session=s, year=2024, fmt="csv")), encoding="utf-8-sig")
        xlsx = plan_template(session=s, year=2024, fmt="xlsx")
    assert list(frame.columns) == HEADER.strip().split(",")
    filled = frame[frame["Kế hoạch"].notna()]
    assert filled[["Mã", "Loại hoạt động", "Chỉ tiêu", "Kế hoạch"]].values.tolist() == [
        ["st_ka_lang", "Tuyên truyền tại bản", "Số buổi", 25]]
    ka_lang = frame[frame["Mã"] == "st_ka_lang"]
    assert ("Tuần tra bảo vệ biên giới", "Số lần tuần tra") in set(zip(ka_lang["Loại hoạt động"], ka_lang["Chỉ tiêu"]))
    assert (frame["Mã"] == "province").sum() > 10 and xlsx[:2] == b"PK"


def test_import_a_plan_then_again_changes_nothing(engine, people):
    data = _csv("2024,,Toàn tỉnh,,Tuyên truyền tại bản,Số buổi,1.200,buổi,",
                "2024,,Đồn Biên phòng Ka Lăng,,Tuyên truyền tại bản,Số buổi,25,,",
                "2024,,Mù Cả,,Tuyên truyền tại bản,Lượt người nghe,\"1.000\",,",
                "2024,,,Ka Lăng,outreach_session,sessions,10,,theo xã",
                "2024,,Pa Ủ,,Tuyên truyền tại bản,Số buổi,,,")  # blank: skipped
    with write_session(engine) as s:
        first = import_plan(session=s, actor=people["planner"], data=data, filename="ke-hoach.csv")
    assert first.counts()["new"] == 4 and first.counts()["skip"] == 1
    with read_session(engine) as s:
        targets = list_targets(session=s, year=2024)
    assert sorted(zip(targets["level"], targets["scope_key"], targets["measure"], targets["value"])) == [
        ("commune", KA_LANG, "sessions", 10), ("province", "", "sessions", 1200),
        ("unit", "st_ka_lang", "sessions", 25), ("unit", "st_mu_ca", "attendances", 1000)]
    log_before = _count(engine, ChangeLog)
    with write_session(engine) as s:
        again = import_plan(session=s, actor=people["planner"], data=data, filename="ke-hoach.csv")
    assert again.counts()["unchanged"] == 4 and again.counts()["new"] == again.counts()["update"] == 0
    assert _count(engine, Target) == 4 and _count(engine, ChangeLog) == log_before


def test_a_file_with_one_bad_row_writes_nothing_and_names_row_and_column(engine, people):
    data = _csv("2024,,Toàn tỉnh,,Tuyên truyền tại bản,Số buổi,1200,,",
                "2024,,Đồn Không Có,,Tuyên truyền tại bản,Số buổi,5,,",
                "2024,,Toàn tỉnh,,Tuyên truyền tại bản,Số lượt,5,,",
                "2024,,Toàn tỉnh,,Tuyên truyền tại bản,Lượt người nghe,năm,,",
                "2024,,Toàn tỉnh,,Tuyên truyền tại bản,Số buổi,1300,,")
    with pytest.raises(ImportRejected) as caught, write_session(engine) as s:
        import_plan(session=s, actor=people["planner"], data=data, filename="ke-hoach.csv")
    lines = caught.value.preview.error_lines()
    assert any("dòng 3" in line and "«Đơn vị»" in line and "không tìm thấy đơn vị" in line for line in lines)
    assert any("dòng 4" in line and "«Chỉ tiêu»" in line for line in lines)
    assert any("dòng 5" in line and "«Kế hoạch»" in line and "không phải số" in line for line in lines)
    assert any("dòng 6" in line and "trùng với dòng 2" in line for line in lines)
    table = caught.value.preview.table()
    assert table.loc[table["row"] == 5, "status"].tolist() == ["Lỗi"]  # not "skipped" for want of a figure
    assert _count(engine, Target) == 0


def test_staff_cannot_import_a_plan(engine, people):
    with pytest.raises(PermissionDenied), write_session(engine) as s:
        import_plan(session=s, actor=people["staff"], data=_csv("2024,,,,Tuyên truyền tại bản,Số buổi,5,,"),
                    filename="x.csv")
    assert _count(engine, Target) == 0


def test_an_exported_plan_reimports_to_the_same_targets(engine):
    with write_session(engine) as s:
        set_target(session=s, actor=SYSTEM, year=2024, level="commune", scope_key=KA_LANG,
                   type_code="outreach_session", measure="sessions", value=7, note="=cẩn thận")
        set_target(session=s, actor=SYSTEM, year=2024, level="province", scope_key="",
                   type_code="patrol", measure="patrols", value=3000)
    with read_session(engine) as s:
        for fmt in ("csv", "xlsx"):
            preview = preview_plan(session=s, data=plan_template(session=s, year=2024, fmt=fmt),
                                   filename=f"ke-hoach.{fmt}")
            assert preview.ok, preview.error_lines()
            assert preview.counts()["unchanged"] == 2 and preview.counts()["new"] == 0


# ---------------------------------------------------------------- progress

@pytest.mark.parametrize("year, today, share", [
    (2024, dt.date(2026, 11, 30), None), (2026, dt.date(2026, 1, 20), 0.0), (2026, dt.date(2026, 7, 5), 0.5),
    (2026, dt.date(2026, 12, 31), 11 / 12), (2027, dt.date(2026, 5, 1), 0.0),
])
def test_share_expected_by_today_is_pro_rata_by_months_past(year, today, share):
    assert expected_share(year=year, today=today) == share


def test_progress_actual_is_the_summary_figure(engine, done, monkeypatch, capsys):
    with write_session(engine) as s:
        for level, key, value in (("province", "", 50), ("unit", "st_ka_lang", 16), ("unit", "st_mu_ca", 10),
                                  ("commune", KA_LANG, 20)):
            set_target(session=s, actor=SYSTEM, year=2024, level=level, scope_key=key, type_code="outreach_session",
                       measure="sessions", value=value)
    with read_session(engine) as s:
        stations = progress(session=s, year=2024, by="station", today=dt.date(2025, 3, 1))
        province = progress(session=s, year=2024, by="province", today=dt.date(2025, 3, 1))
        communes = progress(session=s, year=2024, by="commune", today=dt.date(2025, 3, 1))
        behind = behind_plan(session=s, year=2024, today=dt.date(2025, 3, 1))
    assert dict(zip(stations["key"], stations["actual"])) == {"st_ka_lang": 20, "st_mu_ca": 5}
    assert dict(zip(stations["key"], stations["percent"])) == {"st_ka_lang": 125.0, "st_mu_ca": 50.0}
    assert province[["target", "actual", "percent"]].values.tolist() == [[50, 25, 50.0]]
    assert communes[["key", "actual", "behind"]].values.tolist() == [[KA_LANG, 20, False]]
    assert sorted(zip(behind["level"], behind["key"])) == [("province", "province"), ("unit", "st_mu_ca")]
    monkeypatch.setenv("DATABASE_URL", str(engine.url.render_as_string(hide_password=False)))
    assert main(["summary", "--from", "2024", "--to", "2024", "--by", "station", "--format", "json",
                 "--type", "outreach_session"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert {r["station_key"]: r["value"] for r in summary if r["measure"] == "sessions"} == \
        {"st_ka_lang": 20, "st_mu_ca": 5}


def test_current_year_is_behind_only_below_the_share_due(engine, done):
    with write_session(engine) as s:
        set_target(session=s, actor=SYSTEM, year=2024, level="unit", scope_key="st_ka_lang",
                   type_code="outreach_session", measure="sessions", value=30)
    with read_session(engine) as s:
        early = progress(session=s, year=2024, by="station", today=dt.date(2024, 7, 15))  # 6/12 due, 20/30 done
        late = progress(session=s, year=2024, by="station", today=dt.date(2024, 12, 15))  # 11/12 due
    assert early[["expected_percent", "behind"]].values.tolist() == [[50.0, False]]
    assert late["behind"].tolist() == [True]


def test_by_type_uses_the_province_target_else_the_units_added_up(engine, done):
    with write_session(engine) as s:
        set_target(session=s, actor=SYSTEM, year=2024, level="unit", scope_key="st_ka_lang",
                   type_code="outreach_session", measure="sessions", value=16)
        set_target(session=s, actor=SYSTEM, year=2024, level="unit", scope_key="st_mu_ca",
                   type_code="outreach_session", measure="sessions", value=10)
    with read_session(engine) as s:
        by_units = progress(session=s, year=2024, by="type", today=dt.date(2025, 3, 1))
    assert by_units[["target", "actual", "basis"]].values.tolist() == [[26, 25, "units"]]
    with write_session(engine) as s:
        set_target(session=s, actor=SYSTEM, year=2024, level="province", scope_key="",
                   type_code="outreach_session", measure="sessions", value=40)
    with read_session(engine) as s:
        by_province = progress(session=s, year=2024, by="type", today=dt.date(2025, 3, 1))
    assert by_province[["target", "actual", "basis"]].values.tolist() == [[40, 25, "province"]]


def test_station_ranking_gets_plan_columns_where_a_target_exists(engine, done):
    with write_session(engine) as s:
        set_target(session=s, actor=SYSTEM, year=2024, level="unit", scope_key="st_mu_ca",
                   type_code="outreach_session", measure="sessions", value=10)
    ranking = pd.DataFrame({"key": [done["st_ka_lang"], done["st_mu_ca"]], "name": ["Ka Lăng", "Mù Cả"]})
    with read_session(engine) as s:
        out = ranking_with_progress(session=s, ranking=ranking, year=2024, level="unit",
                                    type_code="outreach_session", measure="sessions", today=dt.date(2025, 1, 1))
    assert out["plan_target"].tolist() == [None, 10] and out["plan_behind"].tolist() == [None, True]


# ---------------------------------------------------------------- command line

def test_cli_plan_export_import_and_progress(engine, done, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("DATABASE_URL", str(engine.url.render_as_string(hide_password=False)))
    out = tmp_path / "ke-hoach-2024.csv"
    assert main(["plan", "export", "--year", "2024", "--out", str(out)]) == 0
    frame = pd.read_csv(out, encoding="utf-8-sig", dtype=str)
    row = (frame["Mã"] == "st_ka_lang") & (frame["Loại hoạt động"] == "Tuyên truyền tại bản") & \
        (frame["Chỉ tiêu"] == "Số buổi")
    frame.loc[row, "Kế hoạch"] = "16"
    frame.to_csv(out, index=False, encoding="utf-8-sig")
    capsys.readouterr()
    assert main(["plan", "import", str(out), "--dry-run"]) == 0
    assert "1 chỉ tiêu thêm mới" in capsys.readouterr().out and _count(engine, Target) == 0
    assert main(["plan", "import", str(out)]) == 0
    assert "Đã nhập kế hoạch: 1 chỉ tiêu thêm mới" in capsys.readouterr().out
    assert main(["plan", "import", str(out)]) == 0
    assert "0 chỉ tiêu thêm mới, 0 sửa, 1 không đổi" in capsys.readouterr().out
    assert main(["progress", "--year", "2024", "--by", "station", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["key"], r["target"], r["actual"], r["percent"]) for r in rows] == [("st_ka_lang", 16, 20, 125.0)]
    assert main(["progress", "--year", "2024", "--by", "station"]) == 0
    table = capsys.readouterr().out
    assert "Ka Lăng" in table and "125,0" in table and "Kế hoạch" in table.splitlines()[0]
    assert main(["progress", "--year", "2024", "--by", "station", "--format", "csv"]) == 0
    assert capsys.readouterr().out.startswith("year,level,key,name")


def test_cli_plan_import_refuses_a_bad_file(engine, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("DATABASE_URL", str(engine.url.render_as_string(hide_password=False)))
    bad = tmp_path / "kh.csv"
    bad.write_bytes(_csv("2024,,Toàn tỉnh,,Không có loại này,Số buổi,5,,"))
    assert main(["plan", "import", str(bad)]) == 1
    _, err = capsys.readouterr()
    assert "1 dòng có lỗi, không ghi dòng nào" in err and _count(engine, Target) == 0


# ---------------------------------------------------------------- the report

def test_report_says_how_far_each_planned_line_got(engine, done):
    with write_session(engine) as s:
        set_target(session=s, actor=SYSTEM, year=2024, level="province", scope_key="",
                   type_code="outreach_session", measure="sessions", value=24)
    with read_session(engine) as s:
        _, doc = make_report(session=s, scope=Scope.parse("province"), period=Period(2024, 2024), lang="vi",
                             charts=False, today=dt.date(2025, 1, 10))
    md = render(doc, "md").decode("utf-8")
    assert "Số buổi đạt 104,2% kế hoạch năm." in md
    assert md.lower().count("kế hoạch năm") == 2  # the sentence and the column "Kế hoạch năm"; no plan for other lines
    assert "| Đạt % kế hoạch |" in md and "| 24 | 104,2% |" in md
    assert "Năm 2023 chưa có số liệu để so sánh" in md and "Kỳ trước" not in md


def test_demo_has_plans_2021_to_2025_with_some_units_behind(shared_demo):
    years = sorted({y for (y,) in shared_demo.execute(select(Target.year).distinct())})
    assert years == [2021, 2022, 2023, 2024, 2025]
    behind = behind_plan(session=shared_demo, year=2024, today=dt.date(2026, 1, 1))
    province = progress(session=shared_demo, year=2024, by="province", today=dt.date(2026, 1, 1))
    assert (behind["level"] == "unit").sum() >= 3
    assert 0.85 < (province["actual"].sum() / province["target"].sum()) < 1.25
