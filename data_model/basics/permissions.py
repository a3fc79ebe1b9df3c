"""Who may do what; every write function in data_model checks here with the acting user."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, false, or_, true

from data_model.schema.models import ActivityRecord
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

# The one authorisation table: what each capability lets do and which roles have it. Pages name the capability they
# need (ui/registry.py); the can_* and require_* functions below read it.
CAPABILITIES: dict[str, frozenset[str]] = {
    "read_results": frozenset(ROLES),                          # the results pages
    "read_report": frozenset({"admin", "official", "planner"}),  # the yearly or period report
    "write_records": frozenset({"admin", "staff"}),            # enter, import, edit records (staff: their units)
    "manage_users": frozenset({"admin"}),
    "edit_population": frozenset({"admin", "planner"}),        # population figures and targets; the reference page
    "read_audit": frozenset({"admin", "official"}),            # officials check who entered what
    "own_account": frozenset(ROLES),                           # my account, my password
    "close_year": frozenset({"admin", "official"}),            # freeze a year's figures once its report is issued
    "reopen_year": frozenset({"admin"}),
    "edit_targets": frozenset({"admin", "planner"}),           # the yearly plan's targets
    "edit_report_setup": frozenset({"admin"}),                 # issuing bodies, signers, recipients of the report
    "review_joint": frozenset({"admin", "official"}),          # merge or dismiss two units' records of one event
    "undo_joint": frozenset({"admin"}),                        # undo a merge or a dismissal, with a reason
    # mark a record "cần kiểm tra lại"; the record's unit answers (write_records for that unit)
    "flag_records": frozenset({"admin", "official", "planner"}),
}


def roles_with(capability: str) -> frozenset[str]:
    """The roles that have the capability (KeyError for an unknown one, so a typo never opens a page to nobody)."""
    return CAPABILITIES[capability]


def has_capability(actor: Actor | None, capability: str) -> bool:
    """Whether the actor's role has the capability (never for nobody)."""
    return actor is not None and actor.role in roles_with(capability)


def visible_records_condition(*, actor: Actor) -> ColumnElement[bool]:
    """The records the actor may see in their own lists: all for an admin; else the ones they entered, and for
    staff also every record of their units."""
    r = ActivityRecord
    if actor.role == "admin":
        return true()
    mine = r.created_by == actor.user_id if actor.user_id is not None else false()
    if actor.role == "staff" and actor.unit_ids:
        mine = or_(mine, r.reporting_unit_id.in_(sorted(actor.unit_ids)))
    return mine


def can_write_record(actor: Actor, reporting_unit_id: int | None) -> bool:
    """Admins write any record; staff only records of their own units; others none."""
    if actor.role == "admin":
        return True
    return (has_capability(actor, "write_records") and reporting_unit_id is not None
            and reporting_unit_id in actor.unit_ids)


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
    return has_capability(actor, "edit_population")


def require_population_edit(actor: Actor | None) -> None:
    """Raise PermissionDenied unless the actor may edit population figures."""
    if not can_edit_population(actor):
        raise PermissionDenied("Chỉ quản trị và cán bộ kế hoạch được sửa số dân")


def can_read_audit(actor: Actor | None) -> bool:
    """Admins and officials read the audit log (officials check who entered what)."""
    return has_capability(actor, "read_audit")


def require_audit_read(actor: Actor | None) -> None:
    """Raise PermissionDenied unless the actor may read the audit log."""
    if not can_read_audit(actor):
        raise PermissionDenied("Bạn không có quyền xem nhật ký")


def can_confirm_month(actor: Actor | None, reporting_unit_id: int | None) -> bool:
    """Staff confirm the months of their own units; admins of any unit."""
    return actor is not None and can_write_record(actor, reporting_unit_id)


def require_month_confirm(actor: Actor | None, reporting_unit_id: int | None) -> None:
    """Raise PermissionDenied unless the actor may confirm that unit's months."""
    if not can_confirm_month(actor, reporting_unit_id):
        raise PermissionDenied("Bạn chỉ xác nhận được số liệu tháng của đơn vị mình")


def can_close_year(actor: Actor | None) -> bool:
    """Officials and admins close a year once its report is issued."""
    return has_capability(actor, "close_year")


def require_year_close(actor: Actor | None) -> None:
    """Raise PermissionDenied unless the actor may close a year."""
    if not can_close_year(actor):
        raise PermissionDenied("Chỉ lãnh đạo và quản trị được khóa sổ năm")


def require_year_reopen(actor: Actor | None) -> None:
    """Raise PermissionDenied unless the actor may reopen a closed year (admins only)."""
    if not has_capability(actor, "reopen_year"):
        raise PermissionDenied("Chỉ quản trị được mở lại năm đã khóa sổ")


def can_edit_targets(actor: Actor | None) -> bool:
    """Planners and admins enter, correct and import the yearly plan's targets."""
    return has_capability(actor, "edit_targets")


def require_target_edit(actor: Actor | None) -> None:
    """Raise PermissionDenied unless the actor may change targets."""
    if not can_edit_targets(actor):
        raise PermissionDenied("Chỉ quản trị và cán bộ kế hoạch được sửa chỉ tiêu kế hoạch")


def require_joint_review(actor: Actor | None) -> None:
    """Raise PermissionDenied unless the actor may merge or dismiss candidate joint activities."""
    if not has_capability(actor, "review_joint"):
        raise PermissionDenied("Chỉ lãnh đạo và quản trị được gộp hoặc tách hoạt động phối hợp")


def require_joint_undo(actor: Actor | None) -> None:
    """Raise PermissionDenied unless the actor may undo a merge or a dismissal (admins only)."""
    if not has_capability(actor, "undo_joint"):
        raise PermissionDenied("Chỉ quản trị được hoàn tác việc gộp hoặc tách hoạt động phối hợp")


def require_flag_raise(actor: Actor | None) -> None:
    """Raise PermissionDenied unless the actor may mark records for a check (officials, planners, admins)."""
    if not has_capability(actor, "flag_records"):
        raise PermissionDenied("Chỉ lãnh đạo, cán bộ kế hoạch và quản trị được yêu cầu kiểm tra lại hoạt động")


def can_edit(actor: Actor | None, reporting_unit_id: int | None) -> bool:
    """Whether the actor may edit a record of that unit (for showing buttons; the write functions check again)."""
    if actor is None:
        return False
    try:
        require_record_write(actor, reporting_unit_id)
    except PermissionDenied:
        return False
    return True
