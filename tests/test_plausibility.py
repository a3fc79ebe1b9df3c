"""Typical ranges per unit of work from each type's definition: warn, don't refuse (issue 21)."""
from __future__ import annotations

import pytest
from entry_helpers import DAY, outreach, patrol, unit_id

from data_model.basics.issues import WARNING, ValidationError
from data_model.basics.permissions import SYSTEM
from data_model.definitions.activity_types import get_activity_type, list_activity_types
from data_model.records.outliers import find_outliers
from data_model.records.write import create_record
from data_model.schema.db import write_session

# the source report's 2012-2020 totals per unit of work lie inside each type's typical range
REPORT_RATIOS = [("outreach_session", "attendances", 41262 / 824), ("study_session", "soldier_attendances",
                 52621 / 1146), ("patrol", "soldier_participations", 164582 / 30248),
                 ("patrol", "civilian_participations", 23814 / 7612), ("cultural_performance", "viewers", 20000 / 48)]


@pytest.mark.parametrize(("type_code", "measure", "ratio"), REPORT_RATIOS)
def test_the_source_reports_figures_are_typical(type_code, measure, ratio):
    [typical] = [x for x in get_activity_type(type_code).typical if x.measure == measure]
    assert typical.low <= ratio <= typical.high and typical.source


def test_every_typical_range_names_two_measures_of_its_type():
    for t in list_activity_types():
        codes = {m.code for m in t.measures}
        assert all({x.measure, x.per} <= codes and x.low <= x.high for x in t.typical)


def test_two_sessions_with_5000_listeners_are_saved_only_once_confirmed(engine):
    with write_session(engine) as s:
        st = unit_id(s)
        with pytest.raises(ValidationError) as caught:
            create_record(session=s, actor=SYSTEM, values=outreach(st, sessions=2, attendances=5000), today=DAY)
        # more than Ka Lăng's population (2,599) and far more per session than usual: both said
        warning = next(w for w in caught.value.warnings if "mỗi buổi" in w.message)
        assert warning.severity == WARNING and warning.field == "attendances" and not caught.value.errors
        assert str(warning.message) == ("Lượt người nghe: 2.500 lượt người mỗi buổi là khác thường (thường 5–300); "
                                        "hãy kiểm tra lại hoặc xác nhận vẫn lưu")
        assert "2,500 attendances per session" in warning.render("en")
        assert create_record(session=s, actor=SYSTEM, values=outreach(st, sessions=2, attendances=5000), today=DAY,
                             confirm_warnings=True)


def test_the_outlier_check_lists_out_of_range_and_far_from_the_units_usual(engine):
    with write_session(engine) as s:
        st = unit_id(s)
        usual = [create_record(session=s, actor=SYSTEM, values=outreach(st, sessions=1, attendances=40 + i,
                                                                        topic=f"Buổi {i}"), today=DAY)
                 for i in range(6)]
        far = create_record(session=s, actor=SYSTEM, values=outreach(st, sessions=1, attendances=290), today=DAY)
        big = create_record(session=s, actor=SYSTEM, values=outreach(st, sessions=2, attendances=5000), today=DAY,
                            confirm_warnings=True)
        create_record(session=s, actor=SYSTEM, values=patrol(st), today=DAY)
        found = find_outliers(session=s, year=DAY.year)
    assert dict(zip(found["id"], found["why"])) == {far: "unit", big: "range,unit"}
    assert not set(usual) & set(found["id"])
