"""Importing a reorganisation (new communes, successor links, a date) from CSV/XLSX: a preview, then all or none."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_model.audit.changelog import log_change
from data_model.basics.permissions import Actor
from data_model.files.parse import cell_text, is_blank, parse_date
from data_model.files.tabular import ImportPreview, ImportRejected, RowOutcome, TableRow, read_upload
from data_model.reference.communes import CommuneMatcher, load_commune_matcher
from data_model.reference.names import normalise_name
from data_model.reference_admin.checks import COMMUNE_KINDS, MAX_NAME, acting_admin, refused
from data_model.reference_admin.imports import REORGANISATION_FORMAT
from data_model.schema.models import Unit, UnitSuccessor
from data_model.texts.catalogue import Date, Text

SHOWN = ("date", "new_key", "new_name", "new_kind", "old", "share")


@dataclass
class ReorganisationRow(RowOutcome):
    """One row of a reorganisation: an old commune version goes (wholly or in part) into a new one on a date."""

    date: dt.date | None = None
    new_code: str = ""
    new_name: str = ""
    new_kind: str = "xã"
    old: Unit | None = None
    share: float = 1.0
    source: str = ""
    note: str = ""

    @property
    def new_key(self) -> str:
        return _new_key(self.new_code, self.date) if self.date and self.new_code else ""

    def shown(self, lang: str = "vi") -> dict[str, Any]:
        return {"date": self.date, "new_key": self.new_key, "new_name": self.new_name, "new_kind": self.new_kind,
                "old": f"{self.old.name} ({self.old.key})" if self.old else "", "share": self.share}


def _share(value: Any) -> float:
    if is_blank(value):
        return 1.0
    text = cell_text(value).replace(",", ".").rstrip("%").strip()
    try:
        share = float(text) / (100 if cell_text(value).endswith("%") else 1)
    except ValueError:
        raise refused("Tỷ lệ", Text("«{value}» không phải số", value=cell_text(value)[:20])) from None
    if not 0 < share <= 1:
        raise refused("Tỷ lệ", Text("phải lớn hơn 0 và không quá 1 (hoặc 100%)"))
    return share


def _required_date(value: Any) -> dt.date:
    if is_blank(value):
        raise ValueError(Text("không được để trống"))
    return parse_date(value)


def _new_key(code: str, date: dt.date) -> str:
    return f"c{code}@{date.year}"


def _reorganisation_row(session: Session, row: TableRow, matcher: CommuneMatcher) -> ReorganisationRow:
    item = ReorganisationRow(row.sheet, row.row, problems=row.problems)
    item.date = row.parsed("date", lambda: _required_date(row.cells.get("date")))
    code = row.text("new_code")
    if not code.isdigit() or len(code) > 5:
        row.problem("new_code", Text("«{code}» không phải mã số đơn vị (tối đa 5 chữ số)", code=code[:20]))
    else:
        item.new_code = code.zfill(5)
    item.new_name = row.text("new_name")
    for prefix in COMMUNE_KINDS:
        if normalise_name(item.new_name).startswith(normalise_name(prefix) + " "):
            item.new_name = item.new_name[len(prefix):].strip()
            break
    if not item.new_name:
        row.problem("new_name", Text("không được để trống"))
    elif len(item.new_name) > MAX_NAME:
        row.problem("new_name", Text("tối đa {limit} ký tự", limit=MAX_NAME))
    item.new_kind = row.text("new_kind").lower() or "xã"
    if item.new_kind not in COMMUNE_KINDS:
        row.problem("new_kind", Text("phải là một trong {kinds}", kinds=", ".join(COMMUNE_KINDS)))
    old_text = row.text("old")
    if not old_text:
        row.problem("old", Text("không được để trống"))
    elif item.date is not None:
        day_before = item.date - dt.timedelta(days=1)
        key = row.parsed("old", lambda: matcher.match(name=old_text, on=day_before))
        item.old = session.get(Unit, key) if key else None
        if item.old is not None and not item.old.valid_on(day_before):
            row.problem("old", Text("{name} ({key}) không còn hiệu lực ngày {day}", name=item.old.name,
                                     key=item.old.key, day=Date(day_before)))
        elif item.old is not None and item.old.valid_to not in (None, item.date):
            row.problem("old", Text("{name} đã kết thúc ngày {day}", name=item.old.name, day=Date(item.old.valid_to)))
    item.share = row.parsed("share", lambda: _share(row.cells.get("share"))) or 1.0
    item.source = row.text("source")[:2000]
    item.note = row.text("note")[:2000]
    return item


def _check_reorganisation(session: Session, parsed: list[tuple[ReorganisationRow, TableRow]]) -> None:
    """Rules across rows: one name and date per new unit, shares of each old unit add up to 1, no repeats."""
    new_units: dict[str, ReorganisationRow] = {}
    by_old: dict[str, list[tuple[ReorganisationRow, TableRow]]] = {}
    links: dict[tuple[str, str], int] = {}
    for item, row in parsed:
        key = item.new_key
        if not key:
            continue
        first = new_units.setdefault(key, item)
        if first is not item and (normalise_name(first.new_name), first.new_kind) != (normalise_name(item.new_name),
                                                                                    item.new_kind):
            row.problem("new_name", Text("khác với dòng {row} cho cùng mã {code}", row=first.row, code=item.new_code))
        if session.get(Unit, key) is not None:
            row.problem("new_code", Text("đơn vị {key} đã có (tệp này đã được nhập?)", key=key))
        if item.old is not None:
            if (item.old.key, key) in links:
                row.problem("old", Text("trùng với dòng {row}", row=links[(item.old.key, key)]))
            links[(item.old.key, key)] = item.row
            by_old.setdefault(item.old.key, []).append((item, row))
    for pairs in by_old.values():
        last, items = pairs[-1][1], [item for item, _ in pairs]
        if len({item.date for item in items}) > 1:
            last.problem("date", Text("một xã cũ chỉ có một ngày sắp xếp"))
        total = sum(item.share for item in items)
        if abs(total - 1.0) > 0.001:
            last.problem("share", Text("tổng tỷ lệ của xã {commune} là {total:g}, phải bằng 1",
                                       commune=items[0].old.name, total=total))


def _reorganisation_preview(session: Session, data: bytes, filename: str) -> ImportPreview:
    preview = ImportPreview(filename, shown_columns=SHOWN)
    matcher = load_commune_matcher(session=session)
    parsed = []
    for row in read_upload(data=data, filename=filename, fmt=REORGANISATION_FORMAT, preview=preview):
        item = _reorganisation_row(session, row, matcher)
        preview.rows.append(item)
        parsed.append((item, row))
    _check_reorganisation(session, parsed)
    valid = [item for item, _ in parsed if not item.has_error]
    preview.totals = {"rows": len(preview.rows), "new_units": len({item.new_key for item in valid}),
                      "old_units": len({item.old.key for item in valid})}
    return preview


def preview_reorganisation(*, session: Session, data: bytes, filename: str) -> ImportPreview:
    """What importing a reorganisation (new units, successor links, date) would do; writes nothing."""
    return _reorganisation_preview(session, data, filename)


def _province_on(session: Session, day: dt.date) -> str | None:
    return next((u.key for u in session.scalars(select(Unit).where(Unit.level == "province")) if u.valid_on(day)), None)


def import_reorganisation(*, session: Session, actor: Actor, data: bytes, filename: str) -> ImportPreview:
    """Create the new units, end the old ones on the date and link them (admin): all rows or none."""
    actor = acting_admin(session, actor)
    preview = _reorganisation_preview(session, data, filename)
    if not preview.ok:
        raise ImportRejected(preview)
    parsed = [item for item in preview.rows if isinstance(item, ReorganisationRow)]
    created: dict[str, Unit] = {}
    ended: set[str] = set()
    for item in parsed:
        key = item.new_key
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
    preview.totals.update({"created": len(created), "ended": len(ended)})
    return preview
