"""What a records import finds and does: each row's record columns and identity, the file's preview, the result."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from data_model.analytics.records_query import figures_text
from data_model.definitions.activity_types import load_activity_types
from data_model.files.tabular import ImportPreview, RowOutcome
from data_model.records.validation.catalogue import Catalogue
from data_model.texts.errors import UserError


@dataclass
class RecordRow(RowOutcome):
    """What the import does with one row: the record's columns when it checks out, and which record it is."""

    type_code: str | None = None
    columns: dict[str, Any] | None = None
    record_id: int | None = None  # the matched record here (update, unchanged, skip), never the file's own id
    uid: str | None = None  # the row's global id, from the file
    source_key: str | None = None
    old: dict[str, Any] | None = None  # the record's columns when checked (update)
    version: tuple | None = None  # the record's (updated_at, deleted_at) when checked (update)
    source_hash: str | None = None  # the server's submission (exports of a server): written with the record
    refused_on_server: str = ""  # the review state of a submission the server rejected
    record_year: int | None = None  # the year of the record a submission imported before made
    instance: str = ""  # a submission's instance ID and who sent it (exports of a server): what a held one shows
    submitter: str = ""

    def shown(self, lang: str = "vi") -> dict[str, Any]:
        t = load_activity_types().get(self.type_code or "")
        return {"type": t.name(lang) if t else "", "start_date": self.columns["start_date"] if self.columns else None,
                "figures": figures_text(self.type_code, self.columns, lang) if self.columns and self.type_code else "",
                "record_id": self.record_id}


@dataclass
class RecordsPreview(ImportPreview):
    """A records file checked: the tabular preview plus the file's identity and the reference data it was checked on."""

    shown_columns: tuple[str, ...] = ("type", "start_date", "figures", "record_id")
    fingerprint: str = ""
    catalogue: Catalogue | None = field(default=None, repr=False)  # for the change log of updated records
    file_imported: int = 0  # rows added by earlier imports of this very file, when it was checked
    # an export of a server: its refused submissions are held back (listed, tried again) and the others written;
    # an office spreadsheet stays all rows or none
    server_export: bool = False
    others: int = 0  # submissions of units the user does not write for, left for them (exports of a server)

    @property
    def ok(self) -> bool:
        return not self.file_errors and (self.server_export or not any(r.has_error for r in self.rows))

    def held_rows(self) -> list[RecordRow]:
        """The submissions of a server's export refused by the checks: held back, not written."""
        return [r for r in self.rows if isinstance(r, RecordRow) and r.has_error] if self.server_export else []


class ImportConflict(UserError):
    """What the file's check relied on changed before the write (someone else imported or edited); nothing written."""


@dataclass(frozen=True)
class ImportResult:
    """What a successful import wrote."""

    batch_id: int | None
    added: int
    updated: int
    unchanged: int
    skipped: int
    record_ids: list[int]
    write_seconds: float = 0.0  # how long the write transaction (on SQLite: the write lock) was held
    withdrawn: int = 0  # submissions rejected on the server since their import
    restored: int = 0  # submissions accepted again
    conflicts: int = 0  # edited both here and on the server: left as they are for an official
    held: int = 0  # submissions refused by the checks, held back to try again on the next import
    others: int = 0  # submissions of other units, left for them
