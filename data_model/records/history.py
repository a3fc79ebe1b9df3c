"""A record's history: who changed what when, one row per changed field (old → new), from the change log."""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from data_model.basics.issues import field_label
from data_model.definitions.activity_types import load_activity_types
from data_model.definitions.fields import FIELDS
from data_model.records.write import ENTITY
from data_model.schema.clock import convert_to_local
from data_model.schema.models import ActivityRecord, ChangeLog, ImportBatch, User
from data_model.texts.catalogue import translate
from data_model.texts.formatting import format_number

FIELD_ORDER = tuple(f.key for f in FIELDS)
ACTION_NAMES = {"create": ("Tạo mới", "Created"), "update": ("Sửa", "Edited"), "delete": ("Xóa", "Deleted"),
                "restore": ("Khôi phục", "Restored"), "import": ("Nhập từ tệp", "Imported"),
                "flag": ("Yêu cầu kiểm tra lại", "Follow-up requested"),
                "flag_close": ("Đóng yêu cầu kiểm tra lại", "Follow-up closed")}


def record_history(*, session: Session, record_id: int, lang: str = "vi") -> pd.DataFrame:
    """Who changed the record when: one row per changed field (old → new), oldest first."""
    stmt = (select(ChangeLog).where(ChangeLog.entity == ENTITY, ChangeLog.entity_id == str(record_id))
            .order_by(ChangeLog.at, ChangeLog.id))
    rec = session.get(ActivityRecord, record_id)
    t = load_activity_types().get(rec.type_code) if rec else None
    rows: list[dict[str, Any]] = []
    if rec is not None and rec.import_batch_id is not None:
        # imports log one entry per file, not per row: the record's own import is shown from its batch
        batch = session.get(ImportBatch, rec.import_batch_id)
        user = session.get(User, rec.created_by) if rec.created_by else None
        rows.append({"at": rec.created_at, "user": user.username if user else "", "action": ACTION_NAMES["import"][
            0 if lang == "vi" else 1], "field": "", "old": "", "new": batch.filename if batch else "", "reason": ""})
    entries = list(session.scalars(stmt))
    if rec is not None and rec.import_batch_id is None and not any(e.action == "create" for e in entries):
        # bulk-loaded records (demo data, generated data) have no create entry: say when and how they came
        user = session.get(User, rec.created_by) if rec.created_by else None
        origin = translate("dữ liệu mẫu (demo)", lang=lang) if rec.is_demo else translate("nạp hàng loạt", lang=lang)
        rows.append({"at": rec.created_at, "user": user.username if user else "", "action": ACTION_NAMES["create"][
            0 if lang == "vi" else 1], "field": "", "old": "", "new": origin, "reason": ""})
    for entry in entries:
        old = json.loads(entry.old_values) if entry.old_values else {}
        new = json.loads(entry.new_values) if entry.new_values else {}
        action = ACTION_NAMES.get(entry.action, (entry.action, entry.action))[0 if lang == "vi" else 1]
        base = {"at": entry.at, "user": entry.username, "action": action, "reason": entry.reason}
        order = [*FIELD_ORDER, *(m.code for m in t.measures)] if t else list(FIELD_ORDER)
        present = [k for k in set(new) | set(old) if not (_show(k, new.get(k), lang) == _show(k, old.get(k), lang) == "")]
        fields = sorted(present, key=lambda k: order.index(k) if k in order else len(order))
        if not fields:
            rows.append({**base, "field": "", "old": "", "new": ""})
        for key in fields:
            rows.append({**base, "field": field_label(key, t, lang), "old": _show(key, old.get(key), lang),
                         "new": _show(key, new.get(key), lang)})
    for row in rows:
        row["at"] = convert_to_local(utc=row["at"]) if row["at"] is not None else None  # stored in UTC
    return pd.DataFrame(rows, columns=["at", "user", "action", "field", "old", "new", "reason"])


def _show(key: str, value: Any, lang: str) -> str:
    if value is None or value == "":
        return ""
    if key == "type_code":
        t = load_activity_types().get(value)
        return t.name(lang) if t else str(value)
    if key in ("start_date", "end_date"):
        try:
            return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return str(value)
    if isinstance(value, int):
        return format_number(value, lang)
    return str(value)
