"""Charts keep very different scales off one axis and draw every type's colour with enough contrast on white."""
from __future__ import annotations

import pandas as pd

from data_model.definitions.activity_types import list_activity_types
from ui.charts import MIN_CONTRAST, contrast_on_white, readable_color, split_by_scale, trend_lines


def _series(peaks: dict[tuple[str, str], int]) -> pd.DataFrame:
    rows = [{"year": y, "type": type_code, "type_name": name, "series": name, "unit": "", "value": peak - (2025 - y)}
            for (type_code, name), peak in peaks.items() for y in (2023, 2024, 2025)]
    return pd.DataFrame(rows)


def test_leaflets_and_sessions_get_their_own_axes():
    frame = _series({("leaflet_issue", "Tờ rơi"): 1000, ("outreach_session", "Buổi tuyên truyền"): 6})
    fig = trend_lines(frame, y_title="Chỉ tiêu chính", lang="vi")
    axes = {trace.name: trace.yaxis for trace in fig.data}
    assert axes["Tờ rơi"] != axes["Buổi tuyên truyền"]
    assert fig.layout.yaxis2.range[1] < 10  # the sessions' axis counts in units, not in hundreds


def test_measures_of_a_similar_size_share_one_axis():
    frame = _series({("patrol", "Tuần tra"): 120, ("outreach_session", "Buổi"): 40})
    fig = trend_lines(frame, y_title="lần", lang="vi")
    assert {trace.yaxis for trace in fig.data} in ({None}, {"y"})


def test_scale_groups_put_no_series_beside_one_ten_times_bigger():
    groups = split_by_scale({"leaflets": 1000, "attendances": 300, "patrols": 120, "sessions": 5, "twinning": 3})
    assert groups == [["leaflets", "attendances", "patrols"], ["sessions", "twinning"]]


def test_every_type_colour_is_drawn_with_three_to_one_contrast():
    for definition in list_activity_types():
        shown = readable_color(definition.color)
        assert contrast_on_white(shown) >= MIN_CONTRAST, (definition.code, definition.color, shown)
    assert contrast_on_white("#F0E442") < 1.5 and readable_color("#0072B2") == "#0072B2"  # yellow darkens, blue stays
