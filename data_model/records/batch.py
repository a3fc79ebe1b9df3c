"""Several records of one activity type entered as rows of one table: each row checked by the form's rules, all
saved in one transaction or none, every problem named by its row and field."""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from data_model.accounts.users import refresh_actor
from data_model.basics.issues import DUPLICATE, ERROR, WARNING, Issue, ValidationError, labelled
from data_model.basics.permissions import Actor, can_edit
from data_model.definitions.activity_types import get_activity_type
from data_model.records.validation.catalogue import load_catalogue_for
from data_model.records.write import check_record, create_record
from data_model.texts.catalogue import Text

MAX_BATCH_ROWS = 200


def rows_from_table(*, type_code: str, unit_id: int | None, table: Sequence[Mapping[str, Any]]) -> dict[int, dict]:
    """The table's rows that hold anything besides the prefilled date and place, by their 1-based row number, as
    the write functions take values (blank cells None, the unit chosen above the table)."""
    t = get_activity_type(type_code)
    typed = [m.code for m in t.measures] + ["topic", "note", "languages"]
    rows: dict[int, dict] = {}
    for n, cells in enumerate(table, start=1):
        values = {k: _blank_to_none(v) for k, v in cells.items()}
        if not any(values.get(k) not in (None, "", []) for k in typed):
            continue
        values.update(type_code=t.code, reporting_unit_id=unit_id)
        values.setdefault("end_date", None)
        values["languages"] = list(values.get("languages") or [])
        rows[n] = values
    return rows


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):  # an empty number cell
        return None
    if value is not None and type(value).__name__ in ("NaTType", "NAType"):
        return None
    if hasattr(value, "to_pydatetime"):  # a pandas Timestamp from a date cell
        return value.to_pydatetime().date()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return value.strip()
    if hasattr(value, "tolist"):  # a numpy array (a multiselect cell) or number
        return value.tolist()
    return value


def _in_row(row: int, issue: Issue) -> Issue:
    return Issue(f"{row}:{issue.field}", Text("Dòng {row}: {message}", row=row, message=issue.message),
                 issue.severity, issue.detail)


def row_of(issue: Issue) -> int | None:
    """The table row (1-based) a batch issue is about, None for the batch as a whole."""
    head, _, rest = issue.field.partition(":")
    return int(head) if rest and head.isdigit() else None


Rows = Sequence[Mapping[str, Any]] | Mapping[int, Mapping[str, Any]]


def _numbered(rows: Rows) -> list[tuple[int, Mapping[str, Any]]]:
    return list(rows.items()) if isinstance(rows, Mapping) else list(enumerate(rows, start=1))


def check_batch(*, session: Session, actor: Actor, rows: Rows, today: dt.date | None = None) -> list[Issue]:
    """Every row's issues (errors, warnings, likely duplicates), each naming its row (1-based, or the number given as
    the mapping's key) and field."""
    if not rows:
        return [Issue("rows", Text("Bảng: chưa có dòng nào có số liệu"))]
    if len(rows) > MAX_BATCH_ROWS:
        return [Issue("rows", Text("Bảng: tối đa {limit} dòng mỗi lần lưu", limit=MAX_BATCH_ROWS))]
    numbered = _numbered(rows)
    catalogue = load_catalogue_for(session=session, records=[v for _, v in numbered])
    issues: list[Issue] = []
    seen: dict[str, int] = {}
    for n, values in numbered:
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


def create_batch(*, session: Session, actor: Actor, rows: Rows, confirm_warnings: bool = False,
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
        for n, values in _numbered(rows):
            try:
                ids.append(create_record(session=session, actor=actor, values=values, confirm_warnings=True,
                                         confirm_duplicate=True, today=today))
            except ValidationError as exc:
                raise ValidationError([_in_row(n, i) for i in exc.issues]) from None
    return ids
