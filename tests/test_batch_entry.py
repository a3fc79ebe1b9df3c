"""Several records of one type as rows of one table: the form's rules row by row, all saved or none (issue 21)."""
from __future__ import annotations

import pytest
from entry_helpers import DAY, count_records, outreach, staff, summary_mismatches, unit_id

from data_model.basics.issues import ValidationError
from data_model.records.batch import create_batch, row_of
from data_model.schema.db import read_session, write_session


def _rows(unit: int, n: int = 10) -> list[dict]:
    return [outreach(unit, sessions=1, attendances=40 + i, topic=f"Buổi {i + 1}") for i in range(n)]


def test_a_batch_of_ten_rows_is_saved_at_once(engine):
    with write_session(engine) as s:
        own = unit_id(s)
        ids = create_batch(session=s, actor=staff(own), rows=_rows(own), today=DAY)
    with read_session(engine) as s:
        assert len(ids) == 10 and count_records(s) == 10 and summary_mismatches(s) == []


def test_one_bad_row_saves_nothing_and_names_the_row_and_field(engine):
    with write_session(engine) as s:
        own = unit_id(s)
        rows = _rows(own)
        rows[6]["attendances"] = "bốn mươi"
        with pytest.raises(ValidationError) as caught:
            create_batch(session=s, actor=staff(own), rows=rows, today=DAY)
    [issue] = caught.value.errors
    assert row_of(issue) == 7 and issue.field == "7:attendances"
    assert str(issue.message).startswith("Dòng 7: Lượt người nghe: «bốn mươi» không phải số nguyên")
    with read_session(engine) as s:
        assert count_records(s) == 0


def test_a_row_of_another_unit_and_two_identical_rows_are_named(engine):
    with write_session(engine) as s:
        own, other = unit_id(s), unit_id(s, "st_mu_ca")
        rows = _rows(own, 3) + [outreach(other), outreach(own), outreach(own)]
        with pytest.raises(ValidationError) as caught:
            create_batch(session=s, actor=staff(own), rows=rows, today=DAY)
        assert [row_of(i) for i in caught.value.errors] == [4]
        assert [row_of(i) for i in caught.value.duplicates] == [6]
        assert count_records(s) == 0


def test_an_empty_batch_is_refused_with_a_message(engine):
    with write_session(engine) as s, pytest.raises(ValidationError, match="chưa có dòng nào"):
        create_batch(session=s, actor=staff(unit_id(s)), rows=[], today=DAY)
