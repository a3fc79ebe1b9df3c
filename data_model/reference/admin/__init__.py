"""Admin lists, edits and imports of reference data; every change goes into the change log."""
from data_model.reference.admin.edits import *  # noqa: F403  (split into lists, edits, imports next)
