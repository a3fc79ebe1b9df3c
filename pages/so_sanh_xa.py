"""Compare communes: 2–6 side by side, villages not reached in a year, broadcast languages vs languages spoken."""
from __future__ import annotations

import streamlit as st

from data_model.analytics.aggregate import type_order
from data_model.analytics.compare import (
    MAX_COMMUNES,
    MIN_COMMUNES,
    busiest_communes,
    compare_communes,
    language_type_options,
    village_type_options,
)
from data_model.definitions.activity_types import compose_measure_title, get_activity_type
from ui.auth import plain
from ui.charts import formatted, grouped_bars
from ui.downloads import download_buttons
from ui.filters import empty_state, load_commune_choices
from ui.i18n import t
from ui.loaders import cached_loader
from ui.page import open_results_page
from ui.widgets import choice, keep_valid

load_comparison = cached_loader(compare_communes)
load_busiest = cached_loader(busiest_communes)

page = open_results_page("so_sanh_xa", title=t("So sánh các xã"))
lang, filters = page.lang, page.filters
communes_map = load_commune_choices(boundaries=filters.boundaries, year_from=filters.year_from,
                                    year_to=filters.year_to, lang=lang)
keep_valid("ss_communes", communes_map, many=True)
# the busiest communes as a starting point, unless the user (or the URL) already picked some
default = None if "ss_communes" in st.session_state else [k for k in load_busiest(filters=filters)
                                                            if k in communes_map]
picked = choice(st.multiselect, t("Chọn từ {min_communes} đến {max_communes} xã", min_communes=MIN_COMMUNES,
                                  max_communes=MAX_COMMUNES),
                communes_map, max_selections=MAX_COMMUNES, default=default, placeholder=t("Chọn xã"), select_all=False,
                key="ss_communes", bind="query-params",
                help=t("Danh sách xã theo lựa chọn địa giới ở thanh bên."))
years = list(range(filters.year_to, filters.year_from - 1, -1))
gap_types = {c: get_activity_type(c).name(lang) for c in village_type_options()}
lang_types = {c: get_activity_type(c).name(lang) for c in language_type_options()}
keep_valid("ss_year", years)
c1, c2, c3 = st.columns(3)
year = c1.selectbox(t("Năm xem bản chưa được tiếp cận và ngôn ngữ"), years,
                    key="ss_year", bind="query-params")
gap_type = choice(c2.selectbox, t("Bản chưa có hoạt động"), gap_types, key="ss_gap",
                  bind="query-params")
language_type = choice(c3.selectbox, t("Ngôn ngữ của"), lang_types, key="ss_lang",
                       bind="query-params")
if len(picked) < MIN_COMMUNES:
    st.info(t("Hãy chọn ít nhất {min_communes} xã để so sánh.", min_communes=MIN_COMMUNES),
            icon=":material/compare_arrows:")
    st.stop()
cmp = load_comparison(filters=filters, communes=tuple(picked), year=year, gap_type=gap_type,
                      language_type=language_type, lang=lang)

span = f"{filters.year_from}–{filters.year_to}"
st.subheader(t("Mọi chỉ tiêu, giai đoạn {span}", span=span))
if cmp.measures.empty:
    empty_state(filtered=True)
else:
    per_1000 = st.toggle(t("Tính trên 1.000 dân"), key="ss_rate", bind="query-params")
    column = "per_1000" if per_1000 else "value"
    frame = cmp.measures.assign(_o=cmp.measures["type"].map(type_order())).sort_values("_o", kind="stable")
    frame = frame.assign(row=[f"{n} – {compose_measure_title(label=m.lower(), unit=u)}"
                              for n, m, u in zip(frame["type_name"], frame["measure_label"], frame["unit"])])
    wide = frame.pivot_table(index="row", columns="commune", values=column, aggfunc="sum", sort=False)
    wide = wide.reindex(columns=[n for n in cmp.communes.values() if n in wide.columns])
    if per_1000:
        no_pop = sorted(set(frame.loc[frame["population"].isna(), "commune"]))
        if no_pop:
            st.caption(t("Chưa có số dân (không tính được tỷ lệ): ")
                       + ", ".join(plain(n) for n in no_pop))
    shown = formatted(wide.reset_index(), columns=list(wide.columns), lang=lang, decimals=1 if per_1000 else 0)
    shown = shown.rename(columns={"row": t("Loại hoạt động – chỉ tiêu")})
    st.dataframe(shown, hide_index=True)
    rows = list(dict.fromkeys(frame["row"]))
    keep_valid("ss_chart", rows)
    shown_row = st.selectbox(t("Vẽ biểu đồ cho chỉ tiêu"), rows, key="ss_chart")
    one = frame[frame["row"] == shown_row].dropna(subset=[column])
    if not one.empty:
        label = compose_measure_title(label=one["measure_label"].iloc[0], unit=one["unit"].iloc[0])
        st.plotly_chart(grouped_bars(one.assign(label=one["type_name"]), x="commune", y=column, color_by="label",
                                     x_title=t("Xã"), lang=lang, fmt=",.1f" if per_1000 else ",d",
                                     y_title=t("{label} trên 1.000 dân", label=label)
                                     if per_1000 else label), key="ss_bars")
    download_buttons(frame[["commune", "type_name", "measure_label", "unit", "value", "population", "per_1000"]].rename(
        columns={"commune": t("Xã"), "type_name": t("Loại hoạt động"),
                 "measure_label": t("Chỉ tiêu"), "unit": t("Đơn vị tính"),
                 "value": t("Giá trị"), "population": t("Số dân"),
                 "per_1000": t("Trên 1.000 dân")}), name="so-sanh-xa", key="ss_measures")

left, right = st.columns(2)
with left:
    gap_name = gap_types[gap_type].lower()
    st.subheader(t("Bản chưa có {gap_name} năm {year}", gap_name=gap_name, year=year))
    for row in cmp.village_counts.itertuples():
        if row.villages == 0:
            st.markdown(t("**{commune}**: chưa có danh sách bản.", commune=plain(row.commune)))
            continue
        missed = cmp.villages_missed[cmp.villages_missed["commune_key"] == row.commune_key]
        names = [v + (t(" (mẫu)") if d else "") for v, d in zip(missed["village"], missed["is_demo"])]
        st.markdown(t("**{commune}**: {reached}/{villages} bản đã có hoạt động.", commune=plain(row.commune),
                      reached=row.reached, villages=row.villages))
        if names:
            st.text(", ".join(names))
    download_buttons(cmp.villages_missed.drop(columns="commune_key").rename(columns={
        "commune": t("Xã"), "village": t("Bản"), "is_demo": t("Dữ liệu mẫu")}),
        name=f"ban-chua-tiep-can-{year}", key="ss_villages")
with right:
    lang_name = lang_types[language_type]
    st.subheader(t("{lang_name} theo ngôn ngữ, năm {year}", lang_name=lang_name, year=year))
    langs = cmp.languages
    if langs.empty:
        st.caption(t("Chưa có thông tin ngôn ngữ của các xã này."))
    else:
        measure = get_activity_type(language_type).main_measure
        table = langs.assign(
            spoken=[t("có") if s else t("không rõ") for s in langs["spoken"]],
            status=[(t("⚠ chưa phát bằng tiếng này") if s and not n else "")
                    for s, n in zip(langs["spoken"], langs["records"])],
        )[["commune", "language_name", "spoken", "records", "sessions", "status"]].rename(columns={
            "commune": t("Xã"), "language_name": t("Ngôn ngữ", ctx="language"),
            "spoken": t("Người dân nói"), "records": t("Số bản ghi"),
            "sessions": measure.title(lang), "status": t("Khoảng trống")})
        st.dataframe(table, hide_index=True)
        st.caption(t("Ngôn ngữ người dân nói lấy từ dữ liệu tham chiếu về dân tộc của xã (gồm các xã cũ đã sáp nhập)."))
        download_buttons(table, name=f"ngon-ngu-{year}", key="ss_languages")
