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

from sqlalchemy import Engine, create_engine

from data_model.schema.db import build_engine, sqlite_file
from data_model.schema.migrate import alembic_config, current_revision, head_revision, upgrade_schema
from data_model.transfer.archive import ZIP_MAGIC, read_manifest, read_table, write_archive
from data_model.transfer.copy import (
    BATCH, Progress, TransferResult, check_target, prepare_target, snapshot, write_all,
)
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
    prepare_target(target=target, replace=False)
    tables = model_tables()
    with ExitStack() as stack:
        if kind == "sqlite":
            source = _sqlite_source(backup=backup, stack=stack)
            conn = stack.enter_context(snapshot(source))
            counts = count_rows(conn=conn, tables=tables)
            written = write_all(target=target, source_counts=counts, clear=False, progress=progress,
                                read=lambda t: read_batches(conn=conn, table=t, batch=batch))
        else:
            try:
                zf = stack.enter_context(zipfile.ZipFile(backup))
                manifest = read_manifest(zf)
                _require_revision(manifest.revision)
                entries = {e.name: e for e in manifest.tables}
                if set(entries) != {t.name for t in tables}:
                    raise TransferError("Tệp sao lưu có các bảng khác lược đồ hiện tại")
                written = write_all(target=target, source_counts=manifest.counts, clear=False, progress=progress,
                                    read=lambda t: read_table(zf=zf, entry=entries[t.name], table=t, batch=batch))
                counts = manifest.counts
            except zipfile.BadZipFile as exc:
                raise TransferError(f"Tệp sao lưu bị hỏng ({exc})") from exc
    return TransferResult(source_counts=counts, target_counts=written, check=check_target(target=target),
                          seconds=time.perf_counter() - started)


def _require_revision(revision: str) -> None:
    if revision != head_revision():
        known = revision in {s.revision for s in _scripts()}
        why = "một phiên bản cũ hơn" if known else "một phiên bản chương trình mới hơn hoặc khác"
        raise TransferError(f"Tệp sao lưu ở lược đồ {revision!r} ({why}), chương trình ở {head_revision()!r}: "
                            "khôi phục bằng phiên bản chương trình đã tạo ra nó")


def _scripts():
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).walk_revisions()


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
        if revision not in {s.revision for s in _scripts()}:
            _require_revision(revision or "")
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="restore-")))
        copy = folder / "backup.sqlite"
        shutil.copyfile(backup, copy)
        engine = build_engine(url=f"sqlite:///{copy}")
        upgrade_schema(engine=engine)  # an older backup is brought to today's schema by the same migrations
    stack.callback(engine.dispose)
    return engine
