"""Backups taken while the app runs (SQLite: the online backup API; PostgreSQL: the portable archive) and restore."""
from __future__ import annotations

import shutil
import sqlite3
import tempfile
import time
import zipfile
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, MetaData, create_engine

from data_model.schema.db import build_engine, sqlite_file
from data_model.schema.migrate import alembic_config, current_revision, head_revision, upgrade_schema
from data_model.transfer.archive import ZIP_MAGIC, read_manifest, read_table, write_archive
from data_model.transfer.copy import (
    BATCH,
    Progress,
    TransferResult,
    check_target,
    prepare_target,
    snapshot,
    write_all,
)
from data_model.transfer.row_checks import check_rows
from data_model.transfer.tables import TransferError, count_rows, model_tables, read_batches

SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass(frozen=True)
class BackupResult:
    """A finished backup: its file, kind (sqlite or archive), schema revision and rows per table."""

    path: Path
    kind: str
    revision: str
    counts: dict[str, int]
    seconds: float


def backup_database(*, engine: Engine, out: Path, batch: int = BATCH) -> BackupResult:
    """Write a consistent backup of the database at engine to out (never overwriting a file)."""
    if out.exists():
        raise TransferError(f"Tệp {out} đã có: chọn một tên tệp mới (không ghi đè bản sao lưu cũ)")
    out.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    revision = current_revision(engine=engine) or ""
    path = sqlite_file(engine.url.render_as_string(hide_password=False))
    if path is not None:
        counts = _sqlite_backup(source=path, out=out)
        kind = "sqlite"
    else:
        with snapshot(engine) as conn:  # one moment of every table, while the app goes on writing
            manifest = write_archive(path=out, tables=model_tables(), engine=engine.dialect.name, revision=revision,
                                     read=lambda t: read_batches(conn=conn, table=t, batch=batch))
        counts, kind = manifest.counts, "archive"
    return BackupResult(path=out, kind=kind, revision=revision, counts=counts, seconds=time.perf_counter() - started)


def _sqlite_backup(*, source: Path, out: Path) -> dict[str, int]:
    """SQLite's online backup in one step (one read snapshot; writers go on in WAL mode), checked, one file."""
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        src = sqlite3.connect(source)
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)  # pages=-1: the whole database in one step, so no writer can make it start over
            dst.execute("PRAGMA journal_mode = DELETE")  # a single self-contained file
            problem = dst.execute("PRAGMA quick_check").fetchone()[0]
            if problem != "ok":
                raise TransferError(f"Bản sao lưu không qua được kiểm tra của SQLite: {problem}")
            counts = {t.name: dst.execute(f'SELECT count(*) FROM "{t.name}"').fetchone()[0] for t in model_tables()}
        finally:
            dst.close()
            src.close()
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
    return counts


def backup_kind(path: Path) -> str:
    """'sqlite' or 'archive' from the file's first bytes; TransferError for anything else."""
    try:
        with path.open("rb") as fh:
            head = fh.read(16)
    except FileNotFoundError:
        raise TransferError(f"Không có tệp {path}") from None
    if head == SQLITE_MAGIC:
        return "sqlite"
    if head.startswith(ZIP_MAGIC):
        return "archive"
    raise TransferError(f"Tệp {path} không phải bản sao lưu (SQLite hoặc .zip của chương trình này)")


def _read_only_sqlite(path: Path) -> Engine:
    """An engine that reads a SQLite file without ever writing to it."""
    uri = f"file:{path.resolve()}?mode=ro"
    return create_engine("sqlite://", creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False))


def restore_database(*, backup: Path, target: Engine, batch: int = BATCH,
                     progress: Progress | None = None) -> TransferResult:
    """Restore a backup into an empty database (refusing one holding data), verified by counts and the check."""
    started = time.perf_counter()
    kind = backup_kind(backup)
    with ExitStack() as stack:
        if kind == "sqlite":
            source = _sqlite_source(backup=backup, stack=stack)
            prepare_target(target=target, replace=False)
            conn = stack.enter_context(snapshot(source))
            counts = count_rows(conn=conn, tables=model_tables())
            written = write_all(target=target, source_counts=counts, clear=False, progress=progress,
                                read=lambda t: check_rows(table=t, batches=read_batches(conn=conn, table=t, batch=batch)))
        else:
            try:
                zf = stack.enter_context(zipfile.ZipFile(backup))
                counts, written = _restore_archive(zf=zf, target=target, batch=batch, progress=progress)
            except zipfile.BadZipFile as exc:
                raise TransferError(f"Tệp sao lưu bị hỏng ({exc})") from exc
    return TransferResult(source_counts=counts, target_counts=written, check=check_target(target=target),
                          seconds=time.perf_counter() - started)


def _restore_archive(*, zf: zipfile.ZipFile, target: Engine, batch: int,
                     progress: Progress | None) -> tuple[dict[str, int], dict[str, int]]:
    """Write the archive's tables at the schema revision it was made at, then migrate the target to the newest."""
    manifest = read_manifest(zf)
    entries = {e.name: e for e in manifest.tables}
    newest = manifest.revision == head_revision()
    if not newest:
        if manifest.revision not in _known_revisions():
            raise TransferError(f"Tệp sao lưu ở lược đồ {manifest.revision!r}, chương trình này không biết lược đồ "
                                f"đó (do một phiên bản chương trình mới hơn tạo?): dùng phiên bản mới hơn để khôi phục")
        if current_revision(engine=target) not in (None, manifest.revision):
            raise TransferError(f"Tệp sao lưu ở lược đồ cũ {manifest.revision!r}: cần khôi phục vào một cơ sở dữ "
                                "liệu mới hoàn toàn (chưa có bảng nào)")
    prepare_target(target=target, replace=False, revision=manifest.revision)
    if newest:
        tables = model_tables()
    else:  # the tables as that revision made them; the migrations bring the rows to today's schema afterwards
        reflected = MetaData()
        reflected.reflect(bind=target, only=list(entries))
        tables = reflected.sorted_tables
    if set(entries) != {t.name for t in tables}:
        raise TransferError("Tệp sao lưu có các bảng khác lược đồ mà nó ghi")
    written = write_all(target=target, source_counts=manifest.counts, clear=False, progress=progress, tables=tables,
                        read=lambda t: check_rows(table=t, batches=read_table(zf=zf, entry=entries[t.name], table=t,
                                                                              batch=batch)))
    if not newest:
        upgrade_schema(engine=target)
    return manifest.counts, written


def _known_revisions() -> set[str]:
    """Every migration revision this version of the program has."""
    from alembic.script import ScriptDirectory

    return {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def _sqlite_source(*, backup: Path, stack: ExitStack) -> Engine:
    """The SQLite backup to read from: as it is when at the newest schema, else a migrated temporary copy."""
    probe = _read_only_sqlite(backup)
    try:
        revision = current_revision(engine=probe)
    finally:
        probe.dispose()
    if revision == head_revision():
        engine = _read_only_sqlite(backup)
    else:
        if revision not in _known_revisions():
            raise TransferError(f"Tệp sao lưu ở lược đồ {revision!r}, chương trình này không biết lược đồ đó (do một "
                                "phiên bản chương trình mới hơn tạo?): dùng phiên bản mới hơn để khôi phục")
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="restore-")))
        copy = folder / "backup.sqlite"
        shutil.copyfile(backup, copy)
        engine = build_engine(url=f"sqlite:///{copy}")
        upgrade_schema(engine=engine)  # an older backup is brought to today's schema by the same migrations
    stack.callback(engine.dispose)
    return engine
