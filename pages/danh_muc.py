"""Reference data (Danh mục): communes, villages, population, stations and their communes, aliases, imports.

Admins edit everything; planners keep population figures. Every change is written to the audit log by data_model.
"""
from __future__ import annotations

import datetime as dt

import streamlit as st

from data_model.accounts.permissions import PermissionDenied
from data_model.files.tabular import ImportRejected
from data_model.records.validation.rules import MAX_REASON, YEAR_MAX, YEAR_MIN
from data_model.reference import admin as ra
from data_model.reference.languages import LANGUAGES, language_name
from data_model.schema.db import read_session, write_session
from data_model.texts.formatting import format_date, format_number
from ui.auth import plain
from ui.engine import clear_data_caches, get_engine
from ui.i18n import t
from ui.page import open_page
from ui.writes import run_write

page = open_page("danh_muc", title=t("Danh mục", "Reference data"),
                 denied=t("Chỉ quản trị viên và cán bộ kế hoạch được mở danh mục.",
                          "Only administrators and planners."))
actor, lang = page.actor, page.lang
is_admin = actor.is_admin
DATE_FORMAT = "DD/MM/YYYY"
BORDER_NAMES = {"confirmed": t("Biên giới (đã xác minh)", "Border (confirmed)"),
                "probable": t("Có thể biên giới (khả năng cao)", "Probably border"),
                "possible": t("Có thể biên giới", "Possibly border"), "unknown": t("Chưa rõ", "Unknown"),
                "not_border": t("Không giáp biên giới", "Not on the border")}


with read_session(get_engine()) as session:
    communes = ra.list_communes(session=session)


def commune_label(key: str) -> str:
    row = communes.set_index("key").loc[key]
    start = row["valid_from"].year if row["valid_from"] else "…"
    end = f"{row['valid_to'].year}" if row["valid_to"] else t("nay", "now")
    return f"{row['name']} ({row['kind']}, {start}–{end})"


today = dt.date.today()
# communes that exist today first, then the former ones, each by name
current_first = [r.key for r in sorted(communes.itertuples(), key=lambda r: (r.valid_to is not None, r.name))]


def pick_commune(key: str, label: str | None = None) -> str:
    return st.selectbox(label or t("Xã", "Commune"), current_first, format_func=commune_label, key=key)


def population_tab() -> None:
    st.caption(t("Số dân theo năm của xã hoặc bản: mẫu số cho chỉ số trên 1.000 dân.",
                 "Population by year of a commune or village: the denominator of per-1,000 rates."))
    unit_key = pick_commune("ref_pop_commune")
    with read_session(get_engine()) as session:
        villages = ra.list_villages(session=session, unit_key=unit_key)
    options = [None] + list(villages["id"])
    names = dict(zip(villages["id"], villages["name"]))
    village_id = st.selectbox(t("Bản", "Village"), options, key="ref_pop_village",
                              format_func=lambda v: t("(cả xã)", "(whole commune)") if v is None else names[v])
    with read_session(get_engine()) as session:
        figures = ra.list_population(session=session, unit_key=unit_key, village_id=village_id)
    if figures.empty:
        st.info(t("Chưa có số dân.", "No population figures yet."))
    else:
        st.dataframe(figures.drop(columns=["id"]), hide_index=True, column_config={
            "year": st.column_config.NumberColumn(t("Năm", "Year"), format="%d"),
            "population": st.column_config.NumberColumn(t("Dân số", "Population"), format="localized"),
            "approximate": t("Ước tính", "Approximate"), "verified": t("Đã xác minh", "Verified"),
            "is_demo": t("Dữ liệu mẫu", "Demo"), "source": t("Nguồn", "Source")})
    with st.form("ref_pop_form"):
        c1, c2 = st.columns(2)
        year = c1.number_input(t("Năm", "Year"), min_value=YEAR_MIN, max_value=YEAR_MAX, value=today.year, step=1,
                               key="ref_pop_year")
        population = c2.number_input(t("Dân số", "Population"), min_value=0, max_value=ra.MAX_POPULATION, step=1,
                                     key="ref_pop_value")
        source = st.text_input(t("Nguồn", "Source"), key="ref_pop_source")
        if st.form_submit_button(t("Lưu số dân", "Save population"), type="primary"):
            run_write(lambda s: ra.set_population(session=s, actor=actor, unit_key=unit_key, village_id=village_id,
                                                  year=int(year), population=int(population), source=source),
                      success=t(f"Đã lưu số dân năm {int(year)}: {format_number(int(population))}.",
                        f"Population {int(year)} saved: {format_number(int(population), 'en')}."))
    if not figures.empty:
        with st.expander(t("Xóa một số liệu", "Delete a figure")):
            fact = st.selectbox(t("Số liệu", "Figure"), list(figures["id"]), key="ref_pop_delete",
                                format_func=lambda i: f"{figures.set_index('id').loc[i, 'year']}: "
                                                      f"{format_number(figures.set_index('id').loc[i, 'population'])}")
            if st.button(t("Xóa", "Delete"), key="ref_pop_delete_btn"):
                run_write(lambda s: ra.delete_population(session=s, actor=actor, fact_id=int(fact)),
                          success=t("Đã xóa số liệu.", "Figure deleted."))


def communes_tab() -> None:
    shown = communes.assign(border_status=communes["border_status"].map(BORDER_NAMES),
                            valid_from=[format_date(d, lang) for d in communes["valid_from"]],
                            valid_to=[format_date(d, lang) for d in communes["valid_to"]])
    shown = shown.set_index("key").loc[current_first].reset_index()
    st.dataframe(shown, hide_index=True, height=300, column_config={
        "key": t("Mã nội bộ", "Key"), "code": t("Mã", "Code"), "kind": t("Loại", "Kind"), "name": t("Tên", "Name"),
        "parent": t("Thuộc", "Parent"),
        "valid_from": t("Từ ngày", "From"), "valid_to": t("Đến ngày", "To"),
        "border_status": t("Biên giới", "Border"), "verified": t("Đã xác minh", "Verified"),
        "note": t("Ghi chú", "Note")})
    key = pick_commune("ref_commune_pick", t("Sửa xã", "Edit commune"))
    row = communes.set_index("key").loc[key]
    with st.form("ref_commune_form"):
        name = st.text_input(t("Tên hiển thị", "Display name"), value=row["name"], key=f"ref_commune_name_{key}")
        status = st.selectbox(t("Tình trạng biên giới", "Border status"), list(BORDER_NAMES),
                              index=list(BORDER_NAMES).index(row["border_status"]) if row["border_status"] in BORDER_NAMES else 3,
                              format_func=BORDER_NAMES.get, key=f"ref_commune_status_{key}")
        verified = st.checkbox(t("Đã xác minh", "Verified"), value=bool(row["verified"]), key=f"ref_commune_ver_{key}")
        note = st.text_area(t("Ghi chú", "Note"), value=row["note"] or "", key=f"ref_commune_note_{key}")
        if st.form_submit_button(t("Lưu", "Save"), type="primary"):
            run_write(lambda s: ra.update_commune(session=s, actor=actor, key=key, name=name, border_status=status,
                                                  verified=verified, note=note),
                      success=t("Đã lưu xã.", "Commune saved."))


def villages_tab() -> None:
    unit_key = pick_commune("ref_village_commune")
    with read_session(get_engine()) as session:
        villages = ra.list_villages(session=session, unit_key=unit_key)
    if villages.empty:
        st.info(t("Xã này chưa có bản nào trong danh mục.", "No villages listed for this commune."))
    else:
        st.dataframe(villages.drop(columns=["id", "unit_key", "commune"]), hide_index=True, column_config={
            "name": t("Bản", "Village"), "verified": t("Đã xác minh", "Verified"), "is_demo": t("Dữ liệu mẫu", "Demo"),
            "population": st.column_config.NumberColumn(t("Dân số", "Population"), format="localized"),
            "population_year": st.column_config.NumberColumn(t("Năm số dân", "Year"), format="%d"),
            "note": t("Ghi chú", "Note"), "languages": t("Ngôn ngữ", "Languages")})
    with st.expander(t("Thêm bản", "Add a village")):
        with st.form("ref_village_add", clear_on_submit=True):
            name = st.text_input(t("Tên bản", "Village name"), key="ref_village_add_name")
            verified = st.checkbox(t("Đã xác minh", "Verified"), value=False, key="ref_village_add_ver")
            note = st.text_input(t("Ghi chú / nguồn", "Note / source"), key="ref_village_add_note")
            if st.form_submit_button(t("Thêm", "Add"), type="primary"):
                run_write(lambda s: ra.create_village(session=s, actor=actor, unit_key=unit_key, name=name,
                                                      verified=verified, note=note),
                          success=t("Đã thêm bản.", "Village added."))
    if villages.empty:
        return
    names = dict(zip(villages["id"], villages["name"]))
    village_id = st.selectbox(t("Sửa bản", "Edit village"), list(villages["id"]), format_func=names.get,
                              key="ref_village_pick")
    row = villages.set_index("id").loc[village_id]
    with st.form("ref_village_edit"):
        name = st.text_input(t("Tên bản", "Village name"), value=row["name"], key=f"ref_village_name_{village_id}")
        verified = st.checkbox(t("Đã xác minh", "Verified"), value=bool(row["verified"]),
                               key=f"ref_village_ver_{village_id}")
        note = st.text_input(t("Ghi chú", "Note"), value=row["note"] or "", key=f"ref_village_note_{village_id}")
        spoken = st.multiselect(t("Ngôn ngữ được nói", "Languages spoken"), list(LANGUAGES),
                                default=[c for c in (row["languages"] or "").split(",") if c in LANGUAGES],
                                format_func=lambda c: language_name(c, lang), key=f"ref_village_lang_{village_id}",
                                placeholder=t("Chọn ngôn ngữ", "Choose languages"))
        if st.form_submit_button(t("Lưu", "Save"), type="primary"):
            def save(s):
                ra.update_village(session=s, actor=actor, village_id=int(village_id), name=name, verified=verified,
                                  note=note)
                ra.set_languages(session=s, actor=actor, unit_key=unit_key, village_id=int(village_id), languages=spoken)
            run_write(save, success=t("Đã lưu bản.", "Village saved."))
    with st.expander(t("Xóa bản", "Delete village")):
        reason = st.text_input(t("Lý do", "Reason"), key="ref_village_delete_reason", max_chars=MAX_REASON)
        if st.button(t("Xóa bản này", "Delete this village"), key="ref_village_delete"):
            run_write(lambda s: ra.delete_village(session=s, actor=actor, village_id=int(village_id), reason=reason),
                      success=t("Đã xóa bản.", "Village deleted."))


def stations_tab() -> None:
    with read_session(get_engine()) as session:
        stations = ra.list_stations(session=session)
        coverage = ra.list_coverage(session=session)
    st.dataframe(stations.drop(columns=["id"]), hide_index=True, column_config={
        "key": t("Mã", "Key"), "kind": t("Loại", "Kind"), "name": t("Tên", "Name"),
        "short_name": t("Tên ngắn", "Short name"), "number": t("Phiên hiệu", "Number"),
        "active": t("Hoạt động", "Active"), "verified": t("Đã xác minh", "Verified"),
        "is_demo": t("Dữ liệu mẫu", "Demo"), "note": t("Ghi chú", "Note")})
    keys = list(stations["key"])
    labels = dict(zip(stations["key"], stations["short_name"]))
    key = st.selectbox(t("Sửa đơn vị", "Edit unit"), keys, format_func=labels.get, key="ref_station_pick")
    row = stations.set_index("key").loc[key]
    with st.form("ref_station_edit"):
        c1, c2, c3 = st.columns([3, 2, 1])
        name = c1.text_input(t("Tên", "Name"), value=row["name"], key=f"ref_station_name_{key}")
        short = c2.text_input(t("Tên ngắn", "Short name"), value=row["short_name"], key=f"ref_station_short_{key}")
        number = c3.text_input(t("Phiên hiệu", "Number"), value=row["number"] or "", key=f"ref_station_no_{key}")
        active = st.checkbox(t("Đang hoạt động", "Active"), value=bool(row["active"]), key=f"ref_station_act_{key}")
        verified = st.checkbox(t("Đã xác minh", "Verified"), value=bool(row["verified"]), key=f"ref_station_ver_{key}")
        note = st.text_input(t("Ghi chú", "Note"), value=row["note"] or "", key=f"ref_station_note_{key}")
        if st.form_submit_button(t("Lưu", "Save"), type="primary"):
            run_write(lambda s: ra.update_station(session=s, actor=actor, key=key, name=name, short_name=short,
                                                  number=number, active=active, verified=verified, note=note),
                      success=t("Đã lưu đơn vị.", "Unit saved."))
    with st.expander(t("Thêm đơn vị", "Add a unit")):
        with st.form("ref_station_add", clear_on_submit=True):
            new_key = st.text_input(t("Mã (a–z, 0–9, _)", "Key (a–z, 0–9, _)"), key="ref_station_add_key")
            new_kind = st.selectbox(t("Loại", "Kind"), ra.REPORTING_KINDS, key="ref_station_add_kind")
            new_name = st.text_input(t("Tên", "Name"), key="ref_station_add_name")
            new_short = st.text_input(t("Tên ngắn", "Short name"), key="ref_station_add_short")
            if st.form_submit_button(t("Thêm", "Add"), type="primary"):
                run_write(lambda s: ra.create_station(session=s, actor=actor, key=new_key, kind=new_kind, name=new_name,
                                                      short_name=new_short),
                          success=t("Đã thêm đơn vị.", "Unit added."))

    st.subheader(t("Phạm vi phụ trách đồn – xã (theo thời gian)", "Station ↔ commune links (dated)"))
    st.dataframe(coverage.drop(columns=["id", "station_key"]), hide_index=True, column_config={
        "station": t("Đồn", "Station"), "unit_key": t("Mã xã", "Commune key"), "commune": t("Xã", "Commune"),
        "valid_from": st.column_config.DateColumn(t("Từ ngày", "From"), format=DATE_FORMAT),
        "valid_to": st.column_config.DateColumn(t("Đến ngày (không gồm)", "To (exclusive)"), format=DATE_FORMAT),
        "derived": t("Suy ra, chưa xác minh", "Derived, unverified"), "note": t("Ghi chú", "Note")})
    with st.form("ref_coverage_add", clear_on_submit=True):
        st.markdown(t("**Thêm liên kết**", "**Add a link**"))
        c1, c2 = st.columns(2)
        station = c1.selectbox(t("Đồn", "Station"), keys, format_func=labels.get, key="ref_cov_station")
        with c2:
            unit_key = pick_commune("ref_cov_commune")
        c3, c4 = st.columns(2)
        start = c3.date_input(t("Từ ngày", "From"), value=None, format=DATE_FORMAT, key="ref_cov_from",
                              min_value=dt.date(1950, 1, 1), max_value=dt.date(2100, 1, 1))
        end = c4.date_input(t("Đến ngày (để trống nếu vẫn phụ trách)", "To (empty if still covering)"), value=None,
                            format=DATE_FORMAT, key="ref_cov_to", min_value=dt.date(1950, 1, 1),
                            max_value=dt.date(2100, 1, 1))
        note = st.text_input(t("Ghi chú / nguồn", "Note / source"), key="ref_cov_note")
        if st.form_submit_button(t("Thêm", "Add"), type="primary"):
            run_write(lambda s: ra.add_coverage(session=s, actor=actor, station_key=station, unit_key=unit_key,
                                                valid_from=start, valid_to=end, note=note),
                      success=t("Đã thêm liên kết.", "Link added."))
    if not coverage.empty:
        link_labels = {r.id: f"{r.station} – {r.commune} ({format_date(r.valid_from, lang) or '…'} → "
                             f"{format_date(r.valid_to, lang) or t('nay', 'now')})" for r in coverage.itertuples()}
        link = st.selectbox(t("Sửa hoặc xóa liên kết", "Edit or delete a link"), list(link_labels),
                            format_func=link_labels.get, key="ref_cov_pick")
        row = coverage.set_index("id").loc[link]
        with st.form("ref_coverage_edit"):
            c1, c2 = st.columns(2)
            start = c1.date_input(t("Từ ngày", "From"), value=row["valid_from"], format=DATE_FORMAT,
                                  key=f"ref_cov_edit_from_{link}", min_value=dt.date(1950, 1, 1),
                                  max_value=dt.date(2100, 1, 1))
            end = c2.date_input(t("Đến ngày", "To"), value=row["valid_to"], format=DATE_FORMAT,
                                key=f"ref_cov_edit_to_{link}", min_value=dt.date(1950, 1, 1),
                                max_value=dt.date(2100, 1, 1))
            save, remove = st.columns(2)
            if save.form_submit_button(t("Lưu (đánh dấu đã xác minh)", "Save (marks it verified)"), type="primary"):
                run_write(lambda s: ra.update_coverage(session=s, actor=actor, coverage_id=int(link), valid_from=start,
                                                       valid_to=end), success=t("Đã lưu liên kết.", "Link saved."))
            if remove.form_submit_button(t("Xóa liên kết", "Delete link")):
                run_write(lambda s: ra.delete_coverage(session=s, actor=actor, coverage_id=int(link)),
                          success=t("Đã xóa liên kết.", "Link deleted."))


def aliases_tab() -> None:
    st.caption(t("Tên gọi khác (cách viết khác, tên cũ) giúp nhận ra xã khi nhập tệp.",
                 "Other spellings and former names, used to recognise communes in imported files."))
    with read_session(get_engine()) as session:
        aliases = ra.list_aliases(session=session)
    st.dataframe(aliases.drop(columns=["id"]), hide_index=True, column_config={
        "unit_key": t("Mã nội bộ", "Key"), "unit": t("Đơn vị", "Unit"), "alias": t("Tên gọi khác", "Alias"),
        "note": t("Ghi chú", "Note")})
    with st.form("ref_alias_add", clear_on_submit=True):
        unit_key = pick_commune("ref_alias_commune")
        alias = st.text_input(t("Tên gọi khác", "Alias"), key="ref_alias_text")
        note = st.text_input(t("Ghi chú / nguồn", "Note / source"), key="ref_alias_note")
        if st.form_submit_button(t("Thêm", "Add"), type="primary"):
            run_write(lambda s: ra.add_alias(session=s, actor=actor, unit_key=unit_key, alias=alias, note=note),
                      success=t("Đã thêm tên gọi khác.", "Alias added."))
    if not aliases.empty:
        labels = {r.id: f"{r.alias} → {r.unit}" for r in aliases.itertuples()}
        alias_id = st.selectbox(t("Xóa tên gọi khác", "Delete an alias"), list(labels), format_func=labels.get,
                                key="ref_alias_pick")
        if st.button(t("Xóa", "Delete"), key="ref_alias_delete"):
            run_write(lambda s: ra.delete_alias(session=s, actor=actor, alias_id=int(alias_id)),
                      success=t("Đã xóa tên gọi khác.", "Alias deleted."))


def import_tab() -> None:
    kinds = {"village": t("Danh sách bản (dân số, ngôn ngữ)", "Villages (population, languages)"),
             "reorganisation": t("Sắp xếp đơn vị hành chính (xã mới, xã cũ, ngày)",
                                 "Reorganisation (new units, old units, date)")}
    kind = st.radio(t("Loại tệp", "File kind"), list(kinds), format_func=kinds.get, key="ref_import_kind",
                    horizontal=True)
    st.download_button(t("Tải tệp mẫu (CSV)", "Download a template (CSV)"), data=ra.template_csv(kind),
                       file_name=f"mau_{kind}.csv", mime="text/csv", key="ref_import_template", on_click="ignore",
                       icon=":material/download:")
    upload = st.file_uploader(t("Tệp CSV hoặc XLSX", "CSV or XLSX file"), type=["csv", "xlsx"],
                              key=f"ref_import_file_{kind}")
    if upload is None:
        return
    data, filename = upload.getvalue(), upload.name
    preview_fn = ra.preview_village_import if kind == "village" else ra.preview_reorganisation
    with read_session(get_engine()) as session:
        preview = preview_fn(session=session, data=data, filename=filename)
    for note in preview.notes:
        st.info(plain(note))
    table, errors = preview.table(), preview.error_lines()
    if not table.empty:
        st.dataframe(table, hide_index=True, column_config={
            "sheet": t("Trang", "Sheet"), "row": t("Dòng", "Row"), "status": t("Trạng thái", "Status"),
            "message": t("Lỗi", "Errors")})
    if errors:
        st.error(plain(t(f"Không thể nhập: {len(errors)} lỗi. Sửa tệp rồi tải lên lại; chưa có gì được ghi.",
                         f"Cannot import: {len(errors)} errors. Fix the file and upload again; "
                         "nothing was written.")))
        st.dataframe({t("Lỗi", "Error"): errors}, hide_index=True)
        return
    if table.empty:
        return
    st.write(t(f"{format_number(len(table))} dòng hợp lệ.", f"{len(table)} valid rows."))
    if st.button(t("Nhập tất cả", "Import all"), type="primary", key="ref_import_go"):
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
                st.success(t(f"Đã nhập {c['rows']} dòng: {c['created']} bản mới, {c['population']} số dân, "
                             f"{c['languages']} danh sách ngôn ngữ.",
                             f"Imported {c['rows']} rows: {c['created']} new villages, {c['population']} population "
                             f"figures, {c['languages']} language lists."))
            else:
                st.success(t(f"Đã nhập: {c['created']} đơn vị mới, {c['ended']} đơn vị cũ kết thúc hiệu lực.",
                             f"Imported: {c['created']} new units, {c['ended']} former units ended."))


if is_admin:
    names = [t("Xã", "Communes"), t("Bản", "Villages"), t("Dân số", "Population"), t("Đồn, phạm vi", "Stations"),
             t("Tên gọi khác", "Aliases"), t("Nhập từ tệp", "Import")]
    tabs = st.tabs(names)
    for tab, render in zip(tabs, (communes_tab, villages_tab, population_tab, stations_tab, aliases_tab, import_tab)):
        with tab:
            render()
else:
    population_tab()
