"""Several records of one activity type entered as rows of one table: each row checked by the form's rules, all
saved in one transaction or none, every problem named by its row and field."""
from __future__ import annotations

import datetime as dt
from typing import Any, Mapping, Sequence

from sqlalchemy.orm import Session

from data_model.accounts.permissions import Actor
from data_model.accounts.users import refresh_actor
from data_model.records.query import can_edit
from data_model.records.validation.catalogue import load_catalogue_for
from data_model.records.validation.rules import DUPLICATE, ERROR, WARNING, Issue, ValidationError, labelled
from data_model.records.write import check_record, create_record
from data_model.texts.catalogue import Text

MAX_BATCH_ROWS = 200


def _in_row(row: int, issue: Issue) -> Issue:
    return Issue(f"{row}:{issue.field}", Text("Dòng {row}: {message}", row=row, message=issue.message),
                 issue.severity, issue.detail)


def row_of(issue: Issue) -> int | None:
    """The table row (1-based) a batch issue is about, None for the batch as a whole."""
    head, _, rest = issue.field.partition(":")
    return int(head) if rest and head.isdigit() else None


def check_batch(*, session: Session, actor: Actor, rows: Sequence[Mapping[str, Any]],
                today: dt.date | None = None) -> list[Issue]:
    """Every row's issues (errors, warnings, likely duplicates), each naming its row (1-based) and field."""
    if not rows:
        return [Issue("rows", Text("Bảng: chưa có dòng nào có số liệu"))]
    if len(rows) > MAX_BATCH_ROWS:
        return [Issue("rows", Text("Bảng: tối đa {limit} dòng mỗi lần lưu", limit=MAX_BATCH_ROWS))]
    catalogue = load_catalogue_for(session=session, records=list(rows))
    issues: list[Issue] = []
    seen: dict[str, int] = {}
    for n, values in enumerate(rows, start=1):
        checked = check_record(session=session, values=values, today=today, catalogue=catalogue)
        found = list(checked.issues)
        unit = checked.columns["reporting_unit_id"] if checked.columns else None
        if unit is not None and not can_edit(actor, unit):
            found.append(Issue("reporting_unit_id", labelled("reporting_unit_id", Text(
                "bạn không được nhập hoạt động của đơn vị này"))))
        key = repr(sorted((k, str(v)) for k, v in values.items()))
        if key in seen:
            found.append(Issue("type_code", Text("giống hệt dòng {other}: hãy kiểm tra, hoặc xác nhận đây là hai hoạt "
                                                 "động khác nhau", other=seen[key]), DUPLICATE))
        seen.setdefault(key, n)
        issues += [_in_row(n, i) for i in found]
    return issues


def create_batch(*, session: Session, actor: Actor, rows: Sequence[Mapping[str, Any]], confirm_warnings: bool = False,
                 today: dt.date | None = None) -> list[int]:
    """Check every row, then insert them all in the caller's transaction; any problem left: nothing is written.

    confirm_warnings: the clerk has seen the rows' plausibility warnings and likely duplicates and keeps them."""
    actor = refresh_actor(session=session, actor=actor)
    issues = check_batch(session=session, actor=actor, rows=rows, today=today)
    blocking = [i for i in issues if i.severity == ERROR or (i.severity in (WARNING, DUPLICATE) and not confirm_warnings)]
    if blocking:
        raise ValidationError(issues)
    ids = []
    with session.begin_nested():  # one savepoint: a row refused now (a concurrent change) takes the others with it
        for n, values in enumerate(rows, start=1):
            try:
                ids.append(create_record(session=session, actor=actor, values=values, confirm_warnings=True,
                                         confirm_duplicate=True, today=today))
            except ValidationError as exc:
                raise ValidationError([_in_row(n, i) for i in exc.issues]) from None
    return ids
