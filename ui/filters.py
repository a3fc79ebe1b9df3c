"""The sidebar filters shared by every results page, kept in the URL so that a link reproduces the view."""
from __future__ import annotations

import streamlit as st
from sqlalchemy.orm import Session

from data_model.analytics.aggregate import FilterOptions, commune_choices, filter_options
from data_model.analytics.filters import Filters
from data_model.analytics.units import with_cluster_units
from data_model.definitions.activity_types import ActivityType, Measure, get_activity_type, list_activity_types
from data_model.reference.boundaries import default_boundaries
from ui.i18n import current_language, t
from ui.loaders import cached_loader
from ui.widgets import choice, keep_valid

# widget keys double as query-parameter names; the prefix keeps them apart from other pages' widgets
KEY_YEARS, KEY_TYPES, KEY_BOUNDS = "f_years", "f_types", "f_bounds"
KEY_DISTRICT, KEY_COMMUNES, KEY_COMMUNES_NOW, KEY_STATIONS = "f_district", "f_communes", "f_communes_now", "f_stations"
_BOUNDS_DEFAULT = "_f_bounds_default"  # the boundary view the year range last suggested


@cached_loader
def load_options(*, session: Session, lang: str = "vi") -> FilterOptions:
    """What the filters can offer for the configured database, labelled in the language (cached)."""
    return filter_options(session=session, lang=lang)


@cached_loader
def load_commune_choices(*, session: Session, boundaries: str, year_from: int, year_to: int,
                         lang: str = "vi") -> dict[str, str]:
    """The communes a picker offers for the boundaries and years (cached)."""
    return commune_choices(session=session, boundaries=boundaries, year_from=year_from, year_to=year_to, lang=lang)


def follow_default_boundaries(*, year_to: int) -> str:
    """The boundary view the years suggest; a view the user has not changed away from follows the years."""
    suggested = default_boundaries(year_to=year_to)
    before = st.session_state.get(_BOUNDS_DEFAULT)
    if before is not None and before != suggested and st.session_state.get(KEY_BOUNDS) == before:
        st.session_state[KEY_BOUNDS] = suggested
    st.session_state[_BOUNDS_DEFAULT] = suggested
    return suggested


@cached_loader
def stations_with_clusters(*, session: Session, stations: tuple[int, ...]) -> tuple[int, ...]:
    """The stations plus their loudspeaker clusters (cached)."""
    return with_cluster_units(session=session, station_ids=stations)


def _year_range(years: tuple[int, int]) -> tuple[int, int]:
    lo, hi = years
    if lo == hi:
        st.sidebar.caption(t("Năm có số liệu: {lo}", lo=lo))
        return lo, hi
    current = st.session_state.get(KEY_YEARS)
    if current is not None:
        a, b = max(lo, min(current[0], hi)), min(hi, max(current[1], lo))
        if (a, b) != tuple(current):
            st.session_state[KEY_YEARS] = (a, b)
    chosen = st.sidebar.slider(t("Khoảng năm"), min_value=lo, max_value=hi, value=(lo, hi), step=1,
                               key=KEY_YEARS, bind="query-params")
    return int(chosen[0]), int(chosen[1])


def sidebar_filters() -> Filters | None:
    """Render the shared filters in the sidebar (after ui.page.open_page); None when the database holds no records
    yet."""
    lang = current_language()
    options = load_options(lang=lang)
    sidebar = st.sidebar
    sidebar.subheader(t("Bộ lọc"))
    if options.years is None:
        sidebar.caption(t("Chưa có số liệu để lọc."))
        return None
    year_from, year_to = _year_range(options.years)
    types = {d.code: d.name(lang) for d in list_activity_types()}
    chosen_types = choice(sidebar.multiselect, t("Loại hoạt động", ctx="activity types"), types, key=KEY_TYPES,
                          bind="query-params", placeholder=t("Tất cả"), select_all=False)
    bounds_labels = {"historical": t("Như khi ghi nhận"),
                     "current": t("Theo xã hiện nay (sau 01/07/2025)")}
    # the years' own view first, so it is the default (a link or a click chooses the other): a period reaching
    # 1 July 2025 in today's communes, one wholly before in the communes of its time
    suggested = follow_default_boundaries(year_to=year_to)
    bounds_labels = dict(sorted(bounds_labels.items(), key=lambda kv: kv[0] != suggested))
    boundaries = choice(sidebar.radio, t("Địa giới"), bounds_labels, key=KEY_BOUNDS, bind="query-params",
                        help=t("Như khi ghi nhận: mỗi hoạt động tính cho xã được ghi. Theo xã hiện nay: xã cũ được "
                               "cộng vào xã mới sau sáp nhập (Nghị quyết 1670/NQ-UBTVQH15)."))
    district = None
    if boundaries == "historical":
        districts = {"": t("Tất cả các huyện"), **options.districts}
        district = choice(sidebar.selectbox, t("Huyện (trước 01/07/2025)"),
                          districts, key=KEY_DISTRICT, bind="query-params") or None
        communes_key = KEY_COMMUNES
    else:
        sidebar.caption(t("Huyện chỉ lọc được khi xem như khi ghi nhận (cấp huyện không còn từ 01/07/2025)."))
        communes_key = KEY_COMMUNES_NOW
    communes_map = load_commune_choices(boundaries=boundaries, year_from=year_from, year_to=year_to, lang=lang)
    communes = choice(sidebar.multiselect, t("Xã", ctx="communes"), communes_map, key=communes_key, bind="query-params",
                      placeholder=t("Tất cả"), select_all=False)
    keep_valid(KEY_STATIONS, options.stations, many=True)
    stations = sidebar.multiselect(t("Đồn biên phòng, đơn vị", ctx="stations units"), options=list(options.stations),
                                   format_func=options.stations.get, key=KEY_STATIONS, bind="query-params",
                                   placeholder=t("Tất cả"), select_all=False)
    filters = Filters(year_from=year_from, year_to=year_to, types=tuple(chosen_types), communes=tuple(communes),
                      stations=stations_with_clusters(stations=tuple(sorted(stations))) if stations else (),
                      district=district, boundaries=boundaries)
    note = boundary_note(filters)
    if note:
        sidebar.info(note, icon=":material/info:")
    return filters


def boundary_note(filters: Filters) -> str:
    """What the reader should know when a unit filter makes the two boundary views differ."""
    if not (filters.communes or filters.district):
        return ""
    if filters.boundaries == "current":
        return t("Đang lọc theo xã hiện nay: số liệu gồm cả các xã cũ đã sáp nhập vào xã đã chọn, nên có thể khác "
                 "khi xem như khi ghi nhận. Tổng toàn tỉnh không đổi.")
    return t("Đang lọc theo xã/huyện như khi ghi nhận: chỉ tính hoạt động ghi đúng đơn vị này; xem theo xã hiện nay "
             "có thể cho số khác. Tổng toàn tỉnh không đổi.")


def empty_state(*, filtered: bool = False) -> None:
    """A friendly message instead of a chart when there is nothing to show."""
    if filtered:
        st.info(t("Không có hoạt động nào khớp với bộ lọc đang chọn. Hãy mở rộng khoảng năm hoặc bỏ bớt điều kiện "
                  "lọc ở thanh bên."), icon=":material/filter_alt_off:")
    else:
        st.info(t("Chưa có hoạt động nào được ghi nhận. Khi cán bộ nhập liệu hoặc nhập tệp, số liệu sẽ hiện ở đây."),
                icon=":material/inbox:")


# query parameters the Records page reads on top of the sidebar filters (set when a chart bar or cell is selected)
DRILL_KEYS = ("d_year", "d_type", "d_commune", "d_station")


def open_records(*, year: int | None = None, type_code: str | None = None, commune: str | None = None,
                 station: int | None = None) -> None:
    """Switch to the Records page narrowed to what was selected in a chart."""
    params = {"d_year": year, "d_type": type_code, "d_commune": commune, "d_station": station}
    st.switch_page("pages/danh_sach.py", query_params={k: str(v) for k, v in params.items() if v not in (None, "")})


def pick_type_and_measure(*, prefix: str, filters: Filters, lang: str, place: str,
                          unavailable: str) -> tuple[ActivityType, Measure]:
    """Type and measure selectors (types that can be recorded for the place kind, narrowed by the sidebar); when the
    sidebar leaves no such type, the unavailable text is shown and the page stops."""
    def recorded_for_place(d: ActivityType) -> bool:
        if place == "commune":
            return d.commune != "none"
        return bool({"station", "loudspeaker_cluster"} & set(d.reporting_kinds))

    types = [d for d in list_activity_types()
             if recorded_for_place(d) and (not filters.types or d.code in filters.types)]
    if not types:
        st.info(unavailable)
        st.stop()
    names = {d.code: d.name(lang) for d in types}
    left, right = st.columns(2)
    type_code = choice(left.selectbox, t("Loại hoạt động"), names, key=f"{prefix}_type",
                       bind="query-params")
    definition = get_activity_type(type_code)
    measures = {m.code: m.title(lang) for m in definition.measures}
    measure = choice(right.selectbox, t("Chỉ tiêu"), measures, key=f"{prefix}_measure",
                     bind="query-params")
    return definition, definition.measure(measure)
