"""Submissions exports made the way ODK Central and KoboToolbox make them, from the generated form's own definition
(the form converted by pyxform): its questions, their group paths, their select_multiple options."""
from __future__ import annotations

import csv
import io
import uuid
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import xlsxwriter
from pyxform.xls2xform import convert

CENTRAL_META_BEFORE = ["SubmissionDate"]
CENTRAL_META_AFTER = ["meta-instanceID", "KEY", "SubmitterID", "SubmitterName", "AttachmentsPresent",
                      "AttachmentsExpected", "Status", "ReviewState", "DeviceID", "Edits", "FormVersion"]
KOBO_META = ["_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status", "_submitted_by",
             "__version__", "_tags", "_index"]


@dataclass
class FormQuestion:
    path: tuple[str, ...]  # groups, then the question's name
    type: str
    options: tuple[str, ...] = ()
    constant: str | None = None  # what a calculate with a quoted literal always holds (version, signatures)


@dataclass
class Submission:
    """What a phone sent: answers by question name (groups are implied), and the server's metadata."""

    answers: dict[str, Any]
    instance_id: str = field(default_factory=lambda: f"uuid:{uuid.uuid4()}")
    submitter: str = "Lò Văn Pếnh"
    submitted: str = "2025-06-02T08:15:00.000Z"
    review: str = ""


def form_questions(xlsx: bytes) -> tuple[list[FormQuestion], str]:
    """The questions of an XLSForm as pyxform reads it, with their group paths; and the form's version."""
    result = convert(xlsform=io.BytesIO(xlsx), file_type=".xlsx")
    survey = result._pyxform
    choices = survey.get("choices", {})
    out: list[FormQuestion] = []

    def walk(children: Iterable[dict], path: tuple[str, ...]) -> None:
        for child in children:
            if child["name"] == "meta":  # the servers write their own metadata columns
                continue
            if child["type"] == "group":
                walk(child.get("children", []), path + (child["name"],))
            else:
                list_name = child.get("itemset") or child.get("list_name") or ""
                options = tuple(c["name"] for c in choices.get(list_name, [])) if "select all" in child["type"] \
                    else ()
                calculation = child.get("bind", {}).get("calculate", "")
                constant = calculation[1:-1] if child["type"] == "calculate" and calculation[:1] == "'" else None
                out.append(FormQuestion(path + (child["name"],), child["type"], options, constant))

    walk(survey["children"], ())
    return out, survey["version"]


def _answers(questions: list[FormQuestion], submission: Submission, version: str) -> dict[str, Any]:
    """The submission's answers, with what the phone computes itself: the version, and the constant calculations of
    each group the submission answered in (a group that is not relevant stays empty)."""
    answers = dict(submission.answers)
    answered_groups = {q.path[:-1] for q in questions if answers.get(q.path[-1]) not in (None, "")}
    for q in questions:
        if q.constant is not None and q.path[-1] not in answers and (len(q.path) == 1 or q.path[:-1] in answered_groups):
            answers[q.path[-1]] = q.constant
    answers["form_version"] = submission.answers.get("form_version", version)
    return answers


def form_id(xlsx: bytes) -> str:
    """The form's id (its settings' form_id): Central names its export zip and CSV after it."""
    return convert(xlsform=io.BytesIO(xlsx), file_type=".xlsx")._pyxform["id_string"]


def central_csv(xlsx: bytes, submissions: list[Submission], *, version: str | None = None, group_paths: bool = True,
                split_multiple: bool = False) -> bytes:
    """An ODK Central CSV export (lib/data/briefcase.js): group-path headers joined by "-" (or bare names without
    group paths), a select_multiple split into one "question/choice" column per choice holding 1 when asked,
    metadata before and after."""
    questions, form_version = form_questions(xlsx)
    version = version or form_version
    headers: list[str] = []
    for q in questions:
        name = "-".join(q.path) if group_paths else q.path[-1]
        headers.append(name)
        headers += [f"{name}/{option}" for option in q.options] if split_multiple else []
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CENTRAL_META_BEFORE + headers + CENTRAL_META_AFTER)
    for s in submissions:
        answers = _answers(questions, s, version)
        cells: list[Any] = [s.submitted]
        for q in questions:
            value = answers.get(q.path[-1], "")
            cells.append(value)
            if split_multiple:
                cells += [1 if option in str(value).split() else "" for option in q.options]
        writer.writerow(cells + [s.instance_id, s.instance_id, "5", s.submitter, "0", "0", "", s.review, "", "0",
                                 version])
    return out.getvalue().encode("utf-8")


def central_zip(xlsx: bytes, submissions: list[Submission], *, version: str | None = None,
                attachments: bool = False, **options: Any) -> bytes:
    """ODK Central's download: `<formId>.zip` holding `<formId>.csv` (and media/ when attachments are included)."""
    name = form_id(xlsx)
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{name}.csv", central_csv(xlsx, submissions, version=version, **options))
        if attachments:
            archive.writestr("media/1718000000000.jpg", b"\xff\xd8\xff\xe0 not read")
    return data.getvalue()


def kobo_xlsx(xlsx: bytes, submissions: list[Submission], *, version: str | None = None, group_sep: str = "/",
              multiple: str = "both") -> bytes:
    """A KoboToolbox XLSX export as formpack writes it (xlsxwriter, its default: text starting with "=" becomes a
    formula whose value is 0): group paths joined by group_sep; a select_multiple as its answer ("summary"), one
    0/1 column per choice ("details", Kobo's "separate columns only"), or both (Kobo's default)."""
    questions, form_version = form_questions(xlsx)
    version = version or form_version
    headers: list[str] = []
    for q in questions:
        name = group_sep.join(q.path)
        headers += [name] if not q.options or multiple != "details" else []
        headers += [group_sep.join(q.path + (option,)) for option in q.options] if multiple != "summary" else []
    data = io.BytesIO()
    book = xlsxwriter.Workbook(data, {"in_memory": True})
    sheet = book.add_worksheet("Hoạt động thông tin")
    sheet.write_row(0, 0, headers + KOBO_META)
    for number, s in enumerate(submissions, start=1):
        answers = _answers(questions, s, version)
        cells: list[Any] = []
        for q in questions:
            value = answers.get(q.path[-1], "")
            cells += [value if value != "" else None] if not q.options or multiple != "details" else []
            chosen = str(value).split()
            cells += [int(option in chosen) if value else None for option in q.options] if multiple != "summary" \
                else []
        sheet.write_row(number, 0, cells + [number, s.instance_id.removeprefix("uuid:"), s.submitted,
                                            s.review or None, None, "submitted_via_web", s.submitter, "vQf3kTq8",
                                            None, number])
    book.close()
    return data.getvalue()


def kobo_csv(xlsx: bytes, submissions: list[Submission], *, version: str | None = None, **options: Any) -> bytes:
    """A KoboToolbox CSV export: the XLSX export's cells (as typed), separated by semicolons (Kobo's default)."""
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(kobo_xlsx(xlsx, submissions, version=version, **options))).active
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    for row in sheet.iter_rows(values_only=True):
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue().encode("utf-8")
