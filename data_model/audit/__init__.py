"""The change log and its reading: every write logs here (changelog), admins and officials read it (log)."""
