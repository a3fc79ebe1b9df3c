"""The portable backup format: a zip of one JSON-lines file per table and a manifest (revision, counts, checksums)."""
from __future__ import annotations

import base64
import binascii
import datetime as dt
import decimal
import hashlib
import json
import os
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Table

from data_model.schema.models import utcnow
from data_model.transfer.tables import TransferError

FORMAT = "border-outreach-backup"
VERSION = 1
MANIFEST = "manifest.json"
MAX_MANIFEST = 1_000_000  # bytes; ours lists some 30 tables in a few KB
MAX_LINE = 16_000_000  # bytes of one row; the longest text a column holds is far shorter
ZIP_MAGIC = b"PK\x03\x04"


def _encode(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (bytes, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    raise TypeError(f"không ghi được giá trị kiểu {type(value).__name__}")


def _decoder(table: Table) -> list[Callable[[Any], Any]]:
    """Per column, the function turning a JSON value back into what the column holds."""
    def python_type(column) -> type | None:
        try:
            return column.type.python_type
        except NotImplementedError:
            return None

    decoders: dict[type | None, Callable[[Any], Any]] = {
        dt.datetime: dt.datetime.fromisoformat, dt.date: dt.date.fromisoformat, decimal.Decimal: decimal.Decimal,
        bytes: base64.b64decode, float: float,
    }
    return [decoders.get(python_type(c), lambda v: v) for c in table.columns]


@dataclass(frozen=True)
class ArchiveTable:
    """One table in the manifest: its file, columns, row count and SHA-256 of the file."""

    name: str
    file: str
    columns: tuple[str, ...]
    rows: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    """What the archive holds and which schema revision it was written at."""

    revision: str
    created_at: str
    engine: str
    tables: tuple[ArchiveTable, ...]

    @property
    def counts(self) -> dict[str, int]:
        return {t.name: t.rows for t in self.tables}


def write_archive(*, path: Path, tables: Sequence[Table], read: Callable[[Table], Iterable[Sequence[tuple]]],
                  revision: str, engine: str) -> Manifest:
    """Write the archive to a temporary file next to path, then rename it: a file at path is always whole."""
    partial = path.with_name(path.name + ".partial")
    entries: list[ArchiveTable] = []
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
            for table in tables:
                name = f"tables/{table.name}.jsonl"
                digest, rows = hashlib.sha256(), 0
                with zf.open(name, "w", force_zip64=True) as out:
                    for batch in read(table):
                        chunk = "".join(json.dumps(row, ensure_ascii=False, default=_encode, separators=(",", ":"))
                                        + "\n" for row in batch).encode("utf-8")
                        digest.update(chunk)
                        out.write(chunk)
                        rows += len(batch)
                entries.append(ArchiveTable(name=table.name, file=name, columns=tuple(c.name for c in table.columns),
                                            rows=rows, sha256=digest.hexdigest()))
            manifest = Manifest(revision=revision, created_at=utcnow().isoformat(timespec="seconds"), engine=engine,
                                tables=tuple(entries))
            zf.writestr(MANIFEST, json.dumps({
                "format": FORMAT, "version": VERSION, "revision": manifest.revision,
                "created_at": manifest.created_at, "engine": engine,
                "tables": [vars(t) | {"columns": list(t.columns)} for t in entries],
            }, ensure_ascii=False, indent=1))
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return manifest


def read_manifest(zf: zipfile.ZipFile) -> Manifest:
    """The archive's manifest; TransferError when this is not one of our backups."""
    try:
        with zf.open(MANIFEST) as fh:
            raw = fh.read(MAX_MANIFEST + 1)
        if len(raw) > MAX_MANIFEST:
            raise ValueError("size")
        data = json.loads(raw)
        if data.get("format") != FORMAT:
            raise ValueError("format")
        if data.get("version") != VERSION:
            raise TransferError(f"Tệp sao lưu định dạng phiên bản {data.get('version')}, chương trình này đọc "
                                f"phiên bản {VERSION}")
        tables = tuple(ArchiveTable(name=t["name"], file=t["file"], columns=tuple(t["columns"]), rows=int(t["rows"]),
                                    sha256=t["sha256"]) for t in data["tables"])
        manifest = Manifest(revision=str(data["revision"]), created_at=str(data["created_at"]),
                            engine=str(data["engine"]), tables=tables)
    except (KeyError, ValueError, TypeError, AttributeError) as exc:
        raise TransferError("Tệp không phải bản sao lưu của chương trình này (thiếu hoặc hỏng manifest.json)") from exc
    members = set(zf.namelist())
    missing = [t.file for t in manifest.tables if t.file not in members]
    if missing:
        raise TransferError(f"Tệp sao lưu bị hỏng: manifest.json ghi tệp không có trong bản sao lưu ({missing[0][:80]})")
    return manifest


def read_table(*, zf: zipfile.ZipFile, entry: ArchiveTable, table: Table, batch: int) -> Iterator[list[tuple]]:
    """The table's rows in batches, values turned back into Python values; TransferError when the file is damaged."""
    if set(entry.columns) != {c.name for c in table.columns}:
        raise TransferError(f"Bảng {table.name} trong tệp sao lưu có các cột khác lược đồ của nó")
    # the file's column order may differ from the table's (a column added by a migration comes last in the database)
    where = [entry.columns.index(c.name) for c in table.columns]
    decode = _decoder(table)
    digest, rows = hashlib.sha256(), 0
    pending: list[tuple[Any, ...]] = []
    with zf.open(entry.file) as lines:
        while line := lines.readline(MAX_LINE + 1):  # a line is read only up to the limit, never whole
            if len(line) > MAX_LINE:
                raise TransferError(f"Tệp sao lưu bị hỏng: bảng {table.name} có dòng {rows + len(pending) + 1} dài "
                                    f"quá {MAX_LINE // 1_000_000} MB")
            digest.update(line)
            try:
                values = json.loads(line)
                pending.append(tuple(None if values[i] is None else f(values[i]) for f, i in zip(decode, where)))
            except (ValueError, TypeError, IndexError, KeyError, decimal.InvalidOperation, binascii.Error) as exc:
                raise TransferError(f"Tệp sao lưu bị hỏng: bảng {table.name}, dòng {rows + len(pending) + 1} không "
                                    "đọc được") from exc
            if len(pending) >= batch:
                rows += len(pending)
                yield pending
                pending = []
    rows += len(pending)
    if pending:
        yield pending
    if digest.hexdigest() != entry.sha256 or rows != entry.rows:
        raise TransferError(f"Tệp sao lưu bị hỏng: bảng {table.name} không khớp tổng kiểm (SHA-256) hoặc số dòng")
