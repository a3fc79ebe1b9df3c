"""The note at save and import time: a record that may be the same event another unit recorded."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_model.basics.permissions import Actor
from data_model.joint.candidates import find_matches
from data_model.records import write as record_write
from data_model.schema.models import ActivityRecord, ReportingUnit
from data_model.texts.catalogue import translate


@dataclass(frozen=True)
class SavedRecord:
    """A new record's id and the note on records of other units it may duplicate ("" when none)."""

    record_id: int
    note: str


def joint_note(*, session: Session, columns: Mapping[str, Any], exclude_id: int | None = None,
               lang: str = "vi") -> str:
    """"Có thể trùng với hoạt động do Đồn … ghi (số …): reasons" for the closest match, "" when there is none."""
    matches = find_matches(session=session, columns=columns, exclude_id=exclude_id, lang=lang)
    if not matches:
        return ""
    best = matches[0]
    unit = session.execute(select(ReportingUnit.name).join(ActivityRecord,
                                                           ActivityRecord.reporting_unit_id == ReportingUnit.id)
                           .where(ActivityRecord.id == best.second_id)).scalar()
    return translate("Có thể trùng với hoạt động do {unit} ghi (số {id}): {reasons}. Nếu là hoạt động phối hợp, "
                     "lãnh đạo sẽ gộp lại để chỉ tính một lần.", lang=lang, unit=unit or best.second_unit,
                     id=best.second_id, reasons=best.reasons)


def create_record_with_note(*, session: Session, actor: Actor, values: Mapping[str, Any],
                            confirm_warnings: bool = False, confirm_duplicate: bool = False,
                            lang: str = "vi") -> SavedRecord:
    """create_record, then the note on another unit's record of what may be the same joint activity."""
    # through the module: a test (or a wrapper) that replaces records.write.create_record is obeyed here too
    record_id = record_write.create_record(session=session, actor=actor, values=values,
                                           confirm_warnings=confirm_warnings, confirm_duplicate=confirm_duplicate)
    record = session.get(ActivityRecord, record_id)
    columns = {**record_write.columns_of(record), "id": record_id} if record is not None else {}
    return SavedRecord(record_id=record_id,
                       note=joint_note(session=session, columns=columns, exclude_id=record_id, lang=lang))
