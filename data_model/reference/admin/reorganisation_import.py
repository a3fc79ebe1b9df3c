"""Importing a reorganisation (new communes, successor links, a date) from CSV/XLSX: a preview, then all or none."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from data_model.accounts.permissions import Actor
from data_model.files.parse import cell_text, is_blank, parse_date
from data_model.records.changelog import log_change
from data_model.reference.admin.checks import COMMUNE_KINDS, MAX_NAME, ReferenceEditError, acting_admin
from data_model.reference.admin.imports import (
    REORGANISATION_COLUMNS, ImportPreview, ReferenceImportError, check_cell, read_table, resolve_commune, row_errors,
)
from data_model.reference.names import normalise_name
from data_model.schema.models import Unit, UnitSuccessor


@dataclass
class _ReorgRow:
    row: int
    date: dt.date | None = None
    new_code: str = ""
    new_name: str = ""
    new_kind: str = "xã"
    old: Unit | None = None
    share: float = 1.0
    source: str = ""
    note: str = ""
    problems: list[tuple[str, str]] = field(default_factory=list)


def _share(value: Any) -> float:
    if is_blank(value):
        return 1.0
    text = cell_text(value).replace(",", ".").rstrip("%").strip()
    try:
        share = float(text) / (100 if cell_text(value).endswith("%") else 1)
    except ValueError:
        raise ReferenceEditError(f"Tỷ lệ: «{cell_text(value)[:20]}» không phải số") from None
    if not 0 < share <= 1:
        raise ReferenceEditError("Tỷ lệ: phải lớn hơn 0 và không quá 1 (hoặc 100%)")
    return share


def _required_date(value: Any) -> dt.date:
    if is_blank(value):
        raise ValueError("không được để trống")
    return parse_date(value)


def _new_key(code: str, date: dt.date) -> str:
    return f"c{code}@{date.year}"


def _parse_reorganisation(session: Session, data: bytes, filename: str) -> tuple[list[_ReorgRow], list[str], list[str]]:
    table, errors, notes = read_table(data, filename, REORGANISATION_COLUMNS, "reorganisation")
    parsed: list[_ReorgRow] = []
    for row, cells in table:
        item = _ReorgRow(row)
        p = item.problems
        item.date = check_cell(p, "Ngày hiệu lực", lambda: _required_date(cells.get("date")))
        code = cell_text(cells.get("new_code"))
        if not code.isdigit() or len(code) > 5:
            p.append(("Mã xã mới", f"«{code[:20]}» không phải mã số đơn vị (tối đa 5 chữ số)"))
        else:
            item.new_code = code.zfill(5)
        item.new_name = cell_text(cells.get("new_name"))
        for prefix in COMMUNE_KINDS:
            if normalise_name(item.new_name).startswith(normalise_name(prefix) + " "):
                item.new_name = item.new_name[len(prefix):].strip()
                break
        if not item.new_name:
            p.append(("Tên xã mới", "không được để trống"))
        elif len(item.new_name) > MAX_NAME:
            p.append(("Tên xã mới", f"tối đa {MAX_NAME} ký tự"))
        kind = cell_text(cells.get("new_kind")).lower() or "xã"
        if kind not in COMMUNE_KINDS:
            p.append(("Loại", f"phải là một trong {', '.join(COMMUNE_KINDS)}"))
        item.new_kind = kind
        old_text = cell_text(cells.get("old"))
        if not old_text:
            p.append(("Xã cũ", "không được để trống"))
        elif item.date is not None:
            day_before = item.date - dt.timedelta(days=1)
            item.old = check_cell(p, "Xã cũ", lambda: resolve_commune(session=session, text=old_text, on=day_before))
            if item.old is not None and not item.old.valid_on(day_before):
                p.append(("Xã cũ", f"{item.old.name} ({item.old.key}) không còn hiệu lực ngày {day_before:%d/%m/%Y}"))
            elif item.old is not None and item.old.valid_to not in (None, item.date):
                p.append(("Xã cũ", f"{item.old.name} đã kết thúc ngày {item.old.valid_to:%d/%m/%Y}"))
        item.share = check_cell(p, "Tỷ lệ", lambda: _share(cells.get("share"))) or 1.0
        item.source = cell_text(cells.get("source"))[:2000]
        item.note = cell_text(cells.get("note"))[:2000]
        parsed.append(item)
    _check_reorganisation(session, parsed)
    return parsed, errors, notes


def _check_reorganisation(session: Session, parsed: list[_ReorgRow]) -> None:
    """Rules across rows: one name and date per new unit, shares of each old unit add up to 1, no repeats."""
    new_units: dict[str, _ReorgRow] = {}
    by_old: dict[str, list[_ReorgRow]] = {}
    links: dict[tuple[str, str], int] = {}
    for item in parsed:
        if item.date is None or not item.new_code:
            continue
        key = _new_key(item.new_code, item.date)
        first = new_units.setdefault(key, item)
        if first is not item and (normalise_name(first.new_name), first.new_kind) != (normalise_name(item.new_name),
                                                                                    item.new_kind):
            item.problems.append(("Tên xã mới", f"khác với dòng {first.row} cho cùng mã {item.new_code}"))
        if session.get(Unit, key) is not None:
            item.problems.append(("Mã xã mới", f"đơn vị {key} đã có (tệp này đã được nhập?)"))
        if item.old is not None:
            if (item.old.key, key) in links:
                item.problems.append(("Xã cũ", f"trùng với dòng {links[(item.old.key, key)]}"))
            links[(item.old.key, key)] = item.row
            by_old.setdefault(item.old.key, []).append(item)
    for rows in by_old.values():
        dates = {r.date for r in rows}
        if len(dates) > 1:
            rows[-1].problems.append(("Ngày hiệu lực", "một xã cũ chỉ có một ngày sắp xếp"))
        total = sum(r.share for r in rows)
        if abs(total - 1.0) > 0.001:
            rows[-1].problems.append(("Tỷ lệ", f"tổng tỷ lệ của xã {rows[0].old.name} là {total:g}, phải bằng 1"))


def _reorganisation_preview(parsed: list[_ReorgRow], errors: list[str], notes: list[str]) -> ImportPreview:
    records = []
    for item in parsed:
        errors += row_errors(item.row, item.problems)
        records.append({
            "row": item.row, "date": item.date, "new_key": _new_key(item.new_code, item.date) if item.date and item.new_code else "",
            "new_name": item.new_name, "new_kind": item.new_kind,
            "old": f"{item.old.name} ({item.old.key})" if item.old else "", "share": item.share,
            "status": "lỗi" if item.problems else "hợp lệ",
            "message": "; ".join(f"{label}: {m}" for label, m in item.problems),
        })
    frame = pd.DataFrame(records, columns=["row", "date", "new_key", "new_name", "new_kind", "old", "share", "status",
                                           "message"])
    counts = {"rows": len(frame), "new_units": frame.loc[frame["status"] == "hợp lệ", "new_key"].nunique(),
              "old_units": frame.loc[frame["status"] == "hợp lệ", "old"].nunique()}
    return ImportPreview(frame, errors, notes, counts)


def preview_reorganisation(*, session: Session, data: bytes, filename: str) -> ImportPreview:
    """What importing a reorganisation (new units, successor links, date) would do; writes nothing."""
    return _reorganisation_preview(*_parse_reorganisation(session, data, filename))


def _province_on(session: Session, day: dt.date) -> str | None:
    return next((u.key for u in session.scalars(select(Unit).where(Unit.level == "province")) if u.valid_on(day)), None)


def import_reorganisation(*, session: Session, actor: Actor, data: bytes, filename: str) -> ImportPreview:
    """Create the new units, end the old ones on the date and link them (admin): all rows or none."""
    actor = acting_admin(session, actor)
    parsed, errors, notes = _parse_reorganisation(session, data, filename)
    preview = _reorganisation_preview(parsed, errors, notes)
    if not preview.ok:
        raise ReferenceImportError(preview)
    created: dict[str, Unit] = {}
    ended: set[str] = set()
    for item in parsed:
        key = _new_key(item.new_code, item.date)
        if key not in created:
            parent = session.get(Unit, item.old.parent_key) if item.old.parent_key else None
            parent_key = parent.key if parent is not None and parent.valid_on(item.date) else _province_on(session, item.date)
            unit = Unit(key=key, code=item.new_code, level="commune", kind=item.new_kind, name=item.new_name,
                        name_norm=normalise_name(item.new_name), parent_key=parent_key, valid_from=item.date,
                        valid_to=None, border_status=item.old.border_status if item.old.border_status == "confirmed"
                        else "unknown", source=item.source, note=item.note, verified=True)
            session.add(unit)
            session.flush()
            created[key] = unit
            log_change(session=session, actor=actor, action="create", entity="unit", entity_id=key,
                       new={"code": unit.code, "name": unit.name, "kind": unit.kind, "valid_from": unit.valid_from,
                            "parent_key": parent_key})
        elif item.old.border_status == "confirmed":
            created[key].border_status = "confirmed"
        if item.old.key not in ended and item.old.valid_to is None:
            log_change(session=session, actor=actor, action="update", entity="unit", entity_id=item.old.key,
                       old={"valid_to": None}, new={"valid_to": item.date}, reason=f"sắp xếp đơn vị ({filename[:60]})")
            item.old.valid_to = item.date
        ended.add(item.old.key)
        link = UnitSuccessor(from_key=item.old.key, to_key=key, date=item.date, share=item.share, source=item.source,
                             note=item.note)
        session.add(link)
        session.flush()
        log_change(session=session, actor=actor, action="create", entity="successor", entity_id=link.id,
                   new={"from_key": item.old.key, "to_key": key, "date": item.date, "share": item.share})
    log_change(session=session, actor=actor, action="import", entity="successor", entity_id=filename[:64],
               new={"rows": len(parsed), "new_units": len(created), "old_units": len(ended)})
    preview.counts.update({"created": len(created), "ended": len(ended)})
    return preview
