"""An import's write phase: the write lock only while writing, re-checks of what changed since, concurrent imports."""
from __future__ import annotations

import csv
import datetime as dt
import io
import threading

import pytest
from conftest import PG_URL
from entry_helpers import count_records, outreach, summary_mismatches, unit_id
from sqlalchemy import func, select

from data_model.basics.permissions import SYSTEM, PermissionDenied
from data_model.files.records_import import ImportConflict, preview_import, write_import
from data_model.files.records_import import preview as import_preview
from data_model.files.records_import import write as import_write
from data_model.records.write import create_record, delete_record, update_record
from data_model.schema.db import build_engine, read_session, write_session
from data_model.schema.models import ActivityRecord, ImportBatch

TODAY = dt.date(2025, 12, 31)
HEADER = ["Loại hoạt động", "Ngày bắt đầu", "Đơn vị thực hiện", "Xã", "Số buổi", "Lượt người nghe"]


def _csv(n: int, unit: str = "st_ka_lang") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for i in range(n):
        writer.writerow(["outreach_session", f"{1 + i % 28:02d}/03/2024", unit, "Ka Lăng", 1, 10 + i])
    return out.getvalue().encode("utf-8-sig")


def test_reading_the_file_does_not_hold_the_write_lock(engine, db_url, monkeypatch, tmp_path, capsys):
    """While the importer reads, matches and checks the file, another writer with a short busy timeout still writes."""
    from data_model.cli.main import main

    monkeypatch.setenv("DATABASE_URL", db_url)
    path = tmp_path / "tep.csv"
    path.write_bytes(_csv(5))
    other = build_engine(url=db_url, busy_timeout_s=0.5)
    written: list[object] = []
    real_load = import_preview.load_catalogue

    def load_then_let_someone_write(**kw):
        catalogue = real_load(**kw)  # the importer has now used its session: on SQLite, its transaction is open
        try:
            with write_session(other) as s:
                written.append(create_record(session=s, actor=SYSTEM, values=outreach(unit_id(s)), today=TODAY))
        except Exception as exc:  # "database is locked" when the import already holds the write lock
            written.append(exc)
        return catalogue

    monkeypatch.setattr(import_preview, "load_catalogue", load_then_let_someone_write)
    try:
        assert main(["import", str(path)]) == 0
    finally:
        other.dispose()
    assert len(written) == 1 and isinstance(written[0], int), written
    assert "Đã thêm 5 hoạt động" in capsys.readouterr().out


def test_a_record_changed_after_the_check_is_not_overwritten(engine):
    with write_session(engine) as s:
        rid = create_record(session=s, actor=SYSTEM, values=outreach(unit_id(s)), today=TODAY)
    from data_model.files.export import ExportFilters, export_frame

    with read_session(engine) as s:
        frame = export_frame(session=s, filters=ExportFilters())
    frame.loc[0, "Lượt người nghe"] = 555
    data = frame.to_csv(index=False).encode()
    with read_session(engine) as s:
        preview = preview_import(session=s, actor=SYSTEM, data=data, filename="sua.csv", today=TODAY)
    assert preview.counts()["update"] == 1
    with write_session(engine) as s:  # someone else edits the same record meanwhile
        update_record(session=s, actor=SYSTEM, record_id=rid, values={**outreach(unit_id(s)), "attendances": 321},
                      today=TODAY)
    with pytest.raises(ImportConflict, match="vừa được sửa hoặc xóa"):
        write_import(engine=engine, actor=SYSTEM, preview=preview)
    with read_session(engine) as s:
        assert s.get(ActivityRecord, rid).m2 == 321
    with write_session(engine) as s:
        delete_record(session=s, actor=SYSTEM, record_id=rid, reason="nhầm")
    with read_session(engine) as s:  # a fresh check says what happens now
        again = preview_import(session=s, actor=SYSTEM, data=data, filename="sua.csv", today=TODAY)
    assert again.counts()["skip"] == 1


def test_a_user_whose_rights_changed_after_the_check_writes_nothing(engine):
    from data_model.accounts.users import create_user, to_actor, update_user
    from data_model.schema.models import User

    with write_session(engine) as s:
        unit = unit_id(s)
        uid = create_user(session=s, actor=SYSTEM, username="nhap_lieu", password="Mat-khau-rat-dai-9",
                          role="staff", unit_keys=["st_ka_lang"])
        clerk = to_actor(s.get(User, uid))
    assert unit in clerk.unit_ids
    with read_session(engine) as s:
        preview = preview_import(session=s, actor=clerk, data=_csv(3), filename="tep.csv", today=TODAY)
    assert preview.ok
    with write_session(engine) as s:  # moved to another station meanwhile
        update_user(session=s, actor=SYSTEM, username="nhap_lieu", unit_keys=["st_mu_ca"])
    with pytest.raises(PermissionDenied):
        write_import(engine=engine, actor=clerk, preview=preview)
    with write_session(engine) as s:  # back, then deactivated
        update_user(session=s, actor=SYSTEM, username="nhap_lieu", unit_keys=["st_ka_lang"], active=False)
    with pytest.raises(PermissionDenied):
        write_import(engine=engine, actor=clerk, preview=preview)
    with read_session(engine) as s:
        assert count_records(s) == 0


def test_the_same_file_written_twice_after_one_check_is_refused_the_second_time(engine):
    data = _csv(4)
    with read_session(engine) as s:
        first = preview_import(session=s, actor=SYSTEM, data=data, filename="tep.csv", today=TODAY)
        second = preview_import(session=s, actor=SYSTEM, data=data, filename="tep.csv", today=TODAY)
    assert write_import(engine=engine, actor=SYSTEM, preview=first).added == 4
    with pytest.raises(ImportConflict, match="người khác nhập"):
        write_import(engine=engine, actor=SYSTEM, preview=second)
    with read_session(engine) as s:
        assert count_records(s) == 4 and summary_mismatches(s) == []


@pytest.mark.skipif(not PG_URL, reason="SQLite serialises writers at BEGIN IMMEDIATE: the loser re-checks and is "
                    "refused before writing (test above); only PostgreSQL lets both reach the insert")
def test_two_processes_importing_the_same_new_file_on_postgresql(db_url, engine, monkeypatch, tmp_path, capsys):
    from data_model.cli.main import main

    monkeypatch.setenv("DATABASE_URL", db_url)
    path = tmp_path / "cung_tep.csv"
    path.write_bytes(_csv(50))
    both_checked = threading.Barrier(2, timeout=30)
    real_insert = import_write.insert_records

    def insert_together(**kw):
        both_checked.wait()  # both passed every check; now both insert the same rows
        return real_insert(**kw)

    monkeypatch.setattr(import_write, "insert_records", insert_together)
    statuses: list[int] = []
    threads = [threading.Thread(target=lambda: statuses.append(main(["import", str(path)]))) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    out, err = capsys.readouterr()
    assert sorted(statuses) == [0, 1], (out, err)
    assert "Tệp này đang được người khác nhập" in err and "Traceback" not in err and "UniqueViolation" not in err
    with read_session(engine) as s:
        assert count_records(s) == 50
        assert s.scalar(select(func.count()).select_from(ImportBatch)) == 1
        assert summary_mismatches(s) == []
