"""Spreadsheet files: reading CSV/XLSX cells, importing records, exporting them in the import format."""
