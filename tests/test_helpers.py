"""Pure helpers: name matching, Vietnamese formatting, languages, fact numbers."""
import datetime as dt
import unicodedata

import pytest

from data_model.reference.languages import language_name, languages_of_ethnic_groups, parse_language, parse_languages
from data_model.reference.loader import parse_fact_number
from data_model.reference.names import name_keys, normalise_name
from data_model.texts.formatting import format_date, format_number, format_percent_change


@pytest.mark.parametrize("a, b", [
    ("Pa Vệ Sủ", unicodedata.normalize("NFD", "Pa Vệ Sủ")),  # other Unicode form
    ("Hòa", "Hoà"),  # tone mark on another vowel
    ("Mù  Cả", "mù cả"),  # spacing and case
    ("Dào San\u00a0", "DÀO SAN"),
])
def test_same_name_matches(a, b):
    assert normalise_name(a) == normalise_name(b)


@pytest.mark.parametrize("a, b", [
    ("Pa Vây Sử", "Pa Vệ Sủ"),  # two different communes
    ("Dào San", "Đào San"),
    ("Ka Lăng", "Ka Lang"),
])
def test_different_names_do_not_match(a, b):
    assert normalise_name(a) != normalise_name(b)


@pytest.mark.parametrize("text, expected", [
    ("Xã Dào San", [normalise_name("xã dào san"), normalise_name("dào san")]),
    ("Bản Lang", [normalise_name("bản lang"), normalise_name("lang")]),
    ("", []),
])
def test_name_keys(text, expected):
    assert name_keys(text) == expected


@pytest.mark.parametrize("value, lang, expected", [
    (41262, "vi", "41.262"),
    (41262, "en", "41,262"),
    (164582, "vi", "164.582"),
    (0, "vi", "0"),
    (None, "vi", "–"),
    (1234567, "vi", "1.234.567"),
])
def test_format_number(value, lang, expected):
    assert format_number(value, lang) == expected


def test_format_number_decimals():
    assert format_number(12.345, "vi", decimals=1) == "12,3"


@pytest.mark.parametrize("ratio, expected", [(0.125, "+12,5%"), (-0.05, "-5,0%"), (0, "+0,0%"), (None, "–")])
def test_format_percent_change(ratio, expected):
    assert format_percent_change(ratio) == expected


@pytest.mark.parametrize("day, lang, expected", [
    (dt.date(2021, 5, 6), "vi", "06/05/2021"),
    (dt.date(2021, 5, 6), "en", "2021-05-06"),
    (None, "vi", ""),
])
def test_format_date(day, lang, expected):
    assert format_date(day, lang) == expected


@pytest.mark.parametrize("text, code", [
    ("Mông", "mong"), ("tiếng Hà Nhì", "ha_nhi"), ("Phổ thông", "vi"), ("La Hủ", "la_hu"), ("la_hu", "la_hu"),
    ("Hmông", "mong"), ("Klingon", None), ("tiếng Việt", "vi"), ("Tiếng Dao", "dao"), ("tiếng Kinh", "vi"),
    # typed without diacritics, as commune names are matched
    ("tieng Mong", "mong"), ("Ha Nhi", "ha_nhi"), ("TIENG VIET", "vi"), ("kho mu", "kho_mu"),
    ("tieng Ha Nhi", "ha_nhi"),
    ("pho thong", "vi"), ("  Tiếng   Thái ", "thai"), ("Tiếng", None), ("", None),
])
def test_parse_language(text, code):
    assert parse_language(text) == code


@pytest.mark.parametrize("text, codes", [
    ("Hà Nhì, tiếng Việt", ["ha_nhi", "vi"]),
    ("Mông; Dao", ["mong", "dao"]),
    ("tieng Mong / Ha Nhi", ["mong", "ha_nhi"]),
    ("Thái + Mông\nDao", ["thai", "mong", "dao"]),
    ("Mông, H'Mông, mong", ["mong"]),
    (["Mông", "dao"], ["mong", "dao"]),
    ("", []),
    (" , ;", []),
])
def test_parse_languages(text, codes):
    assert parse_languages(text) == codes


def test_parse_languages_names_every_unknown_language():
    with pytest.raises(ValueError, match="không biết ngôn ngữ «Klingon», «Elvish»") as info:
        parse_languages("Mông, Klingon, Elvish")
    assert "Hà Nhì" in str(info.value)  # and says which names it knows


def test_languages_of_ethnic_groups():
    assert languages_of_ethnic_groups("Thái (91%); Mảng (4.5%); Kinh (4.5%)") == ["thai", "mang", "vi"]
    assert language_name("ha_nhi") == "Tiếng Hà Nhì"
    assert language_name("ha_nhi", "en") == "Hani"


@pytest.mark.parametrize("text, number, approximate", [
    ("2599", 2599, False), (">3000", 3000, True), ("~2700", 2700, True), ("Hà Nhì", None, False), ("4.546", 4546, False),
])
def test_parse_fact_number(text, number, approximate):
    assert parse_fact_number(text) == (number, approximate)


def test_language_names_stay_apart_without_diacritics():
    from data_model.reference.languages import _LANGUAGE_KEYS
    from data_model.reference.names import fold_diacritics

    folded: dict[str, set[str]] = {}
    for key, code in _LANGUAGE_KEYS.items():
        folded.setdefault(fold_diacritics(key), set()).add(code)
    assert all(len(codes) == 1 for codes in folded.values())
