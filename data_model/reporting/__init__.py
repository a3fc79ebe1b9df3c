"""Monthly reporting completeness (confirmations, deadline, grid) and year close (published figures, revisions)."""
# Importing reporting registers its checks on every record write (closed years, confirmed months).
from data_model.reporting import guard as _guard  # noqa: F401
