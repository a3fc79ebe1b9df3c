"""Reference data (Danh mục): communes, villages, population, stations and their communes, aliases, imports.

Admins edit everything; planners keep population figures. Every change is written to the audit log by data_model.
"""
from __future__ import annotations

import datetime as dt

import streamlit as st

import data_model.reference_admin as ra
from data_model.basics.issues import MAX_REASON, YEAR_MAX, YEAR_MIN
from data_model.basics.permissions import PermissionDenied
from data_model.files.tabular import ImportRejected
from data_model.reference.languages import LANGUAGES, language_name
from data_model.schema.clock import today_local
from data_model.schema.db import read_session, write_session
from data_model.texts.catalogue import Pair
from data_model.texts.formatting import format_date, format_number
from ui.auth import plain
from ui.engine import clear_data_caches, get_engine
from ui.i18n import current_language, t, tn
from ui.page import open_page
from ui.uploads import file_upload
from ui.writes import run_write

page = open_page("danh_muc", title=t("Danh mục"),
                 denied=t("Chỉ quản trị viên và cán bộ kế hoạch được mở danh mục."))
actor, lang = page.actor, page.lang
is_admin = actor.is_admin
DATE_FORMAT = "DD/MM/YYYY"
BORDER_NAMES = {"confirmed": t("Biên giới (đã xác minh)"),
                "probable": t("Có thể biên giới (khả năng cao)"),
                "possible": t("Có thể biên giới"), "unknown": t("Chưa rõ"),
                "not_border": t("Không giáp biên giới")}


with read_session(get_engine()) as session:
    communes = ra.list_communes(session=session)


def commune_label(key: str) -> str:
    row = communes.set_index("key").loc[key]
    start = row["valid_from"].year if row["valid_from"] else "…"
    end = f"{row['valid_to'].year}" if row["valid_to"] else t("nay")
    return f"{row['name']} ({row['kind']}, {start}–{end})"


today = today_local()
# communes that exist today first, then the former ones, each by name
current_first = [r.key for r in sorted(communes.itertuples(), key=lambda r: (r.valid_to is not None, r.name))]


def pick_commune(key: str, label: str | None = None) -> str:
    return st.selectbox(label or t("Xã"), current_first, format_func=commune_label, key=key)


def population_tab() -> None:
    st.caption(t("Số dân theo năm của xã hoặc bản: mẫu số cho chỉ số trên 1.000 dân."))
    unit_key = pick_commune("ref_pop_commune")
    with read_session(get_engine()) as session:
        villages = ra.list_villages(session=session, unit_key=unit_key)
    options = [None] + list(villages["id"])
    names = dict(zip(villages["id"], villages["name"]))
    village_id = st.selectbox(t("Bản"), options, key="ref_pop_village",
                              format_func=lambda v: t("(cả xã)") if v is None else names[v])
    with read_session(get_engine()) as session:
        figures = ra.list_population(session=session, unit_key=unit_key, village_id=village_id)
    if figures.empty:
        st.info(t("Chưa có số dân."))
    else:
        st.dataframe(figures.drop(columns=["id"]), hide_index=True, column_config={
            "year": st.column_config.NumberColumn(t("Năm"), format="%d"),
            "population": st.column_config.NumberColumn(t("Dân số"), format="localized"),
            "approximate": t("Ước tính"), "verified": t("Đã xác minh"),
            "is_demo": t("Dữ liệu mẫu"), "source": t("Nguồn")})
    with st.form("ref_pop_form", enter_to_submit=False):
        c1, c2 = st.columns(2)
        year = c1.number_input(t("Năm"), min_value=YEAR_MIN, max_value=YEAR_MAX, value=today.year, step=1,
                               key="ref_pop_year")
        population = c2.number_input(t("Dân số"), min_value=0, max_value=ra.MAX_POPULATION, step=1,
                                     key="ref_pop_value")
        source = st.text_input(t("Nguồn"), key="ref_pop_source")
        if st.form_submit_button(t("Lưu số dân"), type="primary"):
            run_write(lambda s: ra.set_population(session=s, actor=actor, unit_key=unit_key, village_id=village_id,
                                                  year=int(year), population=int(population), source=source),
                      success=t("Đã lưu số dân năm {year}: {population}.", year=int(year),
                                population=Pair(str(format_number(int(population))), str(format_number(int(population), 'en')))))
    if not figures.empty:
        with st.expander(t("Xóa một số liệu")):
            fact = st.selectbox(t("Số liệu"), list(figures["id"]), key="ref_pop_delete",
                                format_func=lambda i: f"{figures.set_index('id').loc[i, 'year']}: "
                                                      f"{format_number(figures.set_index('id').loc[i, 'population'])}")
            if st.button(t("Xóa"), key="ref_pop_delete_btn"):
                run_write(lambda s: ra.delete_population(session=s, actor=actor, fact_id=int(fact)),
                          success=t("Đã xóa số liệu."))


def communes_tab() -> None:
    shown = communes.assign(border_status=communes["border_status"].map(BORDER_NAMES),
                            valid_from=[format_date(d, lang) for d in communes["valid_from"]],
                            valid_to=[format_date(d, lang) for d in communes["valid_to"]])
    shown = shown.set_index("key").loc[current_first].reset_index()
    st.dataframe(shown, hide_index=True, height=300, column_config={
        "key": t("Mã nội bộ"), "code": t("Mã"), "kind": t("Loại"), "name": t("Tên"),
        "parent": t("Thuộc"),
        "valid_from": t("Từ ngày"), "valid_to": t("Đến ngày"),
        "border_status": t("Biên giới"), "verified": t("Đã xác minh"),
        "note": t("Ghi chú")})
    key = pick_commune("ref_commune_pick", t("Sửa xã"))
    row = communes.set_index("key").loc[key]
    with st.form("ref_commune_form", enter_to_submit=False):
        name = st.text_input(t("Tên hiển thị"), value=row["name"], key=f"ref_commune_name_{key}")
        status = st.selectbox(t("Tình trạng biên giới"), list(BORDER_NAMES),
                              index=list(BORDER_NAMES).index(row["border_status"]) if row["border_status"] in BORDER_NAMES else 3,
                              format_func=BORDER_NAMES.get, key=f"ref_commune_status_{key}")
        verified = st.checkbox(t("Đã xác minh"), value=bool(row["verified"]), key=f"ref_commune_ver_{key}")
        note = st.text_area(t("Ghi chú"), value=row["note"] or "", key=f"ref_commune_note_{key}")
        if st.form_submit_button(t("Lưu"), type="primary"):
            run_write(lambda s: ra.update_commune(session=s, actor=actor, key=key, name=name, border_status=status,
                                                  verified=verified, note=note),
                      success=t("Đã lưu xã."))


def villages_tab() -> None:
    unit_key = pick_commune("ref_village_commune")
    with read_session(get_engine()) as session:
        villages = ra.list_villages(session=session, unit_key=unit_key)
    if villages.empty:
        st.info(t("Xã này chưa có bản nào trong danh mục."))
    else:
        st.dataframe(villages.drop(columns=["id", "unit_key", "commune"]), hide_index=True, column_config={
            "name": t("Bản"), "verified": t("Đã xác minh"), "is_demo": t("Dữ liệu mẫu"),
            "population": st.column_config.NumberColumn(t("Dân số"), format="localized"),
            "population_year": st.column_config.NumberColumn(t("Năm số dân"), format="%d"),
            "note": t("Ghi chú"), "languages": t("Ngôn ngữ")})
    with st.expander(t("Thêm bản")):
        with st.form("ref_village_add", clear_on_submit=True, enter_to_submit=False):
            name = st.text_input(t("Tên bản"), key="ref_village_add_name")
            verified = st.checkbox(t("Đã xác minh"), value=False, key="ref_village_add_ver")
            note = st.text_input(t("Ghi chú / nguồn"), key="ref_village_add_note")
            if st.form_submit_button(t("Thêm"), type="primary"):
                run_write(lambda s: ra.create_village(session=s, actor=actor, unit_key=unit_key, name=name,
                                                      verified=verified, note=note),
                          success=t("Đã thêm bản."))
    if villages.empty:
        return
    names = dict(zip(villages["id"], villages["name"]))
    village_id = st.selectbox(t("Sửa bản"), list(villages["id"]), format_func=names.get,
                              key="ref_village_pick")
    row = villages.set_index("id").loc[village_id]
    with st.form("ref_village_edit", enter_to_submit=False):
        name = st.text_input(t("Tên bản"), value=row["name"], key=f"ref_village_name_{village_id}")
        verified = st.checkbox(t("Đã xác minh"), value=bool(row["verified"]),
                               key=f"ref_village_ver_{village_id}")
        note = st.text_input(t("Ghi chú"), value=row["note"] or "", key=f"ref_village_note_{village_id}")
        spoken = st.multiselect(t("Ngôn ngữ được nói"), list(LANGUAGES),
                                default=[c for c in (row["languages"] or "").split(",") if c in LANGUAGES],
                                format_func=lambda c: language_name(c, lang), key=f"ref_village_lang_{village_id}",
                                placeholder=t("Chọn ngôn ngữ"), select_all=False)
        if st.form_submit_button(t("Lưu"), type="primary"):
            def save(s):
                ra.update_village(session=s, actor=actor, village_id=int(village_id), name=name, verified=verified,
                                  note=note)
                ra.set_languages(session=s, actor=actor, unit_key=unit_key, village_id=int(village_id), languages=spoken)
            run_write(save, success=t("Đã lưu bản."))
    with st.expander(t("Xóa bản")):
        reason = st.text_input(t("Lý do"), key="ref_village_delete_reason", max_chars=MAX_REASON)
        if st.button(t("Xóa bản này"), key="ref_village_delete"):
            run_write(lambda s: ra.delete_village(session=s, actor=actor, village_id=int(village_id), reason=reason),
                      success=t("Đã xóa bản."))


def stations_tab() -> None:
    with read_session(get_engine()) as session:
        stations = ra.list_stations(session=session)
        coverage = ra.list_coverage(session=session)
    st.dataframe(stations.drop(columns=["id"]), hide_index=True, column_config={
        "key": t("Mã", ctx="key"), "kind": t("Loại"), "name": t("Tên"),
        "short_name": t("Tên ngắn"), "number": t("Phiên hiệu"),
        "active": t("Hoạt động"), "verified": t("Đã xác minh"),
        "is_demo": t("Dữ liệu mẫu"), "note": t("Ghi chú")})
    keys = list(stations["key"])
    labels = dict(zip(stations["key"], stations["short_name"]))
    key = st.selectbox(t("Sửa đơn vị"), keys, format_func=labels.get, key="ref_station_pick")
    row = stations.set_index("key").loc[key]
    with st.form("ref_station_edit", enter_to_submit=False):
        c1, c2, c3 = st.columns([3, 2, 1])
        name = c1.text_input(t("Tên"), value=row["name"], key=f"ref_station_name_{key}")
        short = c2.text_input(t("Tên ngắn"), value=row["short_name"], key=f"ref_station_short_{key}")
        number = c3.text_input(t("Phiên hiệu"), value=row["number"] or "", key=f"ref_station_no_{key}")
        active = st.checkbox(t("Đang hoạt động"), value=bool(row["active"]), key=f"ref_station_act_{key}")
        verified = st.checkbox(t("Đã xác minh"), value=bool(row["verified"]), key=f"ref_station_ver_{key}")
        note = st.text_input(t("Ghi chú"), value=row["note"] or "", key=f"ref_station_note_{key}")
        if st.form_submit_button(t("Lưu"), type="primary"):
            run_write(lambda s: ra.update_station(session=s, actor=actor, key=key, name=name, short_name=short,
                                                  number=number, active=active, verified=verified, note=note),
                      success=t("Đã lưu đơn vị."))
    with st.expander(t("Thêm đơn vị")):
        with st.form("ref_station_add", clear_on_submit=True, enter_to_submit=False):
            new_key = st.text_input(t("Mã (a–z, 0–9, _)"), key="ref_station_add_key")
            new_kind = st.selectbox(t("Loại"), ra.REPORTING_KINDS, key="ref_station_add_kind")
            new_name = st.text_input(t("Tên"), key="ref_station_add_name")
            new_short = st.text_input(t("Tên ngắn"), key="ref_station_add_short")
            if st.form_submit_button(t("Thêm"), type="primary"):
                run_write(lambda s: ra.create_station(session=s, actor=actor, key=new_key, kind=new_kind, name=new_name,
                                                      short_name=new_short),
                          success=t("Đã thêm đơn vị."))

    st.subheader(t("Phạm vi phụ trách đồn – xã (theo thời gian)"))
    st.dataframe(coverage.drop(columns=["id", "station_key"]), hide_index=True, column_config={
        "station": t("Đồn"), "unit_key": t("Mã xã"), "commune": t("Xã"),
        "valid_from": st.column_config.DateColumn(t("Từ ngày"), format=DATE_FORMAT),
        "valid_to": st.column_config.DateColumn(t("Đến ngày (không gồm)"), format=DATE_FORMAT),
        "derived": t("Suy ra, chưa xác minh"), "note": t("Ghi chú")})
    with st.form("ref_coverage_add", clear_on_submit=True, enter_to_submit=False):
        st.markdown(t("**Thêm liên kết**"))
        c1, c2 = st.columns(2)
        station = c1.selectbox(t("Đồn"), keys, format_func=labels.get, key="ref_cov_station")
        with c2:
            unit_key = pick_commune("ref_cov_commune")
        c3, c4 = st.columns(2)
        start = c3.date_input(t("Từ ngày"), value=None, format=DATE_FORMAT, key="ref_cov_from",
                              min_value=dt.date(1950, 1, 1), max_value=dt.date(2100, 1, 1))
        end = c4.date_input(t("Đến ngày (để trống nếu vẫn phụ trách)"), value=None,
                            format=DATE_FORMAT, key="ref_cov_to", min_value=dt.date(1950, 1, 1),
                            max_value=dt.date(2100, 1, 1))
        note = st.text_input(t("Ghi chú / nguồn"), key="ref_cov_note")
        if st.form_submit_button(t("Thêm"), type="primary"):
            run_write(lambda s: ra.add_coverage(session=s, actor=actor, station_key=station, unit_key=unit_key,
                                                valid_from=start, valid_to=end, note=note),
                      success=t("Đã thêm liên kết."))
    if not coverage.empty:
        link_labels = {r.id: f"{r.station} – {r.commune} ({format_date(r.valid_from, lang) or '…'} → "
                             f"{format_date(r.valid_to, lang) or t('nay')})" for r in coverage.itertuples()}
        link = st.selectbox(t("Sửa hoặc xóa liên kết"), list(link_labels),
                            format_func=link_labels.get, key="ref_cov_pick")
        row = coverage.set_index("id").loc[link]
        with st.form("ref_coverage_edit", enter_to_submit=False):
            c1, c2 = st.columns(2)
            start = c1.date_input(t("Từ ngày"), value=row["valid_from"], format=DATE_FORMAT,
                                  key=f"ref_cov_edit_from_{link}", min_value=dt.date(1950, 1, 1),
                                  max_value=dt.date(2100, 1, 1))
            end = c2.date_input(t("Đến ngày"), value=row["valid_to"], format=DATE_FORMAT,
                                key=f"ref_cov_edit_to_{link}", min_value=dt.date(1950, 1, 1),
                                max_value=dt.date(2100, 1, 1))
            save, remove = st.columns(2)
            if save.form_submit_button(t("Lưu (đánh dấu đã xác minh)"), type="primary"):
                run_write(lambda s: ra.update_coverage(session=s, actor=actor, coverage_id=int(link), valid_from=start,
                                                       valid_to=end), success=t("Đã lưu liên kết."))
            if remove.form_submit_button(t("Xóa liên kết")):
                run_write(lambda s: ra.delete_coverage(session=s, actor=actor, coverage_id=int(link)),
                          success=t("Đã xóa liên kết."))


def aliases_tab() -> None:
    st.caption(t("Tên gọi khác (cách viết khác, tên cũ) giúp nhận ra xã khi nhập tệp."))
    with read_session(get_engine()) as session:
        aliases = ra.list_aliases(session=session)
    st.dataframe(aliases.drop(columns=["id"]), hide_index=True, column_config={
        "unit_key": t("Mã nội bộ"), "unit": t("Đơn vị"), "alias": t("Tên gọi khác", ctx="alias"),
        "note": t("Ghi chú")})
    with st.form("ref_alias_add", clear_on_submit=True, enter_to_submit=False):
        unit_key = pick_commune("ref_alias_commune")
        alias = st.text_input(t("Tên gọi khác", ctx="alias"), key="ref_alias_text")
        note = st.text_input(t("Ghi chú / nguồn"), key="ref_alias_note")
        if st.form_submit_button(t("Thêm"), type="primary"):
            run_write(lambda s: ra.add_alias(session=s, actor=actor, unit_key=unit_key, alias=alias, note=note),
                      success=t("Đã thêm tên gọi khác."))
    if not aliases.empty:
        labels = {r.id: f"{r.alias} → {r.unit}" for r in aliases.itertuples()}
        alias_id = st.selectbox(t("Xóa tên gọi khác"), list(labels), format_func=labels.get,
                                key="ref_alias_pick")
        if st.button(t("Xóa"), key="ref_alias_delete"):
            run_write(lambda s: ra.delete_alias(session=s, actor=actor, alias_id=int(alias_id)),
                      success=t("Đã xóa tên gọi khác."))


def import_tab() -> None:
    kinds = {"village": t("Danh sách bản (dân số, ngôn ngữ)"),
             "reorganisation": t("Sắp xếp đơn vị hành chính (xã mới, xã cũ, ngày)")}
    kind = st.radio(t("Loại tệp"), list(kinds), format_func=kinds.get, key="ref_import_kind",
                    horizontal=True)
    st.download_button(t("Tải tệp mẫu (CSV)"), data=ra.template_csv(kind),
                       file_name=f"mau_{kind}.csv", mime="text/csv", key="ref_import_template", on_click="ignore",
                       icon=":material/download:")
    upload = file_upload(label=t("Tệp CSV hoặc XLSX"), key=f"ref_import_file_{kind}")
    if upload is None:
        return
    data, filename = upload.getvalue(), upload.name
    preview_fn = ra.preview_village_import if kind == "village" else ra.preview_reorganisation
    with read_session(get_engine()) as session:
        preview = preview_fn(session=session, data=data, filename=filename)
    for note in preview.notes:
        st.info(plain(note))
    table, errors = preview.table(current_language()), preview.error_lines(current_language())
    if not table.empty:
        st.dataframe(table, hide_index=True, column_config={
            "sheet": t("Trang"), "row": t("Dòng"), "status": t("Trạng thái"),
            "message": t("Lỗi", ctx="errors")})
    if errors:
        st.error(plain(tn("Không thể nhập: {n} lỗi. Sửa tệp rồi tải lên lại; chưa có gì được ghi.", len(errors))))
        st.dataframe({t("Lỗi"): errors}, hide_index=True)
        return
    if table.empty:
        return
    st.write(tn("{count} dòng hợp lệ.", len(table), count=format_number(len(table), current_language())))
    if st.button(t("Nhập tất cả"), type="primary", key="ref_import_go"):
        import_fn = ra.import_villages if kind == "village" else ra.import_reorganisation
        try:
            with write_session(get_engine()) as session:
                result = import_fn(session=session, actor=actor, data=data, filename=filename)
        except ImportRejected as exc:
            st.error(plain(exc))
        except PermissionDenied as exc:
            st.error(plain(exc))
        else:
            clear_data_caches()
            c = result.totals
            if kind == "village":
                st.success(t("Đã nhập {rows} dòng: {created} bản mới, {population} số dân, {languages} danh sách "
                             "ngôn ngữ.", rows=c['rows'], created=c['created'], population=c['population'],
                             languages=c['languages']))
            else:
                st.success(t("Đã nhập: {created} đơn vị mới, {ended} đơn vị cũ kết thúc hiệu lực.",
                             created=c['created'], ended=c['ended']))


if is_admin:
    names = [t("Xã", ctx="communes"), t("Bản", ctx="villages"), t("Dân số"), t("Đồn, phạm vi"),
             t("Tên gọi khác"), t("Nhập từ tệp")]
    tabs = st.tabs(names)
    for tab, render in zip(tabs, (communes_tab, villages_tab, population_tab, stations_tab, aliases_tab, import_tab)):
        with tab:
            render()
else:
    population_tab()
