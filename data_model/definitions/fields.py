"""The one record-field schema: every non-measure field of an activity record, and the fixed storage slots of measures.

Labels, import headers, the import/export column order, what an import compares and what a write stores all come from
FIELDS; a measure is stored in the column of the slot its definition names (activity_types.toml), never by position.
"""
from __future__ import annotations

from dataclasses import dataclass

MAX_MEASURES = 6
MEASURE_COLUMNS = tuple(f"m{slot}" for slot in range(1, MAX_MEASURES + 1))  # activity_record, by slot
SUM_COLUMNS = tuple(f"s{slot}" for slot in range(1, MAX_MEASURES + 1))  # the summaries' sums, by slot


def measure_column(slot: int) -> str:
    """The record column of a measure slot (1 → m1)."""
    return MEASURE_COLUMNS[slot - 1]


def sum_column(slot: int) -> str:
    """The summary column of a measure slot (1 → s1)."""
    return SUM_COLUMNS[slot - 1]


@dataclass(frozen=True)
class RecordField:
    """One non-measure field: its key (the record's column, the name problems are reported under), labels, headers."""

    key: str
    label_vi: str
    label_en: str
    aliases: tuple[str, ...] = ()  # other header spellings an import accepts (besides the labels and the key)
    in_file: bool = True  # a column of the import and export format
    stored: bool = True  # written by the write API (id and uid are given once, never edited)
    compared: bool = True  # a re-imported row whose compared fields are all equal is "unchanged"
    used_when: str = ""  # the activity-type setting that may leave the field out ("commune", "village", …)
    locates: str = ""  # the field this column helps to find (the commune code finds the commune)

    def label(self, lang: str = "vi") -> str:
        return self.label_vi if lang == "vi" else self.label_en

    def used_by(self, activity_type: object) -> bool:
        """Whether records of the type (an ActivityType: fields stay below activity_types, which import them) use the
        field (its definition does not say "none" or false for it)."""
        if not self.used_when:
            return True
        setting = getattr(activity_type, self.used_when)
        return setting != "none" if isinstance(setting, str) else bool(setting)


FIELDS: tuple[RecordField, ...] = (
    RecordField("id", "Mã hoạt động", "Record ID", ("mã bản ghi", "số hoạt động", "record id"), stored=False,
                compared=False),
    RecordField("uid", "Mã định danh", "Global ID", ("mã định danh toàn cục", "uuid", "global id"), stored=False,
                compared=False),
    RecordField("type_code", "Loại hoạt động", "Activity type", ("loại", "type")),
    RecordField("start_date", "Ngày bắt đầu", "Start date", ("ngày", "date", "từ ngày", "ngày thực hiện")),
    RecordField("end_date", "Ngày kết thúc", "End date", ("đến ngày",)),
    RecordField("year", "Năm", "Year", in_file=False, compared=False),  # the start date's year
    RecordField("reporting_unit_id", "Đơn vị thực hiện", "Reporting unit", ("đơn vị", "đồn", "đồn biên phòng", "unit")),
    RecordField("commune_code", "Mã xã", "Commune code", ("mã đơn vị hành chính",), stored=False, compared=False,
                used_when="commune", locates="commune_key"),
    RecordField("commune_key", "Xã", "Commune", ("tên xã", "xã, phường", "xã/phường/thị trấn"), used_when="commune"),
    RecordField("village_id", "Bản", "Village", ("thôn, bản", "thôn bản", "tên bản", "thôn"), used_when="village"),
    RecordField("languages", "Ngôn ngữ", "Languages", ("ngôn ngữ phát", "tiếng"), used_when="languages"),
    RecordField("topic", "Chủ đề", "Topic", ("nội dung",), used_when="topic"),
    RecordField("note", "Ghi chú", "Note", ("notes",)),
)
FIELD_BY_KEY = {f.key: f for f in FIELDS}
FILE_FIELDS = tuple(f for f in FIELDS if f.in_file)  # the import/export columns, in their order
RECORD_FIELDS = (*(f.key for f in FIELDS if f.stored), *MEASURE_COLUMNS)  # what a write sets on a record
COMPARED = (*(f.key for f in FIELDS if f.compared), *MEASURE_COLUMNS)
# labels of what else users type beside a record's fields (a reason to delete, the search box)
INPUT_LABELS = {"reason": ("Lý do", "Reason"), "search": ("Tìm", "Search")}


def label_of(key: str, lang: str = "vi") -> str | None:
    """The label of a record field or another input, None for anything else (a measure code)."""
    if key in FIELD_BY_KEY:
        return FIELD_BY_KEY[key].label(lang)
    if key in INPUT_LABELS:
        return INPUT_LABELS[key][0 if lang == "vi" else 1]
    return None
