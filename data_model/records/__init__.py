"""Activity records: the write API, validation, reading, summaries kept exact, the change log."""
