"""copy, backup and restore: every row moves, ids go on, a target holding data is refused, the check runs after."""
from __future__ import annotations

import time
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import PG_URL
from sqlalchemy import select
from transfer_helpers import (
    OLD_REVISION,
    Databases,
    Writer,
    add_record,
    archive_of,
    build_older_database,
    contents,
    count_records,
)

from data_model.cli.main import main
from data_model.schema.db import build_engine, read_session
from data_model.schema.migrate import current_revision, head_revision, upgrade_schema
from data_model.schema.models import ActivityRecord, Unit
from data_model.schema.settings import get_settings
from data_model.startup.init_db import initialise_database
from data_model.transfer.backup import backup_database, restore_database
from data_model.transfer.copy import copy_database
from data_model.transfer.tables import TransferError

needs_pg = pytest.mark.skipif(not PG_URL, reason="needs TEST_DATABASE_URL (PostgreSQL)")
PAIRS = [
    pytest.param("sqlite", "sqlite", id="sqlite-sqlite"),
    pytest.param("sqlite", "postgresql", id="sqlite-pg", marks=needs_pg),
    pytest.param("postgresql", "sqlite", id="pg-sqlite", marks=needs_pg),
]
SUITE_ENGINE = "postgresql" if PG_URL else "sqlite"


@pytest.fixture(scope="module")
def dbs(tmp_path_factory):
    factory = Databases(tmp_path_factory.mktemp("transfer"))
    yield factory
    factory.close()


def copy(source_url: str, target_url: str, **kwargs):
    source, target = build_engine(url=source_url), build_engine(url=target_url, create=True)
    try:
        return copy_database(source=source, target=target, **kwargs)
    finally:
        source.dispose()
        target.dispose()


def restore(backup: Path, target_url: str):
    target = build_engine(url=target_url, create=True)
    try:
        return restore_database(backup=backup, target=target)
    finally:
        target.dispose()


def backup(url: str, out: Path):
    engine = build_engine(url=url)
    try:
        return backup_database(engine=engine, out=out)
    finally:
        engine.dispose()


def cli(monkeypatch, capsys, url: str, *argv: str) -> tuple[int, str, str]:
    monkeypatch.setenv("DATABASE_URL", url)
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.parametrize("source_kind, target_kind", PAIRS)
def test_copy_moves_every_row_and_the_target_goes_on(dbs, source_kind, target_kind):
    source = dbs.demo(source_kind)
    add_record(source)  # a change-log entry and summaries made by a user, on top of the demo
    target = dbs.empty(target_kind)
    result = copy(source, target)
    assert result.ok and result.check.ok
    assert result.source_counts == result.target_counts
    assert result.target_counts["activity_record"] == count_records(source) > 10_000
    assert contents(target) == contents(source)  # every row of every table, values and ids as they were
    target_engine = build_engine(url=target)
    try:
        assert current_revision(engine=target_engine) == head_revision()
        with read_session(target_engine) as session:  # the unit tree's self-reference survived
            assert session.scalar(select(Unit.parent_key).where(Unit.key == "c03439@1900")) is not None
        # ids go on after the highest copied one (PostgreSQL sequences reset); init finds everything there
        highest = count_records(target)
        assert add_record(target, 1) > highest
        assert initialise_database(engine=target_engine, reference_dir=get_settings().reference_dir) == {}
    finally:
        target_engine.dispose()


def test_copy_refuses_a_target_holding_data_unless_replace(dbs):
    source, target = dbs.demo("sqlite"), dbs.demo("sqlite")
    add_record(target, 5)
    before = contents(target)
    with pytest.raises(TransferError, match="đã có dữ liệu.*--replace"):
        copy(source, target)
    assert contents(target) == before
    result = copy(source, target, replace=True)
    assert result.ok and contents(target) == contents(source)


def test_copy_refuses_the_same_database(dbs):
    source = dbs.demo("sqlite")
    path = Path(source.removeprefix("sqlite:///"))
    with pytest.raises(TransferError, match="cùng một"):  # the same file, spelled differently
        copy(source, f"sqlite:///{path.parent}/./{path.name}")


def test_copy_command_prints_counts_and_the_check(dbs, monkeypatch, capsys):
    source, target = dbs.demo(SUITE_ENGINE), dbs.empty(SUITE_ENGINE)
    status, out, _ = cli(monkeypatch, capsys, source, "copy", "--to", target)
    assert status == 0
    assert "activity_record" in out and "10.347" in out and "khớp ở cả" in out
    assert "các bảng tổng hợp khớp với bản ghi" in out
    status, _, err = cli(monkeypatch, capsys, source, "copy", "--to", target)
    assert status == 2 and "đã có dữ liệu" in err and "--replace" in err
    status, out, _ = cli(monkeypatch, capsys, source, "copy", "--to", target, "--replace")
    assert status == 0 and contents(target) == contents(source)


@pytest.mark.parametrize("target_kind", ["same", "sqlite"])
def test_backup_restores_into_an_empty_database(dbs, tmp_path, target_kind):
    source = dbs.demo(SUITE_ENGINE)
    add_record(source)
    taken = backup(source, tmp_path / "backup.bin")
    assert taken.kind == ("sqlite" if SUITE_ENGINE == "sqlite" else "archive")
    assert taken.revision == head_revision() and taken.counts["activity_record"] == count_records(source)
    target = dbs.empty(SUITE_ENGINE if target_kind == "same" else target_kind)
    result = restore(taken.path, target)
    assert result.ok and result.check.ok
    assert contents(target) == contents(source)
    assert add_record(target, 2) > count_records(source)


def test_backup_while_another_thread_writes_is_consistent(dbs, tmp_path):
    source = dbs.demo(SUITE_ENGINE)
    start = count_records(source)
    writer = Writer(source)
    writer.start()
    try:
        deadline = time.monotonic() + 60
        while writer.written < 20 and writer.error is None and time.monotonic() < deadline:
            time.sleep(0.05)
        taken = backup(source, tmp_path / "live.backup")
        during = writer.written
    finally:
        writer.stop.set()
        writer.join(timeout=60)
    assert writer.error is None and during >= 20
    restored = dbs.empty(SUITE_ENGINE)
    result = restore(taken.path, restored)
    assert result.ok and result.check.ok  # summaries equal the records: no write was caught half done
    assert start + 20 <= count_records(restored) <= start + writer.written


def test_restore_refuses_a_database_holding_data(dbs, tmp_path, monkeypatch, capsys):
    source = dbs.demo(SUITE_ENGINE)
    status, out, _ = cli(monkeypatch, capsys, source, "backup", "--out", str(tmp_path / "b.backup"))
    assert status == 0 and "Đã sao lưu" in out
    status, _, err = cli(monkeypatch, capsys, source, "backup", "--out", str(tmp_path / "b.backup"))
    assert status == 2 and "đã có" in err
    target = dbs.demo(SUITE_ENGINE)
    add_record(target, 3)
    before = contents(target)
    status, _, err = cli(monkeypatch, capsys, target, "restore", str(tmp_path / "b.backup"))
    assert status == 2 and "đã có dữ liệu" in err and "--replace" not in err
    assert contents(target) == before
    empty = dbs.empty(SUITE_ENGINE)
    status, out, _ = cli(monkeypatch, capsys, empty, "restore", str(tmp_path / "b.backup"))
    assert status == 0 and "các bảng tổng hợp khớp với bản ghi" in out
    assert contents(empty) == contents(source)


@needs_pg
def test_a_damaged_archive_restores_nothing(dbs, tmp_path):
    taken = backup(dbs.demo("postgresql"), tmp_path / "ok.zip")
    damaged = tmp_path / "damaged.zip"
    with zipfile.ZipFile(taken.path) as src, zipfile.ZipFile(damaged, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "tables/activity_record.jsonl":
                data = data.replace(b'"outreach_session"', b'"patrol"', 1)
            dst.writestr(item, data)
    target = dbs.empty("sqlite")
    with pytest.raises(TransferError, match="SHA-256"):
        restore(damaged, target)
    assert all(n == 0 for n, _ in contents(target).values())


def test_restore_refuses_a_file_that_is_not_a_backup(dbs, tmp_path):
    junk = tmp_path / "notes.txt"
    junk.write_text("không phải bản sao lưu")
    with pytest.raises(TransferError, match="không phải bản sao lưu"):
        restore(junk, dbs.empty("sqlite"))


def test_a_restored_record_keeps_its_global_id(dbs, tmp_path):
    source = dbs.demo("sqlite")
    record_id = add_record(source, 4)
    taken = backup(source, tmp_path / "one.sqlite")
    target = dbs.empty("sqlite")
    restore(taken.path, target)
    engines = [build_engine(url=u) for u in (source, target)]
    try:
        uids = [e.connect().scalar(select(ActivityRecord.uid).where(ActivityRecord.id == record_id)) for e in engines]
    finally:
        for e in engines:
            e.dispose()
    assert uids[0] is not None and uids[0] == uids[1]


@pytest.mark.parametrize("kind", ["archive", "sqlite"])
def test_a_backup_from_an_older_version_is_restored_and_migrated(dbs, tmp_path, kind):
    older = dbs.empty(SUITE_ENGINE if kind == "archive" else "sqlite")
    build_older_database(older)
    if kind == "archive":
        backup_file = tmp_path / "old.zip"
        archive_of(older, backup_file, OLD_REVISION)
    else:  # an old SQLite backup is just that version's database file
        backup_file = Path(older.removeprefix("sqlite:///"))
    target = dbs.empty(SUITE_ENGINE)
    result = restore(backup_file, target)
    assert result.ok and result.check.ok
    engine = build_engine(url=target)
    try:
        assert current_revision(engine=engine) == head_revision()
        with read_session(engine) as session:
            uids = session.scalars(select(ActivityRecord.uid).order_by(ActivityRecord.id)).all()
            topics = session.scalars(select(ActivityRecord.topic).order_by(ActivityRecord.id)).all()
    finally:
        engine.dispose()
    assert topics == ["chủ đề 1", "chủ đề 2", "chủ đề 3"] and len(set(uids)) == 3 and None not in uids
    assert add_record(target, 6) == 4  # ids go on after the restored ones


def test_restore_of_an_older_archive_needs_a_database_without_tables(dbs, tmp_path):
    older = dbs.empty("sqlite")
    build_older_database(older)
    archive_of(older, tmp_path / "old.zip", OLD_REVISION)
    target = dbs.empty("sqlite")
    engine = build_engine(url=target, create=True)
    upgrade_schema(engine=engine)  # an empty schema at today's revision
    engine.dispose()
    with pytest.raises(TransferError, match="mới hoàn toàn"):
        restore(tmp_path / "old.zip", target)


def test_copy_reports_summaries_that_differ_from_the_records(dbs, monkeypatch, capsys):
    source, target = dbs.demo("sqlite"), dbs.empty("sqlite")
    engine = build_engine(url=source)
    with engine.begin() as conn:  # a summary row damaged at the source: copied as it is, and said so
        conn.exec_driver_sql("UPDATE activity_summary SET s1 = s1 + 1 WHERE rowid = (SELECT min(rowid) "
                             "FROM activity_summary)")
    engine.dispose()
    status, out, _ = cli(monkeypatch, capsys, source, "copy", "--to", target)
    assert status == 1
    assert "khớp ở cả" in out and "lệch 1 dòng" in out and "check --repair" in out
    assert contents(target) == contents(source)


def _tampered(source: Path, out: Path, *, change: dict[str, bytes | None], manifest=None) -> Path:
    """A copy of an archive with members replaced (None: left out) and the manifest's checksums and counts
    recomputed, as an attacker would; manifest(data) may change the manifest further."""
    import hashlib
    import json

    with zipfile.ZipFile(source) as src:
        members = {i.filename: src.read(i) for i in src.infolist()}
    data = json.loads(members.pop("manifest.json"))
    for name, body in change.items():
        if body is None:
            members.pop(name)
            continue
        members[name] = body
        entry = next(t for t in data["tables"] if t["file"] == name)
        entry["sha256"], entry["rows"] = hashlib.sha256(body).hexdigest(), body.count(b"\n")
    if manifest:
        manifest(data)
    with zipfile.ZipFile(out, "w") as dst:
        for name, body in members.items():
            dst.writestr(name, body)
        dst.writestr("manifest.json", json.dumps(data))
    return out


def _archive(dbs, tmp_path) -> SimpleNamespace:
    path = tmp_path / "ok.zip"
    archive_of(dbs.demo("sqlite"), path, head_revision())
    return SimpleNamespace(path=path)


def _restore_cli(monkeypatch, capsys, target: str, archive: Path) -> str:
    status, _, err = cli(monkeypatch, capsys, target, "restore", str(archive))
    assert status != 0 and err.count("\n") == 1 and "Traceback" not in err, err
    if Path(target.removeprefix("sqlite:///")).exists():  # refused before the target was touched otherwise
        assert all(n == 0 for n, _ in contents(target).values())
    return err


def _user_rows(archive: Path) -> list[bytes]:
    with zipfile.ZipFile(archive) as zf:
        return zf.read("tables/app_user.jsonl").splitlines(keepends=True)


@pytest.mark.parametrize("column, value, message", [
    ("role", "superuser", "cột role: vai trò 'superuser' không có"),
    ("username", "Admin Root", "cột username: tên đăng nhập không hợp lệ"),
    ("full_name", "\u202eevil", "cột full_name: chứa ký tự điều khiển hướng chữ"),
    ("full_name", "x" * 201, "cột full_name: dài quá 200 ký tự"),
    ("active", "yes", "cột active: không phải đúng/sai"),
    ("failed_attempts", 10**30, "cột failed_attempts: không phải số nguyên"),
    ("created_at", "hôm qua", "app_user, dòng 1 không đọc được"),
])
def test_restore_validates_every_value_even_with_a_recomputed_checksum(dbs, tmp_path, monkeypatch, capsys, column,
                                                                      value, message):
    import json

    taken = _archive(dbs, tmp_path)
    with zipfile.ZipFile(taken.path) as zf:
        columns = json.loads(zf.read("manifest.json"))
    columns = next(t["columns"] for t in columns["tables"] if t["name"] == "app_user")
    first, *rest = _user_rows(taken.path)
    row = json.loads(first)
    row[columns.index(column)] = value
    body = (json.dumps(row, ensure_ascii=False) + "\n").encode() + b"".join(rest)
    bad = _tampered(taken.path, tmp_path / "bad.zip", change={"tables/app_user.jsonl": body})
    err = _restore_cli(monkeypatch, capsys, dbs.empty("sqlite"), bad)
    assert message in err and err.startswith("Lỗi: Tệp sao lưu")


def test_restore_refuses_a_manifest_naming_a_missing_member(dbs, tmp_path, monkeypatch, capsys):
    taken = _archive(dbs, tmp_path)
    bad = _tampered(taken.path, tmp_path / "bad.zip", change={"tables/app_user.jsonl": None})
    assert "không có trong bản sao lưu (tables/app_user.jsonl)" in _restore_cli(monkeypatch, capsys,
                                                                             dbs.empty("sqlite"), bad)


def test_restore_reads_a_huge_single_line_only_up_to_the_limit(dbs, tmp_path, monkeypatch, capsys):
    from data_model.transfer import archive

    monkeypatch.setattr(archive, "MAX_LINE", 2_000_000)  # the same code path as a 300 MB line, in less time
    taken = _archive(dbs, tmp_path)
    body = b'["' + b"x" * 5_000_000 + b'"]'  # no newline at all
    bad = _tampered(taken.path, tmp_path / "bad.zip", change={"tables/app_user.jsonl": body + b"\n"})
    assert "dài quá 2 MB" in _restore_cli(monkeypatch, capsys, dbs.empty("sqlite"), bad)
