"""Overview: the chosen year at a glance on the first screen (figures, % of plan, change, reporting, what needs
attention), then the period in one sentence, the map, each type's card and the plan's progress."""
from __future__ import annotations

from dataclasses import replace

import streamlit as st

from data_model.definitions.activity_types import compose_measure_title, get_activity_type, list_activity_types
from data_model.plans.glance import YearGlance, build_overview_page, choose_overview_year
from data_model.plans.progress import progress
from data_model.texts.formatting import format_number, format_percent_change, format_share
from ui.auth import plain
from ui.downloads import download_buttons
from ui.filters import empty_state, load_options
from ui.frames import frames_by, records_by
from ui.i18n import t
from ui.loaders import cached_loader
from ui.map_view import commune_map_block
from ui.page import open_results_page
from ui.plan_progress import BEHIND_MARK, ON_PLAN_MARK, progress_cards
from ui.published import show_published
from ui.sparkline import sparkline_svg
from ui.widgets import choice, keep_valid

CARDS_PER_ROW = 2


load_page = cached_loader(build_overview_page)
load_default_year = cached_loader(choose_overview_year)


load_progress = cached_loader(progress)


def _delta(change: float | None, previous: int, year: int, lang: str) -> str | None:
    if change is None or change != change:  # None or NaN: nothing the year before
        return None
    return format_percent_change(change, lang)


def _card(type_code: str, rows: list[dict], trend, year: int, lang: str) -> None:
    definition = get_activity_type(type_code)
    with st.container(border=True):
        st.markdown(f"**{definition.name(lang)}**")
        cols = st.columns(min(len(rows), 2))
        for i, row in enumerate(rows):
            delta = _delta(row["change"], row["previous"], year, lang)
            col = cols[i % len(cols)]
            # the label as a caption wraps; a metric label would be cut off in a narrow card
            col.caption(compose_measure_title(label=row["measure_label"], unit=row["unit"]))
            col.metric(
                row["measure_label"], format_number(row["value"], lang), delta=delta, label_visibility="collapsed",
                delta_color="off" if row["change"] == 0 else "normal",
                delta_arrow="off" if row["change"] == 0 else "auto",
                help=(t("Năm {year}: {previous} {unit}", year=year - 1, previous=format_number(row["previous"], lang),
                        unit=row["unit"])),
                delta_description=None if delta else t("năm {year} chưa có số liệu", year=year - 1),
            )
        mine = trend.get(type_code)
        if mine is not None and len(mine) > 1:
            main = definition.main_measure
            st.caption(t("{label} theo năm", label=main.label(lang)))
            # inline SVG: a dozen Plotly sparklines kept the page half-drawn for seconds in the browser
            st.markdown(sparkline_svg(mine, color=definition.color, unit=main.unit(lang), lang=lang),
                        unsafe_allow_html=True)


ATTENTION_SHOWN = 4  # names listed per kind of attention; the rest are counted


def _change_cell(change: float | None, year: int, lang: str) -> str:
    if change is None or change != change:
        return t("chưa có số liệu {year}", year=year - 1)
    if change == 0:
        return t("không đổi")
    text = format_percent_change(change, lang)
    return f":green[↑ {text}]" if change > 0 else f":red[↓ {text}]"


def _plan_cell(row, lang: str) -> str:
    if row.target is None:
        return t("chưa có kế hoạch")
    share = format_share(float(row.percent) / 100, lang)
    return f":red[{BEHIND_MARK} {share}]" if row.behind else f"{ON_PLAN_MARK} {share}"


def _glance_table(glance: YearGlance, lang: str) -> str:
    """The year's main figure of each type, its % of plan and its change, as a Markdown table."""
    head = [t("Loại hoạt động"), t("Thực hiện"), t("% kế hoạch"), t("So với {year}", year=glance.year - 1)]
    lines = ["| " + " | ".join(head) + " |", "|:--|--:|--:|--:|"]
    for row in glance.figures.itertuples():
        figure = f"**{format_number(row.value, lang)}** {plain(row.unit)}"
        plan = _plan_cell(row, lang) if glance.plan_shown else "–"
        lines.append(f"| {plain(row.type_name)} | {figure} | {plan} | {_change_cell(row.change, glance.year, lang)} |")
    return "\n".join(lines)


def _listed(names: list[str]) -> str:
    shown = ", ".join(names[:ATTENTION_SHOWN])
    more = len(names) - ATTENTION_SHOWN
    return shown + (t(" và {n} đơn vị khác", n=more) if more > 0 else "")


def _attention(glance: YearGlance, lang: str) -> None:
    """Reporting completeness of the year and what needs the official's attention."""
    r = glance.reporting
    st.markdown(t("**Báo cáo năm {year}**", year=glance.year))
    if not r["units"]:
        st.caption(t("Chưa có đơn vị nào phải báo cáo hằng tháng."))
    elif not r["expected"]:
        st.caption(t("Chưa đến hạn xác nhận tháng nào của năm {year}.", year=glance.year))
    else:
        st.markdown(t("{complete}/{units} đơn vị đủ {months} tháng; {confirmed}/{expected} tháng đã xác nhận ({rate}).",
                      complete=r["units_complete"], units=r["units"], months=r["months_due"],
                      confirmed=format_number(r["confirmed"], lang), expected=format_number(r["expected"], lang),
                      rate=format_share(r["rate"], lang)))
    st.markdown(t("**Cần chú ý**"))
    nothing = True
    if not glance.overdue.empty:
        nothing = False
        names = [f"{plain(u)} ({', '.join(t('T{month}', month=m) for m in months)})"
                 for u, months in zip(glance.overdue["unit"], glance.overdue["months"])]
        st.markdown(":material/event_busy: " + t("Tháng chưa xác nhận, quá hạn: {units}", units=_listed(names)))
    behind = glance.behind[glance.behind["level"] == "unit"]
    if not behind.empty:
        nothing = False
        names = [t("{unit} ({n} chỉ tiêu, thấp nhất {percent})", unit=plain(r.name), n=r.targets,
                   percent=format_share(float(r.percent) / 100, lang)) for r in behind.itertuples()]
        st.markdown(":material/trending_down: " + t("Đơn vị chậm kế hoạch: {units}", units=_listed(names)))
    if nothing:
        st.markdown(":material/check_circle: " + t("Không có tháng quá hạn chưa xác nhận, không đơn vị nào chậm kế "
                                                     "hoạch."))


page = open_results_page("tong_quan", title=t("Tổng quan kết quả thông tin, tuyên truyền biên giới"), published=False)
lang, filters = page.lang, page.filters
years = list(range(filters.year_to, filters.year_from - 1, -1))
keep_valid("tq_year", years)
default = min(max(load_default_year() or filters.year_to, filters.year_from), filters.year_to)
left, right = st.columns([5, 3], gap="medium")  # the year's figures beside its choice, reporting and attention
year = right.selectbox(t("Năm xem kết quả"), years, index=years.index(default), key="tq_year", bind="query-params",
                       width=200)
period_note = right.empty()
glance_box = st.container()  # filled once the period below is known: the whole page is read in one call

st.divider()
st.subheader(t("Tổng hợp theo giai đoạn"))
lo, hi = load_options().years
if lo < hi:
    chosen = st.session_state.get("tq_period")
    if chosen is not None and not (lo <= chosen[0] <= chosen[1] <= hi):
        st.session_state.pop("tq_period")
    period = st.slider(t("Giai đoạn tổng hợp"), min_value=lo, max_value=hi,
                       value=(filters.year_from, filters.year_to), key="tq_period", bind="query-params",
                       help=t("Các bộ lọc loại hoạt động, xã, đồn ở thanh bên vẫn áp dụng."))
else:
    period = (lo, hi)
period = (int(period[0]), int(period[1]))
data = load_page(filters=filters, year=year, period=period, lang=lang)
glance, overview = data.glance, data.overview

if glance.months == 12:
    note = t("Cả năm {year}, so với năm {previous}.", year=year, previous=year - 1)
elif glance.months:
    note = t("Năm {year} đang thực hiện: số liệu đến hết tháng {month}, so với cùng kỳ năm {previous} (đến hết tháng "
             "{month}).", year=year, month=glance.months, previous=year - 1)
else:
    note = t("Năm {year} mới bắt đầu: số liệu đến hôm nay, so với cùng ngày năm {previous}.", year=year,
             previous=year - 1)
period_note.caption(note)
with glance_box:
    if glance.figures.empty:
        with left:
            empty_state(filtered=True)
    else:
        left.markdown(_glance_table(glance, lang))
        if not glance.plan_shown:
            left.caption(t("Kế hoạch là của toàn tỉnh: không so với số liệu đã lọc theo xã, đồn."))
    with right.container(border=True):
        _attention(glance, lang)
    show_published(year_from=year, year_to=year, key="tong_quan")

span = f"{period[0]}–{period[1]}" if period[0] != period[1] else str(period[0])
with st.container(border=True):
    st.markdown(overview.sentence.replace("*", "\\*"))
if not overview.period.empty:
    period_table = overview.period[["type_name", "measure_label", "unit", "value"]].rename(columns={
        "type_name": t("Loại hoạt động"), "measure_label": t("Chỉ tiêu"),
        "unit": t("Đơn vị tính"), "value": t("Tổng")})
    with st.expander(t("Bảng số liệu giai đoạn {span}", span=span)):
        totals = [format_number(v, lang) for v in overview.period["value"]]
        st.dataframe(period_table.assign(**{t("Tổng"): totals}),
                     hide_index=True)
        download_buttons(period_table, name=f"giai-doan-{span}", key="tq_period_table")

mapped = {d.code: d for d in list_activity_types()
          if d.commune != "none" and (not filters.types or d.code in filters.types)}
if mapped:
    st.markdown(t("**Bản đồ các xã, giai đoạn {span}**", span=span))
    # a translated choice: after a language switch the box shows the type's name in the new language
    chosen_type = choice(st.selectbox, t("Loại hoạt động trên bản đồ"), {c: d.name(lang) for c, d in mapped.items()},
                         key="tq_map_type", width=360)
    commune_map_block(prefix="tq", filters=replace(filters, year_from=period[0], year_to=period[1]),
                      definition=mapped[chosen_type], measure=mapped[chosen_type].main_measure, small=True)

st.subheader(t("Kết quả từng năm"))
if overview.kpis.empty:
    empty_state(filtered=True)
else:
    if glance.in_progress:
        st.caption(t("Mỗi thẻ là một loại hoạt động trong năm {year} đến hết tháng {month}; mũi tên cho biết tăng/giảm "
                     "so với cùng kỳ năm {year2}.", year=year, month=glance.months, year2=year - 1))
    else:
        st.caption(t("Mỗi thẻ là một loại hoạt động trong năm {year}; mũi tên cho biết tăng/giảm so với năm {year2}.",
                     year=year, year2=year - 1))
    # plain records and one split of the trend: pandas' row access per card cost more than drawing the cards
    groups = list(records_by(overview.kpis, key="type",
                             columns=["measure_label", "unit", "value", "previous", "change"]).items())
    trends = frames_by(overview.trend, key="type")
    for start in range(0, len(groups), CARDS_PER_ROW):
        cols = st.columns(CARDS_PER_ROW)
        for col, (type_code, rows) in zip(cols, groups[start:start + CARDS_PER_ROW]):
            with col:
                _card(str(type_code), rows, trends, year, lang)
    kpi_table = overview.kpis[["type_name", "measure_label", "unit", "value", "previous", "change"]].rename(columns={
        "type_name": t("Loại hoạt động"), "measure_label": t("Chỉ tiêu"),
        "unit": t("Đơn vị tính"), "value": str(year), "previous": str(year - 1),
        "change": t("Thay đổi (tỷ lệ)")})
    download_buttons(kpi_table, name=f"tong-quan-{year}", key="tq_kpis")

plan = load_progress(year=year, by="province", lang=lang)
if filters.types:
    plan = plan[plan["type"].isin(filters.types)]
if not plan.empty:
    st.subheader(t("Tiến độ kế hoạch năm {year}", year=year))
    st.caption(t("Số thực hiện / kế hoạch năm {year} của toàn tỉnh; {behind_mark} chậm: thấp hơn kế hoạch (năm đang "
                 "thực hiện: thấp hơn phần cần đạt theo số tháng đã qua).", year=year, behind_mark=BEHIND_MARK))
    if filters.communes or filters.stations or filters.district:
        st.caption(t("Kế hoạch và số thực hiện của toàn tỉnh (không theo bộ lọc xã, đồn)."))
    progress_cards(plan, lang=lang, key="tq_plan")
