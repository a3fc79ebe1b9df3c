"""The database: typed models, engine and sessions, settings, migrations, creating, opening and starting on a database."""
