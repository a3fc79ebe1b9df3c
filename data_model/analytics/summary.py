"""The long summary the command line and the report print: every measure per group and type, each group labelled."""
from __future__ import annotations

import pandas as pd
from sqlalchemy.orm import Session

from data_model.analytics.aggregate import LONG_COLUMNS, grouped_summary, unpivot_measures
from data_model.analytics.filters import Filters, QueryError
from data_model.analytics.statements import GROUPS
from data_model.analytics.units import NONE_CODE, UnitLabel, reporting_unit_labels, unit_labels

GROUP_BYS: tuple[str, ...] = ("year", "commune", "station", "type", "district")
UNIT_GROUP_COLUMNS = {  # the columns that name a group of each kind, in output order
    "commune": ["commune_key", "commune_code", "commune", "valid_from", "valid_to"],
    "district": ["district_key", "district_code", "district", "valid_from", "valid_to"],
    "station": ["station_key", "station"],
}


def _label_cells(label: UnitLabel, *, by: str) -> dict:
    cells = {f"{by}_key": label.key, f"{by}_code": label.code, by: label.name, "valid_from": label.valid_from,
             "valid_to": label.valid_to}
    return {c: cells[c] for c in UNIT_GROUP_COLUMNS[by]}


def _label_groups(long: pd.DataFrame, *, by: str, labels: dict) -> pd.DataFrame:
    """Replace the raw group key by the group's key, code, name (and validity); groups by code, `none` last."""
    shown: list[UnitLabel] = [labels[k] for k in long[GROUPS[by]]]
    named = pd.DataFrame([_label_cells(u, by=by) for u in shown], columns=UNIT_GROUP_COLUMNS[by], dtype=object)
    frame = pd.concat([named, long[LONG_COLUMNS].reset_index(drop=True)], axis=1)
    frame["_o"] = [(u.key == NONE_CODE, u.code, u.key) for u in shown]
    return frame.sort_values("_o", kind="stable").drop(columns="_o").reset_index(drop=True)


def summarise(*, session: Session, filters: Filters, by: str) -> pd.DataFrame:
    """Totals of every measure per group and type, long: group columns, type, measure, value."""
    # groups in order (years ascending, units by official code, `none` last); within a group, types and measures in
    # the order of their definition
    filters.check()
    if by not in GROUP_BYS:
        raise QueryError("Không nhóm được theo {by!r}; chọn một trong: {group_bys}", by=by,
                         group_bys=', '.join(GROUP_BYS))
    groups = () if by == "type" else (by,)
    keys = [GROUPS[g] for g in groups]
    long = unpivot_measures(grouped_summary(session=session, filters=filters, by=groups), keys=keys)
    if by in ("commune", "district"):
        return _label_groups(long, by=by, labels=unit_labels(session=session, keys=sorted(set(long[keys[0]]))))
    if by == "station":
        ids = sorted({int(i) for i in long[keys[0]]})
        return _label_groups(long, by=by, labels=reporting_unit_labels(session=session, ids=ids))
    return long.reset_index(drop=True)
