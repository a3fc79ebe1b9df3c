"""Shared basics every feature stands on: who is acting and what they may do (permissions), the issues and
validation errors a check reports (issues)."""
