"""What the reference imports share: reading the file's table by its headers, matching a commune, the preview and
the refusal."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from data_model.files.parse import FileError, cell_text, is_blank, read_file
from data_model.reference.admin.checks import ReferenceEditError
from data_model.reference.names import name_keys, normalise_name
from data_model.schema.models import Unit, UnitAlias
from data_model.texts.input import BAD_TEXT, is_clean, safe_text


@dataclass
class ImportPreview:
    """What an import would do: one row per file row with its status, and every error by row and column."""

    rows: pd.DataFrame
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.rows.empty


class ReferenceImportError(ValueError):
    """The import was refused; nothing was written. Carries the preview."""

    def __init__(self, preview: ImportPreview) -> None:
        first = preview.errors[0] if preview.errors else "tệp không có dòng dữ liệu nào"
        more = f" (và {len(preview.errors) - 1} lỗi khác)" if len(preview.errors) > 1 else ""
        super().__init__(f"Không nhập: {first}{more}")
        self.preview = preview


@dataclass(frozen=True)
class Column:
    """An import column: its key, Vietnamese label and the header spellings accepted."""

    key: str
    label: str
    headers: tuple[str, ...]
    required: bool = False


VILLAGE_COLUMNS = (
    Column("commune", "Xã", ("xã", "xa", "commune", "mã xã", "tên xã", "xã/phường")),
    Column("village", "Bản", ("bản", "ban", "village", "tên bản", "thôn bản", "thôn/bản")),
    Column("year", "Năm", ("năm", "nam", "year")),
    Column("population", "Dân số", ("dân số", "dan so", "population", "số dân", "nhân khẩu")),
    Column("languages", "Ngôn ngữ", ("ngôn ngữ", "ngon ngu", "languages", "language", "tiếng")),
    Column("source", "Nguồn", ("nguồn", "nguon", "source")),
    Column("note", "Ghi chú", ("ghi chú", "ghi chu", "note", "notes")),
)
REORGANISATION_COLUMNS = (
    Column("date", "Ngày hiệu lực", ("ngày hiệu lực", "ngay hieu luc", "date", "ngày", "effective date")),
    Column("new_code", "Mã xã mới", ("mã xã mới", "ma xa moi", "new code", "new_code", "mã mới")),
    Column("new_name", "Tên xã mới", ("tên xã mới", "ten xa moi", "new name", "new_name", "xã mới")),
    Column("new_kind", "Loại", ("loại", "loai", "kind", "cấp")),
    Column("old", "Xã cũ", ("xã cũ", "xa cu", "old commune", "old", "từ xã", "old_commune")),
    Column("share", "Tỷ lệ", ("tỷ lệ", "tỉ lệ", "ty le", "share")),
    Column("source", "Nguồn", ("nguồn", "nguon", "source")),
    Column("note", "Ghi chú", ("ghi chú", "ghi chu", "note", "notes")),
)
REQUIRED = {"village": ("commune", "village"), "reorganisation": ("date", "new_code", "new_name", "old")}


def template_csv(kind: str) -> bytes:
    """An empty import file (UTF-8 with BOM) with the Vietnamese headers and one example row."""
    if kind == "village":
        header = [c.label for c in VILLAGE_COLUMNS]
        example = ["Mù Cả", "Bản mẫu", "2024", "1.234", "Hà Nhì, Tiếng Việt", "Danh sách UBND xã", ""]
    elif kind == "reorganisation":
        header = [c.label for c in REORGANISATION_COLUMNS]
        example = ["01/07/2030", "03999", "Xã Mẫu", "xã", "c03451@2025", "1", "Nghị quyết …", ""]
    else:
        raise ReferenceEditError("Loại mẫu: village hoặc reorganisation")
    lines = [",".join(header), ",".join(f'"{v}"' if "," in v else v for v in example)]
    return ("\n".join(lines) + "\n").encode("utf-8-sig")


def _header_map(header: list[Any], columns: Sequence[Column]) -> tuple[dict[str, int], list[str]]:
    wanted = {normalise_name(h): c.key for c in columns for h in (c.headers + (c.label,))}
    found: dict[str, int] = {}
    extra: list[str] = []
    for index, cell in enumerate(header):
        key = wanted.get(normalise_name(cell_text(cell)))
        if key and key not in found:
            found[key] = index
        elif not is_blank(cell):
            extra.append(cell_text(cell)[:40])
    return found, extra


def read_table(data: bytes, filename: str, columns: Sequence[Column], kind: str) -> tuple[list[tuple[int, dict]], list[str], list[str]]:
    """Data rows as (file row number, {column key: cell}) plus errors and notes about the file as a whole."""
    try:
        raw = read_file(data=data, filename=filename)
    except FileError as exc:
        return [], [str(exc)], []
    notes = list(raw.notes)
    for sheet in raw.sheets:
        header_index = next((i for i, row in enumerate(sheet.rows) if any(not is_blank(c) for c in row)), None)
        if header_index is None:
            continue
        found, extra = _header_map(sheet.rows[header_index], columns)
        missing = [c.label for c in columns if c.key in REQUIRED[kind] and c.key not in found]
        if missing:
            return [], [f"Trang «{sheet.name}», dòng {header_index + 1}: thiếu cột {', '.join(missing)}"], notes
        if extra:
            notes.append(f"Bỏ qua các cột không dùng: {', '.join(extra)}")
        rows, errors = [], []
        for i, row in enumerate(sheet.rows[header_index + 1:], start=header_index + 2):
            cells = {k: (row[j] if j < len(row) else None) for k, j in found.items()}
            if all(is_blank(v) for v in cells.values()):
                continue
            for column in columns:
                if column.key in cells and not is_clean(cell_text(cells[column.key])):
                    errors.append(f"Dòng {i}, cột {column.label}: {BAD_TEXT}")
                    cells[column.key] = safe_text(cell_text(cells[column.key]))  # shown in the preview, never written
            rows.append((i, cells))
        return rows, errors, notes  # first non-empty sheet only
    return [], ["Tệp không có dòng dữ liệu nào"], notes


def _commune_candidates(session: Session, text: str) -> list[Unit]:
    text = text.strip()
    unit = session.get(Unit, text)
    if unit is not None and unit.level == "commune":
        return [unit]
    communes = select(Unit).where(Unit.level == "commune")
    if text.isdigit():
        return list(session.scalars(communes.where(Unit.code == text.zfill(5))))
    keys = name_keys(text)
    found = list(session.scalars(communes.where(Unit.name_norm.in_(keys))))
    if not found:
        aliased_keys = select(UnitAlias.unit_key).where(UnitAlias.alias_norm.in_(keys))
        found = list(session.scalars(communes.where(Unit.key.in_(aliased_keys))))
    return found


def resolve_commune(*, session: Session, text: str, on: dt.date) -> Unit:
    """The commune version a file names (key, code, name or alias), choosing the version valid on the day."""
    candidates = _commune_candidates(session, text)
    if not candidates:
        raise ReferenceEditError(f"không tìm thấy xã «{text[:60]}»")
    if len(candidates) == 1:
        return candidates[0]
    valid = [u for u in candidates if u.valid_on(on)]
    if len(valid) == 1:
        return valid[0]
    names = ", ".join(sorted(f"{u.name} ({u.key})" for u in candidates))
    raise ReferenceEditError(f"«{text[:60]}» ứng với nhiều xã: {names}; hãy ghi mã đơn vị (ví dụ {candidates[0].key})")


def row_errors(row: int, problems: list[tuple[str, str]]) -> list[str]:
    return [f"Dòng {row}, cột {label}: {message}" for label, message in problems]


def check_cell(problems: list[tuple[str, str]], label: str, fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except (ValueError, ReferenceEditError) as exc:
        message = str(exc)
        prefix = f"{label}: "
        problems.append((label, message[len(prefix):] if message.startswith(prefix) else message))
        return None
