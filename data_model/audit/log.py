"""The audit log: change-log entries filtered by user, date and kind, as small pages or a CSV/XLSX export."""
from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from data_model.audit.wording import describe_values
from data_model.basics.cells import build_csv_text
from data_model.basics.permissions import Actor, require_audit_read
from data_model.schema.clock import convert_to_utc, get_zone
from data_model.schema.models import ChangeLog, ReportingUnit, Unit
from data_model.texts.errors import UserError
from data_model.texts.input import clean_text

MAX_EXPORT_ROWS = 200_000
MAX_PAGE = 500

ACTIONS: dict[str, tuple[str, str]] = {
    "create": ("Tạo mới", "Create"), "update": ("Sửa", "Edit"), "delete": ("Xóa", "Delete"),
    "restore": ("Khôi phục", "Restore"), "import": ("Nhập từ tệp", "Import"), "login": ("Đăng nhập", "Login"),
    "login_failed": ("Đăng nhập sai", "Failed login"), "logout": ("Đăng xuất", "Logout"),
    "password_change": ("Đổi mật khẩu", "Password change"), "password_reset": ("Đặt lại mật khẩu", "Password reset"),
    "repair": ("Sửa bảng tổng hợp", "Summary repair"),
    "confirm": ("Xác nhận số liệu tháng", "Month confirmed"), "close_year": ("Khóa sổ năm", "Year closed"),
    "reopen_year": ("Mở lại năm", "Year reopened"),
    "merge": ("Gộp hoạt động phối hợp", "Joint activity merged"), "unmerge": ("Bỏ gộp", "Merge undone"),
    "dismiss": ("Xác định khác nhau", "Pair dismissed"), "undismiss": ("Bỏ xác định khác nhau", "Dismissal undone"),
    "flag": ("Yêu cầu kiểm tra lại", "Follow-up requested"), "flag_close": ("Đóng yêu cầu kiểm tra lại", "Follow-up closed"),
}
ENTITIES: dict[str, tuple[str, str]] = {
    "record": ("Hoạt động", "Record"), "user": ("Người dùng", "User"), "unit": ("Đơn vị hành chính", "Unit"),
    "village": ("Bản", "Village"), "station": ("Đồn / đơn vị báo cáo", "Station"),
    "coverage": ("Phạm vi đồn – xã", "Station coverage"), "alias": ("Tên gọi khác", "Alias"),
    "fact": ("Số liệu dân số", "Population figure"), "language": ("Ngôn ngữ", "Language"),
    "successor": ("Sắp xếp đơn vị", "Reorganisation"), "import_batch": ("Tệp nhập", "Import file"),
    "summary": ("Bảng tổng hợp", "Summary tables"),
    "month": ("Tháng báo cáo", "Reporting month"), "year": ("Năm", "Year"), "setting": ("Thiết lập", "Setting"),
    "target": ("Chỉ tiêu kế hoạch", "Plan target"),
    "issuing_body": ("Cơ quan ban hành báo cáo", "Report issuing body"),
    "joint": ("Hoạt động phối hợp", "Joint activity"), "joint_pair": ("Cặp hoạt động khác nhau", "Dismissed pair"),
}
COLUMNS = ["id", "at", "username", "action", "action_name", "entity", "entity_name", "entity_id",
           "old_values", "new_values", "reason"]
HEADERS_VI = {"at": "Thời gian (giờ Việt Nam)", "username": "Người dùng", "action_name": "Thao tác",
              "entity_name": "Đối tượng", "entity_id": "Mã", "old_values": "Giá trị cũ",
              "new_values": "Giá trị mới", "reason": "Lý do / ghi chú"}
HEADERS_EN = {"at": "Time (Vietnam)", "username": "User", "action_name": "Action", "entity_name": "Object",
              "entity_id": "Id", "old_values": "Old values", "new_values": "New values", "reason": "Reason / note"}


class AuditError(UserError, ValueError):
    """Bad audit filter; the message is Vietnamese."""


@dataclass(frozen=True)
class AuditFilters:
    """Which entries: one user, an inclusive date range in Vietnam time, some actions and objects."""

    username: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    actions: tuple[str, ...] = ()
    entities: tuple[str, ...] = ()


def label(table: dict[str, tuple[str, str]], code: str, lang: str = "vi") -> str:
    """The display name of an action or object code (the code itself when unknown)."""
    names = table.get(code)
    return (names[0] if lang == "vi" else names[1]) if names else code


def _utc_start(day: dt.date) -> dt.datetime:
    return convert_to_utc(local=dt.datetime.combine(day, dt.time()))


def build_audit_select(filters: AuditFilters) -> Select:
    """SELECT of the matching change-log rows, newest first."""
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise AuditError("Khoảng ngày: ngày bắt đầu sau ngày kết thúc")
    query = select(ChangeLog)
    username = clean_text(filters.username, field="Người dùng", limit=64, error=AuditError)
    for kind in (*filters.actions, *filters.entities):
        clean_text(kind, field="Thao tác, đối tượng", limit=32, error=AuditError)
    if username:
        query = query.where(ChangeLog.username == username)
    if filters.date_from:
        query = query.where(ChangeLog.at >= _utc_start(filters.date_from))
    if filters.date_to:
        query = query.where(ChangeLog.at < _utc_start(filters.date_to + dt.timedelta(days=1)))
    if filters.actions:
        query = query.where(ChangeLog.action.in_(filters.actions))
    if filters.entities:
        query = query.where(ChangeLog.entity.in_(filters.entities))
    return query.order_by(ChangeLog.at.desc(), ChangeLog.id.desc())


def count_audit(*, session: Session, actor: Actor, filters: AuditFilters) -> int:
    """How many entries match."""
    require_audit_read(actor)
    inner = build_audit_select(filters).order_by(None).subquery()
    return session.scalar(select(func.count()).select_from(inner))


def _unit_names(session: Session) -> dict[str, str]:
    # the keys a user, village or coverage entry holds, by name (reporting units win over communes of the same key)
    communes = dict(session.execute(select(Unit.key, Unit.name)).all())
    return {**communes, **dict(session.execute(select(ReportingUnit.key, ReportingUnit.name)).all())}


_FIELDS = (ChangeLog.id, ChangeLog.at, ChangeLog.username, ChangeLog.action, ChangeLog.entity, ChangeLog.entity_id,
           ChangeLog.old_values, ChangeLog.new_values, ChangeLog.reason)


def _frame(rows, lang: str, names: Mapping[str, str] | None = None) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["id", "at", "username", "action", "entity", "entity_id", "old_values",
                                        "new_values", "reason"])
    # stored in UTC, shown on the province's clock
    frame["at"] = pd.to_datetime(frame["at"]).dt.tz_localize("UTC").dt.tz_convert(get_zone().key).dt.tz_localize(None)
    frame["action_name"] = [label(ACTIONS, a, lang) for a in frame["action"]]
    frame["entity_name"] = [label(ENTITIES, e, lang) for e in frame["entity"]]
    frame["old_values"] = [describe_values(v, lang, names=names) for v in frame["old_values"]]
    frame["new_values"] = [describe_values(v, lang, names=names) for v in frame["new_values"]]
    return frame[COLUMNS]


def _rows(session: Session, query: Select):
    # plain tuples, not ORM objects: exports can hold hundreds of thousands of entries
    return session.execute(query.with_only_columns(*_FIELDS)).all()


def list_audit(
    *, session: Session, actor: Actor, filters: AuditFilters, limit: int = 100, offset: int = 0, lang: str = "vi",
) -> pd.DataFrame:
    """One page of matching entries, newest first, times in Vietnam time."""
    require_audit_read(actor)
    limit = max(1, min(int(limit), MAX_PAGE))
    return _frame(_rows(session, build_audit_select(filters).limit(limit).offset(max(0, int(offset)))), lang,
                  _unit_names(session))


def list_audit_usernames(*, session: Session, actor: Actor) -> list[str]:
    """User names that appear in the log (including names typed in failed logins)."""
    require_audit_read(actor)
    return list(session.scalars(select(ChangeLog.username).distinct().order_by(ChangeLog.username)))


def list_audit_kinds(*, session: Session, actor: Actor) -> tuple[list[str], list[str]]:
    """The actions and objects that appear in the log, known ones first."""
    require_audit_read(actor)
    actions = set(session.scalars(select(ChangeLog.action).distinct()))
    entities = set(session.scalars(select(ChangeLog.entity).distinct())) - {""}
    return ([a for a in ACTIONS if a in actions] + sorted(actions - set(ACTIONS)),
            [e for e in ENTITIES if e in entities] + sorted(entities - set(ENTITIES)))


def export_audit(*, session: Session, actor: Actor, filters: AuditFilters, fmt: str, lang: str = "vi") -> bytes:
    """The matching entries (at most MAX_EXPORT_ROWS) as CSV (UTF-8 with BOM) or XLSX bytes."""
    require_audit_read(actor)
    if fmt not in ("csv", "xlsx"):
        raise AuditError("Định dạng xuất: chỉ csv hoặc xlsx")
    headers = HEADERS_VI if lang == "vi" else HEADERS_EN
    frame = _frame(_rows(session, build_audit_select(filters).limit(MAX_EXPORT_ROWS)), lang, _unit_names(session))
    frame = frame[list(headers)].rename(columns=headers)
    if fmt == "csv":
        frame[frame.columns[0]] = frame[frame.columns[0]].dt.strftime("%d/%m/%Y %H:%M:%S")
        return build_csv_text(frame=frame).encode("utf-8-sig")
    return _xlsx(frame)


def _xlsx(frame: pd.DataFrame) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    # strings stay strings: nothing a user typed becomes a formula or a link
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "constant_memory": True, "strings_to_formulas": False,
                                        "strings_to_urls": False, "strings_to_numbers": False})
    sheet = book.add_worksheet("Nhật ký")
    when = book.add_format({"num_format": "dd/mm/yyyy hh:mm:ss"})
    bold = book.add_format({"bold": True})
    sheet.set_column(0, 0, 20)
    sheet.set_column(1, len(frame.columns) - 1, 24)
    sheet.write_row(0, 0, list(frame.columns), bold)
    for r, row in enumerate(frame.itertuples(index=False, name=None), start=1):
        sheet.write_datetime(r, 0, row[0].to_pydatetime(), when)
        for c, value in enumerate(row[1:], start=1):
            if value not in (None, ""):
                sheet.write_string(r, c, str(value))
    book.close()
    return buffer.getvalue()
