"""Every activity-type definition is complete, consistent and enforces its rules; measures keep their storage slots."""
import re
from pathlib import Path

import pytest

from data_model.definitions.activity_types import (
    DEFINITIONS_FILE,
    compose_measure_title,
    list_activity_types,
    load_activity_types,
)
from data_model.definitions.fields import MAX_MEASURES, MEASURE_COLUMNS, SUM_COLUMNS
from data_model.schema.models import ActivityRecord, ActivitySummary

TYPES = list_activity_types()
REQUIRED_CODES = {
    "outreach_session", "study_session", "leaflet_issue", "patrol", "cultural_performance", "loudspeaker_broadcast",
    "radio_tv_item", "press_item", "training_course", "village_working_group", "twinning_exchange", "special_event",
}
REPORTING_KINDS = {"station", "battalion", "department", "radio_tv", "press", "loudspeaker_cluster"}


def test_all_types_of_the_brief_are_defined():
    assert REQUIRED_CODES <= {t.code for t in TYPES}


def test_colours_are_distinct():
    assert len({t.color.lower() for t in TYPES}) == len(TYPES)


@pytest.mark.parametrize("definition", TYPES, ids=lambda t: t.code)
def test_definition_is_complete(definition):
    assert definition.name_vi and definition.name_en
    assert 1 <= len(definition.measures) <= MAX_MEASURES
    assert len({m.code for m in definition.measures}) == len(definition.measures)
    assert len({m.slot for m in definition.measures}) == len(definition.measures)
    for m in definition.measures:
        assert m.label_vi and m.label_en and m.unit_vi and m.unit_en
        assert 0 <= m.min <= m.max
    assert {definition.commune, definition.village, definition.languages} <= {"required", "optional", "none"}
    assert set(definition.reporting_kinds) <= REPORTING_KINDS
    if definition.village != "none":
        assert definition.commune != "none", "a village needs a commune"
    if definition.plausible_measure:
        definition.measure(definition.plausible_measure)


@pytest.mark.parametrize("values, broken", [
    ({"patrols": 10, "soldier_participations": 50, "civilian_patrols": 3, "civilian_participations": 9}, []),
    ({"patrols": 10, "soldier_participations": 50, "civilian_patrols": 11, "civilian_participations": 20},
     ["civilian_patrols <= patrols"]),
    ({"patrols": 10, "soldier_participations": 5}, ["soldier_participations >= patrols"]),
    ({"patrols": 10, "soldier_participations": 50, "civilian_patrols": 2, "civilian_participations": 1},
     ["civilian_participations >= civilian_patrols"]),
    ({"patrols": 10, "soldier_participations": 50, "civilian_patrols": 0, "civilian_participations": 5},
     ["civilian_participations <= civilian_patrols"]),
])
def test_patrol_rules(values, broken):
    patrol = next(t for t in TYPES if t.code == "patrol")
    failed = [f"{'+'.join(r.left)} {r.op} {'+'.join(r.right)}" for r in patrol.rules if not r.holds(values)]
    assert failed == broken
    for rule in patrol.rules:
        assert rule.message("vi") and rule.message("en")


@pytest.mark.parametrize("values, ok", [
    ({"reportages": 0, "segments": 0, "news_items": 0}, False),
    ({"reportages": 0, "segments": 0, "news_items": 1}, True),
    ({"reportages": 2}, True),
])
def test_radio_tv_needs_one_item(values, ok):
    radio = next(t for t in TYPES if t.code == "radio_tv_item")
    assert all(r.holds(values) for r in radio.rules) is ok


# Where each measure's figures are stored. A row may be added for a new measure; an existing row never changes: the
# records already stored in that column would silently become another measure's figures.
STORAGE = [
    ("outreach_session", "sessions", "m1"), ("outreach_session", "attendances", "m2"),
    ("study_session", "sessions", "m1"), ("study_session", "soldier_attendances", "m2"),
    ("leaflet_issue", "copies", "m1"),
    ("patrol", "patrols", "m1"), ("patrol", "soldier_participations", "m2"), ("patrol", "civilian_patrols", "m3"),
    ("patrol", "civilian_participations", "m4"),
    ("cultural_performance", "performances", "m1"), ("cultural_performance", "viewers", "m2"),
    ("loudspeaker_broadcast", "sessions", "m1"), ("loudspeaker_broadcast", "minutes", "m2"),
    ("radio_tv_item", "reportages", "m1"), ("radio_tv_item", "segments", "m2"), ("radio_tv_item", "news_items", "m3"),
    ("press_item", "items", "m1"),
    ("training_course", "courses", "m1"), ("training_course", "trainees", "m2"),
    ("village_working_group", "groups", "m1"), ("village_working_group", "members", "m2"),
    ("twinning_exchange", "exchanges", "m1"), ("twinning_exchange", "participants", "m2"),
    ("special_event", "events", "m1"), ("special_event", "participants", "m2"),
]


@pytest.mark.parametrize("type_code, measure, column", STORAGE)
def test_each_measure_keeps_its_storage_column(type_code, measure, column):
    m = load_activity_types()[type_code].measure(measure)
    assert (m.column, m.sum_column) == (column, column.replace("m", "s"))


def test_every_measure_is_in_the_storage_table():
    assert sorted((t.code, m.code) for t in list_activity_types() for m in t.measures) == sorted(
        (t, m) for t, m, _ in STORAGE)


def test_the_slots_are_the_columns_of_the_tables():
    assert MEASURE_COLUMNS == tuple(c for c in ActivityRecord.__table__.columns.keys() if re.fullmatch(r"m\d", c))
    assert SUM_COLUMNS == tuple(c for c in ActivitySummary.__table__.columns.keys() if re.fullmatch(r"s\d", c))
    assert len(MEASURE_COLUMNS) == MAX_MEASURES


def _definitions(tmp_path: Path, edit) -> Path:
    """A copy of the definitions file with one edit, for checking what the loader does with it."""
    path = tmp_path / "activity_types.toml"
    path.write_text(edit(DEFINITIONS_FILE.read_text(encoding="utf-8")), encoding="utf-8")
    return path


def _patrol_block(text: str) -> tuple[int, int]:
    start = text.index('code = "patrol"')
    return start, text.index("[[type]]", start)


def test_reordering_measures_keeps_their_columns(tmp_path):
    def swap_patrol_participations(text: str) -> str:
        start, end = _patrol_block(text)
        block = text[start:end]
        parts = block.split("  [[type.measure]]\n")  # head, patrols, soldier_participations, civilian_patrols, …
        parts[2], parts[3] = parts[3], parts[2]
        return text[:start] + "  [[type.measure]]\n".join(parts) + text[end:]

    patrol = load_activity_types(_definitions(tmp_path, swap_patrol_participations))["patrol"]
    assert [m.code for m in patrol.measures][1:3] == ["civilian_patrols", "soldier_participations"]
    assert patrol.measure("soldier_participations").column == "m2"
    assert patrol.measure("civilian_patrols").column == "m3"


@pytest.mark.parametrize("edit, words", [
    (lambda b: b.replace("slot = 2\n", "", 1), "needs slot"),
    (lambda b: b.replace("slot = 2\n", "slot = 7\n", 1), "needs slot"),
    (lambda b: b.replace("slot = 2\n", "slot = 0\n", 1), "needs slot"),
    (lambda b: b.replace("slot = 2\n", 'slot = "2"\n', 1), "needs slot"),
    (lambda b: b.replace("slot = 2\n", "slot = 3\n", 1), "share a slot"),
    (lambda b: b.replace("slot = 1\n", "slot = 5\n", 1), "keeps slot 1"),
])
def test_a_bad_slot_stops_the_definitions_from_loading(tmp_path, edit, words):
    def edit_patrol(text: str) -> str:
        start, end = _patrol_block(text)
        return text[:start] + edit(text[start:end]) + text[end:]

    with pytest.raises(ValueError, match=words):
        load_activity_types(_definitions(tmp_path, edit_patrol))


@pytest.mark.parametrize("label, unit, title", [
    ("Số buổi", "buổi", "Số buổi"),
    ("Lượt cán bộ chiến sĩ", "lượt cán bộ chiến sĩ", "Lượt cán bộ chiến sĩ"),
    ("Sessions", "sessions", "Sessions"),
    ("Số tin, bài", "tin, bài", "Số tin, bài"),
    ("Thời lượng", "phút", "Thời lượng (phút)"),
    ("Duration", "minutes", "Duration (minutes)"),
    ("Số cán bộ tham gia", "người", "Số cán bộ tham gia (người)"),
    ("Số lớp", "lớp học", "Số lớp (lớp học)"),  # part of the unit is not the unit
    ("Tin", "tin", "Tin"),
])
def test_a_measure_title_says_its_unit_once(label, unit, title):
    assert compose_measure_title(label=label, unit=unit) == title


def test_no_defined_measure_repeats_its_unit():
    for definition in list_activity_types():
        for m in definition.measures:
            for lang in ("vi", "en"):
                shown = m.title(lang)
                assert shown.casefold().count(m.unit(lang).casefold()) == 1, shown
