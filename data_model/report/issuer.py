"""Who issues and signs the report: dated issuing bodies and the document settings (number, symbol, recipients)."""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_model.accounts.users import refresh_actor
from data_model.audit.changelog import log_change
from data_model.basics.permissions import Actor, PermissionDenied, has_capability
from data_model.reference_admin.checks import ReferenceEditError, checked_text, snapshot
from data_model.schema.documents import IssuingBody
from data_model.schema.models import AppMeta
from data_model.texts.catalogue import N_

SETTINGS_KEY = "report_document"
ROLES = ("department", "border_guard")
DEFAULT_RECIPIENTS = ("UBND tỉnh (b/c)", "Bộ Chỉ huy Bộ đội Biên phòng tỉnh", "Lưu: VT")
BODY_FIELDS = ("role", "name", "text_name", "name_en", "superior", "abbreviation", "signer_authority", "signer_title",
               "signer_name", "valid_from", "valid_to", "verified", "note")
MAX_RECIPIENTS = 30


@dataclass(frozen=True)
class DocumentSettings:
    """What the admin sets once: the number (blank: the clerk writes it), the symbol, recipients, joint issuing."""

    number: str = ""
    symbol: str = ""  # blank: BC- and the issuers' abbreviations
    place: str = "Lai Châu"
    recipients: tuple[str, ...] = DEFAULT_RECIPIENTS
    joint: bool = False  # the department and the Border Guard Command issue and sign together


@dataclass(frozen=True)
class Issuer:
    """One issuing body as the report prints it."""

    name: str
    text_name: str
    superior: str
    abbreviation: str
    signer_authority: str
    signer_title: str
    signer_name: str
    verified: bool


@dataclass(frozen=True)
class Issuers:
    """The issuers of one report: the department valid at the period's end, the one it replaced during the period
    (None when none), the Border Guard Command for a joint report, and the settings."""

    department: Issuer
    replaced: Issuer | None
    changed_on: dt.date | None
    border_guard: Issuer | None
    settings: DocumentSettings
    issuers: list[Issuer] = field(default_factory=list)

    @property
    def symbol(self) -> str:
        """BC-SKHCN, BC-SKHCN-BCH (joint), or the admin's own symbol."""
        if self.settings.symbol:
            return self.settings.symbol
        return "BC-" + "-".join(i.abbreviation for i in self.issuers)


FALLBACK = Issuer(name="SỞ THÔNG TIN VÀ TRUYỀN THÔNG", text_name="Sở Thông tin và Truyền thông", superior="",
                  abbreviation="STTTT", signer_authority="KT. GIÁM ĐỐC", signer_title="PHÓ GIÁM ĐỐC", signer_name="",
                  verified=False)


def _issuer(body: IssuingBody, lang: str) -> Issuer:
    name = body.name_en.upper() if lang == "en" and body.name_en else body.name
    text = body.name_en if lang == "en" and body.name_en else body.text_name
    return Issuer(name=name, text_name=text, superior=body.superior, abbreviation=body.abbreviation,
                  signer_authority=body.signer_authority, signer_title=body.signer_title,
                  signer_name=body.signer_name, verified=body.verified)


def _valid(role: str, day: dt.date):
    b = IssuingBody
    return (select(b).where(b.role == role, b.valid_from.is_(None) | (b.valid_from <= day),
                            b.valid_to.is_(None) | (b.valid_to > day)).order_by(b.id))


def _acting(*, session: Session, actor: Actor) -> Actor:
    """The actor as they are now, when they may change the report's document set-up (PermissionDenied otherwise)."""
    actor = refresh_actor(session=session, actor=actor)
    if not has_capability(actor, "edit_report_setup"):
        raise PermissionDenied("Chỉ quản trị được sửa thiết lập văn bản báo cáo")
    return actor


def get_document_settings(*, session: Session) -> DocumentSettings:
    """The admin's document settings (the defaults until set)."""
    value = session.scalar(select(AppMeta.value).where(AppMeta.key == SETTINGS_KEY))
    try:
        data = json.loads(value) if value else {}
    except ValueError:
        data = {}
    base = DocumentSettings()
    return DocumentSettings(number=str(data.get("number", base.number)), symbol=str(data.get("symbol", base.symbol)),
                            place=str(data.get("place", base.place)) or base.place,
                            recipients=tuple(data.get("recipients", base.recipients)),
                            joint=bool(data.get("joint", base.joint)))


def resolve_issuers(*, session: Session, start: dt.date, end: dt.date, lang: str = "vi") -> Issuers:
    """The issuers of a report on [start, end]: the department valid on the end date, and the one before it when
    the change falls inside the period."""
    settings = get_document_settings(session=session)
    last = session.scalars(_valid("department", end)).first()
    first = session.scalars(_valid("department", start)).first()
    department = _issuer(last, lang) if last else FALLBACK
    replaced = _issuer(first, lang) if first and last and first.id != last.id else None
    changed_on = last.valid_from if replaced and last else None
    guard_row = session.scalars(_valid("border_guard", end)).first() if settings.joint else None
    guard = _issuer(guard_row, lang) if guard_row else None
    return Issuers(department=department, replaced=replaced, changed_on=changed_on, border_guard=guard,
                   settings=settings, issuers=[department] + ([guard] if guard else []))


def set_document_settings(*, session: Session, actor: Actor, number: str, symbol: str, place: str,
                          recipients: str | list[str], joint: bool) -> DocumentSettings:
    """Change the document settings (admin); recorded in the audit log."""
    actor = _acting(session=session, actor=actor)
    lines = recipients.splitlines() if isinstance(recipients, str) else list(recipients)
    cleaned = [checked_text(line, "Nơi nhận", required=False, limit=200).lstrip("-–• ").rstrip(";.").strip()
               for line in lines]
    cleaned = [line for line in cleaned if line]
    if len(cleaned) > MAX_RECIPIENTS:
        raise ReferenceEditError("Nơi nhận: nhiều nhất {n} dòng", n=MAX_RECIPIENTS)
    new = DocumentSettings(number=checked_text(number, "Số văn bản", required=False, limit=20),
                           symbol=checked_text(symbol, "Ký hiệu", required=False, limit=40),
                           place=checked_text(place, "Địa danh", limit=60), recipients=tuple(cleaned),
                           joint=bool(joint))
    old = get_document_settings(session=session)
    row = session.get(AppMeta, SETTINGS_KEY)
    value = json.dumps({**asdict(new), "recipients": list(new.recipients)}, ensure_ascii=False)
    if row is None:
        session.add(AppMeta(key=SETTINGS_KEY, value=value))
    else:
        row.value = value
    log_change(session=session, actor=actor, action="update", entity="setting", entity_id=SETTINGS_KEY,
               old={**asdict(old), "recipients": "; ".join(old.recipients)},
               new={**asdict(new), "recipients": "; ".join(new.recipients)})
    return new


def list_issuing_bodies(*, session: Session) -> list[dict]:
    """Every issuing body version, by role and date, as plain rows for the settings page."""
    b = IssuingBody
    rows = session.scalars(select(b).order_by(b.role, b.valid_from.is_not(None), b.valid_from, b.id))
    return [{"id": r.id, **snapshot(r, BODY_FIELDS), "source": r.source} for r in rows]


def _checked_body(values: dict) -> dict:
    out: dict[str, str | bool] = {}
    limits = {"name": 200, "text_name": 200, "name_en": 200, "superior": 200, "abbreviation": 32,
              "signer_authority": 120, "signer_title": 120, "signer_name": 120, "note": 2000}
    labels = {"name": N_("Tên cơ quan"), "text_name": N_("Tên trong lời văn"), "name_en": N_("Tên tiếng Anh"),
              "superior": N_("Cơ quan chủ quản"), "abbreviation": N_("Chữ viết tắt"),
              "signer_authority": N_("Thẩm quyền ký"), "signer_title": N_("Chức vụ người ký"),
              "signer_name": N_("Họ tên người ký"), "note": N_("Ghi chú")}
    for key, value in values.items():
        if key in limits:
            required = key in ("name", "text_name", "abbreviation")
            out[key] = checked_text(value, labels[key], required=required, limit=limits[key])
        elif key == "verified":
            out[key] = bool(value)
    return out


def update_issuing_body(*, session: Session, actor: Actor, body_id: int, **values: object) -> None:
    """Correct an issuing body version's names, abbreviation or signer (admin); audited."""
    actor = _acting(session=session, actor=actor)
    body = session.get(IssuingBody, body_id)
    if body is None:
        raise ReferenceEditError("Cơ quan ban hành: không có mục số {body_id}", body_id=body_id)
    old = snapshot(body, BODY_FIELDS)
    for key, value in _checked_body(values).items():
        setattr(body, key, value)
    log_change(session=session, actor=actor, action="update", entity="issuing_body", entity_id=body_id, old=old,
               new=snapshot(body, BODY_FIELDS))


def add_issuing_body(*, session: Session, actor: Actor, role: str, valid_from: dt.date, **values: object) -> int:
    """A new version of an issuing body from a date (admin): the version valid then ends that day; audited."""
    actor = _acting(session=session, actor=actor)
    if role not in ROLES:
        raise ReferenceEditError("Vai trò: phải là một trong {roles}", roles=", ".join(ROLES))
    if not isinstance(valid_from, dt.date):
        raise ReferenceEditError("Có hiệu lực từ: cần một ngày")
    checked = _checked_body(values)
    for key in ("name", "text_name", "abbreviation"):
        if key not in checked:
            _checked_body({key: ""})  # refused: the field is required
    current = session.scalars(_valid(role, valid_from)).first()
    valid_to = None
    if current is not None:
        if current.valid_from is not None and current.valid_from >= valid_from:
            raise ReferenceEditError("Có hiệu lực từ: phải sau ngày {day} của phiên bản hiện có",
                                     day=current.valid_from.strftime("%d/%m/%Y"))
        old = snapshot(current, BODY_FIELDS)
        valid_to, current.valid_to = current.valid_to, valid_from
        log_change(session=session, actor=actor, action="update", entity="issuing_body", entity_id=current.id,
                   old=old, new=snapshot(current, BODY_FIELDS))
    body = IssuingBody(role=role, valid_from=valid_from, valid_to=valid_to, source="", **checked)
    body.verified = bool(checked.get("verified", True))
    session.add(body)
    session.flush()
    log_change(session=session, actor=actor, action="create", entity="issuing_body", entity_id=body.id,
               new=snapshot(body, BODY_FIELDS))
    return body.id


@dataclass(frozen=True)
class DocumentSetup:
    """What the settings page shows: the document settings and every issuing body version."""

    settings: DocumentSettings
    bodies: list[dict]


def load_document_setup(*, session: Session) -> DocumentSetup:
    """The document settings and the issuing bodies, for the settings page."""
    return DocumentSetup(settings=get_document_settings(session=session), bodies=list_issuing_bodies(session=session))
