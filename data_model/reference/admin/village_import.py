"""Importing a village list (population and languages) from CSV/XLSX: a preview row by row, then every row or none."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from data_model.accounts.permissions import Actor
from data_model.files.parse import cell_text, is_blank, parse_count
from data_model.records.changelog import log_change
from data_model.reference.admin.checks import MAX_NAME, acting_admin, checked_population, checked_year, parse_languages
from data_model.reference.admin.edits import create_village, set_languages, set_population
from data_model.reference.admin.imports import (
    VILLAGE_COLUMNS, ImportPreview, ReferenceImportError, check_cell, read_table, resolve_commune, row_errors,
)
from data_model.reference.names import normalise_name
from data_model.schema.models import Unit, Village


@dataclass
class _VillageRow:
    row: int
    unit: Unit | None = None
    name: str = ""
    year: int | None = None
    population: int | None = None
    languages: list[str] | None = None
    source: str = ""
    note: str = ""
    village_id: int | None = None
    problems: list[tuple[str, str]] = field(default_factory=list)


def _parse_village_rows(session: Session, data: bytes, filename: str) -> tuple[list[_VillageRow], list[str], list[str]]:
    table, errors, notes = read_table(data, filename, VILLAGE_COLUMNS, "village")
    parsed: list[_VillageRow] = []
    today = dt.date.today()
    for row, cells in table:
        item = _VillageRow(row)
        p = item.problems
        item.year = check_cell(p, "Năm", lambda: None if is_blank(cells.get("year"))
                               else checked_year(parse_count(cells["year"])))
        on = dt.date(item.year, 7, 1) if item.year else today
        commune_text = cell_text(cells.get("commune"))
        if not commune_text:
            p.append(("Xã", "không được để trống"))
        else:
            item.unit = check_cell(p, "Xã", lambda: resolve_commune(session=session, text=commune_text, on=on))
        item.name = cell_text(cells.get("village"))
        if not item.name:
            p.append(("Bản", "không được để trống"))
        elif len(item.name) > MAX_NAME:
            p.append(("Bản", f"tối đa {MAX_NAME} ký tự"))
        if not is_blank(cells.get("population")):
            item.population = check_cell(p, "Dân số", lambda: checked_population(parse_count(cells["population"])))
            if item.year is None and not any(label == "Năm" for label, _ in p):
                p.append(("Năm", "cần ghi năm của số dân"))
        if not is_blank(cells.get("languages")):
            item.languages = check_cell(p, "Ngôn ngữ", lambda: parse_languages(cell_text(cells["languages"])))
        item.source = cell_text(cells.get("source"))[:2000]
        item.note = cell_text(cells.get("note"))[:2000]
        parsed.append(item)
    seen: dict[tuple, int] = {}
    for item in parsed:
        if item.unit is None or not item.name:
            continue
        key = (item.unit.key, normalise_name(item.name), item.year)
        if key in seen:
            item.problems.append(("Bản", f"trùng với dòng {seen[key]} (cùng xã, bản và năm)"))
        else:
            seen[key] = item.row
        item.village_id = session.scalar(select(Village.id).where(
            Village.unit_key == item.unit.key, Village.name_norm == normalise_name(item.name)))
    return parsed, errors, notes


def preview_village_import(*, session: Session, data: bytes, filename: str) -> ImportPreview:
    """What importing a village list (population and languages) would do, row by row; writes nothing."""
    parsed, errors, notes = _parse_village_rows(session, data, filename)
    return _village_preview(parsed, errors, notes)


def _village_preview(parsed: list[_VillageRow], errors: list[str], notes: list[str]) -> ImportPreview:
    records = []
    new_names: set[tuple[str, str]] = set()
    for item in parsed:
        errors += row_errors(item.row, item.problems)
        if item.problems:
            status = "lỗi"
        elif item.village_id is None and (item.unit.key, normalise_name(item.name)) not in new_names:
            status = "bản mới"
            new_names.add((item.unit.key, normalise_name(item.name)))
        else:
            status = "cập nhật"
        records.append({
            "row": item.row, "commune": f"{item.unit.name} ({item.unit.key})" if item.unit else "",
            "village": item.name, "year": item.year, "population": item.population,
            "languages": ",".join(item.languages or []), "status": status,
            "message": "; ".join(f"{label}: {m}" for label, m in item.problems),
        })
    frame = pd.DataFrame(records, columns=["row", "commune", "village", "year", "population", "languages", "status",
                                           "message"])
    counts = {"new_villages": int((frame["status"] == "bản mới").sum()), "rows": len(frame)}
    return ImportPreview(frame, errors, notes, counts)


def import_villages(*, session: Session, actor: Actor, data: bytes, filename: str) -> ImportPreview:
    """Import a village list with population and languages (admin): every row or none (ReferenceImportError)."""
    actor = acting_admin(session, actor)
    parsed, errors, notes = _parse_village_rows(session, data, filename)
    preview = _village_preview(parsed, errors, notes)
    if not preview.ok:
        raise ReferenceImportError(preview)
    created = population = languages = 0
    ids: dict[tuple[str, str], int] = {}
    for item in parsed:
        key = (item.unit.key, normalise_name(item.name))
        village_id = item.village_id or ids.get(key)
        if village_id is None:
            village_id = create_village(session=session, actor=actor, unit_key=item.unit.key, name=item.name,
                                        verified=True, note=item.note, source=item.source or filename)
            created += 1
        ids[key] = village_id
        if item.population is not None:
            set_population(session=session, actor=actor, unit_key=item.unit.key, village_id=village_id,
                           year=item.year, population=item.population, source=item.source or filename)
            population += 1
        if item.languages is not None:
            set_languages(session=session, actor=actor, unit_key=item.unit.key, village_id=village_id,
                          languages=item.languages, source=item.source or filename)
            languages += 1
    log_change(session=session, actor=actor, action="import", entity="village", entity_id=filename[:64],
               new={"rows": len(parsed), "new_villages": created, "population": population, "languages": languages})
    preview.counts.update({"created": created, "population": population, "languages": languages})
    return preview
