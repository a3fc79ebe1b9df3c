"""The province's reference data: units and their successors, names, languages, and the admin's edits."""
