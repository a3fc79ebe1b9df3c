"""Bounds on an uploaded file, checked before and while it is read: bytes, rows, cells, columns, zip members."""
from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from data_model.schema.settings import get_settings
from data_model.texts.catalogue import Number
from data_model.texts.errors import UserError

MAX_ROWS = 100_000  # rows of one file, blank rows included: twice the 50,000 rows an import is designed for
MAX_COLUMNS = 200  # the widest import format (an export of every type) has 34 columns
MAX_CELLS = 3_500_000  # 100,000 rows of the 34 export columns fit
MAX_MEMBERS = 1_000  # a workbook from Excel has a few dozen parts
MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # a workbook's parts together, as their directory declares them
MAX_RATIO = 100  # sheets from Excel, openpyxl or XlsxWriter pack 5–20 times; a bomb packs 1,000 times
RATIO_FLOOR = 1024 * 1024  # smaller parts may pack better (a tiny repeated style list) and cost nothing
# real sheets hold 0.25 cells per packed byte, Excel's styled empty cells 0.5; a run of empty <c/> packs 1,000
CELLS_PER_PACKED_BYTE = 2
CELLS_SLACK = 10_000
_CHUNK = 1024 * 1024
_END_RECORD = b"PK\x05\x06"


class FileError(UserError, ValueError):
    """The file as a whole cannot be read; the message is Vietnamese."""


def upload_limit_bytes() -> int:
    """The largest upload the server accepts, in bytes (the setting is in MB as Streamlit counts them)."""
    return get_settings().upload_limit_mb * 1024 * 1024


def check_upload_size(*, size: int) -> None:
    """Refuse a file larger than the server's upload limit."""
    limit = get_settings().upload_limit_mb
    if size > upload_limit_bytes():
        raise FileError("Tệp lớn {size} MB, quá giới hạn {limit} MB: hãy chia thành nhiều tệp nhỏ hơn.",
                        size=Number(size / 1024 / 1024, decimals=1), limit=Number(limit))


def refuse_too_large() -> FileError:
    """The refusal of a file with too many rows or cells."""
    return FileError("Tệp quá lớn (tối đa {rows} dòng, {cells} ô): hãy chia thành nhiều tệp nhỏ hơn.",
                     rows=Number(MAX_ROWS), cells=Number(MAX_CELLS))


def _refuse_archive() -> FileError:
    return FileError("Tệp XLSX giải nén ra quá lớn hoặc bị nén bất thường (có thể là tệp độc hại): hãy mở bằng Excel "
                     "và lưu lại, hoặc chia thành nhiều tệp nhỏ hơn.")


def _refuse_zip() -> FileError:
    return FileError("Tệp ZIP giải nén ra quá lớn hoặc bị nén bất thường (có thể là tệp độc hại): hãy tải lại tệp xuất "
                     "từ máy chủ, hoặc giải nén rồi tải lên tệp CSV.")


class CellBudget:
    """Rows and cells read so far from one file; refuses the file the moment either passes its limit."""

    def __init__(self) -> None:
        self.rows = 0
        self.cells = 0

    def add_row(self, *, width: int, skipped: int = 0) -> None:
        """Count one row of `width` cells and the `skipped` blank rows before it."""
        self.rows += skipped + 1
        self.cells += width
        if self.rows > MAX_ROWS or self.cells > MAX_CELLS:
            raise refuse_too_large()

    def check_width(self, *, sheet: str, width: int) -> None:
        """Refuse a row reaching beyond MAX_COLUMNS before it is built."""
        if width > MAX_COLUMNS:
            from openpyxl.utils import get_column_letter

            raise FileError("Trang «{sheet}» có ô ở cột {column}, quá {limit} cột: hãy xóa các cột thừa.", sheet=sheet,
                            column=get_column_letter(min(width, 16384)), limit=Number(MAX_COLUMNS))


def _member_count(data: bytes) -> int | None:
    """The number of entries the zip's end record declares (None when it has none, or is ZIP64)."""
    at = data.rfind(_END_RECORD, max(0, len(data) - 65_557))
    if at < 0 or at + 22 > len(data):
        return None
    entries = struct.unpack_from("<H", data, at + 10)[0]
    return None if entries == 0xFFFF else entries


def open_archive(*, data: bytes, refuse: Callable[[], FileError] = _refuse_archive) -> zipfile.ZipFile:
    """The zip archive of a workbook once its directory shows nothing a bomb would hold."""
    entries = _member_count(data)
    if entries is not None and entries > MAX_MEMBERS:
        raise refuse()
    archive = zipfile.ZipFile(io.BytesIO(data))
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS or sum(i.file_size for i in infos) > MAX_UNPACKED_BYTES:
        raise refuse()
    for info in infos:
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise refuse()
    return archive


def is_csv_archive(*, data: bytes, zip_name: bool) -> bool:
    """Whether a zip file holds CSV files (a server's export), not an XLSX workbook; a damaged zip is judged by its
    name (.zip or not), so that the message names what the user meant to upload."""
    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except Exception:  # zipfile raises several kinds for a damaged archive: the reader names the damage
        return zip_name
    if any(n.startswith("xl/") for n in names):
        return False
    return zip_name or any(n.lower().endswith(".csv") for n in names)


def csv_members(*, data: bytes) -> list[tuple[str, bytes]]:
    """The CSV files of a zip (ODK Central's export), each read only after the directory's sizes were checked, and
    never past the upload limit or its declared size (a directory may lie)."""
    try:
        archive = open_archive(data=data, refuse=_refuse_zip)
    except FileError:
        raise
    except Exception as exc:  # zipfile raises several kinds for a damaged archive
        raise FileError("Tệp ZIP bị hỏng ({kind}): hãy tải lại tệp xuất từ máy chủ.", kind=type(exc).__name__) from None
    out: list[tuple[str, bytes]] = []
    unpacked = 0
    for info in archive.infolist():
        if info.is_dir() or not info.filename.lower().endswith(".csv"):
            continue  # attachments (media/…) are not read
        check_upload_size(size=info.file_size)
        chunks: list[bytes] = []
        size = 0
        try:
            with archive.open(info) as fh:
                while chunk := fh.read(_CHUNK):
                    size += len(chunk)
                    unpacked += len(chunk)
                    if size > info.file_size or unpacked > MAX_UNPACKED_BYTES:
                        raise _refuse_zip()
                    chunks.append(chunk)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise FileError("Tệp ZIP bị hỏng ({kind}): hãy tải lại tệp xuất từ máy chủ.",
                            kind=type(exc).__name__) from None
        out.append((info.filename, b"".join(chunks)))
    return out


@dataclass
class PartCounts:
    """What one streamed pass over a workbook part found."""

    rows: int = 0
    cells: int = 0
    strings: int = 0
    formulas: bool = False


def scan_part(*, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> PartCounts:
    """Count rows, cells, shared strings and formulas of a part in 1 MB chunks; refuse before a parser reads it."""
    counts = PartCounts()
    tail = b""
    with archive.open(info) as fh:
        while chunk := fh.read(_CHUNK):
            # a tag split between chunks is found in the overlap of the previous chunk's last bytes
            text = tail + chunk
            counts.rows += _count(text, (b"<row ", b"<row>", b":row ", b":row>"))
            counts.cells += _count(text, (b"<c ", b"<c>", b"<c/", b":c ", b":c>", b":c/"))
            counts.strings += _count(text, (b"<si>", b"<si ", b":si>", b":si "))
            counts.formulas = counts.formulas or any(p in text for p in (b"<f>", b"<f ", b":f>", b":f "))
            tail = text[-5:]
            counts.rows -= _count(tail, (b"<row ", b"<row>", b":row ", b":row>"))
            counts.cells -= _count(tail, (b"<c ", b"<c>", b"<c/", b":c ", b":c>", b":c/"))
            counts.strings -= _count(tail, (b"<si>", b"<si ", b":si>", b":si "))
            if counts.rows > MAX_ROWS or max(counts.cells, counts.strings) > MAX_CELLS:
                raise refuse_too_large()
    counts.rows += _count(tail, (b"<row ", b"<row>", b":row ", b":row>"))
    counts.cells += _count(tail, (b"<c ", b"<c>", b"<c/", b":c ", b":c>", b":c/"))
    counts.strings += _count(tail, (b"<si>", b"<si ", b":si>", b":si "))
    if counts.cells > CELLS_PER_PACKED_BYTE * info.compress_size + CELLS_SLACK:
        raise _refuse_archive()
    return counts


def _count(text: bytes, patterns: tuple[bytes, ...]) -> int:
    return sum(text.count(p) for p in patterns)
