"""Importing a village list (population and languages) from CSV/XLSX: a preview row by row, then every row or none."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_model.audit.changelog import log_change
from data_model.basics.permissions import Actor
from data_model.files.parse import parse_count
from data_model.files.tabular import ImportPreview, ImportRejected, RowOutcome, TableRow, read_upload
from data_model.reference.communes import CommuneVersion, load_commune_matcher
from data_model.reference.languages import parse_languages
from data_model.reference.names import normalise_name
from data_model.reference_admin.checks import MAX_NAME, acting_admin, checked_population, checked_year
from data_model.reference_admin.edits import create_village, set_languages, set_population
from data_model.reference_admin.imports import VILLAGE_FORMAT
from data_model.schema.clock import today_local
from data_model.schema.models import Village
from data_model.texts.catalogue import Text

SHOWN = ("commune", "village", "year", "population", "languages")


@dataclass
class VillageRow(RowOutcome):
    """One row of a village list: the commune version it names, the village, its population and languages."""

    unit: CommuneVersion | None = None
    name: str = ""
    year: int | None = None
    population: int | None = None
    languages: list[str] | None = None
    source: str = ""
    note: str = ""
    village_id: int | None = None  # the village already in the list (update), else new

    def shown(self, lang: str = "vi") -> dict[str, Any]:
        return {"commune": f"{self.unit.name} ({self.unit.key})" if self.unit else "", "village": self.name,
                "year": self.year, "population": self.population, "languages": ",".join(self.languages or [])}


def _village_row(row: TableRow, matcher, today: dt.date) -> VillageRow:
    item = VillageRow(row.sheet, row.row, problems=row.problems)
    item.year = row.parsed("year", lambda: None if row.blank("year") else checked_year(parse_count(row.cells["year"])))
    commune = row.text("commune")
    if not commune:
        row.problem("commune", Text("không được để trống"))
    else:
        on = dt.date(item.year, 7, 1) if item.year else today
        key = row.parsed("commune", lambda: matcher.match(name=commune, on=on))
        item.unit = matcher.versions.get(key) if key else None
    item.name = row.text("village")
    if not item.name:
        row.problem("village", Text("không được để trống"))
    elif len(item.name) > MAX_NAME:
        row.problem("village", Text("tối đa {limit} ký tự", limit=MAX_NAME))
    if not row.blank("population"):
        year_failed = any(p.column == row.column("year") for p in item.problems)
        item.population = row.parsed("population", lambda: checked_population(parse_count(row.cells["population"])))
        if item.year is None and not year_failed:
            row.problem("year", Text("cần ghi năm của số dân"))
    if not row.blank("languages"):
        item.languages = row.parsed("languages", lambda: parse_languages(row.text("languages")))
    item.source = row.text("source")[:2000]
    item.note = row.text("note")[:2000]
    return item


def _village_preview(session: Session, data: bytes, filename: str) -> ImportPreview:
    preview = ImportPreview(filename, shown_columns=SHOWN)
    matcher = load_commune_matcher(session=session)
    today = today_local()
    seen: dict[tuple, int] = {}
    new_names: set[tuple[str, str]] = set()
    for row in read_upload(data=data, filename=filename, fmt=VILLAGE_FORMAT, preview=preview):
        item = _village_row(row, matcher, today)
        preview.rows.append(item)
        if item.unit is None or not item.name:
            continue
        name = (item.unit.key, normalise_name(item.name))
        if (*name, item.year) in seen:
            row.problem("village", Text("trùng với dòng {row} (cùng xã, bản và năm)", row=seen[(*name, item.year)]))
        seen.setdefault((*name, item.year), item.row)
        item.village_id = session.scalar(select(Village.id).where(Village.unit_key == name[0],
                                                                  Village.name_norm == name[1]))
        item.action = "update" if item.village_id is not None or name in new_names else "new"
        new_names.add(name)
    preview.totals = {"rows": len(preview.rows), "new_villages": preview.counts()["new"]}
    return preview


def preview_village_import(*, session: Session, data: bytes, filename: str) -> ImportPreview:
    """What importing a village list (population and languages) would do, row by row; writes nothing."""
    return _village_preview(session, data, filename)


def import_villages(*, session: Session, actor: Actor, data: bytes, filename: str) -> ImportPreview:
    """Import a village list with population and languages (admin): every row or none (ImportRejected)."""
    actor = acting_admin(session, actor)
    preview = _village_preview(session, data, filename)
    if not preview.ok:
        raise ImportRejected(preview)
    created = population = languages = 0
    ids: dict[tuple[str, str], int] = {}
    for item in preview.rows:
        if not isinstance(item, VillageRow):  # a total row
            continue
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
               new={"rows": len(preview.rows), "new_villages": created, "population": population,
                    "languages": languages})
    preview.totals.update({"created": created, "population": population, "languages": languages})
    return preview
