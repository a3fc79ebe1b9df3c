"""Joint activities (Hoạt động phối hợp): pairs two units recorded of what may be one event, side by side; officials
merge them ("Cùng một hoạt động", counted once, credited to both) or dismiss them ("Khác nhau"); admins undo."""
from __future__ import annotations

import streamlit as st

from data_model.joint.review import dismiss_pair, merge_pair, undo_dismissal, undo_merge
from data_model.joint.view import compare_pair, list_candidates, list_decisions
from data_model.schema.db import read_session
from data_model.texts.formatting import format_number
from ui.engine import get_engine
from ui.i18n import t, tn
from ui.page import open_page
from ui.writes import run_write

page = open_page("hoat_dong_phoi_hop", title=t("Hoạt động phối hợp"),
                 denied=t("Chỉ lãnh đạo và quản trị được xem xét hoạt động phối hợp."))
actor, lang = page.actor, page.lang
assert actor is not None
st.caption(t("Sở và các đồn biên phòng cùng tổ chức nhiều buổi tuyên truyền, biểu diễn, kết nghĩa và cả hai đều ghi "
             "lại. Mỗi cặp dưới đây có thể là một hoạt động được ghi hai lần: gộp lại thì hoạt động chỉ được tính một "
             "lần trong tổng của tỉnh, xã và được ghi công cho cả hai đơn vị."))

with read_session(get_engine()) as session:
    candidates, table = list_candidates(session=session, actor=actor, lang=lang)

st.subheader(tn("{count} cặp cần xem xét", len(candidates), count=format_number(len(candidates), lang)))
if not candidates:
    st.info(t("Không còn cặp hoạt động nào có thể trùng."))
else:
    st.dataframe(table, hide_index=True, width="stretch", key="hdph_table")
    chosen = st.selectbox(t("Cặp hoạt động"), range(len(candidates)), key="hdph_pair",
                          format_func=lambda i: f"{candidates[i].first_id} / {candidates[i].second_id} — "
                                                f"{candidates[i].reasons}")
    pair = candidates[chosen if chosen is not None and chosen < len(candidates) else 0]
    with read_session(get_engine()) as session:
        view = compare_pair(session=session, actor=actor, first_id=pair.first_id, second_id=pair.second_id,
                            lang=lang)
    st.dataframe(view.table, width="stretch", key="hdph_side_by_side")
    ids = (view.first_id, view.second_id)
    key = f"{ids[0]}_{ids[1]}"
    with st.form(f"hdph_form_{key}"):
        st.markdown(t("**Số liệu giữ lại** (mặc định: bản ghi có số người lớn hơn; không bao giờ cộng dồn)"))
        picks: dict[str, int | None] = {}
        for code, label, first, second in view.measures:
            options = [first, second]
            default = 0 if view.defaults.get(code) == first else 1
            picked = st.radio(label, (0, 1), index=default, horizontal=True, key=f"hdph_{code}_{key}",
                              format_func=lambda i, o=options: t("{value} (hoạt động số {id})",
                                                               value=format_number(o[i], lang), id=ids[i]))
            picks[code] = options[picked if picked is not None else default]
        reason = st.text_input(t("Ghi chú (không bắt buộc)"), key=f"hdph_note_{key}", max_chars=500)
        same = st.form_submit_button(t("Cùng một hoạt động"), type="primary", icon=":material/merge:")
        different = st.form_submit_button(t("Khác nhau"), icon=":material/call_split:")
    if same:
        run_write(lambda s: merge_pair(session=s, actor=actor, keep_id=ids[0], merge_id=ids[1], figures=picks,
                                       reason=reason),
                  success=t("Đã gộp hoạt động số {b} vào số {a}: tính một lần, ghi công cho cả hai đơn vị.",
                            a=ids[0], b=ids[1]))
    if different:
        run_write(lambda s: dismiss_pair(session=s, actor=actor, first_id=ids[0], second_id=ids[1], reason=reason),
                  success=t("Đã ghi nhận hai hoạt động số {a} và {b} là khác nhau.", a=ids[0], b=ids[1]))

if actor.is_admin:
    st.subheader(t("Hoàn tác (quản trị)"))
    with read_session(get_engine()) as session:
        decisions = list_decisions(session=session, actor=actor, lang=lang)
    if decisions.empty:
        st.info(t("Chưa có việc gộp hoặc xác định khác nhau nào."))
    else:
        with st.form("hdph_undo"):
            row = st.selectbox(t("Việc cần hoàn tác"), range(len(decisions)),
                               format_func=lambda i: f"{decisions['what'].iloc[i]} {decisions['detail'].iloc[i]}")
            why = st.text_input(t("Lý do (bắt buộc)"), key="hdph_undo_reason", max_chars=500)
            undo = st.form_submit_button(t("Hoàn tác"), icon=":material/undo:")
        if undo and row is not None:
            kind, item = decisions["kind"].iloc[row], int(decisions["id"].iloc[row])
            if kind == "merge":
                run_write(lambda s: undo_merge(session=s, actor=actor, link_id=item, reason=why),
                          success=t("Đã bỏ gộp: hai hoạt động lại được tính riêng."))
            else:
                run_write(lambda s: undo_dismissal(session=s, actor=actor, dismissal_id=item, reason=why),
                          success=t("Đã bỏ xác định khác nhau: cặp này sẽ được xem xét lại."))
