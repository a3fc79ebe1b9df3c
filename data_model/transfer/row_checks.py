"""Rows read from a backup, checked as the app would check them before any is written (a backup is untrusted input)."""
from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import Boolean, Column, Date, DateTime, Float, Integer, Numeric, String, Table, Text

from data_model.accounts.users import check_username
from data_model.basics.issues import YEAR_MAX, YEAR_MIN
from data_model.basics.permissions import ROLES
from data_model.texts.errors import UserError
from data_model.texts.input import text_problem
from data_model.transfer.tables import TransferError

INT_LIMIT = 2**63  # BIGINT; an INTEGER column on PostgreSQL holds less, its own limit below
INT32_LIMIT = 2**31
# columns whose values come from a closed list or a rule of the app (the write functions refuse anything else)
_RULES: dict[tuple[str, str], Callable[[Any], str | None]] = {
    ("app_user", "role"): lambda v: None if v in ROLES else f"vai trò {str(v)[:20]!r} không có trong ứng dụng",
    ("app_user", "username"): lambda v: None if _is_username(v) else "tên đăng nhập không hợp lệ",
    ("activity_record", "year"): lambda v: None if YEAR_MIN <= v <= YEAR_MAX else f"năm ngoài {YEAR_MIN}–{YEAR_MAX}",
}


def _is_username(value: str) -> bool:
    try:
        return check_username(value) == value
    except UserError:
        return False


def _type_problem(column: Column, value: Any) -> str | None:
    kind = column.type
    if isinstance(kind, Boolean):
        return None if isinstance(value, bool) or value in (0, 1) else "không phải đúng/sai"
    if isinstance(kind, Integer):
        limit = INT32_LIMIT if type(kind) is Integer else INT_LIMIT
        ok = isinstance(value, int) and not isinstance(value, bool) and -limit <= value < limit
        return None if ok else "không phải số nguyên hợp lệ"
    if isinstance(kind, (Float, Numeric)):
        return None if isinstance(value, (int, float, decimal.Decimal)) and not isinstance(value, bool) else "không phải số"
    if isinstance(kind, DateTime):
        return None if isinstance(value, dt.datetime) else "không phải thời điểm"
    if isinstance(kind, Date):
        return None if isinstance(value, dt.date) else "không phải ngày"
    if isinstance(kind, (String, Text)):
        if not isinstance(value, str):
            return "không phải văn bản"
        length = getattr(kind, "length", None)
        if length is not None and len(value) > length:
            return f"dài quá {length} ký tự"
        problem = text_problem(value)
        return str(problem) if problem else None
    return None


def row_problem(*, table: Table, row: Sequence[Any]) -> tuple[str, str] | None:
    """The first (column, problem) of a row in table.columns order, or None when the app would accept every value."""
    for column, value in zip(table.columns, row):
        if value is None:
            if not column.nullable and not column.primary_key:
                return column.name, "không được để trống"
            continue
        problem = _type_problem(column, value)
        rule = _RULES.get((table.name, column.name))
        if problem is None and rule is not None:
            problem = rule(value)
        if problem:
            return column.name, problem
    return None


def check_rows(*, table: Table, batches: Iterable[Sequence[tuple]]) -> Iterator[Sequence[tuple]]:
    """The batches unchanged; TransferError (one line, nothing written) at the first value the app would refuse."""
    seen = 0
    for batch in batches:
        for row in batch:
            seen += 1
            found = row_problem(table=table, row=row)
            if found:
                raise TransferError(f"Tệp sao lưu có giá trị không hợp lệ, không khôi phục gì: bảng {table.name}, "
                                    f"dòng {seen}, cột {found[0]}: {found[1]}")
        yield batch
