"""The change log's old and new values in words: field names as the forms name them, yes/no, roles, activity types,
dates and numbers as the user reads them."""
from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping

from data_model.basics.permissions import ROLE_NAMES
from data_model.definitions.activity_types import list_activity_types, load_activity_types
from data_model.schema.clock import convert_to_local
from data_model.texts.formatting import format_date, format_number

FIELD_NAMES: dict[str, tuple[str, str]] = {
    "active": ("Đang hoạt động", "Active"), "full_name": ("Họ tên", "Full name"), "role": ("Vai trò", "Role"),
    "units": ("Đơn vị", "Units"), "username": ("Tên đăng nhập", "User name"),
    "type_code": ("Loại hoạt động", "Activity type"), "start_date": ("Ngày bắt đầu", "Start date"),
    "end_date": ("Ngày kết thúc", "End date"), "reporting_unit_id": ("Đơn vị thực hiện", "Reporting unit"),
    "commune_key": ("Xã", "Commune"), "village_id": ("Bản", "Village"), "languages": ("Ngôn ngữ", "Languages"),
    "topic": ("Chủ đề", "Topic"), "note": ("Ghi chú", "Note"), "name": ("Tên", "Name"),
    "border_status": ("Xã biên giới", "Border commune"), "verified": ("Đã xác minh", "Verified"),
    "unit_key": ("Đơn vị hành chính", "Administrative unit"), "key": ("Mã", "Code"), "kind": ("Loại", "Kind"),
    "short_name": ("Tên ngắn", "Short name"), "number": ("Số, phiên hiệu", "Number"),
    "station": ("Đồn", "Station"), "station_id": ("Đồn", "Station"), "valid_from": ("Hiệu lực từ", "Valid from"),
    "valid_to": ("Hiệu lực đến", "Valid to"), "derived": ("Suy ra từ bản đồ", "Derived from the map"),
    "year": ("Năm", "Year"), "value": ("Giá trị", "Value"), "alias": ("Tên gọi khác", "Alias"),
    "unit": ("Đơn vị", "Unit"), "month": ("Tháng", "Month"), "late": ("Xác nhận muộn", "Confirmed late"),
    "deadline": ("Hạn", "Deadline"), "no_activity_types": ("Loại hoạt động không có trong tháng",
                                                          "Types with no activity that month"),
    "filename": ("Tệp", "File"), "added": ("Thêm mới", "Added"), "updated": ("Cập nhật", "Updated"),
    "unchanged": ("Không đổi", "Unchanged"), "skipped": ("Bỏ qua", "Skipped"), "records": ("Số hoạt động", "Records"),
    "closed_at": ("Khóa sổ lúc", "Closed at"), "closed_by": ("Người khóa sổ", "Closed by"),
    "deadline_day": ("Ngày hạn báo cáo hằng tháng", "Monthly deadline day"), "recipients": ("Nơi nhận", "Recipients"),
    "symbol": ("Ký hiệu", "Symbol"), "place": ("Địa danh", "Place"), "joint": ("Ban hành liên tịch", "Joint issue"),
    "text_name": ("Tên trong văn bản", "Name in the text"), "name_en": ("Tên tiếng Anh", "English name"),
    "superior": ("Cơ quan cấp trên", "Superior body"), "abbreviation": ("Viết tắt", "Abbreviation"),
    "signer_authority": ("Thẩm quyền ký", "Signing authority"), "signer_title": ("Chức vụ người ký", "Signer's title"),
    "signer_name": ("Người ký", "Signer"),
}
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def name_field(key: str, lang: str = "vi") -> str:
    """A change-log field's name in words (a measure's label for a record's measure; the key itself when unknown)."""
    names = FIELD_NAMES.get(key)
    if names:
        return names[0] if lang == "vi" else names[1]
    for definition in list_activity_types():
        for m in definition.measures:
            if m.code == key:
                return m.label(lang)
    return key


def show_value(key: str, value: object, lang: str = "vi", *, names: Mapping[str, str] | None = None) -> str:
    """A change-log value as a user reads it; names: unit keys to names, for the fields that hold keys."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return ("có" if value else "không") if lang == "vi" else ("yes" if value else "no")
    if isinstance(value, (int, float)):
        return str(value) if key in ("year", "deadline_day") else format_number(value, lang)
    text = str(value)
    if key == "role" and text in ROLE_NAMES:
        return ROLE_NAMES[text][0 if lang == "vi" else 1]
    if key == "type_code" and text in load_activity_types():
        return load_activity_types()[text].name(lang)
    if key in ("units", "unit_key", "station") and names:
        return ", ".join(names.get(part, part) for part in text.split(","))
    if _ISO_DAY.match(text):
        return format_date(dt.date.fromisoformat(text), lang)
    if _ISO_TIME.match(text):
        return convert_to_local(utc=dt.datetime.fromisoformat(text)).strftime("%d/%m/%Y %H:%M")  # stored in UTC
    return text


def describe_values(text: str, lang: str = "vi", *, names: Mapping[str, str] | None = None) -> str:
    """A change-log JSON object as "Field: value; Field: value" in words (the text itself when it is not JSON)."""
    if not text:
        return ""
    try:
        values = json.loads(text)
    except ValueError:
        return text
    if not isinstance(values, dict):
        return text
    return "; ".join(f"{name_field(k, lang)}: {show_value(k, v, lang, names=names)}" for k, v in values.items())
