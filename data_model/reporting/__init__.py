"""Monthly reporting completeness (confirmations, deadline, grid) and year close (published figures, revisions)."""
