"""Importing activity records from CSV/XLSX: a preview row by row, then every row or none."""
