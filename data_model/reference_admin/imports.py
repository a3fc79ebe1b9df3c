"""The file formats of the reference imports (a village list, a reorganisation) and their templates; reading, the
preview and the refusal are the tabular-import layer's (files/tabular.py)."""
from __future__ import annotations

from data_model.files.tabular import Column, TableFormat
from data_model.reference_admin.checks import ReferenceEditError

VILLAGE_FORMAT = TableFormat((
    Column("commune", "Xã", "Commune", ("xa", "mã xã", "tên xã", "xã/phường"), required=True),
    Column("village", "Bản", "Village", ("ban", "tên bản", "thôn bản", "thôn/bản"), required=True),
    Column("year", "Năm", "Year", ("nam",)),
    Column("population", "Dân số", "Population", ("dan so", "số dân", "nhân khẩu")),
    Column("languages", "Ngôn ngữ", "Languages", ("ngon ngu", "language", "tiếng")),
    Column("source", "Nguồn", "Source", ("nguon",)),
    Column("note", "Ghi chú", "Note", ("ghi chu", "notes")),
), hint="«Xã», «Bản», «Năm», «Dân số»")
REORGANISATION_FORMAT = TableFormat((
    Column("date", "Ngày hiệu lực", "Effective date", ("ngay hieu luc", "date", "ngày"), required=True),
    Column("new_code", "Mã xã mới", "New code", ("ma xa moi", "mã mới"), required=True),
    Column("new_name", "Tên xã mới", "New name", ("ten xa moi", "xã mới"), required=True),
    Column("new_kind", "Loại", "Kind", ("loai", "cấp")),
    Column("old", "Xã cũ", "Old commune", ("xa cu", "từ xã", "old_commune"), required=True),
    Column("share", "Tỷ lệ", "Share", ("tỉ lệ", "ty le")),
    Column("source", "Nguồn", "Source", ("nguon",)),
    Column("note", "Ghi chú", "Note", ("ghi chu", "notes")),
), hint="«Ngày hiệu lực», «Mã xã mới», «Xã cũ»")
FORMATS = {"village": VILLAGE_FORMAT, "reorganisation": REORGANISATION_FORMAT}
EXAMPLES = {"village": ["Mù Cả", "Bản mẫu", "2024", "1.234", "Hà Nhì, Tiếng Việt", "Danh sách UBND xã", ""],
            "reorganisation": ["01/07/2030", "03999", "Xã Mẫu", "xã", "c03451@2025", "1", "Nghị quyết …", ""]}


def template_csv(kind: str) -> bytes:
    """An empty import file (UTF-8 with BOM) with the Vietnamese headers and one example row."""
    if kind not in FORMATS:
        raise ReferenceEditError("Loại mẫu: village hoặc reorganisation")
    header = [c.header_vi for c in FORMATS[kind].columns]
    lines = [",".join(header), ",".join(f'"{v}"' if "," in v else v for v in EXAMPLES[kind])]
    return ("\n".join(lines) + "\n").encode("utf-8-sig")
