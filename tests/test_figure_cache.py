"""Figures reused per process: the same data gives the same figure and spec, other data a new one."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import plotly.io
import pytest
from streamlit.testing.v1 import AppTest

from ui.figure_cache import fingerprint_values, reuse_figure


def _bars(values: list[int]) -> go.Figure:
    return go.Figure(go.Bar(x=["a", "b", "c"], y=values), layout={"title": {"text": "Số buổi"}})


def test_the_same_data_gives_the_same_figure_and_other_data_a_new_one():
    built: list[list[int]] = []

    def build(values: list[int]) -> go.Figure:
        built.append(values)
        return _bars(values)

    frame = pd.DataFrame({"x": ["a", "b", "c"], "y": [1, 2, 3]})
    first = reuse_figure(name="t1", inputs={"data": frame}, build=lambda: build([1, 2, 3]))
    again = reuse_figure(name="t1", inputs={"data": frame.copy()}, build=lambda: build([1, 2, 3]))
    other = reuse_figure(name="t1", inputs={"data": frame.assign(y=[1, 2, 4])}, build=lambda: build([1, 2, 4]))
    assert again is first
    assert other is not first
    assert built == [[1, 2, 3], [1, 2, 4]]


def test_fingerprints_tell_contents_apart_and_unpicklable_values_still_get_one():
    frame = pd.DataFrame({"name": ["Mường Tè", "Sìn Hồ"], "value": [1, 2]})
    assert fingerprint_values(values={"d": frame}) == fingerprint_values(values={"d": frame.copy()})
    assert fingerprint_values(values={"d": frame}) != fingerprint_values(values={"d": frame.assign(value=[1, 3])})
    assert isinstance(fingerprint_values(values={"f": lambda: 1}), str)


def test_the_spec_sent_is_plotlys_own_json_encoded_once():
    figure = reuse_figure(name="t2", inputs={"v": 1}, build=lambda: _bars([5, 6, 7]))
    expected = plotly.io.to_json(_bars([5, 6, 7]), validate=False)
    spec = plotly.io.to_json(figure.to_dict(), validate=False)
    assert spec == expected
    assert plotly.io.to_json(figure.to_dict(), validate=False) is spec
    # a pretty or a plain figure's JSON is still plotly's own
    assert plotly.io.to_json(figure.to_dict(), pretty=True) != spec
    assert plotly.io.to_json(_bars([5, 6, 7]), validate=False) == expected


def _chart_app() -> None:
    import plotly.graph_objects as go
    import streamlit as st

    from ui.figure_cache import reuse_figure

    figure = reuse_figure(name="t3", inputs={"v": 1},
                          build=lambda: go.Figure(go.Scatter(x=[1, 2], y=[3, float("nan")])))
    st.plotly_chart(figure, key="chart")


def test_a_reused_figure_reaches_the_page_the_same_on_every_rerun():
    at = AppTest.from_function(_chart_app).run()
    first = at.get("plotly_chart")[0].proto.spec
    at.run()
    assert at.get("plotly_chart")[0].proto.spec == first
    assert '"y":[3,null]' in first.replace(" ", "")


@pytest.mark.parametrize(("layer", "labels", "lang"), [("value", True, "vi"), ("coverage", False, "en"),
                                                        ("per_1000", False, "vi")])
def test_the_prepared_map_sends_the_same_figure_as_a_plain_one(shared_demo, layer, labels, lang):
    from data_model.analytics.filters import Filters
    from data_model.analytics.map import commune_map
    from data_model.reference.geo import load_province_shapes
    from ui.map_chart import commune_map_figure

    data = commune_map(session=shared_demo, filters=Filters(year_from=2012, year_to=2025),
                       type_code="outreach_session", measure="sessions", coverage_year=2025)
    shapes = load_province_shapes()
    kwargs = {"layer": layer, "title": "Số buổi", "unit": "buổi", "lang": lang, "height": 420, "labels": labels}
    plain = commune_map_figure(data, shapes, prepared=False, **kwargs)
    for _ in range(2):  # the second map reuses the unchanging traces kept from the first
        prepared = commune_map_figure(data, shapes, **kwargs)
        assert [t["type"] for t in prepared.to_dict()["data"]] == [t.type for t in plain.data]
        assert plotly.io.to_json(prepared.to_dict(), validate=False) == plotly.io.to_json(plain, validate=False)
