"""`python -m data_model check [--repair]`: summaries compared with the records, damage named and repaired."""
from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time

import pytest
from entry_helpers import KA_LANG, MU_CA, outreach, patrol, staff, unit_id, village_id
from sqlalchemy import func, select, text

from data_model.analytics.filters import Filters
from data_model.analytics.summary import summarise
from data_model.basics.permissions import SYSTEM, PermissionDenied
from data_model.cli.main import main
from data_model.records.bulk import insert_records
from data_model.records.summary_check import LISTED_PER_TABLE, check_derived_tables, repair_derived_tables
from data_model.records.write import create_record, delete_record
from data_model.schema.db import build_engine, read_session, write_session
from data_model.schema.models import ActivityRecord, ActivitySummary, ChangeLog, LanguageSummary
from data_model.schema.settings import PROJECT_ROOT


def run(monkeypatch, capsys, url, *argv):
    monkeypatch.setenv("DATABASE_URL", url)
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def filled(engine):
    """An outreach session in Xi Nế (Mù Cả) in Vietnamese and Mông, and a month of patrols in Ka Lăng."""
    with write_session(engine) as s:
        create_record(session=s, actor=SYSTEM, values=outreach(
            unit_id(s, "st_mu_ca"), commune_key=MU_CA, village_id=village_id(s, "Xi Nế"), languages="vi,mong"))
        create_record(session=s, actor=SYSTEM, values=patrol(unit_id(s), commune_key=KA_LANG))
    return engine


def _attendances(engine) -> int:
    with read_session(engine) as s:
        frame = summarise(session=s, filters=Filters(2024, 2024), by="type")
    return int(frame[(frame.type == "outreach_session") & (frame.measure == "attendances")].value.sum())


TAMPERING = {
    "a changed figure": (
        "UPDATE activity_summary SET s2 = s2 + 7 WHERE type_code = 'outreach_session'",
        "(activity_summary): 1 dòng lệch",
        "năm 2024, Tuyên truyền tại bản, xã Mù Cả, đơn vị Đồn Biên phòng Mù Cả: lượt người nghe đang ghi 127, "
        "đúng là 120"),
    "a missing row": (
        "DELETE FROM village_summary",
        "(village_summary): 1 dòng lệch",
        "năm 2024, Tuyên truyền tại bản, bản Xi Nế: thiếu dòng (đúng là: số bản ghi 1, số buổi 2, "
        "lượt người nghe 120)"),
    "an extra row": (
        "INSERT INTO language_summary (year, type_code, commune_key, language, n_records, s1) "
        "VALUES (2030, 'patrol', '', 'mong', 2, 7)",
        "(language_summary): 1 dòng lệch",
        "năm 2030, Tuần tra bảo vệ biên giới, không ghi xã, Tiếng Mông: dòng thừa (số bản ghi 2"),
    "a lost language row": (
        "DELETE FROM record_language WHERE language = 'mong'",
        "(record_language): 1 dòng lệch",
        "Tiếng Mông: thiếu dòng"),
}


@pytest.mark.parametrize("damage", TAMPERING, ids=list(TAMPERING))
def test_check_names_a_tampered_row_and_repair_makes_the_figures_right(monkeypatch, capsys, db_url, filled, damage):
    sql, table_line, detail = TAMPERING[damage]
    assert run(monkeypatch, capsys, db_url, "check")[:2] == (0, "Các bảng tổng hợp khớp với bản ghi: không có chênh "
                                                                 "lệch.\n")
    with filled.begin() as conn:
        conn.execute(text(sql))

    status, out, _ = run(monkeypatch, capsys, db_url, "check")
    assert status == 1, out
    assert "lệch so với bản ghi: 1 dòng" in out and table_line in out and detail in out, out
    assert "check --repair" in out

    status, out, _ = run(monkeypatch, capsys, db_url, "check", "--repair")
    assert status == 0, out
    assert "sửa 1 dòng lệch" in out and detail in out, out
    assert run(monkeypatch, capsys, db_url, "check")[0] == 0
    assert _attendances(filled) == 120
    with read_session(filled) as s:
        [entry] = s.scalars(select(ChangeLog).where(ChangeLog.action == "repair")).all()
        assert entry.username == "system" and entry.entity == "summary"
    # nothing left to repair: a second repair changes nothing and says so
    status, out, _ = run(monkeypatch, capsys, db_url, "check", "--repair")
    assert status == 0 and "không có gì cần sửa" in out


def test_a_repaired_language_row_brings_its_summary_back(monkeypatch, capsys, db_url, filled):
    """Both record_language and language_summary lost Mông: the repair rebuilds the first, then the second."""
    with filled.begin() as conn:
        conn.execute(text("DELETE FROM record_language WHERE language = 'mong'"))
        conn.execute(text("DELETE FROM language_summary WHERE language = 'mong'"))
    status, out, _ = run(monkeypatch, capsys, db_url, "check")
    assert status == 1 and "(record_language): 1 dòng lệch" in out and "(language_summary): 1 dòng lệch" in out, out
    assert run(monkeypatch, capsys, db_url, "check", "--repair")[0] == 0
    with read_session(filled) as s:
        assert check_derived_tables(session=s).ok
        assert s.execute(select(LanguageSummary.n_records, LanguageSummary.s1)
                         .where(LanguageSummary.language == "mong")).all() == [(1, 2)]


def test_the_listing_is_capped_and_says_how_many_more(monkeypatch, capsys, db_url, engine):
    with write_session(engine) as s:
        unit = unit_id(s, "st_mu_ca")
        rows = [dict(type_code="outreach_session", start_date=dt.date(year, 3, 1), end_date=dt.date(year, 3, 1),
                     reporting_unit_id=unit, commune_key=commune, m1=1, m2=10)
                for year in range(2012, 2025) for commune in (MU_CA, KA_LANG)]
        insert_records(session=s, rows=rows)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM activity_summary"))
    status, out, _ = run(monkeypatch, capsys, db_url, "check")
    assert status == 1
    assert "(activity_summary): 26 dòng lệch" in out
    assert out.count("thiếu dòng") == LISTED_PER_TABLE
    assert f"… và {26 - LISTED_PER_TABLE} dòng lệch khác" in out
    assert run(monkeypatch, capsys, db_url, "check", "--repair")[0] == 0
    with read_session(engine) as s:
        assert s.scalar(select(func.sum(ActivitySummary.n_records))) == 26


def test_only_an_admin_may_repair(filled):
    with write_session(filled) as s:
        s.execute(text("DELETE FROM village_summary"))
        mu_ca_staff = staff(unit_id(s, "st_mu_ca"))
    with pytest.raises(PermissionDenied), write_session(filled) as s:
        repair_derived_tables(session=s, actor=mu_ca_staff)
    with read_session(filled) as s:
        assert [t.count for t in check_derived_tables(session=s).tables if t.table == "village_summary"] == [1]


def test_rows_of_zeros_left_by_a_delete_are_no_difference(engine):
    with write_session(engine) as s:
        rid = create_record(session=s, actor=SYSTEM, values=outreach(unit_id(s)))
        delete_record(session=s, actor=SYSTEM, record_id=rid, reason="nhập nhầm")
    with read_session(engine) as s:
        assert s.scalar(select(func.count()).select_from(ActivitySummary).where(ActivitySummary.n_records == 0)) == 1
        assert check_derived_tables(session=s).ok


def test_generate_killed_mid_way_leaves_summaries_that_match(monkeypatch, capsys, db_url):
    """kill -9 after the first committed batch: whatever was committed is in the summaries too."""
    wanted = 200_000
    engine = build_engine(url=db_url)
    proc = subprocess.Popen([sys.executable, "-m", "data_model", "generate", "--records", str(wanted)],
                            cwd=PROJECT_ROOT, env={**os.environ, "DATABASE_URL": db_url},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and proc.poll() is None:
            with read_session(engine) as s:
                if s.scalar(select(func.count()).select_from(ActivityRecord)):
                    break
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read()
    with read_session(engine) as s:
        committed = s.scalar(select(func.count()).select_from(ActivityRecord))
    engine.dispose()
    assert 0 < committed < wanted
    status, out, _ = run(monkeypatch, capsys, db_url, "check")
    assert status == 0, out
    assert run(monkeypatch, capsys, db_url, "summary", "--from", "2012", "--to", "2025", "--by", "type")[0] == 0
