"""Who may do what; every write function in data_model checks here with the acting user."""
from __future__ import annotations

from dataclasses import dataclass, field
from data_model.texts.errors import UserError

ROLES = ("admin", "official", "planner", "staff")
ROLE_NAMES = {
    "admin": ("Quản trị", "Administrator"),
    "official": ("Lãnh đạo (xem báo cáo)", "Official"),
    "planner": ("Cán bộ kế hoạch", "Planner"),
    "staff": ("Cán bộ nhập liệu", "Data entry staff"),
}


class PermissionDenied(UserError):
    """The acting user may not do this; the message is Vietnamese and says why."""


@dataclass(frozen=True)
class Actor:
    """The acting user as data_model sees it (never carries the password hash)."""

    user_id: int | None
    username: str
    role: str
    unit_ids: frozenset[int] = field(default_factory=frozenset)
    full_name: str = ""
    login_session_id: int | None = None  # the server-side login session the actor acts in (None: command line)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


SYSTEM = Actor(user_id=None, username="system", role="admin")


def can_write_record(actor: Actor, reporting_unit_id: int | None) -> bool:
    """Admins write any record; staff only records of their own units; others none."""
    if actor.role == "admin":
        return True
    return actor.role == "staff" and reporting_unit_id is not None and reporting_unit_id in actor.unit_ids


def require_record_write(actor: Actor, reporting_unit_id: int | None) -> None:
    """Raise PermissionDenied unless the actor may write records of that reporting unit."""
    if not can_write_record(actor, reporting_unit_id):
        raise PermissionDenied("Bạn không có quyền ghi hoạt động của đơn vị này")


def require_role(actor: Actor, *roles: str) -> None:
    """Raise PermissionDenied unless the actor has one of the roles."""
    if actor.role not in roles:
        raise PermissionDenied("Bạn không có quyền thực hiện thao tác này")


def require_login(actor: Actor | None) -> Actor:
    """The actor, or PermissionDenied when nobody is logged in."""
    if actor is None:
        raise PermissionDenied("Bạn cần đăng nhập")
    return actor


def require_admin(actor: Actor | None) -> None:
    """Raise PermissionDenied unless the actor is an administrator."""
    require_role(require_login(actor), "admin")


def can_edit_population(actor: Actor | None) -> bool:
    """Admins and planners keep population figures (and targets)."""
    return actor is not None and actor.role in ("admin", "planner")


def require_population_edit(actor: Actor | None) -> None:
    """Raise PermissionDenied unless the actor may edit population figures."""
    if not can_edit_population(actor):
        raise PermissionDenied("Chỉ quản trị và cán bộ kế hoạch được sửa số dân")


def can_read_audit(actor: Actor | None) -> bool:
    """Admins and officials read the audit log (officials check who entered what)."""
    return actor is not None and actor.role in ("admin", "official")


def require_audit_read(actor: Actor | None) -> None:
    """Raise PermissionDenied unless the actor may read the audit log."""
    if not can_read_audit(actor):
        raise PermissionDenied("Bạn không có quyền xem nhật ký")
