"""The records file format: the record fields' columns (definitions/fields.py), then each type's measures; the
template and export headers; activity types named in a cell, a sheet or a file name."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from functools import cache, lru_cache

from data_model.definitions.activity_types import ActivityType, list_activity_types
from data_model.definitions.fields import FILE_FIELDS
from data_model.files.tabular import Column, TableFormat, header_key

FIELD_COLUMNS = tuple(Column(f.key, f.label_vi, f.label_en, f.aliases) for f in FILE_FIELDS)


@cache
def measure_header_keys() -> dict[str, dict[str, str]]:
    """Header key → {type code → measure code}: a measure column may serve several types."""
    keys: dict[str, dict[str, str]] = defaultdict(dict)
    for t in list_activity_types():
        for m in t.measures:
            for text in (m.label_vi, m.label_en, m.code):
                keys[header_key(text)].setdefault(t.code, m.code)
    return dict(keys)


@cache
def records_format() -> TableFormat:
    """The columns a records file may have: the fields first (they win a shared spelling), then each measure header."""
    labels: dict[str, str] = {}
    for t in list_activity_types():
        for m in t.measures:
            labels.setdefault(header_key(m.label_vi), m.label_vi)
    measures = tuple(Column(key, labels.get(key, key)) for key in measure_header_keys())
    return TableFormat(FIELD_COLUMNS + measures, hint="«Ngày bắt đầu», «Xã», «Số buổi»")


def template_columns(activity_type: ActivityType, lang: str = "vi") -> list[str]:
    """Headers of the template for one type: only the fields the definition uses, then its measures."""
    fields = [f.label(lang) for f in FILE_FIELDS if f.used_by(activity_type)]
    return fields + [m.label(lang) for m in activity_type.measures]


def export_columns(types: Sequence[ActivityType], lang: str = "vi") -> list[str]:
    """Headers for records of several types: every field column, then each distinct measure label."""
    labels = list(dict.fromkeys(m.label(lang) for t in types for m in t.measures))
    return [f.label(lang) for f in FILE_FIELDS] + labels


@cache
def _type_keys() -> dict[str, str]:
    keys: dict[str, str] = {}
    for t in list_activity_types():
        for text in (t.code, t.name_vi, t.name_en):
            keys[header_key(text)] = t.code
    return keys


@lru_cache(maxsize=1000)
def type_of_name(text: str) -> str | None:
    """The activity type named by a code, a Vietnamese or English name, or a template file/sheet name."""
    key = header_key(text)
    keys = _type_keys()
    if key in keys:
        return keys[key]
    for t in list_activity_types():  # template files are named mau_nhap_<code>
        if t.code in str(text).lower():
            return t.code
    return None
