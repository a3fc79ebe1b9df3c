"""ODK Central and KoboToolbox submission exports of the offline form, read as rows of the records import.

Each submission becomes one TableRow of the records format (so it is checked, matched and written exactly like a row
of a records file); its global id comes from the submission's instance ID, so a fuller export the next day adds only
the new submissions. Answers of a submission made with an older form version are read by their stable names and
kept where they still mean the same thing; the row says so where they do not.
"""
from __future__ import annotations

import datetime as dt
import re
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils import get_column_letter

from data_model.definitions.activity_types import ActivityType, list_activity_types, load_activity_types
from data_model.files.parse import RawFile, Sheet, cell_text, is_blank
from data_model.files.record_format import records_format
from data_model.files.records_import.match import CellMatcher
from data_model.files.tabular import ERROR, WARNING, Header, Problem, RowOutcome, TableRow, header_key, table_row
from data_model.files.xlsform.questions import (
    FIELD_QUESTIONS,
    HELPER_QUESTIONS,
    QUESTION_FIELDS,
    VERSION_QUESTION,
    group_name,
    measure_meaning,
    measure_question,
    parse_signature,
    signature_question,
    village_of_choice,
)
from data_model.records.validation.catalogue import Catalogue
from data_model.reference.languages import parse_languages
from data_model.texts.catalogue import Text
from data_model.texts.formatting import format_number

# metadata columns, by their lower-case last path segment, in order of preference: a row uses the first filled one
INSTANCE_COLUMNS = ("key", "rootuuid", "instanceid", "_uuid")  # Central's KEY and Kobo's rootUuid survive edits
SUBMITTER_COLUMNS = ("submittername", "_submitted_by", "submitterid")
VERSION_COLUMNS = (VERSION_QUESTION.lower(), "formversion", "__version__", "_version_")
REVIEW_COLUMNS = ("reviewstate", "_validation_status")
CENTRAL_METADATA = {"submissiondate", "key", "submitterid", "submittername", "attachmentspresent",
                    "attachmentsexpected", "status", "reviewstate", "deviceid", "edits", "formversion", "instanceid",
                    "instancename", "deprecatedid", "rootuuid"}
MULTIPLE_QUESTIONS = {FIELD_QUESTIONS["languages"]}  # Kobo adds one 0/1 column per option of these
REFUSED_REVIEWS = ("rejected", "not_approved", "not approved")
INSTANCE_NAMESPACE = uuid.UUID("6f1b2a4e-0d1c-4c55-9a55-0b0d1c0de013")  # for instance IDs that are not uuids


META_GROUP, META_NAMES = "meta", ("instanceID", "rootUuid", "deprecatedID", "instanceName")


def _segments(header: str) -> list[str]:
    return [s for s in re.split(r"[/-]", header.strip()) if s]


def _separator(texts: Sequence[str], names: Sequence[str], groups: Sequence[str]) -> str | None:
    """The group separator an export uses (Central "-", Kobo "/" or whatever its export was told), from the headers
    of questions inside groups; None when no header has a group."""
    found: Counter[str] = Counter()
    for text in texts:
        for group in groups:
            rest = text[len(group):]
            if not text.startswith(group) or not rest:
                continue
            name = next((n for n in names if rest.endswith(n) and len(rest) > len(n)), None)
            sep = rest[:-len(name)] if name else ""
            if sep and len(sep) <= 3 and not any(ch.isalnum() for ch in sep):
                found[sep] += 1
    return found.most_common(1)[0][0] if found else None


def _canonical(text: str, sep: str | None, names: Sequence[str]) -> str:
    """A header as a "/"-joined path: groups, then the question (then a choice, for a multiple choice's column)."""
    if sep is None or sep in ("/", "-") or text.startswith("_"):  # Kobo's own columns (_id, __version__) stay
        return text
    for name in names:  # longest first: a separator may occur inside a name ("__")
        if text == name:
            return text
        if text.endswith(sep + name):
            return "/".join([*(p for p in text[:-len(name) - len(sep)].split(sep) if p), name])
    left, _, option = text.rpartition(sep)
    if left and option and _canonical(left, sep, names).rsplit("/", 1)[-1] in MULTIPLE_QUESTIONS:
        return f"{_canonical(left, sep, names)}/{option}"
    return "/".join(p for p in text.split(sep) if p)


def _last(header: str) -> str:
    parts = _segments(header)
    return parts[-1] if parts else ""


def is_submissions_export(raw: RawFile) -> bool:
    """Whether a file is a submissions export (ODK Central, KoboToolbox): its header row has an instance ID column."""
    for sheet in raw.sheets:
        header = next((row for row in sheet.rows[:3] if any(not is_blank(c) for c in row)), None)
        if header and any(_last(cell_text(c)).lower() in INSTANCE_COLUMNS for c in header):
            return True
    return False


def uid_of_instance(instance_id: str) -> str:
    """A record's global id from a submission's instance ID: the instance's own uuid ("uuid:…"), else a uuid5."""
    text = instance_id.strip()
    try:
        return str(uuid.UUID(text.removeprefix("uuid:")))
    except ValueError:
        return str(uuid.uuid5(INSTANCE_NAMESPACE, text))


@dataclass(frozen=True)
class Question:
    """What a question of the form stands for: a record field, a type's measure, a type's signature, or a helper."""

    kind: str  # field | measure | signature | helper
    field: str = ""
    type_code: str = ""
    measure: str = ""


def form_questions() -> dict[str, Question]:
    """Every question name of today's form (for every activity type, whichever units a form offers)."""
    out = {q: Question("field", field=f) for q, f in QUESTION_FIELDS.items()}
    out.update({q: Question("helper") for q in HELPER_QUESTIONS})
    for t in list_activity_types():
        out[group_name(t)] = Question("helper")
        out[signature_question(t)] = Question("signature", type_code=t.code)
        for m in t.measures:
            out[measure_question(t, m)] = Question("measure", type_code=t.code, measure=m.code)
    return out


@dataclass
class ExportColumns:
    """Where a sheet of an export keeps each question and metadata column."""

    texts: tuple[str, ...]
    meta: dict[str, list[int]] = field(default_factory=dict)  # instance | submitter | version | review
    fields: dict[str, int] = field(default_factory=dict)  # record field key → column
    measures: dict[tuple[str, str], int] = field(default_factory=dict)  # (type code, measure code) → column
    signatures: dict[str, int] = field(default_factory=dict)  # type code → column
    options: dict[str, dict[str, int]] = field(default_factory=dict)  # field → choice → its 0/1 column (Kobo, Central)
    unknown: dict[int, str] = field(default_factory=dict)  # column → header: not metadata, not in today's form


def _is_metadata(header: str) -> bool:
    parts = _segments(header)
    if not parts:
        return True
    return (parts[0].startswith("_") or parts[-1].startswith("_") or parts[0].lower() in ("meta", "formhub")
            or (len(parts) == 1 and parts[0].lower() in CENTRAL_METADATA))


def read_columns(texts: Sequence[str]) -> ExportColumns:
    """The columns of an export's header row, whichever convention (grp/field, grp-field or bare names) it uses."""
    questions = form_questions()
    known = sorted([*questions, *META_NAMES], key=len, reverse=True)
    groups = [META_GROUP, *(group_name(t) for t in list_activity_types())]
    sep = _separator(texts, known, groups)
    paths = [_canonical(t.strip(), sep, known) for t in texts]
    out = ExportColumns(tuple(texts))
    lower = [_last(t).lower() for t in paths]
    for kind, names in (("instance", INSTANCE_COLUMNS), ("submitter", SUBMITTER_COLUMNS),
                        ("version", VERSION_COLUMNS), ("review", REVIEW_COLUMNS)):
        out.meta[kind] = [i for n in names for i, text in enumerate(lower) if text == n]  # in order of preference
    for index, text in enumerate(paths):
        parts = _segments(text)
        if not parts:
            continue
        question = questions.get(parts[-1])
        if question is None:
            if len(parts) > 1 and parts[-2] in MULTIPLE_QUESTIONS:  # one 0/1 column per choice (Kobo, Central)
                out.options.setdefault(QUESTION_FIELDS[parts[-2]], {}).setdefault(parts[-1], index)
                continue
            if not _is_metadata(text):
                out.unknown[index] = text
        elif question.kind == "field":
            out.fields.setdefault(question.field, index)
        elif question.kind == "measure":
            out.measures.setdefault((question.type_code, question.measure), index)
        elif question.kind == "signature":
            out.signatures.setdefault(question.type_code, index)
    return out


class SubmissionMatcher(CellMatcher):
    """The cells of a submission hold choice names (unit, commune and activity type keys, village ids, language
    codes), not names to look up; an answer that names something no longer in the reference data says so."""

    def __init__(self, catalogue: Catalogue, actor: Any) -> None:
        super().__init__(catalogue, actor)
        self.default_unit = None  # a submission always names its unit
        self._unit_keys = {u.key: u.id for u in catalogue.units.values()}

    def unit(self, text: str) -> int:
        if text not in self._unit_keys:
            raise ValueError(f"không có đơn vị mã «{text[:60]}» (biểu mẫu cũ hơn danh mục hiện nay?)")
        return self._unit_keys[text]

    def commune(self, code: str, name: str, day: dt.date | None) -> str:
        if name not in self.cat.communes:
            raise ValueError(f"không có xã mã «{name[:60]}» (biểu mẫu cũ hơn danh mục hiện nay?)")
        return name

    def village(self, commune_key: str | None, text: str) -> int:
        village_id = village_of_choice(text)
        if village_id is None or village_id not in self.cat.villages:
            raise ValueError(f"không có bản mã «{text[:60]}» (biểu mẫu cũ hơn danh mục hiện nay?)")
        return village_id

    def languages(self, text: str) -> list[str]:
        return parse_languages(text.replace(",", " ").split())


@dataclass
class Submission:
    """One submission's identity and the row the records import checks."""

    row: TableRow | RowOutcome
    uid: str | None
    version: str
    refused: str = ""  # the server's review state when it rejected the submission
    instance: str = ""
    submitter: str = ""
    unit_key: str = ""  # the reporting unit it names (its choice name)


def submission_rows(*, raw: RawFile, current_version: str, notes: list[str],
                    file_errors: list[str]) -> list[Submission]:
    """Every submission of every sheet with an instance ID column, as rows of the records format."""
    out: list[Submission] = []
    for sheet in raw.sheets:
        first = next((i for i, row in enumerate(sheet.rows[:3]) if any(not is_blank(c) for c in row)), None)
        if first is None:
            continue
        columns = read_columns([cell_text(c) for c in sheet.rows[first]])
        if not columns.meta["instance"]:
            continue
        if "type_code" not in columns.fields:
            file_errors.append(f"Trang «{sheet.name}»: tệp xuất không có câu hỏi «{FIELD_QUESTIONS['type_code']}»: "
                               "không phải bản xuất của biểu mẫu nhập ngoại tuyến, hoặc được xuất theo nhãn câu hỏi. "
                               "Hãy xuất lại với tên câu hỏi (KoboToolbox: «XML values and headers»).")
            continue
        typed = {(r, c): text for (name, r, c), text in raw.formulas.items() if name == sheet.name and r > first}
        if typed:
            cells = ", ".join(f"{get_column_letter(c + 1)}{r + 1}" for r, c in sorted(typed)[:10])
            notes.append(Text("Trang «{sheet}»: {n} câu trả lời bắt đầu bằng «=» được máy chủ ghi thành công thức "
                              "(ô {cells}): đã đọc đúng chữ người dùng đã gõ, không dùng giá trị của công thức.",
                              sheet=sheet.name, n=len(typed), cells=cells + ("…" if len(typed) > 10 else "")))
        out += _sheet_submissions(sheet, first, columns, typed)
    other = [s.version for s in out if s.version and s.version != current_version]
    if other:
        versions = ", ".join(sorted(set(other))[:5])
        notes.append(f"{format_number(len(other))} bản gửi làm theo biểu mẫu phiên bản khác ({versions}) với phiên bản "
                     f"hiện nay ({current_version}): câu trả lời còn cùng nghĩa được nhận; câu trả lời đã đổi nghĩa "
                     "hoặc không còn trong biểu mẫu được báo lỗi ở bản gửi đó. Hãy tải biểu mẫu mới cho các máy.")
    if any(not s.version for s in out):
        notes.append("Tệp xuất không ghi phiên bản biểu mẫu của một số bản gửi: câu trả lời được đọc theo biểu mẫu "
                     "hiện nay.")
    return out


def _sheet_submissions(sheet: Sheet, first: int, columns: ExportColumns,
                       typed: dict[tuple[int, int], str]) -> list[Submission]:
    fmt = records_format()
    types = load_activity_types()
    out: list[Submission] = []
    typed_rows: dict[int, list[tuple[int, str]]] = {}
    for (r, c), text in typed.items():
        typed_rows.setdefault(r, []).append((c, text))
    for index in range(first + 1, len(sheet.rows)):
        cells = sheet.rows[index]
        if all(is_blank(c) for c in cells):
            continue
        if index in typed_rows:
            cells = list(cells)
            for c, text in typed_rows[index]:
                cells[c] = text

        def meta(kind: str) -> str:
            """The first filled column of this kind (an export may have several, some empty)."""
            found = (cell_text(_cell(cells, where)).strip() for where in columns.meta[kind])  # noqa: B023 (called in this loop)
            return next((text for text in found if text), "")

        instance = meta("instance")
        submitter = meta("submitter")
        # the submitter first: a narrow table column still shows who sent it
        label = f"Bản gửi của {submitter} ({instance or 'không có mã'})" if submitter else \
            f"Bản gửi {instance or '(không có mã)'}"
        review = meta("review").lower()
        unit_key = cell_text(_cell(cells, columns.fields["reporting_unit_id"])).strip() \
            if "reporting_unit_id" in columns.fields else ""
        if any(word in review for word in REFUSED_REVIEWS):
            submission = Submission(RowOutcome(label, index + 1, action="skip", skip_reason=(
                f"Bản gửi bị từ chối trên máy chủ ({meta('review')}): không nhập")),
                uid_of_instance(instance) if instance else None, meta("version"), meta("review"))
        else:
            submission = _submission(label, index + 1, cells, columns, fmt, types, instance, meta("version"))
        submission.instance, submission.submitter, submission.unit_key = instance, submitter, unit_key
        out.append(submission)
    return out


def _cell(cells: Sequence[Any], index: int) -> Any:
    return cells[index] if index < len(cells) else None


def _submission(label: str, row_number: int, cells: Sequence[Any], columns: ExportColumns, fmt, types,
                instance: str, version: str) -> Submission:
    type_code = cell_text(_cell(cells, columns.fields["type_code"])).strip()
    t = types.get(type_code)
    header_columns = dict(columns.fields)
    texts = columns.texts
    for key, options in columns.options.items():
        if key not in columns.fields:  # only the 0/1 columns (Kobo's "separate columns only"): the answer from them
            chosen = [o for o, i in options.items() if cell_text(_cell(cells, i)).strip().lower() in ("1", "true")]
            header_columns[key] = len(texts)
            cells = [*cells, *[None] * (len(texts) - len(cells)), " ".join(chosen) or None]
            texts = (*texts, FIELD_QUESTIONS[key])
    problems: list[Problem] = []
    for (code, measure), index in columns.measures.items():
        value = _cell(cells, index)
        if t is not None and code == t.code:
            header_columns[header_key(t.measure(measure).label_vi)] = index
        elif not is_blank(value):
            problems.append(Problem(columns.texts[index], f"câu trả lời cho loại «{types[code].name_vi}», không dùng "
                                    "cho loại hoạt động đã chọn; hãy để trống"))
    for index, text in columns.unknown.items():
        if not is_blank(_cell(cells, index)):
            problems.append(Problem(text, "câu hỏi này không có trong biểu mẫu hiện nay (đã bỏ hoặc đổi tên từ "
                                    f"phiên bản {version or 'cũ'}): không nhập được bản gửi mà không mất câu trả lời "
                                    "này. Hãy ghi lại hoạt động bằng biểu mẫu mới hoặc nhập tay."))
    if t is not None:
        problems += _meaning_problems(t, cells, columns, version)
    row = table_row(label, row_number, cells, Header(0, texts, header_columns, ()), fmt)
    row.problems += problems
    if not instance:
        row.problems.append(Problem("", "bản gửi không có mã (instanceID / KEY / _uuid): không nhận ra được khi nhập "
                                    "lại, nên không nhập"))
    return Submission(row, uid_of_instance(instance) if instance else None, version)


def _meaning_problems(t: ActivityType, cells: Sequence[Any], columns: ExportColumns, version: str) -> list[Problem]:
    """Measures answered in a submission whose form gave them another meaning (code or unit) than today's."""
    where = columns.signatures.get(t.code)
    recorded = parse_signature(cell_text(_cell(cells, where))) if where is not None else {}
    if not recorded:
        return []  # an export without the signature column: the answers are read by their names alone
    out = []
    for m in t.measures:
        index = columns.measures.get((t.code, m.code))
        if index is None or is_blank(_cell(cells, index)):
            continue
        if recorded.get(m.code) != measure_meaning(t, m):
            out.append(Problem(columns.texts[index], f"«{m.label_vi}» trong biểu mẫu phiên bản {version or 'cũ'} có "
                               f"nghĩa khác với hiện nay (đơn vị tính {m.unit_vi} hoặc định nghĩa đã đổi): không nhập; "
                               "hãy ghi lại hoạt động bằng biểu mẫu mới hoặc nhập tay.", ERROR))
    return out


def version_warning(version: str, current_version: str) -> Problem | None:
    """A row note for a refused submission made with another form version."""
    if not version or version == current_version:
        return None
    return Problem("", f"bản gửi làm theo biểu mẫu phiên bản {version}, phiên bản hiện nay là {current_version}",
                   WARNING)

