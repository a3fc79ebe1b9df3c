"""The commune map block of the Overview and By-commune pages: layer choice, the map, its notes, a click to records."""
from __future__ import annotations

import streamlit as st

from data_model.analytics.filters import Filters
from data_model.analytics.map import CommuneMap, commune_map
from data_model.definitions.activity_types import ActivityType, Measure
from data_model.reference.geo import GeoUnavailable, ProvinceShapes, load_province_shapes
from data_model.texts.formatting import format_date, format_number
from ui.auth import plain
from ui.charts import selected_points
from ui.figure_cache import reuse_figure
from ui.filters import KEY_BOUNDS, open_records
from ui.i18n import current_language, t
from ui.loaders import cached_loader
from ui.map_chart import commune_map_figure, picked

load_map = cached_loader(commune_map)


def _shapes() -> ProvinceShapes | None:
    try:
        return load_province_shapes()
    except GeoUnavailable as error:
        st.info(t("Không vẽ được bản đồ: ") + error.text(current_language())
                + t(" Các phần khác của trang vẫn dùng được."),
                icon=":material/map:")
        return None


def _on_pick(prefix: str) -> None:
    """A click on the map: remember what was chosen; a commune of today needs the current-communes view."""
    state = st.session_state.get(f"{prefix}_map")
    commune, station = picked(selected_points(state))
    if commune is None and station is None:
        return
    if commune is not None:
        # the map draws today's communes: their records include the former communes merged into them
        st.session_state[KEY_BOUNDS] = "current"
    st.session_state[f"{prefix}_map_pick"] = (commune, station)


def commune_map_block(*, prefix: str, filters: Filters, definition: ActivityType, measure: Measure,
                      small: bool = False) -> None:
    """The map with its layer choice, legend notes and click-through to the chosen commune's or station's records."""
    lang = current_language()
    pick = st.session_state.pop(f"{prefix}_map_pick", None)
    if pick is not None:
        open_records(type_code=definition.code, commune=pick[0], station=pick[1])
    shapes = _shapes()
    if shapes is None:
        return
    layers = {"value": t("Tổng số"), "per_1000": t("Trên 1.000 dân"),
              "coverage": t("Tỷ lệ bản có hoạt động")}
    left, right = st.columns([3, 1])
    layer = left.segmented_control(t("Lớp bản đồ"), list(layers), format_func=layers.get,
                                   default="value", key=f"{prefix}_map_layer") or "value"
    year = filters.year_to
    if layer == "coverage":
        years = list(range(filters.year_to, filters.year_from - 1, -1))
        year = right.selectbox(t("Năm xét độ phủ"), years, key=f"{prefix}_map_year")
    data = load_map(filters=filters, type_code=definition.code, measure=measure.code, coverage_year=int(year), lang=lang)
    unit = measure.unit(lang)
    titles = {"value": measure.title(lang),
              "per_1000": t("{unit} / 1.000 dân", unit=unit),
              "coverage": t("% bản có hoạt động năm {year}", year=year)}
    span = f"{filters.year_from}–{filters.year_to}" if filters.year_from != filters.year_to else str(filters.year_to)
    what = {"value": t("{type_name}: {label}, {span}", type_name=definition.name(lang),
                       label=measure.title(lang).lower(), span=span),
            "per_1000": t("{type_name}: {label} trên 1.000 dân, {span}", type_name=definition.name(lang),
                          label=measure.label(lang).lower(), span=span),
            "coverage": t("{type_name}: tỷ lệ bản có hoạt động năm {year} (%)", type_name=definition.name(lang),
                          year=year)}
    st.markdown(f"**{plain(what[layer])}**")
    height = 420 if small else 640
    figure = reuse_figure(
        name="commune_map", inputs={"data": data, "layer": layer, "title": titles[layer], "unit": unit, "lang": lang,
                                    "height": height, "small": small},
        build=lambda: commune_map_figure(data, shapes, layer=layer, title=titles[layer], unit=unit, lang=lang,
                                         height=height, labels=not small))
    st.plotly_chart(figure, on_select=lambda: _on_pick(prefix), selection_mode="points", key=f"{prefix}_map",
                    config={"displayModeBar": False, "scrollZoom": False})
    for note in map_notes(data=data, shapes=shapes, layer=layer, unit=unit, lang=lang):
        st.caption(note)


def map_notes(*, data: CommuneMap, shapes: ProvinceShapes, layer: str, unit: str, lang: str) -> list[str]:
    """What the reader must know about this map, one line each."""
    day = format_date(data.on, lang)
    notes = [t("Chọn một xã trên bản đồ để xem các hoạt động của xã (theo xã hiện nay); chọn một đồn để xem các hoạt "
               "động của đồn. Bản đồ vẽ {communes} xã, phường có từ 01/07/2025.", communes=len(shapes.communes))]
    if data.rolled_up:
        notes.append(t("Đang xem như khi ghi nhận: trên bản đồ, số liệu của các xã cũ được cộng vào xã hiện nay "
                       "(ngày {day}).", day=day))
    if data.outside:
        notes.append(t("{outside} {unit} không ghi xã nên không có trên bản đồ (tổng {total}).",
                       outside=format_number(data.outside, lang), unit=unit, total=format_number(data.total, lang)))
    if layer == "per_1000":
        unknown = data.communes[data.communes["per_1000"].isna()]["name"].tolist()
        if unknown:
            notes.append(t("Chưa có số dân ({unknown} xã, để trống): ", unknown=len(unknown)) + ", ".join(map(plain, unknown)))
    if layer == "coverage":
        unknown = data.communes[data.communes["villages"] == 0]["name"].tolist()
        notes.append(t("Tỷ lệ = số bản có ít nhất một hoạt động năm {coverage_year} / số bản trong danh mục (mọi đơn "
                       "vị báo cáo).", coverage_year=data.coverage_year))
        if unknown:
            notes.append(t("Chưa có danh sách bản ({unknown} xã, để trống): ", unknown=len(unknown)) + ", ".join(map(plain, unknown)))
    missing = [k for k in data.communes["key"] if k not in shapes.communes]
    if missing:
        names = dict(zip(data.communes["key"], data.communes["name"]))
        notes.append(t("Chưa có ranh giới của: ") + ", ".join(plain(names[k]) for k in missing))
    for problem in shapes.missing:
        notes.append(t("Thiếu một lớp bản đồ: ") + problem)
    notes.append(t("Đồn biên phòng đặt ở giữa xã của đồn vì chưa có toạ độ. Đường biên giới suy ra từ ranh giới xã "
                   "(không phải đường biên giới chính thức); ranh giới xã theo bản đồ hành chính của NXB Tài nguyên "
                   "– Môi trường và Bản đồ Việt Nam (bando), không phải số liệu đo đạc pháp lý."))
    return notes
