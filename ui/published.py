"""Results pages: for each closed year in the chosen range, its published figures and, where they differ, both."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from data_model.reporting.published import PublishedYear, published_years
from data_model.texts.formatting import format_date
from ui.auth import plain
from ui.charts import formatted
from ui.i18n import current_language, t
from ui.loaders import cached_loader

ACTION_NAMES = {"create": ("Thêm", "Added"), "update": ("Sửa", "Edited"), "delete": ("Xoá", "Deleted"),
                "restore": ("Khôi phục", "Restored")}


load_published = cached_loader(published_years)


def comparison_table(year: PublishedYear, *, rows: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Published and current figures side by side, numbers the Vietnamese way."""
    shown = rows.assign(measure_label=rows["type_name"] + " – " + rows["measure_label"].str.lower())
    columns = {"station": t("Đơn vị", "Unit"), "measure_label": t("Chỉ tiêu", "Measure"),
               "published": t("Đã công bố", "Published"), "current": t("Hiện tại", "Current"),
               "difference": t("Chênh lệch", "Difference")}
    keep = [c for c in columns if c != "station" or shown["station"].astype(bool).any()]
    table = shown[keep].rename(columns=columns)
    return formatted(table, columns=[columns["published"], columns["current"], columns["difference"]], lang=lang)


def revisions_table(year: PublishedYear, *, lang: str) -> pd.DataFrame:
    """Who changed what, when and why after the year was closed."""
    rev = year.revisions
    return pd.DataFrame({
        t("Thời gian", "When"): [f"{format_date(x.date(), lang)} {x:%H:%M}" for x in rev["at"]],
        t("Người sửa", "By"): rev["username"],
        t("Thao tác", "Action"): [t(*ACTION_NAMES.get(a, (a, a))) for a in rev["action"]],
        t("Lý do", "Reason"): rev["reason"], t("Thay đổi", "What changed"): rev["change"]})


def show_published(*, year_from: int, year_to: int, by_station: bool = False, key: str, expanded: bool = False,
                   on_results_page: bool = True) -> None:
    """A note per closed year of the range; where current figures differ, both and the revisions."""
    lang = current_language()
    for year in load_published(year_from=year_from, year_to=year_to, by_station=by_station, lang=lang):
        when = f"{format_date(year.closed_at.date(), lang)}"
        differs = year.differs
        if differs.empty:
            st.info(t(f"Năm {year.year} đã khoá sổ ngày {when} ({year.closed_by}): số liệu năm này là số liệu đã công "
                      "bố.", f"{year.year} was closed on {when} ({year.closed_by}): its figures are the published "
                                 "ones."), icon=":material/lock:")
            continue
        st.warning(t(f"Năm {year.year} đã khoá sổ ngày {when} ({year.closed_by}). Sau đó có "
                     f"{len(year.revisions)} điều chỉnh: số liệu hiện tại khác số liệu đã công bố ở "
                     f"{len(differs)} chỉ tiêu (bên dưới).", f"{year.year} was closed on {when} ({year.closed_by}). "
                     f"{len(year.revisions)} revisions since: current figures differ from the published ones in "
                     f"{len(differs)} measures (below).")
                   + (t(" Các biểu đồ trên trang này dùng số liệu hiện tại.", " The charts on this page use the "
                        "current figures.") if on_results_page else ""), icon=":material/lock:")
        with st.expander(t(f"Năm {year.year}: số liệu đã công bố và hiện tại, các điều chỉnh",
                           f"{year.year}: published and current figures, revisions"), expanded=expanded):
            st.dataframe(comparison_table(year, rows=differs, lang=lang), hide_index=True,
                         key=f"{key}_pub_{year.year}")
            st.dataframe(revisions_table(year, lang=lang), hide_index=True, key=f"{key}_rev_{year.year}")
            st.caption(plain(t("Số liệu đã công bố là số liệu lúc khoá sổ; chỉ quản trị viên điều chỉnh được, kèm "
                               "lý do.",
                               "Published figures are those at closing; only administrators revise, with a reason.")))
