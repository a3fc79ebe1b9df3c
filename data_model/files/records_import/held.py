"""Submissions of a server's export held back: refused by the checks, listed for the field users, tried again on the
next import of the server's export (which still holds them), released once they import or leave the server's list."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from data_model.basics.issues import ERROR
from data_model.basics.permissions import Actor
from data_model.files.records_import.outcome import RecordRow, RecordsPreview
from data_model.records.bulk import chunked
from data_model.schema.models import HeldSubmission, ReportingUnit, utcnow
from data_model.texts.catalogue import render

HELD_COLUMNS = ("submitter", "instance_id", "unit", "problems", "filename", "seen_at")


def _problems_text(row: RecordRow) -> str:
    """One «question»: reason a line (in Vietnamese: the list is read by whoever imports next, in any language)."""
    return "\n".join(f"«{p.column}»: {render(p.message, 'vi')}" if p.column else render(p.message, "vi")
                     for p in row.problems if p.severity == ERROR)


def record_held(*, session: Session, actor: Actor, preview: RecordsPreview) -> int:
    """Inside the import's transaction: hold (or hold again) the refused submissions, release the others of the
    export; the number held now."""
    if not preview.server_export:
        return 0
    held = {r.uid: r for r in preview.held_rows() if r.uid}
    passed = {r.uid for r in preview.rows if isinstance(r, RecordRow) and r.uid and not r.has_error}
    for chunk in chunked(sorted(passed), 500):
        session.execute(delete(HeldSubmission).where(HeldSubmission.uid.in_(chunk)))
    known: dict[str, HeldSubmission] = {}
    for chunk in chunked(sorted(held), 500):
        known.update({h.uid: h for h in session.scalars(select(HeldSubmission).where(HeldSubmission.uid.in_(chunk)))})
    now = utcnow()
    for uid, row in held.items():
        unit = row.columns["reporting_unit_id"] if row.columns else None
        if unit is None and actor.unit_ids:  # the unit itself unreadable: listed for the one who imported it
            unit = min(actor.unit_ids)
        entry = known.get(uid) or HeldSubmission(uid=uid, held_at=now)
        entry.instance_id, entry.submitter = row.instance[:200], row.submitter[:200]
        entry.reporting_unit_id = unit if unit is not None else entry.reporting_unit_id
        entry.problems, entry.filename = _problems_text(row), preview.filename[:255]
        entry.held_by, entry.seen_at = actor.user_id, now
        session.add(entry)
    return len(held)


def list_held(*, session: Session, actor: Actor) -> pd.DataFrame:
    """The submissions held back that the user may import (staff: their units'), the latest seen first."""
    h, u = HeldSubmission, ReportingUnit
    stmt = (select(h.submitter, h.instance_id, u.name.label("unit"), h.problems, h.filename, h.seen_at)
            .outerjoin(u, u.id == h.reporting_unit_id).order_by(h.seen_at.desc(), h.id))
    if actor.role != "admin":
        stmt = stmt.where(h.reporting_unit_id.in_(sorted(actor.unit_ids)))
    return pd.DataFrame(session.execute(stmt).all(), columns=list(HELD_COLUMNS))
