"""Importing activity records from CSV/XLSX: a preview row by row, then every row in one transaction or none."""
from data_model.files.records_import.held import HELD_COLUMNS, list_held
from data_model.files.records_import.outcome import ImportConflict, ImportResult, RecordRow, RecordsPreview
from data_model.files.records_import.preview import fingerprint_of, preview_import
from data_model.files.records_import.write import run_import, summarise_result, write_import
from data_model.files.tabular import ImportPreview, ImportRejected, Problem

__all__ = [
    "HELD_COLUMNS", "ImportConflict", "ImportPreview", "ImportRejected", "ImportResult", "Problem", "RecordRow", "RecordsPreview",
    "fingerprint_of", "list_held", "preview_import", "run_import", "summarise_result", "write_import",
]
