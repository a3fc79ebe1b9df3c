"""Record form widgets shared by the entry and the my-records pages: fields from the type's definition, messages."""
from __future__ import annotations

import datetime as dt
from typing import Any

import streamlit as st
from sqlalchemy.orm import Session

from data_model.analytics.records_query import EntryChoices, entry_choices
from data_model.basics.issues import DUPLICATE, ERROR, MAX_NOTE, MAX_TOPIC, WARNING, YEAR_MIN, Issue
from data_model.basics.permissions import Actor
from data_model.definitions.activity_types import ActivityType
from data_model.reference.languages import LANGUAGES, language_name
from data_model.schema.clock import today_local
from data_model.texts.formatting import format_number
from ui.auth import plain
from ui.i18n import current_language, localize, t
from ui.loaders import cached_loader


@cached_loader
def _choices(*, session: Session, type_code: str, on: dt.date, role: str, unit_ids: tuple[int, ...]) -> EntryChoices:
    actor = Actor(user_id=None, username="", role=role, unit_ids=frozenset(unit_ids))
    return entry_choices(session=session, type_code=type_code, on=on, actor=actor)


def load_choices(type_code: str, on: dt.date, actor: Actor) -> EntryChoices:
    """Units, communes and villages the form may offer (cached per database, type, day and actor's role and units:
    every user of the same units shares them)."""
    return _choices(type_code=type_code, on=on, role=actor.role, unit_ids=tuple(sorted(actor.unit_ids)))


KEPT_FIELDS = ("start_date", "end_date", "reporting_unit_id", "commune_key", "village_id")


class RecordForm:
    """Widget keys, remembered messages and the clear-after-save counter of one form (entry or one record's edit)."""

    def __init__(self, name: str) -> None:
        self.name = name

    @property
    def nonce(self) -> int:
        return st.session_state.get(f"{self.name}__nonce", 0)

    def clear(self) -> None:
        """New widget keys: every field starts empty again."""
        st.session_state[f"{self.name}__nonce"] = self.nonce + 1
        self.set_issues([])

    @property
    def kept(self) -> dict[str, Any]:
        """What the last "save and enter the next" kept for the next record (date, unit, commune, village)."""
        return dict(st.session_state.get(f"{self.name}__kept", {}))

    def keep(self, values: dict[str, Any]) -> None:
        """Remember the date and place of a saved record as the next record's defaults."""
        st.session_state[f"{self.name}__kept"] = {k: values.get(k) for k in KEPT_FIELDS}

    def key(self, field: str) -> str:
        return f"{self.name}_{self.nonce}_{field}"

    def value(self, field: str, default: Any = None) -> Any:
        return st.session_state.get(self.key(field), default)

    @property
    def issues(self) -> list[Issue]:
        return st.session_state.get(f"{self.name}__issues", [])

    def set_issues(self, issues: list[Issue]) -> None:
        st.session_state[f"{self.name}__issues"] = list(issues)

    def messages(self, *fields: str) -> None:
        """The messages of these fields, right under the field."""
        for issue in self.issues:
            if issue.field in fields:
                detail = localize(issue.detail or issue.message)
                text = plain(detail[:1].upper() + detail[1:])
                if issue.severity == ERROR:
                    st.error(text, icon=":material/error:")
                else:
                    st.warning(text, icon=":material/warning:")


def date_fields(form: RecordForm, activity_type: ActivityType, defaults: dict[str, Any]) -> tuple[dt.date, dt.date | None]:
    """Start date (and end date for period types), never later than today."""
    today = today_local()
    start_default = defaults.get("start_date") or today
    # without a minimum Streamlit offers only ten years before the shown date; an older stored date stays editable
    first = min(dt.date(YEAR_MIN, 1, 1), start_default)
    if activity_type.period:
        left, right = st.columns(2)
        with left:
            start = st.date_input(t("Ngày bắt đầu", ctx="start date"), value=start_default, min_value=first,
                                  max_value=today, format="DD/MM/YYYY", key=form.key("start_date"))
            form.messages("start_date")
        with right:
            end = st.date_input(t("Ngày kết thúc", ctx="end date"), value=defaults.get("end_date") or start_default,
                                min_value=first, max_value=today, format="DD/MM/YYYY", key=form.key("end_date"),
                                help=t("Trong cùng một năm với ngày bắt đầu."))
            form.messages("end_date")
        return start, end
    start = st.date_input(t("Ngày"), value=start_default, min_value=first, max_value=today,
                          format="DD/MM/YYYY", key=form.key("start_date"))
    form.messages("start_date", "end_date")
    return start, None


def _select(label: str, options: dict, key: str, default: Any, *, placeholder: str, help: str | None = None) -> Any:
    keys = list(options)
    index = keys.index(default) if default in options else None
    return st.selectbox(label, options=keys, format_func=lambda k: options.get(k, str(k)), index=index, key=key,
                        placeholder=placeholder, help=help)


def place_fields(form: RecordForm, activity_type: ActivityType, defaults: dict[str, Any], actor: Actor,
                 on: dt.date) -> dict[str, Any]:
    """Reporting unit, commune valid on the day and its villages, as the definition asks for."""
    choices = load_choices(activity_type.code, on, actor)
    values: dict[str, Any] = {}
    if not choices.units:
        st.warning(t("Tài khoản của bạn không gắn với đơn vị nào báo cáo loại hoạt động này."), icon=":material/block:")
    unit_default = defaults.get("reporting_unit_id")
    if unit_default is None and len(choices.units) == 1:
        unit_default = next(iter(choices.units))
    values["reporting_unit_id"] = _select(t("Đơn vị thực hiện"), choices.units,
                                          form.key("reporting_unit_id"), unit_default,
                                          placeholder=t("Chọn đơn vị", ctx="choose a unit"))
    form.messages("reporting_unit_id")
    if activity_type.commune != "none":
        required = activity_type.commune == "required"
        label = t("Xã") + (" *" if required else t(" (không bắt buộc)"))
        values["commune_key"] = _select(
            label, choices.communes_for(values["reporting_unit_id"]), form.key("commune_key"), defaults.get("commune_key"),
            placeholder=t("Chọn xã", ctx="choose a commune"),
            help=t("Các xã có vào ngày {on:%d/%m/%Y} (xã cũ trước 01/07/2025, xã mới từ 01/07/2025).", on=on))
        form.messages("commune_key")
    if activity_type.village != "none":
        villages = choices.villages.get(values.get("commune_key") or "", {})
        values["village_id"] = _select(
            t("Bản (không bắt buộc)") if activity_type.village != "required" else t("Bản *"),
            villages, form.key(f"village_id_{values.get('commune_key')}"), defaults.get("village_id"),
            placeholder=t("Chọn bản") if villages else t("Chưa có danh sách bản của xã này"))
        form.messages("village_id")
    return values


def figure_fields(form: RecordForm, activity_type: ActivityType, defaults: dict[str, Any]) -> None:
    """Languages, measures, topic and note (inside an st.form); values are read back with collect_values."""
    lang = current_language()
    if activity_type.languages != "none":
        st.multiselect(t("Ngôn ngữ phát") + (" *" if activity_type.languages == "required" else ""),
                       options=list(LANGUAGES), format_func=lambda c: language_name(c, lang),
                       default=defaults.get("languages") or [], key=form.key("languages"),
                       placeholder=t("Chọn ngôn ngữ"), select_all=False)
        form.messages("languages")
    columns = st.columns(min(3, len(activity_type.measures)))
    for i, m in enumerate(activity_type.measures):
        with columns[i % len(columns)]:
            st.number_input(m.title(lang) + (" *" if m.required else ""), value=defaults.get(m.code),
                            step=1, format="%d", key=form.key(m.code),
                            help=t("Từ {min} đến {max}", min=format_number(m.min, lang), max=format_number(m.max, lang)),
                            placeholder=t("bắt buộc") if m.required else t("không bắt buộc"))
            form.messages(m.code)
    if activity_type.topic:
        st.text_input(t("Chủ đề"), value=defaults.get("topic") or "", max_chars=MAX_TOPIC,
                      key=form.key("topic"))
        form.messages("topic")
    st.text_area(t("Ghi chú"), value=defaults.get("note") or "", max_chars=MAX_NOTE, key=form.key("note"),
                 height=80)
    form.messages("note")


def collect_values(form: RecordForm, activity_type: ActivityType) -> dict[str, Any]:
    """The values of every field of the form, as data_model.records.write expects them."""
    commune = form.value("commune_key")
    start = form.value("start_date")
    values: dict[str, Any] = {
        "type_code": activity_type.code, "start_date": start,
        "end_date": form.value("end_date") if activity_type.period else start,
        "reporting_unit_id": form.value("reporting_unit_id"), "commune_key": commune,
        "village_id": form.value(f"village_id_{commune}"), "languages": form.value("languages") or [],
        "topic": form.value("topic") or "", "note": form.value("note") or "",
    }
    for m in activity_type.measures:
        value = form.value(m.code)
        values[m.code] = int(value) if value is not None else None
    return values


def confirmation_box(form: RecordForm) -> bool:
    """Warnings and possible duplicates that need a confirmation; True when there are some."""
    pending = [i for i in form.issues if i.severity in (WARNING, DUPLICATE)]
    blocking = [i for i in form.issues if i.severity == ERROR]
    if not pending or blocking:
        return False
    with st.container(border=True):
        st.markdown(t("**Cần xác nhận trước khi lưu**"))
        for issue in pending:
            st.warning(plain(issue.message), icon=":material/warning:")
    return True
