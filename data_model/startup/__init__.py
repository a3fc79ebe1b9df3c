"""Creating, migrating and preparing a database at start: above every feature, used by dashboard.py and the CLI."""
# The checks record writes call (records/write_checks.py) come from the features above records: importing them
# here registers them in every program that starts through this package (dashboard, CLI, tests' databases).
import data_model.reporting  # noqa: F401
