"""Checking a record against its type's definition and the dated reference data."""
