"""Every validation rule from the activity-type definitions and the dated reference data (one table)."""
from __future__ import annotations

import datetime as dt

import pytest
from entry_helpers import KA_LANG, MU_CA, THU_LUM_2025, outreach, patrol, unit_id, village_id

from data_model.basics.issues import ERROR, WARNING, field_label, to_int
from data_model.definitions.activity_types import list_activity_types
from data_model.definitions.fields import MEASURE_COLUMNS
from data_model.records.validation.catalogue import load_catalogue
from data_model.records.validation.checks import check_values

TODAY = dt.date(2025, 12, 31)
D = dt.date


def _loudspeaker(unit: int, **changes):
    values = {"type_code": "loudspeaker_broadcast", "start_date": D(2024, 5, 1), "end_date": D(2024, 5, 31),
              "reporting_unit_id": unit, "commune_key": KA_LANG, "languages": ["vi", "ha_nhi"], "sessions": 8,
              "minutes": 240}
    values.update(changes)
    return values


def _radio(unit: int, **changes):
    values = {"type_code": "radio_tv_item", "start_date": D(2024, 1, 1), "end_date": D(2024, 12, 31),
              "reporting_unit_id": unit, "reportages": 1, "segments": 2, "news_items": 5}
    values.update(changes)
    return values


def _study(unit: int, **changes):
    values = {"type_code": "study_session", "start_date": D(2024, 2, 2), "reporting_unit_id": unit, "sessions": 1,
              "soldier_attendances": 30}
    values.update(changes)
    return values


# (case id, builder(ids) -> values, field expected, severity, words the Vietnamese message must contain)
CASES = [
    ("no type", lambda i: outreach(i["st"], type_code=None), "type_code", ERROR, "chưa chọn"),
    ("unknown type", lambda i: outreach(i["st"], type_code="picnic"), "type_code", ERROR, "không có loại"),
    ("no start date", lambda i: outreach(i["st"], start_date=None), "start_date", ERROR, "chưa nhập ngày"),
    ("start date not a date", lambda i: outreach(i["st"], start_date="05/03/2024"), "start_date", ERROR, "không phải ngày"),
    ("start date in the future", lambda i: outreach(i["st"], start_date=D(2026, 1, 2), end_date=D(2026, 1, 2),
                                                    commune_key=THU_LUM_2025), "start_date", ERROR, "tương lai"),
    ("end before start", lambda i: patrol(i["st"], end_date=D(2023, 12, 31)), "end_date", ERROR, "trước ngày bắt đầu"),
    ("period crosses a year", lambda i: patrol(i["st"], start_date=D(2023, 12, 1), end_date=D(2024, 1, 31)),
     "end_date", ERROR, "tách"),
    ("single-day type with an end date", lambda i: outreach(i["st"], end_date=D(2024, 3, 6)), "end_date", ERROR,
     "trùng ngày bắt đầu"),
    ("required measure missing", lambda i: outreach(i["st"], attendances=None), "attendances", ERROR, "bắt buộc"),
    ("measure below its minimum", lambda i: outreach(i["st"], sessions=0), "sessions", ERROR, "ngoài khoảng"),
    ("measure above its maximum", lambda i: outreach(i["st"], attendances=200_001), "attendances", ERROR, "200.000"),
    ("measure not a whole number", lambda i: outreach(i["st"], attendances=1.5), "attendances", ERROR, "số nguyên"),
    ("measure is text", lambda i: outreach(i["st"], attendances="nhiều"), "attendances", ERROR, "số nguyên"),
    ("huge measure", lambda i: outreach(i["st"], attendances=10**30), "attendances", ERROR, "ngoài khoảng"),
    ("rule: civilian patrols > patrols", lambda i: patrol(i["st"], civilian_patrols=11, civilian_participations=30),
     "civilian_patrols", ERROR, "không được lớn hơn"),
    ("rule: fewer soldiers than patrols", lambda i: patrol(i["st"], soldier_participations=9), "soldier_participations",
     ERROR, "ít nhất một lượt"),
    ("rule: civilian participations without civilian patrols", lambda i: patrol(i["st"], civilian_patrols=0),
     "civilian_participations", ERROR, "tối đa 200"),
    ("rule: radio/TV needs one item", lambda i: _radio(i["radio"], reportages=0, segments=None, news_items=0),
     "reportages", ERROR, "ít nhất một"),
    ("rule: broadcast minutes per session", lambda i: _loudspeaker(i["st"], minutes=8 * 601), "minutes", ERROR,
     "600 phút"),
    ("commune required", lambda i: outreach(i["st"], commune_key=None), "commune_key", ERROR, "bắt buộc"),
    ("commune for a type without one", lambda i: _study(i["st"], commune_key=KA_LANG), "commune_key", ERROR,
     "để trống"),
    ("unknown commune", lambda i: outreach(i["st"], commune_key="c99999@1900"), "commune_key", ERROR, "không có xã"),
    ("commune merged on 2025-07-01 takes no later record",
     lambda i: outreach(i["st"], start_date=D(2025, 7, 1), end_date=D(2025, 7, 1)), "commune_key", ERROR,
     "sáp nhập vào Thu Lũm"),
    ("2025 commune takes no earlier record", lambda i: outreach(i["st"], commune_key=THU_LUM_2025), "commune_key",
     ERROR, "chỉ có từ 01/07/2025"),
    ("period ending after the merger", lambda i: patrol(i["st"], start_date=D(2025, 6, 1), end_date=D(2025, 7, 31)),
     "commune_key", ERROR, "ngày kết thúc"),
    ("village of another commune", lambda i: outreach(i["st"], village_id=i["mu_ca_village"]), "village_id", ERROR,
     "không thuộc xã Ka Lăng"),
    ("village for a type without villages", lambda i: patrol(i["st"], commune_key=MU_CA,
                                                             village_id=i["mu_ca_village"]), "village_id", ERROR,
     "không ghi theo bản"),
    ("village without commune", lambda i: {**_radio(i["radio"]), "type_code": "leaflet_issue", "copies": 100,
                                           "village_id": i["mu_ca_village"]}, "village_id", ERROR, "chọn xã"),
    ("loudspeaker needs a language", lambda i: _loudspeaker(i["st"], languages=[]), "languages", ERROR,
     "ít nhất một ngôn ngữ"),
    ("unknown language", lambda i: _loudspeaker(i["st"], languages=["klingon"]), "languages", ERROR, "klingon"),
    ("language for a type without languages", lambda i: patrol(i["st"], languages=["vi"]), "languages", ERROR,
     "không ghi ngôn ngữ"),
    ("no reporting unit", lambda i: outreach(None), "reporting_unit_id", ERROR, "chưa chọn đơn vị"),
    ("unknown reporting unit", lambda i: outreach(999_999), "reporting_unit_id", ERROR, "không có đơn vị"),
    ("reporting unit of a kind the type does not allow", lambda i: patrol(i["press"]), "reporting_unit_id", ERROR,
     "không báo cáo"),
    ("topic for a type without topics", lambda i: patrol(i["st"], topic="Tuần tra"), "topic", ERROR,
     "không ghi chủ đề"),
    ("topic too long", lambda i: outreach(i["st"], topic="x" * 301), "topic", ERROR, "300"),
    ("attendances implausible for the commune population", lambda i: outreach(i["st"], attendances=2600),
     "attendances", WARNING, "số dân xã Ka Lăng"),
]


@pytest.fixture
def ids(session):
    return {"st": unit_id(session, "st_ka_lang"), "radio": unit_id(session, "radio_tv"),
            "press": unit_id(session, "press"), "mu_ca_village": village_id(session, "Xi Nế")}


@pytest.mark.parametrize("build,field,severity,words", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rule(session, ids, build, field, severity, words):
    checked = check_values(catalogue=load_catalogue(session=session), values=build(ids), today=TODAY)
    found = [i for i in checked.issues if i.field == field and i.severity == severity]
    assert found, checked.issues
    assert any(words in i.message for i in found), [i.message for i in found]
    # every message names its field first, in Vietnamese
    assert all(i.message.startswith(field_label(i.field, None) + ":") or i.field not in
               ("type_code", "start_date", "end_date", "commune_key", "village_id", "languages", "reporting_unit_id",
                "topic") for i in found)
    if severity == ERROR:
        assert checked.columns is None
    else:
        assert checked.columns is not None and not checked.errors


VALID = [
    ("outreach session", lambda i: outreach(i["st"])),
    ("outreach session in a village", lambda i: outreach(i["st"], commune_key=MU_CA, village_id=i["mu_ca_village"])),
    ("2025 commune after the merger", lambda i: outreach(i["st"], commune_key=THU_LUM_2025, start_date=D(2025, 8, 1),
                                                         end_date=None)),
    ("month of patrols", lambda i: patrol(i["st"])),
    ("patrols without civilians", lambda i: patrol(i["st"], civilian_patrols=None, civilian_participations=None)),
    ("loudspeaker in two languages", lambda i: _loudspeaker(i["st"])),
    ("radio/TV year", lambda i: _radio(i["radio"])),
    ("study session", lambda i: _study(i["st"])),
    ("today is allowed", lambda i: outreach(i["st"], start_date=TODAY, end_date=TODAY, commune_key=THU_LUM_2025)),
]


@pytest.mark.parametrize("build", [c[1] for c in VALID], ids=[c[0] for c in VALID])
def test_valid_values_give_columns(session, ids, build):
    values = build(ids)
    checked = check_values(catalogue=load_catalogue(session=session), values=values, today=TODAY)
    assert checked.issues == []
    cols = checked.columns
    assert cols["year"] == values["start_date"].year
    assert cols["end_date"] == (values.get("end_date") or values["start_date"])


def test_measures_go_to_their_slots(session, ids):
    checked = check_values(catalogue=load_catalogue(session=session), values=patrol(ids["st"]), today=TODAY)
    assert [checked.columns[c] for c in MEASURE_COLUMNS] == [10, 40, 2, 6, None, None]


def test_languages_are_stored_in_a_fixed_order(session, ids):
    checked = check_values(catalogue=load_catalogue(session=session),
                           values=_loudspeaker(ids["st"], languages=["ha_nhi", "vi", "ha_nhi"]), today=TODAY)
    assert checked.columns["languages"] == "vi,ha_nhi"


def test_every_type_has_labels_for_its_measures():
    for t in list_activity_types():
        for m in t.measures:
            assert field_label(m.code, t) == m.label_vi


@pytest.mark.parametrize("value,expected", [
    (None, None), ("", None), ("  ", None), (3, 3), ("42", 42), (7.0, 7), ("-1", -1),
])
def test_to_int(value, expected):
    assert to_int(value) == expected


@pytest.mark.parametrize("value", ["1.5", 1.5, "abc", float("nan"), float("inf"), True])
def test_to_int_refuses(value):
    with pytest.raises(ValueError):
        to_int(value)
