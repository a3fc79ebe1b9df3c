"""The plan spreadsheet: a template with one row per unit × type × measure (current targets filled in), and its
import through the one tabular-import layer: Vietnamese headers and numbers, row messages, every row or none,
the same file twice changes nothing."""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from data_model.audit.changelog import log_change
from data_model.basics.cells import escape_text
from data_model.basics.permissions import Actor
from data_model.definitions.activity_types import ActivityType, list_activity_types
from data_model.files.export import XLSX_MIME
from data_model.files.parse import parse_count
from data_model.files.record_format import type_of_name
from data_model.files.tabular import (
    Column,
    ImportPreview,
    ImportRejected,
    RowOutcome,
    TableFormat,
    TableRow,
    header_key,
    read_upload,
)
from data_model.plans.targets import (
    MAX_NOTE,
    PROVINCE_KEY,
    PlanError,
    TargetKey,
    acting_planner,
    checked_value,
    checked_year,
    list_targets,
    scope_names,
    store_target,
)
from data_model.reference.communes import CommuneNotFound, load_commune_matcher
from data_model.reference.names import name_keys
from data_model.schema.models import ReportingUnit
from data_model.schema.planning import Target

__all__ = ["PLAN_FORMAT", "XLSX_MIME", "import_plan", "plan_template", "preview_plan"]

PLAN_FORMAT = TableFormat((
    Column("year", "Năm", "Year", ("nam", "năm kế hoạch"), required=True),
    Column("scope_key", "Mã", "Key", ("ma", "mã đơn vị", "mã xã")),
    Column("unit", "Đơn vị", "Unit", ("don vi", "đơn vị thực hiện", "đồn", "đồn biên phòng")),
    Column("commune", "Xã", "Commune", ("xa", "tên xã", "xã/phường")),
    Column("type", "Loại hoạt động", "Activity type", ("loai hoat dong", "loại"), required=True),
    Column("measure", "Chỉ tiêu", "Measure", ("chi tieu", "nội dung"), required=True),
    Column("target", "Kế hoạch", "Target", ("ke hoach", "kế hoạch năm", "số kế hoạch", "chỉ tiêu kế hoạch"),
           required=True),
    Column("measure_unit", "Đơn vị tính", "Unit of measure", ("don vi tinh", "đvt")),
    Column("note", "Ghi chú", "Note", ("ghi chu", "notes")),
), hint="«Năm», «Đơn vị», «Loại hoạt động», «Chỉ tiêu», «Kế hoạch»")
PROVINCE_WORDS = ("toàn tỉnh", "tỉnh", "tỉnh lai châu", "province", "whole province")
SHOWN = ("scope", "type", "measure", "target", "current")


@dataclass
class PlanRow(RowOutcome):
    """One row of a plan file: the target it sets and the value there now."""

    key: TargetKey | None = None
    scope_name: str = ""
    commune_key: str | None = None
    reporting_unit_id: int | None = None
    value: int | None = None
    note: str = ""
    current: int | None = None

    def shown(self, lang: str = "vi") -> dict[str, Any]:
        from data_model.definitions.activity_types import get_activity_type

        if self.key is None:
            return {"scope": self.scope_name, "type": "", "measure": "", "target": self.value, "current": self.current}
        definition = get_activity_type(self.key.type_code)
        return {"scope": self.scope_name, "type": definition.name(lang),
                "measure": definition.measure(self.key.measure).label(lang), "target": self.value,
                "current": self.current}


def _types_for(kind: str) -> list[ActivityType]:
    return [t for t in list_activity_types() if kind in t.reporting_kinds
            or (kind == "station" and "loudspeaker_cluster" in t.reporting_kinds)]


def template_frame(*, session: Session, year: int, lang: str = "vi") -> pd.DataFrame:
    """The plan of a year as the template writes it: the province, each reporting unit and each commune with a target,
    × the types it does × their measures; current targets filled in, the others blank."""
    year = checked_year(year)
    current = {(r.level, r.scope_key, r.type, r.measure): (r.value, r.note)
               for r in list_targets(session=session, year=year, lang=lang).itertuples()}
    names = scope_names(session=session, lang=lang)
    scopes: list[tuple[str, str, str, str, list[ActivityType]]] = [
        ("province", "", names[("province", "")], "", list_activity_types())]
    units = session.execute(select(ReportingUnit.key, ReportingUnit.short_name, ReportingUnit.kind)
                            .where(ReportingUnit.kind != "loudspeaker_cluster", ReportingUnit.active.is_(True))
                            .order_by(ReportingUnit.kind != "station", ReportingUnit.short_name)).all()
    scopes += [("unit", key, name, "", _types_for(kind)) for key, name, kind in units]
    communes = sorted({k for (level, k, _, _) in current if level == "commune"},
                      key=lambda k: names.get(("commune", k), k))
    planned = {(k, type_code) for (level, k, type_code, _) in current if level == "commune"}
    scopes += [("commune", k, "", names.get(("commune", k), k),
                [t for t in list_activity_types() if t.commune == "required" or (k, t.code) in planned])
               for k in communes]
    headers = {c.key: c.header_vi if lang == "vi" else c.header_en for c in PLAN_FORMAT.columns}
    rows = []
    for level, key, unit_name, commune_name, types in scopes:
        for definition in types:
            for m in definition.measures:
                value, note = current.get((level, key, definition.code, m.code), (None, ""))
                rows.append({headers["year"]: year, headers["scope_key"]: key or PROVINCE_KEY,
                             headers["unit"]: escape_text(unit_name), headers["commune"]: escape_text(commune_name),
                             headers["type"]: definition.name(lang), headers["measure"]: m.label(lang),
                             headers["target"]: value, headers["measure_unit"]: m.unit(lang),
                             headers["note"]: escape_text(note)})
    frame = pd.DataFrame(rows, columns=list(headers.values()))
    return frame.astype({headers["target"]: "Int64"})  # blank cells stay blank, figures stay whole numbers


def plan_template(*, session: Session, year: int, fmt: str, lang: str = "vi") -> bytes:
    """The plan template of a year as CSV (UTF-8 with BOM) or XLSX (every text a text cell)."""
    frame = template_frame(session=session, year=year, lang=lang)
    if fmt == "csv":
        return frame.to_csv(index=False).encode("utf-8-sig")
    if fmt != "xlsx":
        raise PlanError("Tệp kế hoạch: chọn .csv hoặc .xlsx")
    buffer = io.BytesIO()
    options = {"options": {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}}
    with pd.ExcelWriter(buffer, engine="xlsxwriter", engine_kwargs=options) as writer:
        sheet = f"Ke hoach {year}"
        frame.to_excel(writer, sheet_name=sheet, index=False)
        ws = writer.sheets[sheet]
        for i, width in enumerate((6, 14, 22, 22, 34, 34, 12, 16, 30)):
            ws.set_column(i, i, width)
        ws.freeze_panes(1, 0)
    return buffer.getvalue()


class _Scopes:
    """Resolving a row's key, unit or commune cell to a target's level and scope."""

    def __init__(self, session: Session) -> None:
        self.units: dict[str, tuple[str, int, str, str]] = {}  # name key → (key, id, kind, short name)
        self.by_key: dict[str, tuple[str, int, str, str]] = {}
        self.ambiguous: set[str] = set()
        for key, uid, kind, name, short, number in session.execute(select(
                ReportingUnit.key, ReportingUnit.id, ReportingUnit.kind, ReportingUnit.name, ReportingUnit.short_name,
                ReportingUnit.number)):
            unit = (key, uid, kind, short)
            self.by_key[key] = unit
            for text in (key, name, short, number):
                for k in name_keys(text or ""):
                    if k in self.units and self.units[k][0] != key:
                        self.ambiguous.add(k)
                    self.units.setdefault(k, unit)
        self.matcher = load_commune_matcher(session=session)
        self.province = {header_key(w) for w in PROVINCE_WORDS}

    def unit(self, text: str) -> tuple[str, int, str, str]:
        keys = name_keys(text)
        if any(k in self.ambiguous for k in keys):
            raise PlanError(f"«{text[:60]}» trùng tên nhiều đơn vị; hãy ghi tên đầy đủ hoặc mã đơn vị")
        found = next((self.units[k] for k in keys if k in self.units), None)
        if found is None:
            raise PlanError(f"không tìm thấy đơn vị «{text[:60]}»")
        if found[2] == "loudspeaker_cluster":
            raise PlanError(f"{found[3]} là cụm loa, được tính cho đồn quản lý; hãy đặt kế hoạch cho đồn")
        return found


def _measure_of(definition: ActivityType, text: str) -> str:
    wanted = header_key(text)
    for m in definition.measures:
        if wanted in {header_key(m.label_vi), header_key(m.label_en), header_key(m.code)}:
            return m.code
    labels = ", ".join(f"«{m.label_vi}»" for m in definition.measures)
    raise PlanError(f"loại «{definition.name_vi}» không có chỉ tiêu «{text[:60]}» (có: {labels})")


def _read_scope(row: TableRow, item: PlanRow, scopes: _Scopes, year: int | None) -> tuple[str, str] | None:
    """(level, scope key) named by the row's key, unit or commune cell; None with the problem noted."""
    key, unit, commune = row.text("scope_key"), row.text("unit"), row.text("commune")
    if key:
        if header_key(key) in scopes.province or key == PROVINCE_KEY:
            item.scope_name = "Toàn tỉnh"
            return "province", ""
        if key in scopes.by_key:
            unit = key
        elif key in scopes.matcher.versions:
            version = scopes.matcher.versions[key]
            item.scope_name, item.commune_key = version.name, key
            return "commune", key
        else:
            row.problem("scope_key", f"không có đơn vị hay xã mã «{key[:40]}»")
            return None
    if unit and commune:
        row.problem("commune", "một dòng là kế hoạch của một đơn vị hoặc một xã: hãy để trống một trong hai cột")
        return None
    if commune:
        on = dt.date(year, 12, 31) if year else None
        try:
            found = scopes.matcher.match(name=commune, on=on)
        except CommuneNotFound as exc:
            row.problem("commune", str(exc))
            return None
        item.scope_name, item.commune_key = scopes.matcher.versions[found].name, found
        return "commune", found
    if not unit or header_key(unit) in scopes.province:
        item.scope_name = "Toàn tỉnh"
        return "province", ""
    try:
        found_key, uid, _, short = scopes.unit(unit)
    except PlanError as exc:
        row.problem("unit", str(exc))
        return None
    item.scope_name, item.reporting_unit_id = short, uid
    return "unit", found_key


def _plan_row(row: TableRow, scopes: _Scopes) -> PlanRow:
    item = PlanRow(row.sheet, row.row, problems=row.problems)
    year = row.parsed("year", lambda: checked_year(parse_count(row.cells.get("year"))))
    scope = _read_scope(row, item, scopes, year)
    type_text, measure_text = row.text("type"), row.text("measure")
    type_code = type_of_name(type_text) if type_text else None
    measure = None
    if not type_text:
        row.problem("type", "không được để trống")
    elif type_code is None:
        row.problem("type", f"không có loại hoạt động «{type_text[:60]}»")
    elif not measure_text:
        row.problem("measure", "không được để trống")
    else:
        from data_model.definitions.activity_types import get_activity_type

        measure = row.parsed("measure", lambda: _measure_of(get_activity_type(type_code), measure_text))
    if not row.blank("target"):
        item.value = row.parsed("target", lambda: checked_value(parse_count(row.cells["target"])))
    item.note = row.text("note")
    if len(item.note) > MAX_NOTE:
        row.problem("note", f"tối đa {MAX_NOTE} ký tự")
    if year is not None and scope is not None and type_code and measure:
        item.key = TargetKey(year, scope[0], scope[1], type_code, measure)
    return item


def _plan_preview(session: Session, data: bytes, filename: str) -> ImportPreview:
    preview = ImportPreview(filename, shown_columns=SHOWN)
    scopes = _Scopes(session)
    seen: dict[TargetKey, int] = {}
    rows: list[PlanRow] = []
    for row in read_upload(data=data, filename=filename, fmt=PLAN_FORMAT, preview=preview):
        item = _plan_row(row, scopes)
        preview.rows.append(item)
        rows.append(item)
        if item.key is None:
            continue
        if item.key in seen:
            row.problem("target", f"trùng với dòng {seen[item.key]} (cùng năm, đơn vị hoặc xã, loại và chỉ tiêu)")
        seen.setdefault(item.key, item.row)
    years = {r.key.year for r in rows if r.key}
    stored = {(t.year, t.level, t.scope_key, t.type_code, t.measure): (int(t.value), t.note) for t in
              session.scalars(select(Target).where(Target.year.in_(years)))} if years else {}
    for item in rows:
        if item.key is None or item.has_error:
            item.action = "error" if item.has_error else "skip"
            continue
        now = stored.get((item.key.year, item.key.level, item.key.scope_key, item.key.type_code, item.key.measure))
        item.current = now[0] if now else None
        if item.value is None:  # a template row left blank: no target set by this file (an existing one is kept)
            item.action, item.skip_reason = "skip", "Chưa ghi kế hoạch" + (", giữ số hiện có" if now else "")
        elif now is None:
            item.action = "new"
        else:
            item.action = "unchanged" if now == (item.value, item.note) else "update"
    counts = preview.counts()
    preview.totals = {"rows": len(rows), "new": counts["new"], "update": counts["update"]}
    return preview


def preview_plan(*, session: Session, data: bytes, filename: str) -> ImportPreview:
    """What importing a plan file would do, row by row; writes nothing."""
    return _plan_preview(session, data, filename)


def import_plan(*, session: Session, actor: Actor, data: bytes, filename: str) -> ImportPreview:
    """Import a plan file (planner or admin) in the caller's transaction: every row or none (ImportRejected)."""
    actor = acting_planner(session=session, actor=actor)
    preview = _plan_preview(session, data, filename)
    if not preview.ok:
        raise ImportRejected(preview)
    written = 0
    for item in preview.rows:
        if isinstance(item, PlanRow) and item.action in ("new", "update"):
            store_target(session=session, actor=actor, key=item.key, value=item.value, note=item.note,
                         commune_key=item.commune_key, reporting_unit_id=item.reporting_unit_id)
            written += 1
    if written:
        log_change(session=session, actor=actor, action="import", entity="target", entity_id=filename[:64],
                   new={"rows": len(preview.rows), **{k: preview.totals[k] for k in ("new", "update")}})
    preview.totals["written"] = written
    return preview


def describe_plan_import(preview: ImportPreview, *, written: bool) -> str:
    """One Vietnamese line: how many targets are (or would be) added, changed, unchanged, skipped."""
    counts = preview.counts()
    head = "Đã nhập kế hoạch" if written else "Kiểm tra xong (chưa ghi)"
    return (f"{head}: {counts['new']} chỉ tiêu thêm mới, {counts['update']} sửa, {counts['unchanged']} không đổi, "
            f"{counts['skip']} dòng bỏ qua.")
