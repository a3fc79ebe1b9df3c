"""What the review page and the command line show: candidate pairs, both records side by side, past decisions."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from data_model.basics.issues import Issue, ValidationError
from data_model.basics.permissions import Actor, require_joint_review
from data_model.definitions.activity_types import get_activity_type
from data_model.definitions.fields import label_of
from data_model.joint.candidates import Candidate, find_candidates
from data_model.joint.review import default_figures
from data_model.records.validation.catalogue import load_catalogue_for
from data_model.records.validation.checks import describe_values
from data_model.records.write import columns_of
from data_model.schema.joint import JointDismissal, JointOrganiser
from data_model.schema.models import ActivityRecord, ReportingUnit
from data_model.texts.catalogue import Text, translate
from data_model.texts.formatting import format_date, format_number

_SHOWN = ("type_code", "start_date", "end_date", "reporting_unit_id", "commune_key", "village_id", "topic", "note")


@dataclass(frozen=True)
class PairView:
    """Both records of a candidate side by side, and the figures a merge keeps unless the official picks others."""

    first_id: int
    second_id: int
    table: pd.DataFrame  # rows: fields and measures; columns: the two records
    measures: list[tuple[str, str, int | None, int | None]]  # (code, label, first's figure, second's figure)
    defaults: dict[str, int | None]


def list_candidates(*, session: Session, actor: Actor, year: int | None = None,
                    lang: str = "vi") -> tuple[list[Candidate], pd.DataFrame]:
    """Candidate pairs (best first) and their table: type, units, score, reasons."""
    require_joint_review(actor)
    found = find_candidates(session=session, year=year, lang=lang)
    table = pd.DataFrame({
        translate("Loại hoạt động", lang=lang): [get_activity_type(c.type_code).name(lang) for c in found],
        translate("Hoạt động", lang=lang): [f"{c.first_id} / {c.second_id}" for c in found],
        translate("Đơn vị", lang=lang): [f"{c.first_unit} / {c.second_unit}" for c in found],
        translate("Độ giống", lang=lang): [format_number(c.score * 100, lang) + "%" for c in found],
        translate("Lý do", lang=lang): [c.reasons for c in found],
    })
    return found, table


def compare_pair(*, session: Session, actor: Actor, first_id: int, second_id: int, lang: str = "vi") -> PairView:
    """Both records of a pair side by side (fields, then measures) with the default figures of a merge."""
    require_joint_review(actor)
    records = [session.get(ActivityRecord, int(i)) for i in (first_id, second_id)]
    if any(r is None for r in records):
        raise ValidationError([Issue("id", Text("Mã hoạt động: không có cặp hoạt động {a} / {b}", a=first_id,
                                                b=second_id))])
    columns = [columns_of(r) for r in records if r is not None]
    catalogue = load_catalogue_for(session=session, records=columns)
    described = [describe_values(catalogue=catalogue, columns=c) for c in columns]
    kind = get_activity_type(columns[0]["type_code"])
    rows = {}
    for key in _SHOWN:
        values = [d.get(key) for d in described]
        if key == "type_code":
            values = [get_activity_type(str(v)).name(lang) for v in values]
        elif key in ("start_date", "end_date"):
            values = [format_date(v, lang) for v in values]
        rows[label_of(key, lang) or key] = ["" if v is None else str(v) for v in values]
    measures = []
    for m in kind.measures:
        pair = (columns[0].get(m.column), columns[1].get(m.column))
        rows[m.label(lang)] = [format_number(v, lang) for v in pair]
        measures.append((m.code, m.label(lang), *pair))
    heads = [translate("Hoạt động số {id}", lang=lang, id=i) for i in (first_id, second_id)]
    table = pd.DataFrame(rows, index=heads).T
    return PairView(first_id=int(first_id), second_id=int(second_id), table=table, measures=measures,
                    defaults=default_figures(kind=kind, first=columns[0], second=columns[1]))


def list_decisions(*, session: Session, actor: Actor, lang: str = "vi") -> pd.DataFrame:
    """Merges and dismissals in force, newest first: kind, id, records, units, when (for an admin's undo)."""
    require_joint_review(actor)
    link, unit, kept = JointOrganiser, ReportingUnit, aliased(ActivityRecord)
    merges = session.execute(
        select(link.id, link.record_id, link.merged_record_id, unit.short_name, link.created_at)
        .join(unit, unit.id == link.reporting_unit_id).join(kept, kept.id == link.record_id)
        .where(link.ended_at.is_(None)).order_by(link.created_at.desc()).limit(500)).all()
    d = JointDismissal
    dismissals = session.execute(select(d.id, d.first_id, d.second_id, d.created_at).where(d.ended_at.is_(None))
                                 .order_by(d.created_at.desc()).limit(500)).all()
    rows = [("merge", i, translate("Gộp: {a} giữ lại, {b} gộp vào", lang=lang, a=a, b=b),
             translate("đồng tổ chức: {unit}", lang=lang, unit=name), at) for i, a, b, name, at in merges]
    rows += [("dismiss", i, translate("Khác nhau: {a} và {b}", lang=lang, a=a, b=b), "", at)
             for i, a, b, at in dismissals]
    return pd.DataFrame(rows, columns=["kind", "id", "what", "detail", "at"])
