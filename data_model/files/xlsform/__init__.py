"""The offline entry form (XLSForm) generated from the activity definitions and reference data."""
