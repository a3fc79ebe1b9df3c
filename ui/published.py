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

ACTION_NAMES = {"create": ("Thêm", "Added"), "update": ("Sửa", "Edited"), "delete": ("Xóa", "Deleted"),
                "restore": ("Khôi phục", "Restored")}


load_published = cached_loader(published_years)


def comparison_table(year: PublishedYear, *, rows: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Published and current figures side by side, numbers the Vietnamese way."""
    shown = rows.assign(measure_label=rows["type_name"] + " – " + rows["measure_label"].str.lower())
    columns = {"station": t("Đơn vị"), "measure_label": t("Chỉ tiêu"),
               "published": t("Đã công bố"), "current": t("Hiện tại"),
               "difference": t("Chênh lệch")}
    keep = [c for c in columns if c != "station" or shown["station"].astype(bool).any()]
    table = shown[keep].rename(columns=columns)
    return formatted(table, columns=[columns["published"], columns["current"], columns["difference"]], lang=lang)


def revisions_table(year: PublishedYear, *, lang: str) -> pd.DataFrame:
    """Who changed what, when and why after the year was closed."""
    rev = year.revisions
    return pd.DataFrame({
        t("Thời gian"): [f"{format_date(x.date(), lang)} {x:%H:%M}" for x in rev["at"]],
        t("Người sửa"): rev["username"],
        t("Thao tác"): [t(*ACTION_NAMES.get(a, (a, a))) for a in rev["action"]],
        t("Lý do"): rev["reason"], t("Thay đổi"): rev["change"]})


def show_published(*, year_from: int, year_to: int, by_station: bool = False, key: str, expanded: bool = False,
                   on_results_page: bool = True) -> None:
    """A note per closed year of the range; where current figures differ, both and the revisions."""
    lang = current_language()
    for year in load_published(year_from=year_from, year_to=year_to, by_station=by_station, lang=lang):
        when = f"{format_date(year.closed_at.date(), lang)}"
        differs = year.differs
        if differs.empty:
            st.info(t("Năm {year} đã khóa sổ ngày {when} ({closed_by}): số liệu năm này là số liệu đã công bố.",
                      year=year.year, when=when, closed_by=plain(year.closed_by)), icon=":material/lock:")
            continue
        st.warning(t("Năm {year} đã khóa sổ ngày {when} ({closed_by}). Sau đó có {revisions} điều chỉnh: số liệu "
                     "hiện tại khác số liệu đã công bố ở {differs} chỉ tiêu (bên dưới).", year=year.year, when=when,
                     closed_by=plain(year.closed_by), revisions=len(year.revisions), differs=len(differs))
                   + (t(" Các biểu đồ trên trang này dùng số liệu hiện tại.") if on_results_page else ""), icon=":material/lock:")
        with st.expander(t("Năm {year}: số liệu đã công bố và hiện tại, các điều chỉnh", year=year.year), expanded=expanded):
            st.dataframe(comparison_table(year, rows=differs, lang=lang), hide_index=True,
                         key=f"{key}_pub_{year.year}")
            st.dataframe(revisions_table(year, lang=lang), hide_index=True, key=f"{key}_rev_{year.year}")
            st.caption(plain(t("Số liệu đã công bố là số liệu lúc khóa sổ; chỉ quản trị viên điều chỉnh được, kèm lý "
                               "do.")))
