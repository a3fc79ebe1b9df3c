"""Every activity-type definition is complete, consistent and enforces its rules."""
import pytest

from data_model.definitions.activity_types import MAX_MEASURES, list_activity_types

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
    assert [m.slot for m in definition.measures] == list(range(1, len(definition.measures) + 1))
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
