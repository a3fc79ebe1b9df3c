"""Creating, migrating and preparing a database at start: above every feature, used by dashboard.py and the CLI."""
