"""What the reporting-progress and year-close pages show, each read in one call."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data_model.analytics.aggregate import first_and_last_year
from data_model.basics.permissions import Actor
from data_model.reporting.completeness import Completeness, entry_timeliness, overdue_months, year_completeness
from data_model.reporting.confirmations import ExpectedUnit, expected_units
from data_model.reporting.deadline import local_today
from data_model.schema.planning import MonthConfirmation


@dataclass(frozen=True)
class ProgressPage:
    """The reporting-progress page of one year."""

    completeness: Completeness
    overdue: pd.DataFrame
    timeliness: pd.DataFrame
    my_units: list[ExpectedUnit]  # the units the viewer may confirm for


def progress_years(*, session: Session, today: dt.date | None = None) -> tuple[list[int], int]:
    """Years to offer (first year with records or confirmations up to this year, newest first) and the default:
    this year when it has confirmations, else the latest year with any."""
    today = today or local_today()
    c = MonthConfirmation
    span = first_and_last_year(session=session)
    first_confirmed = session.scalar(select(func.min(c.year)))
    last_confirmed = session.scalar(select(func.max(c.year)))
    first = min(y for y in (span[0] if span else None, first_confirmed, today.year) if y is not None)
    years = list(range(today.year, first - 1, -1))
    default = today.year if last_confirmed is None or last_confirmed >= today.year else int(last_confirmed)
    return years, default


def progress_page(*, session: Session, year: int, actor: Actor | None, today: dt.date | None = None) -> ProgressPage:
    """The grid, rates, overdue units and timeliness of entry of a year, and the viewer's own units."""
    result = year_completeness(session=session, year=year, today=today)
    mine: list[ExpectedUnit] = []
    if actor is not None and actor.role == "admin":
        mine = expected_units(session=session)
    elif actor is not None and actor.role == "staff":
        mine = expected_units(session=session, unit_ids=actor.unit_ids)
    return ProgressPage(completeness=result, overdue=overdue_months(result),
                        timeliness=entry_timeliness(session=session, year=year), my_units=mine)
