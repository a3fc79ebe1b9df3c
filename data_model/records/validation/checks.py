"""Checking an activity record against its type's definition and the dated reference data, with Vietnamese messages."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from data_model.basics.issues import (
    ERROR,
    MAX_NOTE,
    MAX_TOPIC,
    WARNING,
    YEAR_MAX,
    YEAR_MIN,
    Issue,
    labelled,
    to_int,
)
from data_model.definitions.activity_types import ActivityType, load_activity_types
from data_model.definitions.fields import MEASURE_COLUMNS
from data_model.records.validation.catalogue import Catalogue
from data_model.reference.languages import LANGUAGES, language_name
from data_model.schema.clock import today_local
from data_model.texts.catalogue import Date, Number, Pair, Text
from data_model.texts.input import BAD_TEXT, is_clean


def _nearest(facts: list[tuple[int | None, float]], year: int) -> float | None:
    """The population figure of the nearest year (undated figures last)."""
    if not facts:
        return None
    return min(facts, key=lambda f: (f[0] is None, abs((f[0] or year) - year)))[1]


def _languages(value: Any) -> list[str]:
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else list(value)
    return [str(x).strip() for x in items if str(x).strip()]


@dataclass
class Checked:
    """The record's columns (when no error) and every issue found."""

    columns: dict[str, Any] | None
    issues: list[Issue]

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.is_error]


class _Collector:
    def __init__(self, activity_type: ActivityType | None) -> None:
        self.type = activity_type
        self.issues: list[Issue] = []

    def add(self, field_name: str, message: str, severity: str = ERROR) -> None:
        self.issues.append(Issue(field_name, labelled(field_name, message, self.type), severity, message))

    def failed(self, field_name: str) -> bool:
        return any(i.field == field_name and i.is_error for i in self.issues)


def text_issues(values: Mapping[str, Any]) -> list[Issue]:
    """An error for each field whose text holds a character no database stores (checked before anything else)."""
    types = load_activity_types()
    type_code = values.get("type_code")
    activity_type = types.get(type_code) if isinstance(type_code, str) and is_clean(type_code) else None
    issues = []
    for name, value in values.items():
        items = value if isinstance(value, (list, tuple, set, frozenset)) else [value]
        if any(not is_clean(v) for v in items):
            name = str(name) if is_clean(name) else "?"
            issues.append(Issue(name, labelled(name, Text(BAD_TEXT), activity_type), ERROR, Text(BAD_TEXT)))
    return issues


def check_values(*, catalogue: Catalogue, values: Mapping[str, Any], today: dt.date | None = None) -> Checked:
    """Every rule of the definition and the reference data, without touching the database."""
    today = today or today_local()
    bad_text = text_issues(values)
    if bad_text:
        return Checked(None, bad_text)
    types = load_activity_types()
    type_code = values.get("type_code")
    if not type_code:
        c = _Collector(None)
        c.add("type_code", Text("chưa chọn loại hoạt động"))
        return Checked(None, c.issues)
    if type_code not in types:
        c = _Collector(None)
        c.add("type_code", Text("không có loại hoạt động «{code}»", code=type_code))
        return Checked(None, c.issues)
    t = types[type_code]
    c = _Collector(t)

    start, end = _check_dates(c, t, values.get("start_date"), values.get("end_date"), today)
    unit_id = _check_unit(c, t, catalogue, values.get("reporting_unit_id"))
    commune_key, village_id = _check_place(c, t, catalogue, values.get("commune_key"), values.get("village_id"), start, end)
    languages = _check_languages(c, t, values.get("languages"))
    topic = str(values.get("topic") or "").strip()
    if topic and not t.topic:
        c.add("topic", Text("loại hoạt động này không ghi chủ đề"))
    if len(topic) > MAX_TOPIC:
        c.add("topic", Text("dài quá {limit} ký tự", limit=MAX_TOPIC))
    note = str(values.get("note") or "").strip()
    if len(note) > MAX_NOTE:
        c.add("note", Text("dài quá {limit} ký tự", limit=Number(MAX_NOTE)))
    measures = _check_measures(c, t, values)
    if start and measures is not None:
        _check_plausible(c, t, catalogue, measures, commune_key, village_id, start.year)

    if any(i.is_error for i in c.issues):
        return Checked(None, c.issues)
    columns: dict[str, Any] = {
        "type_code": t.code, "start_date": start, "end_date": end, "year": start.year,
        "reporting_unit_id": unit_id, "commune_key": commune_key, "village_id": village_id,
        "languages": ",".join(languages), "topic": topic, "note": note,
        **dict.fromkeys(MEASURE_COLUMNS),
    }
    for m in t.measures:
        columns[m.column] = measures.get(m.code)
    return Checked(columns, c.issues)


def _name(t: ActivityType) -> Pair:
    return Pair(t.name_vi, t.name_en)


def _check_dates(c: _Collector, t: ActivityType, start: Any, end: Any, today: dt.date):
    if isinstance(start, dt.datetime):
        start = start.date()
    if isinstance(end, dt.datetime):
        end = end.date()
    if not isinstance(start, dt.date):
        c.add("start_date", Text("chưa nhập ngày") if start in (None, "") else Text("không phải ngày hợp lệ"))
        return None, None
    if not YEAR_MIN <= start.year <= YEAR_MAX:
        c.add("start_date", Text("năm {year} nằm ngoài khoảng cho phép {low}–{high}", year=start.year, low=YEAR_MIN,
                                  high=YEAR_MAX))
        return None, None
    if end in (None, ""):
        end = start
    elif not isinstance(end, dt.date):
        c.add("end_date", Text("không phải ngày hợp lệ"))
        return start, None
    if start > today:
        c.add("start_date", Text("ngày {day} ở tương lai (hôm nay là {today})", day=Date(start), today=Date(today)))
    if end > today and end != start:
        c.add("end_date", Text("ngày {day} ở tương lai (hôm nay là {today})", day=Date(end), today=Date(today)))
    if end < start:
        c.add("end_date", Text("ngày kết thúc {end} trước ngày bắt đầu {start}", end=Date(end), start=Date(start)))
    elif end.year != start.year:
        c.add("end_date", Text("hoạt động kéo dài sang năm khác ({start}–{end}): hãy tách thành hai hoạt động, mỗi năm "
                              "một hoạt động", start=Date(start), end=Date(end)))
    elif not t.period and end != start:
        c.add("end_date", Text("«{type}» ghi theo từng ngày: ngày kết thúc phải trùng ngày bắt đầu", type=_name(t)))
    return start, end


def _check_unit(c: _Collector, t: ActivityType, cat: Catalogue, unit_id: Any) -> int | None:
    if unit_id in (None, ""):
        c.add("reporting_unit_id", Text("chưa chọn đơn vị thực hiện"))
        return None
    try:
        unit_id = to_int(unit_id)
    except ValueError:
        unit_id = None
    unit = cat.units.get(unit_id) if unit_id is not None else None
    if unit is None:
        c.add("reporting_unit_id", Text("không có đơn vị này"))
        return None
    if unit.kind not in t.reporting_kinds:
        c.add("reporting_unit_id", Text("{unit} không báo cáo loại hoạt động «{type}»", unit=unit.name, type=_name(t)))
    return unit.id


def _check_place(c: _Collector, t: ActivityType, cat: Catalogue, commune_key: Any, village_id: Any,
                 start: dt.date | None, end: dt.date | None) -> tuple[str | None, int | None]:
    commune_key = commune_key or None
    village_id = village_id or None
    if t.commune == "none" and commune_key:
        c.add("commune_key", Text("«{type}» không ghi theo xã, hãy để trống", type=_name(t)))
    elif t.commune == "required" and not commune_key:
        c.add("commune_key", Text("bắt buộc với loại hoạt động này"))
    if commune_key and t.commune != "none":
        info = cat.communes.get(commune_key)
        if info is None:
            c.add("commune_key", Text("không có xã này"))
        else:
            for is_end, day in ((False, start), (True, end)):
                if day and not info.valid_on(day):
                    if info.valid_from and day < info.valid_from:
                        why = Text("xã {commune} chỉ có từ {day}", commune=info.name, day=Date(info.valid_from))
                    else:
                        why = Text("xã {commune} không còn từ {day}{successor}", commune=info.name,
                                   day=Date(info.valid_to), successor=cat.successor_text(info.key))
                    if is_end:
                        c.add("commune_key", Text("{why}, không nhận hoạt động có ngày kết thúc {day}; hãy chọn xã có "
                                                  "vào ngày đó hoặc tách hoạt động", why=why, day=Date(day)))
                    else:
                        c.add("commune_key", Text("{why}, không nhận hoạt động có ngày bắt đầu {day}; hãy chọn xã có "
                                                  "vào ngày đó", why=why, day=Date(day)))
                    break
    if village_id is not None:
        try:
            village_id = to_int(village_id)
        except ValueError:
            village_id = -1
        if t.village == "none":
            c.add("village_id", Text("«{type}» không ghi theo bản, hãy để trống", type=_name(t)))
        elif village_id not in cat.villages:
            c.add("village_id", Text("không có bản này"))
        elif not commune_key:
            c.add("village_id", Text("hãy chọn xã của bản trước"))
        elif cat.villages[village_id][0] != commune_key:
            commune_name = cat.communes[commune_key].name if commune_key in cat.communes else commune_key
            c.add("village_id", Text("bản {village} không thuộc xã {commune}", village=cat.villages[village_id][1],
                                     commune=commune_name))
    elif t.village == "required":
        c.add("village_id", Text("bắt buộc với loại hoạt động này"))
    return (commune_key if t.commune != "none" else None), (village_id if t.village != "none" else None)


def _check_languages(c: _Collector, t: ActivityType, value: Any) -> list[str]:
    codes = _languages(value)
    unknown = [x for x in codes if x not in LANGUAGES]
    if unknown:
        c.add("languages", Text("không biết ngôn ngữ {codes}", codes=", ".join(f"«{x}»" for x in unknown)))
    if t.languages == "none" and codes:
        c.add("languages", Text("«{type}» không ghi ngôn ngữ, hãy để trống", type=_name(t)))
    if t.languages == "required" and not codes:
        c.add("languages", Text("chọn ít nhất một ngôn ngữ phát"))
    order = list(LANGUAGES)
    return sorted(dict.fromkeys(x for x in codes if x in LANGUAGES), key=order.index)


def _check_measures(c: _Collector, t: ActivityType, values: Mapping[str, Any]) -> dict[str, int | None] | None:
    measures: dict[str, int | None] = {}
    for m in t.measures:
        try:
            value = to_int(values.get(m.code))
        except ValueError:
            c.add(m.code, Text("«{value}» không phải số nguyên", value=values.get(m.code)))
            continue
        if value is None:
            if m.required:
                c.add(m.code, Text("bắt buộc, hãy nhập số {unit}", unit=Pair(m.unit_vi, m.unit_en)))
            measures[m.code] = None
            continue
        if abs(value) > 10**15:  # too big to format or store: say so without echoing it
            c.add(m.code, Text("số quá lớn, nằm ngoài khoảng cho phép {low}–{high} {unit}", low=Number(m.min),
                               high=Number(m.max), unit=Pair(m.unit_vi, m.unit_en)))
            continue
        if value < m.min or value > m.max:
            c.add(m.code, Text("{value} nằm ngoài khoảng cho phép {low}–{high} {unit}", value=Number(value),
                               low=Number(m.min), high=Number(m.max), unit=Pair(m.unit_vi, m.unit_en)))
            continue
        measures[m.code] = value
    if any(i.is_error for i in c.issues if i.field in {m.code for m in t.measures}):
        return None
    for rule in t.rules:
        if not rule.holds(measures):
            c.add(rule.fields[0], Pair(rule.message_vi, rule.message_en))
    for issue in typical_issues(activity_type=t, measures=measures):
        c.add(issue.field, issue.detail, WARNING)
    return measures


def typical_issues(*, activity_type: ActivityType, measures: Mapping[str, int | None]) -> list[Issue]:
    """A warning for each measure outside its typical range per unit of work (the definition's [[type.typical]])."""
    out = []
    for typical in activity_type.typical:
        if typical.holds(measures):
            continue
        ratio = typical.ratio(measures) or 0.0
        m, per = activity_type.measure(typical.measure), activity_type.measure(typical.per)
        problem = Text("{ratio} {unit} mỗi {per} là khác thường (thường {low}–{high}); hãy kiểm tra lại hoặc xác nhận "
                       "vẫn lưu", ratio=Number(ratio, decimals=0 if ratio >= 10 else 1),
                       unit=Pair(m.unit_vi, m.unit_en), per=Pair(per.unit_vi, per.unit_for(1, "en")),
                       low=Number(typical.low), high=Number(typical.high))
        out.append(Issue(m.code, labelled(m.code, problem, activity_type), WARNING, problem))
    return out


def _check_plausible(c: _Collector, t: ActivityType, cat: Catalogue, measures: Mapping[str, int | None],
                     commune_key: str | None, village_id: int | None, year: int) -> None:
    if not t.plausible_measure or not t.plausible_factor:
        return
    value = measures.get(t.plausible_measure)
    if not value:
        return
    population, place = None, ""
    if village_id and village_id in cat.villages:
        population = _nearest(cat.village_population.get(village_id, []), year)
        place = Text("bản {village}", village=cat.villages[village_id][1])
    if population is None and commune_key in cat.communes:
        population = _nearest(cat.commune_population.get(commune_key, []), year)
        place = Text("xã {commune}", commune=cat.communes[commune_key].name)
    if population is None:
        return
    ceiling = population * t.plausible_factor
    if value > ceiling:
        m = t.measure(t.plausible_measure)
        c.add(m.code, Text("{value} {unit} là nhiều so với số dân {place} (khoảng {population} người); hãy kiểm tra "
                           "lại hoặc xác nhận vẫn lưu", value=Number(value), unit=Pair(m.unit_vi, m.unit_en),
                           place=place, population=Number(population)), WARNING)


def describe_values(*, catalogue: Catalogue, columns: Mapping[str, Any]) -> dict[str, Any]:
    """A record's columns as readable field values (for the change log and history)."""
    t = load_activity_types().get(columns.get("type_code"))
    unit = catalogue.units.get(columns.get("reporting_unit_id"))
    commune = catalogue.communes.get(columns.get("commune_key") or "")
    village = catalogue.villages.get(columns.get("village_id") or 0)
    out: dict[str, Any] = {
        "type_code": columns.get("type_code"),
        "start_date": columns.get("start_date"), "end_date": columns.get("end_date"),
        "reporting_unit_id": unit.name if unit else columns.get("reporting_unit_id"),
        "commune_key": f"{commune.name} ({commune.code})" if commune else None,
        "village_id": village[1] if village else None,
        "languages": ", ".join(language_name(x) for x in (columns.get("languages") or "").split(",") if x),
        "topic": columns.get("topic") or "", "note": columns.get("note") or "",
    }
    if t:
        for m in t.measures:
            out[m.code] = columns.get(m.column)
    return out
