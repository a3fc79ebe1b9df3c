"""The init code builds a working database with the reference data on the test engine."""
from sqlalchemy import func, select

from data_model.schema.models import ReportingUnit, Unit, UnitSuccessor


def test_reference_counts(session):
    assert session.scalar(select(func.count()).select_from(Unit)) == 156
    assert session.scalar(select(func.count()).select_from(UnitSuccessor)) == 109
    assert session.scalar(select(func.count()).select_from(ReportingUnit).where(ReportingUnit.kind == "station")) == 11
