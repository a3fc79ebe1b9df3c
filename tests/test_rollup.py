"""activity_rollup: (year, type, unit) totals kept exact in the writer's transaction, checked, read by the overview."""
from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from entry_helpers import MU_CA, outreach, patrol, unit_id
from sqlalchemy import func, select, text

from data_model.analytics.filters import Filters
from data_model.analytics.overview import build_overview, yearly_series
from data_model.basics.permissions import SYSTEM
from data_model.cli.main import main
from data_model.records.summary_check import check_derived_tables, describe_check
from data_model.records.write import create_record, delete_record, restore_record, update_record
from data_model.schema.db import read_session, write_session
from data_model.schema.models import ActivityRecord, ActivityRollup, ActivitySummary

TODAY = dt.date(2025, 12, 31)
VALUES = ("n_records", "s1", "s2", "s3", "s4", "s5", "s6")


def _rollup(engine) -> dict[tuple, tuple]:
    """The stored rollup, rows of zeros left out."""
    r = ActivityRollup
    with read_session(engine) as s:
        rows = s.execute(select(r.year, r.type_code, r.reporting_unit_id, *[getattr(r, c) for c in VALUES])).all()
    return {tuple(row[:3]): tuple(row[3:]) for row in rows if any(row[3:])}


def _from_summary(engine) -> dict[tuple, tuple]:
    """The rollup as activity_summary adds up to it (itself checked against the records by `check`)."""
    s_ = ActivitySummary
    with read_session(engine) as s:
        rows = s.execute(select(s_.year, s_.type_code, s_.reporting_unit_id,
                                *[func.sum(getattr(s_, c)) for c in VALUES])
                         .group_by(s_.year, s_.type_code, s_.reporting_unit_id)).all()
    return {tuple(row[:3]): tuple(int(v) for v in row[3:]) for row in rows if any(row[3:])}


def _assert_exact(engine) -> None:
    with read_session(engine) as s:
        assert describe_check(check_derived_tables(session=s)) == []
    assert _rollup(engine) == _from_summary(engine)


def _csv(n: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Loại hoạt động", "Ngày bắt đầu", "Đơn vị thực hiện", "Xã", "Số buổi", "Lượt người nghe"])
    for i in range(n):
        writer.writerow(["outreach_session", f"{1 + i % 28:02d}/0{1 + i % 9}/20{20 + i % 5}",
                         "st_ka_lang" if i % 2 else "st_mu_ca", "Ka Lăng", 1, 10 + i])
    return out.getvalue().encode("utf-8-sig")


def test_rollup_stays_exact_through_entry_edit_delete_and_restore(engine):
    with write_session(engine) as s:
        first = create_record(confirm_warnings=True, session=s, actor=SYSTEM, values=outreach(unit_id(s)), today=TODAY)
        second = create_record(confirm_warnings=True, session=s, actor=SYSTEM, values=patrol(unit_id(s, "st_mu_ca"), commune_key=MU_CA),
                               today=TODAY)
        create_record(confirm_warnings=True, session=s, actor=SYSTEM, values=outreach(unit_id(s), commune_key=MU_CA, attendances=7),
                      today=TODAY, confirm_duplicate=True)
    _assert_exact(engine)
    with read_session(engine) as s:
        ka_lang = unit_id(s)
    assert _rollup(engine)[(2024, "outreach_session", ka_lang)][:3] == (2, 4, 127)  # two communes, one unit row
    with write_session(engine) as s:  # moved to another unit and year, figures changed
        update_record(session=s, actor=SYSTEM, record_id=first, today=TODAY, confirm_duplicate=True,
                      values=outreach(unit_id(s, "st_mu_ca"), start_date=dt.date(2023, 5, 1),
                                      end_date=dt.date(2023, 5, 1), attendances=99))
    _assert_exact(engine)
    with write_session(engine) as s:
        delete_record(session=s, actor=SYSTEM, record_id=second, reason="nhập nhầm")
    _assert_exact(engine)
    assert not any(k[1] == "patrol" for k in _rollup(engine))
    with write_session(engine) as s:
        restore_record(session=s, actor=SYSTEM, record_id=second)
    _assert_exact(engine)
    assert (2024, "patrol", _unit(engine, "st_mu_ca")) in _rollup(engine)


def _unit(engine, key: str) -> int:
    with read_session(engine) as s:
        return unit_id(s, key)


def test_rollup_stays_exact_through_an_import_and_a_reimport_of_edited_rows(engine, db_url, monkeypatch, tmp_path,
                                                                            capsys):
    monkeypatch.setenv("DATABASE_URL", db_url)
    source = tmp_path / "tep.csv"
    source.write_bytes(_csv(40))
    assert main(["import", str(source)]) == 0
    _assert_exact(engine)
    assert sum(v[0] for v in _rollup(engine).values()) == 40
    exported = tmp_path / "xuat.csv"
    assert main(["export", "--out", str(exported)]) == 0
    with exported.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    attendance = rows[0].index("Lượt người nghe")
    for row in rows[1:]:
        row[attendance] = "5"
    with exported.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(rows)
    capsys.readouterr()
    assert main(["import", str(exported)]) == 0
    _assert_exact(engine)
    assert sum(v[2] for v in _rollup(engine).values()) == 5 * 40


def test_rollup_after_generate_and_a_rebuild_matches(db_url, engine, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", db_url)
    assert main(["generate", "--records", "500", "--seed", "3"]) == 0
    _assert_exact(engine)
    assert sum(v[0] for v in _rollup(engine).values()) == 500


def test_check_names_a_damaged_rollup_row_and_repair_rebuilds_it(engine, db_url, monkeypatch, capsys):
    with write_session(engine) as s:
        create_record(confirm_warnings=True, session=s, actor=SYSTEM, values=patrol(unit_id(s)), today=TODAY)
    with engine.begin() as conn:
        conn.execute(text("UPDATE activity_rollup SET s1 = s1 + 3"))
    monkeypatch.setenv("DATABASE_URL", db_url)
    capsys.readouterr()
    assert main(["check"]) == 1
    out = capsys.readouterr().out
    assert "(activity_rollup): 1 dòng lệch" in out
    assert "năm 2024, Tuần tra bảo vệ biên giới, đơn vị Đồn Biên phòng Ka Lăng" in out
    assert main(["check", "--repair"]) == 0
    capsys.readouterr()
    assert main(["check"]) == 0
    _assert_exact(engine)


def test_overview_and_trends_read_the_rollup_and_agree_with_the_commune_path(demo_db_url):
    from data_model.schema.db import build_engine

    engine = build_engine(url=demo_db_url)
    try:
        with read_session(engine) as s:
            whole = yearly_series(session=s, filters=Filters(2012, 2025))
            # a commune filter over every commune goes through activity_summary: the same totals
            communes = tuple(k for k in s.scalars(select(ActivityRecord.commune_key).distinct()) if k)
            overview = build_overview(session=s, filters=Filters(2012, 2025), year=2020)
        with read_session(engine) as s:
            by_communes = yearly_series(session=s, filters=Filters(2012, 2025, communes=communes))
        with engine.begin() as conn:  # records without a commune are the only difference between the two
            no_commune = conn.execute(text("SELECT COUNT(*) FROM activity_record WHERE commune_key IS NULL "
                                           "AND deleted_at IS NULL")).scalar()
        if not no_commune:
            assert whole.equals(by_communes)
        assert int(whole["value"].sum()) >= int(by_communes["value"].sum()) > 0
        assert not overview.kpis.empty and overview.sentence.startswith("Giai đoạn 2012–2025")
    finally:
        engine.dispose()


@pytest.mark.parametrize("by, table", [((), "activity_rollup"), (("year",), "activity_rollup"),
                                       (("station",), "activity_rollup"), (("commune",), "activity_summary"),
                                       (("district",), "activity_summary")])
def test_the_statement_reads_the_smallest_table_that_answers(by, table):
    from data_model.analytics.filters import ResolvedFilters
    from data_model.analytics.statements import grouped_statement

    resolved = ResolvedFilters(year_from=2012, year_to=2020, types=None, commune_keys=None, unit_ids=None,
                               boundaries="historical", on=dt.date(2026, 1, 1))
    sql = str(grouped_statement(resolved=resolved, by=by))
    assert f"FROM {table}" in sql
    assert ("activity_summary" if table == "activity_rollup" else "activity_rollup") not in sql
