"""The offline entry form (XLSForm for ODK Collect / KoboCollect) built from the activity definitions and the
reference data: the units it is for, the types they report, each type's measures with the web form's ranges and
cross-field rules, communes valid on every day of the activity and their villages, languages, topic, note."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_model.basics.issues import MAX_NOTE, MAX_TOPIC, YEAR_MIN
from data_model.basics.permissions import Actor, PermissionDenied
from data_model.definitions.activity_types import ActivityType, Rule, list_activity_types
from data_model.files.xlsform.questions import (
    FIELD_QUESTIONS,
    VERSION_QUESTION,
    group_name,
    measure_question,
    signature_question,
    type_signature,
    village_choice,
)
from data_model.reference.languages import LANGUAGES
from data_model.reference.names import normalise_name
from data_model.schema.models import ReportingUnit, Unit, Village
from data_model.texts.formatting import format_number

VI, EN = "Tiếng Việt (vi)", "English (en)"
FORM_ID = "hoat_dong_bien_gioi"
FORM_TITLE = "Hoạt động thông tin, tuyên truyền khu vực biên giới"
SURVEY_COLUMNS = (
    "type", "name", f"label::{VI}", f"label::{EN}", f"hint::{VI}", f"hint::{EN}", "required", f"required_message::{VI}",
    f"required_message::{EN}", "relevant", "constraint", f"constraint_message::{VI}", f"constraint_message::{EN}",
    "choice_filter", "calculation", "default", "appearance",
)
CHOICE_COLUMNS = ("list_name", "name", f"label::{VI}", f"label::{EN}", "units", "from_n", "to_n", "commune")
SETTINGS_COLUMNS = ("form_title", "form_id", "version", "default_language", "instance_name")
_XPATH_OPS = {"<=": "<=", ">=": ">=", "<": "<", ">": ">", "==": "="}
OPEN_END = 99991231  # "to_n" of a commune version that is still valid


class FormError(ValueError):
    """The form cannot be made as asked (an unknown unit); the message is Vietnamese."""


@dataclass(frozen=True)
class FormUnit:
    """A reporting unit the form offers."""

    key: str
    kind: str
    name: str


@dataclass
class XlsForm:
    """An XLSForm's three sheets, and what it was made for."""

    title: str
    form_id: str
    version: str
    units: tuple[FormUnit, ...]
    types: tuple[ActivityType, ...]
    survey: list[dict[str, str]] = field(default_factory=list)
    choices: list[dict[str, str]] = field(default_factory=list)
    settings: dict[str, str] = field(default_factory=dict)


def xlsform_for_actor(*, session: Session, actor: Actor, unit_key: str | None = None) -> XlsForm:
    """The form for the actor's units (staff) or for one unit or all units (admin); others may not make one."""
    if actor.role == "admin":
        return build_xlsform(session=session, unit_keys=[unit_key] if unit_key else None)
    if actor.role != "staff":
        raise PermissionDenied("Chỉ cán bộ nhập liệu và quản trị tải được biểu mẫu nhập ngoại tuyến")
    own = dict(session.execute(select(ReportingUnit.key, ReportingUnit.id)
                               .where(ReportingUnit.id.in_(sorted(actor.unit_ids)))).all())
    if unit_key and unit_key not in own:
        raise PermissionDenied("Bạn chỉ tải được biểu mẫu của đơn vị mình")
    if not own:
        raise PermissionDenied("Tài khoản của bạn chưa gắn với đơn vị nào")
    return build_xlsform(session=session, unit_keys=[unit_key] if unit_key else sorted(own), with_children=False)


def form_unit_choices(*, session: Session, actor: Actor) -> dict[str, str]:
    """Unit key → name of the units the actor may make a form for (staff: their own; admin: every active unit)."""
    r = ReportingUnit
    stmt = select(r.key, r.name).where(r.active.is_(True)).order_by(r.id)
    if actor.role != "admin":
        stmt = stmt.where(r.id.in_(sorted(actor.unit_ids)) if actor.role == "staff" else r.id.is_(None))
    return dict(session.execute(stmt).all())


def form_units(*, session: Session, unit_keys: Sequence[str] | None, with_children: bool = True) -> list[FormUnit]:
    """The active units a form offers: the given ones (and the units under them, e.g. a station's loudspeaker
    clusters) or every active unit; FormError for an unknown key."""
    r = ReportingUnit
    rows = session.execute(select(r.id, r.key, r.kind, r.name, r.parent_id).where(r.active.is_(True))
                           .order_by(r.id)).all()
    if not unit_keys:
        return [FormUnit(row.key, row.kind, row.name) for row in rows]
    known = {row.key for row in rows}
    unknown = [k for k in unit_keys if k not in known]
    if unknown:
        raise FormError(f"không có đơn vị đang hoạt động {', '.join(unknown)}")
    ids = {row.id for row in rows if row.key in unit_keys}
    return [FormUnit(row.key, row.kind, row.name) for row in rows
            if row.id in ids or (with_children and row.parent_id in ids)]


def build_xlsform(*, session: Session, unit_keys: Sequence[str] | None = None,
                  with_children: bool = True) -> XlsForm:
    """The XLSForm for some units (None: every active unit); its version is a digest of everything in it."""
    units = form_units(session=session, unit_keys=unit_keys, with_children=with_children)
    types = tuple(t for t in list_activity_types() if any(u.kind in t.reporting_kinds for u in units))
    if not types:
        raise FormError("các đơn vị đã chọn không báo cáo loại hoạt động nào")
    suffix = "_".join(sorted(unit_keys or ()))[:60]
    title = FORM_TITLE + (f" – {units[0].name}" if unit_keys and len(unit_keys) == 1 else "")
    form = XlsForm(title=title, form_id=f"{FORM_ID}_{suffix}" if suffix else FORM_ID, version="",
                   units=tuple(units), types=types)
    form.survey = _survey(units, types)
    form.choices = _choices(session, units, types)
    form.settings = {"form_title": title, "form_id": form.form_id, "version": "", "default_language": VI,
                     "instance_name": "concat(${activity_type}, ' ', ${start_date})"}
    form.version = form.settings["version"] = definitions_version(session=session)
    for row in form.survey:
        if row["name"] == VERSION_QUESTION:
            row["calculation"] = f"'{form.version}'"
    return form


def definitions_version(*, session: Session) -> str:
    """The form version: a digest of the activity definitions and the reference data every form is made from (all
    units, communes, villages, languages), so it changes exactly when one of them changes, whichever units a form
    offers (the form id names those)."""
    r = ReportingUnit
    content = [
        [asdict(t) for t in list_activity_types()],
        [list(row) for row in session.execute(select(r.key, r.kind, r.name, r.parent_id, r.active).order_by(r.key))],
        [[c.key, c.code, c.name, str(c.valid_from), str(c.valid_to)] for c in session.execute(
            select(Unit.key, Unit.code, Unit.name, Unit.valid_from, Unit.valid_to)
            .where(Unit.level == "commune").order_by(Unit.key))],
        [list(row) for row in session.execute(select(Village.id, Village.unit_key, Village.name).order_by(Village.id))],
        LANGUAGES,
    ]
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _row(**cells: str) -> dict[str, str]:
    out = dict.fromkeys(SURVEY_COLUMNS, "")
    for key, value in cells.items():
        out[{"label": f"label::{VI}", "label_en": f"label::{EN}", "hint": f"hint::{VI}", "hint_en": f"hint::{EN}",
             "required_msg": f"required_message::{VI}", "required_msg_en": f"required_message::{EN}",
             "constraint_msg": f"constraint_message::{VI}", "constraint_msg_en": f"constraint_message::{EN}",
             }.get(key, key)] = value
    return out


def _type_in(types: Sequence[ActivityType]) -> str:
    """An XPath test that the chosen activity type is one of these."""
    if not types:
        return "false()"
    codes = " ".join(t.code for t in types)
    return f"contains(' {codes} ', concat(' ', ${{activity_type}}, ' '))"


def _survey(units: Sequence[FormUnit], types: Sequence[ActivityType]) -> list[dict[str, str]]:
    q = FIELD_QUESTIONS
    period = [t for t in types if t.period]
    rows = [
        _row(type="start", name="start"), _row(type="end", name="end"),
        _row(type="calculate", name=VERSION_QUESTION, calculation="''"),
        _row(type="select_one unit", name=q["reporting_unit_id"], label="Đơn vị thực hiện", label_en="Reporting unit",
             required="yes", required_msg="Chọn đơn vị thực hiện", required_msg_en="Choose the reporting unit",
             default=units[0].key if len(units) == 1 else ""),
        _row(type="select_one activity_type", name=q["type_code"], label="Loại hoạt động", label_en="Activity type",
             required="yes", required_msg="Chọn loại hoạt động", required_msg_en="Choose the activity type",
             choice_filter="contains(units, concat(' ', ${reporting_unit}, ' '))"),
        _row(type="date", name=q["start_date"], label="Ngày thực hiện (ngày bắt đầu)", label_en="Date (start date)",
             required="yes", required_msg="Chọn ngày", required_msg_en="Choose the date",
             constraint=f". <= today() and . >= date('{YEAR_MIN}-01-01')",
             constraint_msg=f"Ngày không được ở tương lai, và từ năm {YEAR_MIN}",
             constraint_msg_en=f"The date cannot be in the future or before {YEAR_MIN}"),
        _row(type="date", name=q["end_date"], label="Ngày kết thúc (nếu kéo dài nhiều ngày)",
             label_en="End date (when it spans several days)", relevant=_type_in(period),
             hint="Để trống nếu chỉ trong một ngày", hint_en="Leave empty for a single day",
             constraint=(". >= ${start_date} and . <= today() and "
                         "format-date(., '%Y') = format-date(${start_date}, '%Y')"),
             constraint_msg="Ngày kết thúc phải từ ngày bắt đầu đến hôm nay, trong cùng một năm",
             constraint_msg_en="The end date must be between the start date and today, within the same year"),
        _row(type="calculate", name="day_n", calculation="format-date(${start_date}, '%Y%m%d')"),
        # the last day: a commune must exist on every day of the activity, as the import checks
        _row(type="calculate", name="end_n",
             calculation="if(${end_date} != '', format-date(${end_date}, '%Y%m%d'), ${day_n})"),
        _row(type="select_one commune", name=q["commune_key"], label="Xã", label_en="Commune",
             hint="Các xã có trong suốt thời gian hoạt động", hint_en="Communes that exist on every day of the activity",
             relevant=_type_in([t for t in types if t.commune != "none"]),
             required=_type_in([t for t in types if t.commune == "required"]),
             required_msg="Loại hoạt động này cần ghi xã", required_msg_en="This activity type needs a commune",
             choice_filter="from_n <= ${day_n} and ${end_n} < to_n"),
        _row(type="select_one village", name=q["village_id"], label="Bản", label_en="Village",
             relevant=(f"{_type_in([t for t in types if t.village != 'none'])} and ${{commune}} != '' and "
                       "count(instance('village')/root/item[commune = ${commune}]) > 0"),
             required=_type_in([t for t in types if t.village == "required"]),
             required_msg="Loại hoạt động này cần ghi bản", required_msg_en="This activity type needs a village",
             choice_filter="commune = ${commune}"),
        _row(type="select_multiple language", name=q["languages"], label="Ngôn ngữ", label_en="Languages",
             relevant=_type_in([t for t in types if t.languages != "none"]),
             required=_type_in([t for t in types if t.languages == "required"]),
             required_msg="Chọn ít nhất một ngôn ngữ phát", required_msg_en="Choose at least one language"),
        _row(type="text", name=q["topic"], label="Chủ đề", label_en="Topic", relevant=_type_in([t for t in types
                                                                                               if t.topic]),
             constraint=f"string-length(.) <= {MAX_TOPIC}",
             constraint_msg=f"Chủ đề dài tối đa {MAX_TOPIC} ký tự",
             constraint_msg_en=f"The topic is at most {MAX_TOPIC} characters long"),
    ]
    for t in types:
        rows += _type_group(t)
    rows.append(_row(type="text", name=q["note"], label="Ghi chú", label_en="Note",
                     constraint=f"string-length(.) <= {MAX_NOTE}", constraint_msg=f"Ghi chú dài tối đa {MAX_NOTE} ký tự",
                     constraint_msg_en=f"The note is at most {MAX_NOTE} characters long"))
    return rows


def _type_group(t: ActivityType) -> list[dict[str, str]]:
    """A type's measures in a group shown only for that type, with their ranges and the type's rules."""
    attached: dict[str, list[Rule]] = {}
    order = [m.code for m in t.measures]
    for rule in t.rules:  # a rule is checked on the last of its measures the user answers
        attached.setdefault(max(rule.fields, key=order.index), []).append(rule)
    rows = [_row(type="begin_group", name=group_name(t), label=t.name_vi, label_en=t.name_en,
                 relevant=f"${{activity_type}} = '{t.code}'")]
    for m in t.measures:
        rules = attached.get(m.code, [])
        span_vi = f"từ {format_number(m.min)} đến {format_number(m.max)} {m.unit_vi}"
        span_en = f"{format_number(m.min, 'en')} to {format_number(m.max, 'en')} {m.unit_en}"
        constraint = " and ".join([f". >= {m.min} and . <= {m.max}",
                                   *(f"({_rule_xpath(t, r, m.code, '.')})" for r in rules)])
        if m.required:
            required, required_vi, required_en = "yes", f"Bắt buộc: nhập số {m.unit_vi}", f"Required: {m.unit_en}"
        else:  # an empty answer counts as 0: it is needed exactly when 0 would break a rule
            required = " or ".join(f"not({_rule_xpath(t, r, m.code, '0')})" for r in rules)
            required_vi = "; ".join(r.message_vi for r in rules)
            required_en = "; ".join(r.message_en for r in rules)
        rows.append(_row(
            type="integer", name=measure_question(t, m), label=m.title("vi"),
            label_en=m.title("en"), hint=span_vi.capitalize(), hint_en=span_en.capitalize(),
            required=required, required_msg=required_vi, required_msg_en=required_en,
            constraint=constraint,
            constraint_msg="; ".join([f"Số phải {span_vi}", *(r.message_vi for r in rules)]),
            constraint_msg_en="; ".join([f"Must be {span_en}", *(r.message_en for r in rules)])))
    rows.append(_row(type="calculate", name=signature_question(t), calculation=f"'{type_signature(t)}'"))
    rows.append(_row(type="end_group", name=""))
    return rows


def _rule_xpath(t: ActivityType, rule: Rule, own: str, own_value: str) -> str:
    """A rule as XPath: empty answers count as 0; `own` (the question it sits on) is `own_value`."""
    def side(terms: tuple[str, ...]) -> str:
        parts = [term if term.isdigit() else own_value if term == own
                 else f"coalesce(${{{measure_question(t, t.measure(term))}}}, 0)" for term in terms]
        return f"({' + '.join(parts)})"
    right = side(rule.right) + (f" * {rule.factor}" if rule.factor != 1 else "")
    return f"{side(rule.left)} {_XPATH_OPS[rule.op]} {right}"


def _day_number(day: dt.date | None, default: int) -> str:
    return str(int(day.strftime("%Y%m%d")) if day else default)


def _choices(session: Session, units: Sequence[FormUnit], types: Sequence[ActivityType]) -> list[dict[str, str]]:
    def choice(list_name: str, name: str, vi: str, en: str = "", **extra: str) -> dict[str, str]:
        return {**dict.fromkeys(CHOICE_COLUMNS, ""), "list_name": list_name, "name": name, f"label::{VI}": vi,
                f"label::{EN}": en or vi, **extra}

    rows = [choice("unit", u.key, u.name) for u in units]
    for t in types:
        offered = " ".join(u.key for u in units if u.kind in t.reporting_kinds)
        rows.append(choice("activity_type", t.code, t.name_vi, t.name_en, units=f" {offered} "))
    communes = session.execute(select(Unit.key, Unit.code, Unit.name, Unit.valid_from, Unit.valid_to)
                               .where(Unit.level == "commune")).all()
    communes.sort(key=lambda c: (normalise_name(c.name), c.code, c.valid_from or dt.date.min))
    rows += [choice("commune", c.key, f"{c.name} ({c.code})", from_n=_day_number(c.valid_from, 0),
                    to_n=_day_number(c.valid_to, OPEN_END)) for c in communes]
    villages = session.execute(select(Village.id, Village.unit_key, Village.name)).all()
    villages.sort(key=lambda v: (v.unit_key, normalise_name(v.name), v.id))
    rows += [choice("village", village_choice(v.id), v.name, commune=v.unit_key) for v in villages]
    rows += [choice("language", code, vi, en) for code, (vi, en) in LANGUAGES.items()]
    return rows
